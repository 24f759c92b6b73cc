"""Pure domain model: aggregates, events, status tables and domain errors (no I/O)."""
