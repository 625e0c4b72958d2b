"""The import structure: formats and shared mechanisms at the bottom, preprocessing / models /
evaluation / selection beside each other (none imports another), the front (CLI, API, web server,
split prediction, ablation) on top. Read from the source with `ast`, so a new module is checked too."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIDDLE = {
    "preprocessing": ("preprocessing",),
    "models": ("s2a.models", "s2a.llm"),
    "evaluation": ("s2a.evaluation",),
    "selection": ("s2a.selection",),
}
TOP = ("s2a.cli", "s2a.api", "s2a.serve", "s2a.predict_split", "s2a.selection_ablation", "s2a.ablation",
       "s2a.chemactor_framework", "s2a.task_round_trip", "s2a.__main__")


def _layer(module: str) -> str:
    if module.startswith(TOP) or module == "s2a":
        return "top"
    for name, prefixes in MIDDLE.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return name
    return "base"


def _modules() -> dict[str, Path]:
    out = {}
    for package in ("s2a", "preprocessing"):
        for path in (ROOT / package).rglob("*.py"):
            out[".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")] = path
    return out


def _imports(path: Path, known: set[str]) -> set[str]:
    """The project modules a file imports (`from s2a import config` is s2a.config, not s2a)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{a.name}" for a in node.names} & known
            found |= submodules if submodules else {node.module}
    return found & known


def test_layers_import_one_way() -> None:
    known = _modules()
    wrong = []
    for module, path in known.items():
        mine = _layer(module)
        for target in _imports(path, set(known)):
            theirs = _layer(target)
            if mine == "top" or theirs == "base" or theirs == mine:
                continue
            wrong.append(f"{module} ({mine}) imports {target} ({theirs})")
    assert not wrong, "\n".join(sorted(wrong))


def test_the_checker_sees_a_crossing() -> None:
    assert _layer("s2a.evaluation.report") == "evaluation" and _layer("s2a.models.base") == "models"
    assert _layer("s2a.formats.targets") == "base" and _layer("s2a.cli.models") == "top"
    known = set(_modules())
    assert "s2a.formats.targets" in _imports(ROOT / "s2a" / "evaluation" / "metrics.py", known)
    assert "s2a.config" in _imports(ROOT / "s2a" / "models" / "bart.py", known)
