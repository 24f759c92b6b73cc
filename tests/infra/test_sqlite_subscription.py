"""The SQLite polling subscription passes eventsourcing's own recorder test cases."""

from __future__ import annotations

import tempfile
from pathlib import Path

from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)

from infra.sqlite_subscription import PollingSQLiteApplicationRecorder


def polling_recorder() -> PollingSQLiteApplicationRecorder:
    folder = tempfile.mkdtemp(prefix="crm-sqlite-")
    datastore = SQLiteDatastore(str(Path(folder) / "events.db"))
    recorder = PollingSQLiteApplicationRecorder(datastore)
    recorder.create_table()
    return recorder


class TestPollingSQLiteApplicationRecorder(ApplicationRecorderTestCase[PollingSQLiteApplicationRecorder]):
    def create_recorder(self) -> PollingSQLiteApplicationRecorder:
        return polling_recorder()

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()

    def test_concurrent_no_conflicts(self, initial_position: int = 0) -> None:
        super().test_concurrent_no_conflicts(initial_position)

    def test_concurrent_throughput(self) -> None:
        super().test_concurrent_throughput()


class TestPollingSQLiteNonInterleaving(NonInterleavingNotificationIDsBaseCase):
    def create_recorder(self) -> PollingSQLiteApplicationRecorder:
        return polling_recorder()
