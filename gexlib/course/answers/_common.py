"""What several lessons' answers share."""

import functools

from ... import datasets


@functools.cache
def _calm():
    """The calm synthetic chain, loaded once."""
    return datasets.load("calm")
