"""Interface strings in the six UN languages: gettext catalogues managed with Babel.

The English text is the message id, so English output is the source text itself. The
catalogues live in ``assessment_kit/locale/<lang>/LC_MESSAGES/assessment_kit.po``; the
wheel's build hook compiles them to ``.mo``. A source checkout has no ``.mo`` (they are
never committed): the ``.po`` is then compiled in memory on first use, with Babel.

The language in force is a context variable, so a briefing written in French and a form
shown in Arabic in the same process do not disturb each other::

    with language("fr"):
        heading = _("Summary")

This module is part of the pure core: it imports gettext and Babel only.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALE_DIR",
    "N_",
    "_",
    "current_language",
    "direction",
    "environment_language",
    "format_date",
    "format_decimal",
    "format_month",
    "format_percent",
    "is_language",
    "language",
    "ngettext",
    "translations",
]

DOMAIN = "assessment_kit"
LOCALE_DIR = Path(__file__).parent / "locale"

#: The six official languages of the United Nations, English first (the source).
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")

#: Each language in its own words, for language pickers.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "ru": "Русский",
    "zh": "中文",
}

_RIGHT_TO_LEFT = frozenset({"ar"})
_current: ContextVar[str] = ContextVar("assessment_kit_language", default="en")


def is_language(code: str) -> bool:
    """True when ``code`` is one of the six languages."""
    return code in LANGUAGES


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The catalogue of one language (English and unknown codes: the source text)."""
    if code == "en" or code not in LANGUAGES:
        return gettext.NullTranslations()
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    compiled = folder / f"{DOMAIN}.mo"
    if compiled.is_file():
        with compiled.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    source = folder / f"{DOMAIN}.po"
    if not source.is_file():
        return gettext.NullTranslations()
    # A source checkout: compile the .po in memory (no cache file to go stale).
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with source.open("rb") as stream:
        catalog = read_po(stream, locale=code, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def environment_language(environ: Mapping[str, str] | None = None) -> str:
    """The user's language from the environment: ``ASSESSMENT_KIT_LANGUAGE``, else the
    gettext variables (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``); ``en`` when
    none names one of the six."""
    env = os.environ if environ is None else environ
    for name in ("ASSESSMENT_KIT_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if not value:
            continue
        # LANGUAGE may list several (fr:en); a locale reads fr_FR.UTF-8.
        for item in value.split(":"):
            code = item.split(".")[0].split("_")[0].split("-")[0].lower()
            if code in LANGUAGES:
                return code
        if name != "LANGUAGE":
            return "en"  # the first variable set decides, as in gettext
    return "en"


def current_language() -> str:
    """The language in force (``en`` unless inside :func:`language`)."""
    return _current.get()


@contextmanager
def language(code: str) -> Iterator[str]:
    """Translate into ``code`` inside the block (any unknown code means English)."""
    token = _current.set(code if code in LANGUAGES else "en")
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """``message`` in the language in force."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form of a message, in the language in force."""
    return translations(_current.get()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


def direction(code: str | None = None) -> str:
    """``rtl`` for a right-to-left language, else ``ltr``."""
    return "rtl" if (code or _current.get()) in _RIGHT_TO_LEFT else "ltr"


def _locale(code: str | None) -> str:
    return code or _current.get()


def format_decimal(value: float, digits: int, code: str | None = None) -> str:
    """A number with ``digits`` decimals in the language's convention (English: ``12.5``)."""
    lang = _locale(code)
    if lang == "en":
        return f"{value:.{digits}f}"
    from babel.numbers import format_decimal as babel_decimal

    pattern = "0" if digits == 0 else "0." + "0" * digits
    return babel_decimal(value, format=pattern, locale=lang)


def format_percent(value: float, code: str | None = None) -> str:
    """A whole percentage of ``value`` (0..100) in the language's convention (``45%``)."""
    lang = _locale(code)
    if lang == "en":
        return f"{value:.0f}%"
    from babel.numbers import format_percent as babel_percent

    return babel_percent(round(value) / 100, format=None, locale=lang)


def format_date(value: dt.date, code: str | None = None) -> str:
    """A date in full words (English: ``2 December 2026``)."""
    lang = _locale(code)
    if lang == "en":
        return f"{value.day} {value.strftime('%B')} {value.year}"
    from babel.dates import format_date as babel_date

    return babel_date(value, format="long", locale=lang)


def format_month(value: dt.date, code: str | None = None) -> str:
    """A month and year (English: ``December 2026``)."""
    lang = _locale(code)
    if lang == "en":
        return f"{value.strftime('%B')} {value.year}"
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", value, locale=lang)
