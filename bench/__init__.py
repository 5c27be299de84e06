"""Benchmarks: scripts that print a table (see docs/benchmarks.md)."""
