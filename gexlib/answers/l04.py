"""Answers of lesson 04's exercises (computed from gexlib and the shipped data, never written down)."""

from ..exercises import exercise  # noqa: F401
