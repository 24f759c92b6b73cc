"""Every row of every read-model table, in key order: what "identical read models" compares."""

from __future__ import annotations

from typing import Any

from infra.read_models import ReadModels
from projections.base import CrmProjection
from projections.tables import Order, Select


def dump_all(models: ReadModels, projections: tuple[type[CrmProjection], ...]) -> dict[str, list[Any]]:
    return {
        table.name: models.view(projection).select(Select(table, order=tuple(Order(k) for k in table.key)))
        for projection in projections
        for table in projection.tables
    }
