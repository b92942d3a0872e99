"""The wheel's build hook compiles every catalogue (.po -> .mo) into the wheel, and leaves
the source tree as it was (no .mo is ever committed)."""

from __future__ import annotations

import gettext
import importlib.util
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from assessment_kit.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "assessment_kit" / "locale"


def _hook_class() -> Any:
    spec = importlib.util.spec_from_file_location("hatch_build", ROOT / "tools" / "hatch_build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CompileCatalogues


def test_the_build_hook_compiles_every_catalogue_into_the_wheel(tmp_path: Path) -> None:
    hook = _hook_class()(
        str(ROOT), {}, None, None, str(tmp_path), "wheel"
    )  # root, config, build config, metadata, build directory, target
    build_data: dict[str, Any] = {"force_include": {}}
    hook.initialize("standard", build_data)
    included = {target: Path(source) for source, target in build_data["force_include"].items()}
    expected = {
        f"assessment_kit/locale/{code}/LC_MESSAGES/assessment_kit.mo" for code in LANGUAGES[1:]
    }
    assert set(included) == expected
    for target, compiled in included.items():
        code = target.split("/")[2]
        with compiled.open("rb") as stream:
            catalogue = gettext.GNUTranslations(stream)
        with (LOCALE / code / "LC_MESSAGES" / "assessment_kit.po").open("rb") as stream:
            source = read_po(stream, locale=code)
        assert catalogue.gettext("Contents") == source.get("Contents").string
    # Compiled outside the source tree: nothing to commit by mistake.
    assert not list(LOCALE.rglob("*.mo"))


def test_a_source_tree_is_read_without_compiled_catalogues() -> None:
    from assessment_kit import i18n

    i18n.translations.cache_clear()
    assert i18n.translations("ru").gettext("Contents") == "Содержание"
