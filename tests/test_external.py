import os
import sys
from pathlib import Path

import pytest

from s2a.errors import ExternalToolFailed
from s2a.external import run_logged

SCRIPT = "print('loading data'); print('Step 50/1000; acc: 12.0'); print('[valid] loss 3.2', flush=True); raise SystemExit({code})"


def test_progress_lines_are_echoed_and_everything_is_logged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "logs" / "train.log"
    run_logged("trainer", [sys.executable, "-c", SCRIPT.format(code=0)], log, os.environ)
    err = capsys.readouterr().err
    assert "[trainer] Step 50/1000; acc: 12.0" in err and "[trainer] [valid] loss 3.2" in err
    assert "loading data" not in err
    assert "loading data" in log.read_text()


def test_failure_raises_with_the_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    with pytest.raises(ExternalToolFailed) as e:
        run_logged("trainer", [sys.executable, "-c", SCRIPT.format(code=3)], log, os.environ, echo=False)
    assert e.value.returncode == 3 and str(log) in str(e.value) and "loss 3.2" in str(e.value)
