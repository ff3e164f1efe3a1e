"""Benchmarks: run with ``make bench`` (``python -m benchmarks``). They print figures; they are not tests."""
