"""The benchmarks `invoke bench` runs (see tools/README.md)."""
