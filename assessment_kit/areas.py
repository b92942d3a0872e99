"""The seven areas in which a country's response to trafficking in persons is scored.

They follow the seven areas of technical assistance of UNODC's Global Programme
against Trafficking in Persons. Every scored question feeds one or more of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment_kit.i18n import N_


@dataclass(frozen=True, slots=True)
class Area:
    """One scoring area: a stable id, a display name, a one-line description and a colour."""

    id: str
    name: str
    short_name: str
    description: str
    colour: str


AREAS: tuple[Area, ...] = (
    Area(
        "prevention",
        N_("Prevention and awareness-raising"),
        N_("Prevention"),
        N_(
            "Campaigns reach the public and groups at risk; recruitment abuses and demand are "
            "addressed; frontline staff know the indicators."
        ),
        "#2a9d8f",
    ),
    Area(
        "data",
        N_("Data collection and research"),
        N_("Data"),
        N_(
            "Case, victim and offender data are collected, disaggregated, shared and analysed; "
            "research informs policy."
        ),
        "#8a5a9e",
    ),
    Area(
        "legislation",
        N_("Legislative framework"),
        N_("Legislation"),
        N_(
            "The Protocol is ratified and implemented: the offence covers act, means and purpose, "
            "penalties are proportionate and victims are not punished."
        ),
        "#264f78",
    ),
    Area(
        "policy",
        N_("Strategic planning, policy and coordination"),
        N_("Policy"),
        N_(
            "A funded and monitored national action plan, a coordinating body, a national "
            "referral mechanism and a role for civil society."
        ),
        "#e9a23b",
    ),
    Area(
        "criminal_justice",
        N_("Criminal justice system response"),
        N_("Criminal justice"),
        N_(
            "Specialised police, prosecutors and judges; proactive and financial investigations; "
            "timely trials; complicity prosecuted."
        ),
        "#c8553d",
    ),
    Area(
        "protection",
        N_("Victim protection and support"),
        N_("Protection"),
        N_(
            "Victims are identified, referred and assisted, protected as witnesses, compensated "
            "and helped to return or stay safely."
        ),
        "#4f9d4a",
    ),
    Area(
        "cooperation",
        N_("International cooperation"),
        N_("Cooperation"),
        N_(
            "Mutual legal assistance, extradition, joint investigations and police channels work "
            "in practice; agreements with origin and destination countries."
        ),
        "#3d7fb5",
    ),
)

AREA_IDS: tuple[str, ...] = tuple(area.id for area in AREAS)
_BY_ID = {area.id: area for area in AREAS}


def get_area(area_id: str) -> Area:
    """Return the area with this id; raise ``KeyError`` naming the valid ids otherwise."""
    try:
        return _BY_ID[area_id]
    except KeyError:
        raise KeyError(f"unknown area {area_id!r}; expected one of {', '.join(AREA_IDS)}") from None


def is_area(area_id: str) -> bool:
    """Whether ``area_id`` names one of the seven areas."""
    return area_id in _BY_ID
