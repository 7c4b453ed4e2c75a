"""Numbers printed side by side with enough digits to tell them apart.

A bound and the best rate of an ill-conditioned problem differ in their sixth digit;
printed to three they read the same ("below 8.2e-06 converges; 8.2e-06 is the fastest").
`distinct` adds digits until every pair of different values prints differently.
"""

from __future__ import annotations

#: The most significant digits a float64 needs to be read back exactly.
MAX_DIGITS = 17


def distinct(*values: float, digits: int = 3) -> tuple[str, ...]:
    """The values formatted with `digits` significant digits, or more until different
    values print differently (equal values stay equal).

    >>> distinct(8.2001e-06, 8.2e-06)
    ('8.2001e-06', '8.2e-06')
    >>> distinct(0.004, 0.00538)
    ('0.004', '0.00538')
    """
    for width in range(digits, MAX_DIGITS + 1):
        texts = tuple(f"{float(value):.{width}g}" for value in values)
        clashes = any(
            texts[i] == texts[j] and float(values[i]) != float(values[j])
            for i in range(len(values))
            for j in range(i + 1, len(values))
        )
        if not clashes:
            return texts
    return tuple(repr(float(value)) for value in values)
