"""Imports run one way, down the layers the team agreed on (design agreements, "Layers"):

    areas, errors < questionnaire < store < scoring < files, charts < briefing < widgets
    < cli, server (the Jupyter server extension)

A module may import its own layer and the layers below it, never one above. Every import
counts, wherever it is written (module top, inside a function, under TYPE_CHECKING): a
lazy import is still a dependency. The imports are read with ``ast``; nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assessment_kit"

#: Top-level part of the package -> its layer (higher may import lower).
LAYERS: dict[str, int] = {
    "": 0,  # the package itself: __version__
    "areas": 0,
    "errors": 0,
    "error_codes": 0,  # the Code catalogue, re-exported by errors
    "i18n": 0,  # gettext catalogues (gettext and Babel only): the layers above translate
    "extras": 0,  # which optional extras are installed: below everything that checks
    "atomic": 0,  # the one atomic-write helper: the store, the briefing and the cache use it
    "columns": 0,  # a table without pandas: the store reads answers into it, scoring reads it
    "questionnaire": 1,
    "store": 2,
    "scoring": 3,
    "files": 4,  # files in and out: answers and scores, CSV and XLSX
    "charts": 4,
    "demo": 4,  # seeds a mission through the questionnaire and store layers
    "briefing": 5,
    "widgets": 6,
    "cli": 7,
    "cli_parser": 7,  # the command line's argument parser
    "server": 7,  # the Jupyter server extension: an edge, like the command line
}

#: Known imports from a lower layer to a higher one: (importing module, imported part).
#: Each is a debt with its reason; the test fails when one disappears, so that its entry
#: is removed with the debt.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


def _module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(module: str) -> str | None:
    """The top-level part of the package a dotted name belongs to, None if outside it."""
    names = module.split(".")
    if names[0] != "assessment_kit":
        return None
    return names[1] if len(names) > 1 else ""


def _imports(path: Path, package_dir: Path = PACKAGE) -> set[str]:
    """Every module of the package that ``path`` imports, as dotted names."""
    name = _module_name(path, package_dir)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            # "from assessment_kit import scoring" imports the part named in the alias.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {module for module in found if _part(module) is not None}


def _layer(module: str) -> int | None:
    part = _part(module)
    if part is None:
        return None
    # "assessment_kit.x" where x is a name inside __init__ (like __version__) is the root.
    return LAYERS.get(part, LAYERS[""] if module.count(".") == 1 else None)


def upward_imports() -> dict[tuple[str, str], str]:
    """(importing module, imported part) -> the import, for each import that goes up."""
    found: dict[tuple[str, str], str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        own = _layer(name)
        assert own is not None, f"{name}: put its part in LAYERS"
        for module in _imports(path):
            layer = _layer(module)
            if layer is not None and layer > own:
                found.setdefault((name, str(_part(module))), module)
    return found


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert parts <= set(LAYERS), sorted(parts - set(LAYERS))


def test_imports_run_down_the_layers() -> None:
    found = upward_imports()
    unexpected = {key: module for key, module in found.items() if key not in KNOWN_VIOLATIONS}
    assert not unexpected, f"imports from a lower layer to a higher one: {unexpected}"


def test_each_known_violation_still_exists() -> None:
    # When a debt is paid, remove its entry: the list documents what is left, no more.
    found = upward_imports()
    stale = [key for key in KNOWN_VIOLATIONS if key not in found]
    assert not stale, f"no longer imported, remove from KNOWN_VIOLATIONS: {stale}"


def test_the_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    # The parser itself, on a made-up module: an import inside a function and a relative
    # import both count, and so does a part imported by name from the package.
    package = tmp_path / "assessment_kit"
    (package / "store").mkdir(parents=True)
    module = package / "store" / "example.py"
    module.write_text(
        "import json\n"
        "from . import schema\n"
        "from ..scoring import score_answers\n"
        "from assessment_kit import widgets\n"
        "def later():\n"
        "    import assessment_kit.cli\n",
        encoding="utf-8",
    )
    found = _imports(module, package)
    assert {"assessment_kit.store.schema", "assessment_kit.scoring"} <= found
    assert {"assessment_kit.widgets", "assessment_kit.cli"} <= found
    assert "json" not in found
    layers = {_layer(name) for name in found}
    assert {LAYERS["scoring"], LAYERS["widgets"], LAYERS["cli"]} <= layers
