"""Seeds and the open unit interval: :func:`as_seed_sequence` turns a user's ``seed``
into the run's root :class:`numpy.random.SeedSequence`; :data:`U_MIN` and
:data:`U_MAX` bound every uniform draw away from 0 and 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dealsim.errors import InvalidParameterError

__all__ = ["U_MAX", "U_MIN", "as_seed_sequence"]

#: Smallest and largest uniforms handed to an inverse CDF: exact 0 and 1 are clipped away.
U_MIN: float = 2.0**-53


U_MAX: float = 1.0 - 2.0**-53


def as_seed_sequence(seed: Any) -> np.random.SeedSequence:
    """Return the root :class:`numpy.random.SeedSequence` of a run.

    Parameters
    ----------
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        ``int >= 0``: ``SeedSequence(seed)``. ``SeedSequence``: returned as is.
        ``Generator``: a new ``SeedSequence`` whose entropy is 128 bits drawn from it --
        this **advances the generator**, so passing the same generator twice gives two
        different runs.

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    InvalidParameterError
        For anything else: negative ints, bools, floats, strings, ``None`` (dealsim never
        uses fresh OS entropy implicitly; pass ``SeedSequence()`` for that).

    Notes
    -----
    scipy's SPEC 7 ``rng`` convention, minus ``None``.

    Examples
    --------
    >>> as_seed_sequence(42).entropy
    42
    >>> ss = np.random.SeedSequence(7)
    >>> as_seed_sequence(ss) is ss
    True
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        words = seed.integers(0, 2**32, size=4, dtype=np.uint64)
        entropy = sum(int(w) << (32 * k) for k, w in enumerate(words))
        return np.random.SeedSequence(entropy)
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        if int(seed) < 0:
            raise InvalidParameterError(f"seed must be an integer >= 0; got {seed!r}")
        return np.random.SeedSequence(int(seed))
    raise InvalidParameterError(
        "seed must be an integer >= 0, a numpy.random.SeedSequence or a "
        f"numpy.random.Generator; got {seed!r} ({type(seed).__name__})"
    )
