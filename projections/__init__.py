"""Read models: rows, pure evolve() functions and projection classes (no I/O libraries)."""
