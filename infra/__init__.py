"""Infrastructure: settings, composition root, event-store wiring, CLI (the only layer doing I/O setup)."""
