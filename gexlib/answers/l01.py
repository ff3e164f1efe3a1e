"""Answers of lesson 01's exercises (computed from gexlib and the shipped data, never written down)."""

from ..exercises import exercise  # noqa: F401
