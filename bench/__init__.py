"""Benchmarks: each module times a capability against a baseline in the same process."""
