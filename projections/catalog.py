"""Every read model of the product, by name (what runners run and `crm rebuild` accepts)."""

from __future__ import annotations

from projections.base import CrmProjection
from projections.work_queue import WorkQueueProjection

PROJECTIONS: tuple[type[CrmProjection], ...] = (WorkQueueProjection,)


def by_name(name: str) -> type[CrmProjection]:
    for projection in PROJECTIONS:
        if projection.name == name:
            return projection
    raise KeyError(f"unknown read model {name!r}; known: {', '.join(p.name for p in PROJECTIONS)}")
