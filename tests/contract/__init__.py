"""The sync contract suite: one set of scenarios run against every server kind."""

from __future__ import annotations
