"""Benchmarks of the product against baselines measured in the same run (ratios, not absolutes)."""
