"""The optional parts of assessment-kit and the pip extras that install them.

The core (questionnaires, store, scoring, the command line) needs none of them; a feature
that does checks first, so a missing part is one clear message instead of an ImportError
deep in a traceback.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from assessment_kit.errors import MissingExtraError

#: Modules each extra of pyproject.toml provides (the ones our code imports).
EXTRAS: dict[str, tuple[str, ...]] = {
    "jupyter": ("ipywidgets", "plotly", "nbconvert", "nbformat"),
    "pdf": ("kaleido",),
    "xlsx": ("openpyxl",),
    "app": ("voila",),
}


def package_folder(name: str) -> Path | None:
    """Where the installed package ``name`` lives, found without importing it (importing
    plotly or kaleido takes a tenth of a second or more, for one of their files); None
    when it is not installed."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that are not installed."""
    return [module for module in EXTRAS[extra] if find_spec(module) is None]


def require(*extras: str, purpose: str) -> None:
    """Raise :class:`MissingExtraError` unless every module of ``extras`` is installed.

    ``purpose`` says what needs them, as in "exporting a PDF briefing".
    """
    lacking = [extra for extra in extras if missing_modules(extra)]
    if not lacking:
        return
    modules = [module for extra in lacking for module in missing_modules(extra)]
    names = ",".join(lacking)
    verb = "is" if len(modules) == 1 else "are"
    raise MissingExtraError(
        f"{purpose} needs {', '.join(modules)}, which {verb} not installed: "
        f"pip install 'assessment-kit[{names}]' (or 'assessment-kit[all]' for everything)"
    )
