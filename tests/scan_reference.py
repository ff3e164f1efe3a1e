"""Zero gamma's scan as first written, a reference for its fast paths: the whole profile at every level.

Used by ``test_fast_paths`` and ``test_profile_reuse``; the answers must equal
:func:`gexlib.gex.zero_gamma`'s crossings exactly.
"""

from scipy.optimize import brentq

from gexlib import gex


def ref_zero_gamma(snap, lo, hi, n, rtol=1e-4, **conv):
    """The scan as written before: the whole profile at every level, then Brent's method."""
    c = gex.contracts(snap, gamma="model", with_gamma=False, **conv)
    S0 = float(snap.spot)
    grid = gex._scan_grid(c, S0, lo, hi, n)
    terms = gex._grouped_terms(c, S0)
    y = gex._profile(c, S0, grid, terms=terms)
    roots = []
    for i, j in gex._crossings(grid, y):
        if j == i + 1:
            roots.append(float(brentq(lambda s: float(gex._profile(c, S0, [s], terms=terms)[0]), grid[i], grid[j],
                                      xtol=rtol * S0)))
        else:
            roots.append(float(grid[i + 1]))
    return tuple(sorted(roots))
