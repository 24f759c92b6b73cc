"""Commands, handlers, the command bus and the eventsourcing Application (no I/O libraries)."""
