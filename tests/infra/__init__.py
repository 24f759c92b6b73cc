"""Tests of settings, event-store wiring, the composition root and the throwaway test servers."""
