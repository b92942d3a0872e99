"""The rule for a question's ``source``: a provision that can be checked.

A source names one or more provisions separated by ``"; "``. Each is one of:

* ``Trafficking Protocol art. N...``, ``Smuggling Protocol art. N...``,
  ``UNTOC art. N...``, ``Model Law art. N...``,
  ``Model Legislative Provisions (2020) art. N...``, ``CETS 197 art. N...``,
  ``CETS 216 art. N...`` (``arts. N...`` for several articles);
* ``WHO GP N`` (a WHO Guiding Principle on human cell, tissue and organ transplantation);
* ``Declaration of Istanbul principle N``;
* ``GRETA questionnaire <item>``;
* ``assessment-kit``: a question of our own.

A chapter of a publication ("Needs Assessment Toolkit (2010), legal framework") is not a
provision: nobody can check which line of it the question rests on.
"""

from __future__ import annotations

import re

__all__ = ["PROVISION_FORMS", "cites_provision"]

#: One pattern per accepted form of a provision, matched against each "; "-separated part.
PROVISION_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"(?:Trafficking Protocol|Smuggling Protocol|UNTOC|Model Law"
        r"|Model Legislative Provisions \(2020\)|CETS 197|CETS 216) arts?\. \d+.*"
    ),
    re.compile(r"WHO GP \d+.*"),
    re.compile(r"Declaration of Istanbul principle \d+.*"),
    re.compile(r"GRETA questionnaire \S.*"),
    re.compile(r"assessment-kit"),
)


def cites_provision(source: str) -> bool:
    """Whether every part of ``source`` (split on ``"; "``) names a checkable provision."""
    parts = source.strip().split("; ")
    return all(any(form.fullmatch(part.strip()) for form in PROVISION_FORMS) for part in parts)
