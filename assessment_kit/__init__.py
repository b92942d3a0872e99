"""assessment-kit: needs assessments of national responses to trafficking in persons."""

from __future__ import annotations

__version__ = "0.1.0"
