"""Benchmarks and the large-dataset generator (``make bench``)."""
