"""`make bench`: Karriere's pages and view counting under load, as ratios to a bare Django view.

See the README section "Benchmarks" and the latest figures in `bench/RESULTS.md`.
"""
