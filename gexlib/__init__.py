"""gexlib: dealer gamma exposure (GEX), taught end to end.

Modules, in the direction data flows: :mod:`~gexlib.bs` (greeks),
:mod:`~gexlib.chain` (snapshots and readers), :mod:`~gexlib.synth` (synthetic
chains), :mod:`~gexlib.gex` (exposures, profile, levels), :mod:`~gexlib.regime`
(skew and the regime classifier), :mod:`~gexlib.levels` (the levels sheet),
:mod:`~gexlib.conventions` (every convention and its default).
"""

__version__ = "0.1.0"
