"""A missing optional part is one message naming the extra to install."""

from __future__ import annotations

import pytest

from assessment_kit import extras
from assessment_kit.errors import MissingExtraError


def test_installed_extras_pass() -> None:
    extras.require("jupyter", "pdf", "xlsx", purpose="Everything")


def test_missing_module_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(extras.EXTRAS, "pdf", ("kaleido", "a_module_nobody_installed"))
    with pytest.raises(MissingExtraError) as caught:
        extras.require("jupyter", "pdf", purpose="Exporting a PDF briefing")
    message = str(caught.value)
    assert message.startswith("Exporting a PDF briefing needs a_module_nobody_installed")
    assert "pip install 'assessment-kit[pdf]'" in message


def test_every_extra_is_declared_in_pyproject() -> None:
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    assert set(extras.EXTRAS) <= set(declared["optional-dependencies"])
