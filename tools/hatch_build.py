"""Hatch build hook: compile the interface's gettext catalogues (.po -> .mo) into the wheel.

The .po files are the committed sources (assessment_kit/locale/<lang>/LC_MESSAGES/); the .mo
files are build products, written to a temporary folder and mapped into the wheel, so the
source tree stays clean. A checkout without them still works: assessment_kit.i18n compiles
a .po in memory when its .mo is missing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogues(BuildHookInterface):  # type: ignore[type-arg]
    """Compile every assessment_kit/locale/*/LC_MESSAGES/*.po into the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root)
        out = Path(tempfile.mkdtemp(prefix="assessment-kit-mo-"))
        for source in sorted((root / "assessment_kit" / "locale").glob("*/LC_MESSAGES/*.po")):
            relative = source.relative_to(root).with_suffix(".mo")
            with source.open("rb") as stream:
                catalog = read_po(stream, locale=source.parent.parent.name)
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as stream:
                write_mo(stream, catalog, use_fuzzy=False)
            build_data["force_include"][str(target)] = str(relative)
