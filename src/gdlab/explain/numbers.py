"""How the explanation prints numbers, the same in every language.

Four significant digits read well, but numbers that sit side by side in one sentence (a
rate and its bound, the loss and its minimum) must not print alike when they differ:
`distinct` adds digits to a group until they do. Values that agree to `SAME_DIGITS`
significant digits count as equal, and the texts say so in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: The digits every number gets at least.
DIGITS = 4
#: Values that agree to this many significant digits are the same number to the reader.
SAME_DIGITS = 10


def num(value: float | None, digits: int = DIGITS) -> str:
    """A number as the explanation prints it: `digits` significant digits, a real minus.

    >>> num(0.0020000), num(-372.566), num(341.51712), num(8.2e-6), num(float("inf"))
    ('0.002', '−372.6', '341.5', '8.2×10^−6', '∞')
    """
    if value is None or not math.isfinite(value):
        return "∞" if value is not None and value > 0 else "—"
    text = f"{value + 0.0:.{digits}g}"  # + 0.0: no "−0"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}×10^{int(exponent)}"
    return text.replace("-", "−")


def same(a: float, b: float) -> bool:
    """True when a and b agree to `SAME_DIGITS` significant digits (or are both 0).

    >>> same(0.1 + 0.2, 0.3), same(8.2e-6, 8.2001e-6)
    (True, False)
    """
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b
    return abs(a - b) <= 10.0 ** (1 - SAME_DIGITS) * max(abs(a), abs(b))


def distinct(values: Sequence[float]) -> tuple[str, ...]:
    """`num` of each value, each with as many digits as it takes to read differently from
    every other value of the group that differs (values that are `same` may print alike).

    >>> distinct([8.20011e-6, 8.19974e-6, 0.002])
    ('8.2001×10^−6', '8.1997×10^−6', '0.002')
    >>> distinct([341.51713, 75.385957, 75.385955])
    ('341.5', '75.38596', '75.38595')
    """
    floats = [float(v) for v in values]
    digits = [DIGITS] * len(floats)
    for _ in range(SAME_DIGITS):
        texts = [num(v, d) for v, d in zip(floats, digits, strict=True)]
        clashes = {
            k
            for i in range(len(floats))
            for j in range(i)
            if texts[i] == texts[j] and not same(floats[i], floats[j])
            for k in (i, j)
        }
        if not clashes:
            return tuple(texts)
        for k in clashes:
            digits[k] = min(digits[k] + 1, SAME_DIGITS)
    return tuple(num(v, SAME_DIGITS) for v in floats)


def ratio(value: float) -> str:
    """A ratio to print: 3 digits, more when fewer would round a ratio ≠ 1 to 1.

    >>> ratio(1.0831), ratio(1.0004), ratio(0.45)
    ('1.08', '1.0004', '0.45')
    """
    if value <= 0.1 or not math.isfinite(value):
        return num(value, 2)
    for digits in range(3, SAME_DIGITS + 1):
        text = num(value, digits)
        if text != "1" or same(value, 1.0):
            return text
    return num(value, SAME_DIGITS)


def vector(values: np.ndarray) -> str:
    """(v₁, v₂, …) with `num` digits."""
    return "(" + ", ".join(num(float(v)) for v in values) + ")"


@dataclass(frozen=True)
class Fraction:
    """How lr compares with the bound: a simple fraction (1/3, 2/3, 1/2, …) when one fits."""

    ratio: float
    numerator: int
    denominator: int

    @property
    def simple(self) -> bool:
        """True when the ratio is within 6% of a fraction with a small denominator."""
        return self.denominator > 0


def as_fraction(value: float) -> Fraction:
    """The nearest fraction k/n (n ≤ 5, k < n) to a ratio below 1, if within 6%.

    >>> as_fraction(0.333).numerator, as_fraction(0.333).denominator
    (1, 3)
    >>> as_fraction(1.7).simple
    False
    """
    if not 0 < value < 1:
        return Fraction(value, 0, 0)
    for denominator in range(2, 6):
        numerator = max(1, round(value * denominator))
        close = abs(numerator / denominator - value) <= 0.06 * value
        if numerator < denominator and math.gcd(numerator, denominator) == 1 and close:
            return Fraction(value, numerator, denominator)
    return Fraction(value, 0, 0)
