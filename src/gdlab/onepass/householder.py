"""The one pass, compiled: Householder reflections fold rows into a triangular factor.

`factor_rows` reads the rows of [1 | X | y] once, a block of a few hundred rows at a time,
copies each block into a small column-major buffer (it stays in L1/L2 cache) and reflects
it into the running (q×q) upper-triangular factor R, one Householder reflection per
column: the same arithmetic as LAPACK's QR of [R; block], in one fused loop that numba
compiles to SIMD code. Reading the data is then the cost of the pass (measured at 1e7 rows
of [1 | x | y] in memory: 10–12 ms on two threads against 8–9 ms to sum the arrays, where
LAPACK's batched QR took ~100 ms).

Numba is imported with this module; `gdlab.onepass.arrays` imports it only for passes
over data large enough to pay for it. Compiled code is cached on disk (first call ~1 s).
The sums may be reordered (``fastmath`` reassociation, for SIMD) but NaN and infinity keep
their meaning, so bad data still shows in the result. With the ones column, each value is
first centred at a reference (`gdlab.onepass.centring`) by `centred`, compiled without
fastmath so that x − a stays one exact subtraction and is never regrouped with the
reflection's x − f into x − (a + f).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

#: Reassociate and fuse for SIMD; unlike ``fastmath=True``, keep NaN/inf semantics.
FASTMATH = {"reassoc", "contract", "nsz", "arcp"}
#: Rows reflected together: the buffer (q × BLOCK_ROWS doubles) stays in cache.
BLOCK_ROWS = 256


def compiled(function: Any) -> Any:
    """`numba.njit` (no GIL, `FASTMATH`), cached on disk when numba finds a writable place.

    Where it finds none (a read-only install without a writable home), caching would fail
    at import; the code is then compiled afresh in each process instead.
    """
    try:
        return jit(cache=True)(function)
    except RuntimeError:  # "cannot cache function …: no locator available for file …"
        return jit(cache=False)(function)


def jit(cache: bool, fastmath: Any = FASTMATH) -> Any:
    """The numba decorator with this module's options."""
    return numba.njit(cache=cache, nogil=True, fastmath=fastmath, error_model="numpy")


def strict(function: Any) -> Any:
    """`compiled`, but without fastmath: its arithmetic is never reassociated."""
    try:
        return jit(cache=True, fastmath=False)(function)
    except RuntimeError:
        return jit(cache=False, fastmath=False)(function)


@strict
def centred(value: float, reference: float) -> float:
    """value − reference as one rounded (often exact) subtraction, whatever surrounds it."""
    return value - reference


@compiled
def reflector(R: NDArray[np.float64], j: int, below: float) -> tuple[float, float]:
    """Start column j's reflection, given Σ of its block's squares: (head, scale).

    The reflection maps [R[j, j]; b] onto [α; 0], |α| = its norm, and sets R[j, j] = α. It
    is I − scale·vvᵀ with v = [head; b]; head = R[j, j] − α has no cancellation.
    """
    diagonal = R[j, j]
    norm = np.sqrt(diagonal * diagonal + below)
    alpha = -norm if diagonal >= 0.0 else norm
    head = diagonal - alpha
    R[j, j] = alpha
    return head, 2.0 / (head * head + below)


@compiled
def mark_underflow(R: NDArray[np.float64], j: int, column: NDArray[np.float64]) -> None:
    """Σ squares = 0 but some value is not: they underflowed; NaN tells the caller to redo
    the pass with LAPACK, which scales."""
    for i in range(column.shape[0]):
        if column[i] != 0.0:
            R[j, j] = np.nan


@compiled
def absorb_block(R: NDArray[np.float64], B: NDArray[np.float64], n: int, start: int) -> None:
    """Reflect the n rows held column-major in B (q × n) into the upper-triangular R.

    Column j's reflection (j = start…q−1, see `reflector`) is applied to columns j+1… of
    R's row j and of B, which is overwritten.
    """
    q = R.shape[0]
    for j in range(start, q):
        column = B[j, :n]
        below = 0.0
        for i in range(n):
            below += column[i] * column[i]
        if below == 0.0:
            mark_underflow(R, j, column)
            continue
        head, scale = reflector(R, j, below)
        for k in range(j + 1, q):
            other = B[k, :n]
            dot = head * R[j, k]
            for i in range(n):
                dot += column[i] * other[i]
            factor = scale * dot
            R[j, k] -= factor * head
            for i in range(n):
                other[i] -= factor * column[i]


@compiled
def copy_reflected(R, j, source, row, head, scale, reference):
    """Column j's rows from `source`, centred at `reference`, into `row`, reflected against
    the ones column.

    Against ones, the reflection's dot product is a plain sum, and the update subtracts one
    number from every row.
    """
    total = 0.0
    for i in range(source.shape[0]):
        row[i] = centred(source[i], reference)
        total += row[i]
    factor = scale * (head * R[0, j] + total)
    R[0, j] -= factor * head
    for i in range(source.shape[0]):
        row[i] -= factor


@compiled
def factor_line(x, target, start, stop, block, shift):
    """`factor_columns` for [1 | x | y], the seed's shape, in three fused loops per block.

    The same reflections as the general path: ones (sums of the centred rows, copied into
    the buffers), then x (Σx'², Σx'y' in the loop that subtracts the ones' part), then y
    (Σy''² in the loop that subtracts x's part).
    """
    R = np.zeros((3, 3))
    xs = np.empty(block)
    ys = np.empty(block)
    for first in range(start, stop, block):
        n = min(block, stop - first)
        xb, yb = x[first : first + n], target[first : first + n]
        sum_x = 0.0
        sum_y = 0.0
        for i in range(n):
            xs[i] = centred(xb[i], shift[1])
            ys[i] = centred(yb[i], shift[2])
            sum_x += xs[i]
            sum_y += ys[i]
        head, scale = reflector(R, 0, float(n))
        factor_x = scale * (head * R[0, 1] + sum_x)
        factor_y = scale * (head * R[0, 2] + sum_y)
        R[0, 1] -= factor_x * head
        R[0, 2] -= factor_y * head
        below = 0.0
        dot = 0.0
        for i in range(n):
            xs[i] -= factor_x
            ys[i] -= factor_y
            below += xs[i] * xs[i]
            dot += xs[i] * ys[i]
        factor = 0.0
        if below != 0.0:
            head, scale = reflector(R, 1, below)
            factor = scale * (head * R[1, 2] + dot)
            R[1, 2] -= factor * head
        else:
            mark_underflow(R, 1, xs[:n])
        rest = 0.0
        for i in range(n):
            ys[i] -= factor * xs[i]
            rest += ys[i] * ys[i]
        if rest != 0.0:
            reflector(R, 2, rest)
        else:
            mark_underflow(R, 2, ys[:n])
    return R


@compiled
def factor_columns(columns, target, intercept, start, stop, block, shift):
    """The (q×q) factor of rows start…stop of [1 | columns | target] (ones if `intercept`).

    `columns` is a tuple of 1-D arrays of one type (the features), `target` a 1-D array.
    With `intercept` the ones are never stored: their reflection is done on the way in,
    on the rows centred at `shift` (q values, the ones' first; unused without `intercept`).
    """
    if intercept and len(columns) == 1:
        return factor_line(columns[0], target, start, stop, block, shift)
    offset = 1 if intercept else 0
    q = offset + len(columns) + 1
    R = np.zeros((q, q))
    B = np.empty((q, block))
    for first in range(start, stop, block):
        n = min(block, stop - first)
        if intercept:
            head, scale = reflector(R, 0, float(n))  # the ones: Σ squares = n
            for j in range(len(columns)):
                source = columns[j][first : first + n]
                copy_reflected(R, 1 + j, source, B[1 + j, :n], head, scale, shift[1 + j])
            source = target[first : first + n]
            copy_reflected(R, q - 1, source, B[q - 1, :n], head, scale, shift[q - 1])
        else:
            for j in range(len(columns)):
                B[j, :n] = columns[j][first : first + n]
            B[q - 1, :n] = target[first : first + n]
        absorb_block(R, B, n, offset)
    return R


@compiled
def factor_weighted(columns, target, root, intercept, start, stop, block, shift):
    """The (q×q) factor of rows start…stop of [1 | columns | target] with row i scaled by
    rootᵢ = √wᵢ (weighted least squares), centred at `shift` first when `intercept`.

    The bias column is stored (it is √w, no longer ones), so every column takes the
    general reflections of `absorb_block`; the scaling happens as the block is copied in.
    """
    offset = 1 if intercept else 0
    q = offset + len(columns) + 1
    R = np.zeros((q, q))
    B = np.empty((q, block))
    for first in range(start, stop, block):
        n = min(block, stop - first)
        scale = root[first : first + n]
        if intercept:
            for i in range(n):
                B[0, i] = scale[i]
        for j in range(len(columns)):
            source = columns[j][first : first + n]
            for i in range(n):
                B[offset + j, i] = scale[i] * centred(source[i], shift[offset + j])
        source = target[first : first + n]
        for i in range(n):
            B[q - 1, i] = scale[i] * centred(source[i], shift[q - 1])
        absorb_block(R, B, n, 0)
    return R


def factor_weighted_rows(
    columns: Sequence[NDArray[np.floating]],
    target: NDArray[np.floating],
    root: NDArray[np.float64],
    intercept: bool,
    start: int,
    stop: int,
    block_rows: int = BLOCK_ROWS,
    shift: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """`factor_rows` with row i scaled by `root`ᵢ = √wᵢ (see `factor_weighted`).

    >>> x = np.arange(5.0)
    >>> R = factor_weighted_rows([x], 1 + 2 * x, np.ones(5), True, 0, 5, block_rows=2)
    >>> np.round(np.linalg.solve(R[:2, :2], R[:2, 2]), 12)
    array([1., 2.])
    """
    q = int(intercept) + len(columns) + 1
    reference = np.zeros(q) if shift is None else np.asarray(shift, np.float64)
    factor: NDArray[np.float64] = factor_weighted(
        tuple(columns),
        target,
        np.asarray(root, dtype=np.float64),
        intercept,
        start,
        stop,
        max(1, block_rows),
        reference,
    )
    return factor


def factor_rows(
    columns: Sequence[NDArray[np.floating]],
    target: NDArray[np.floating],
    intercept: bool,
    start: int,
    stop: int,
    block_rows: int = BLOCK_ROWS,
    shift: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """The upper-triangular factor of rows [start, stop) of [1 | columns | target].

    The columns must share one dtype and memory layout (see `uniform_columns`); the
    factor's diagonal may have either sign. With `intercept`, `shift` (a value per column
    of [1 | columns | target], the ones' 0) centres the rows first: the factor is then
    that of the centred rows.

    >>> x = np.arange(5.0)
    >>> R = factor_rows([x], 1 + 2 * x, True, 0, 5, block_rows=2)
    >>> w = np.linalg.solve(R[:2, :2], R[:2, 2])
    >>> np.round(w, 12), round(float(abs(R[2, 2])), 12)
    (array([1., 2.]), 0.0)
    """
    q = int(intercept) + len(columns) + 1
    reference = np.zeros(q) if shift is None or not intercept else np.asarray(shift, np.float64)
    factor: NDArray[np.float64] = factor_columns(
        tuple(columns), target, intercept, start, stop, max(1, block_rows), reference
    )
    return factor


def uniform_columns(columns: Sequence[NDArray[np.floating]]) -> list[NDArray[np.floating]]:
    """The columns as one type for the compiled code: float32 or float64, one layout.

    Columns already alike (every column of one 2-D array, or every float64 column of a
    file batch) are passed through without a copy; odd ones out are converted.
    """
    dtype = np.float32 if all(c.dtype == np.float32 for c in columns) else np.float64
    out: list[NDArray[np.floating]] = [np.asarray(c, dtype=dtype) for c in columns]
    if len({(c.flags.c_contiguous, c.flags.writeable) for c in out}) > 1:
        out = [np.array(c, order="C") for c in out]  # one type for all: copies, rarely
    return out
