"""The notebooks' first step: open the mission named in the parameters cell.

Every notebook starts the same way, so the rule lives here once: a mission chosen outside
the notebook (``ASSESSMENT_KIT_MISSION`` from a Voilà launcher or the tests, and
``ASSESSMENT_KIT_ASSESSOR``) comes before the parameters cell, and a file that does not
exist yet becomes the demo mission, to practise on, with the demo's baseline beside it
(so the scores notebook shows a follow-up's progress). :func:`baseline_for` finds the
baseline file a follow-up's dashboard draws.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from assessment_kit.store import Mission

#: Environment variables that override the notebook's parameters cell.
MISSION_VARIABLE = "ASSESSMENT_KIT_MISSION"
ASSESSOR_VARIABLE = "ASSESSMENT_KIT_ASSESSOR"
BASELINE_VARIABLE = "ASSESSMENT_KIT_BASELINE"


class OpenedMission(NamedTuple):
    """The open mission and who is working on it (unpacks as ``mission, assessor``)."""

    mission: Mission
    assessor: str


def open_mission_or_demo(mission_file: str | Path, assessor: str = "") -> OpenedMission:
    """Open the notebook's mission, creating the demo mission when the file does not exist.

    Parameters
    ----------
    mission_file
        The parameters cell's mission file or ``postgresql://`` URL;
        ``ASSESSMENT_KIT_MISSION`` overrides it.
    assessor
        The parameters cell's name or initials, kept with every answer given;
        ``ASSESSMENT_KIT_ASSESSOR`` overrides it.

    Returns
    -------
    OpenedMission
        ``mission, assessor = open_mission_or_demo(mission_file, assessor)``.
    """
    from assessment_kit.store import Mission
    from assessment_kit.store.connection import is_url

    chosen = os.environ.get(MISSION_VARIABLE, mission_file)
    assessor = os.environ.get(ASSESSOR_VARIABLE, assessor)
    if is_url(chosen):
        # A team server's mission (never a demo: the database is the team's).
        return OpenedMission(Mission.open(chosen), assessor)
    path = Path(chosen)
    if path.exists():
        return OpenedMission(Mission.open(path), assessor)
    from assessment_kit.demo import create_demo_baseline, create_demo_mission, demo_baseline_path

    baseline = demo_baseline_path(path)
    reference = None
    if not baseline.exists():  # never over a file already there
        with create_demo_baseline(baseline) as before:
            reference = before.info.ref()
    return OpenedMission(create_demo_mission(path, baseline=reference), assessor)


def baseline_for(mission: Mission, baseline_file: str | Path = "") -> Path | None:
    """The baseline file of a follow-up, for the scores dashboard; None when there is none.

    None when the mission records no baseline. Else the first file found of:
    ``ASSESSMENT_KIT_BASELINE`` or ``baseline_file`` as given, the same name beside the
    mission, and the demo's baseline beside it. Whether the file found is the baseline the
    mission records is checked when the dashboard opens it.
    """
    from assessment_kit.demo import demo_baseline_path

    if mission.info.baseline is None:
        return None
    given = os.environ.get(BASELINE_VARIABLE, str(baseline_file))
    candidates = [Path(given), mission.path.parent / Path(given).name] if given else []
    candidates.append(demo_baseline_path(mission.path))
    return next((path for path in candidates if path.is_file()), None)
