"""A test helper: count the Black–Scholes evaluations a computation makes (contracts per call of ``bs._terms``)."""

import numpy as np

from gexlib import bs


def count_terms(monkeypatch) -> list:
    """Patch ``bs._terms`` to record the number of contracts of each evaluation; the list it fills."""
    evaluated = []
    real = bs._terms

    def counting(S, K, *args, **kwargs):
        evaluated.append(np.size(K))
        return real(S, K, *args, **kwargs)

    monkeypatch.setattr(bs, "_terms", counting)
    return evaluated
