"""Rebuild invariance: after a random workload, dropping and replaying every read model changes nothing."""

from __future__ import annotations

import pytest

from application.app import CrmApplication
from application.bus import CommandBus
from infra.read_models import ReadModels
from infra.rebuild import rebuild
from infra.runners import Runners
from infra.settings import Settings
from projections.catalog import PROJECTIONS
from tests.clock import FixedClock
from tests.infra.dumps import dump_all
from tests.workload import random_workload


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["sqlite", "postgres"], indirect=True)
def test_rebuilding_every_read_model_reproduces_the_live_rows(
    settings: Settings, bus: CommandBus, app: CrmApplication, clock: FixedClock
) -> None:
    assert random_workload(bus, clock, commands=2300, seed=20011) >= 2000
    models = ReadModels(settings, app, PROJECTIONS)
    runners = Runners(settings, PROJECTIONS, single=False)
    runners.start()
    try:
        for projection in PROJECTIONS:
            models.wait_for(projection, app.recorder.max_notification_id(), timeout=300)
    finally:
        runners.stop()
    live = dump_all(models, PROJECTIONS)
    filled = {p.name for p in PROJECTIONS if any(live[table.name] for table in p.tables)}
    assert filled == {p.name for p in PROJECTIONS}, "every read model should hold rows after the workload"
    for projection in PROJECTIONS:
        rebuild(settings, projection)
    assert dump_all(models, PROJECTIONS) == live
    models.close()
