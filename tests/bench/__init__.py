"""`make bench`: benchmarks at institutional scale (not tests: pytest skips this folder).

Run with `python -m tests.bench [--scale small|full]`. See README, "Performance".
"""
