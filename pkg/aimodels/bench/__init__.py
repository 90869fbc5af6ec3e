"""Benchmarks at scale: a deterministic data generator and the benchmarks (BENCHMARKS.md).

Every figure is a ratio against a limit measured in the same run (the same result computed
without the cost being measured), so the numbers travel between machines.
"""
