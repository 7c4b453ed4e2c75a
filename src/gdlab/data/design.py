"""Designs: the columns a formula makes of the raw ones, fixed before the one pass.

A formula such as ``y ~ x1 + np.log(x2) + C(region) + I(x1**2) + x1:x3`` is read by
formulaic (the optional extra ``gdlab[formula]``): each term becomes one or more design
columns, named as statsmodels and formulaic name them (``C(region)[T.b]``, ``I(x1 ** 2)``,
``x1:x3``). The intercept is the formula's (``- 1`` or ``+ 0`` removes it); gdlab's own ones
column then carries it, so the design's columns never include it.

A `Design` is fixed before the pass over the data: the levels of every categorical column
are found first (`gdlab.data.designed` reads only those columns), so every block of rows —
in memory, streamed from files, or a Dask partition — gives the same design columns, and
`gdlab predict` applies the same formula to new rows, where a level the training data never
had is an error naming its row. Terms that would learn from the rows (``center(x)``,
``scale(x)``, splines) are refused: learnt on one block they would differ on the next.
``poly(x, n)`` here means the raw powers x, x², …, xⁿ (R's ``poly(x, n, raw = TRUE)``), so
its weights are the polynomial's coefficients; formulaic's own poly is orthogonal, learnt
from the rows.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.errors import ConfigError, DataError

Array = NDArray[np.float64]
#: What to install for formulas.
EXTRA = "pip install 'gdlab[formula]'"
#: The name of formulaic's intercept column (gdlab's own ones column replaces it).
INTERCEPT = "Intercept"
#: Columns named inside C(…) are categorical even when they hold numbers.
NAME = re.compile(r"`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)")
#: Why --missing drop is refused with a design: a left-out row would shift the row numbers
#: a design's errors (an unseen level, the log of 0) name.
MISSING_DROP_REFUSED = (
    "--missing drop does not work with a formula, --degree or text columns yet: fill or "
    "remove the rows with missing cells first"
)
CATEGORICAL_CALL = re.compile(r"\bC\(\s*(`[^`]+`|[A-Za-z_][A-Za-z0-9_.]*)")


def import_formulaic() -> Any:
    """formulaic's `model_matrix`, or a one-line error saying which extra to install."""
    try:
        from formulaic import model_matrix
    except ImportError:
        raise ConfigError(f"formulas need the optional extra: {EXTRA}") from None
    return model_matrix


def raw_poly(x: Any, degree: int = 1) -> dict[str, Array]:
    """The raw powers x¹ … xⁿ, named 1 … n (formulaic names them ``poly(x, n)[k]``).

    >>> raw_poly([1.0, 2.0], 3)["3"]
    array([1., 8.])
    """
    values = np.asarray(x, dtype=np.float64)
    if int(degree) != degree or degree < 1:
        raise ConfigError(f"poly(x, n) needs a whole degree n ≥ 1, got {degree!r}")
    return {str(power): values**power for power in range(1, int(degree) + 1)}


#: What a gdlab formula sees beside formulaic's own transforms and numpy (``np``).
CONTEXT = {"poly": raw_poly, "np": np}


def quoted(name: str) -> str:
    """A column name as a formula term: as it is when it is an identifier, else in backticks."""
    return name if name.isidentifier() else f"`{name}`"


def formula_of_columns(x_columns: Sequence[str], y_column: str, intercept: bool = True) -> str:
    """The formula of plain columns: ``y ~ x1 + x2`` (``- 1`` without an intercept).

    >>> formula_of_columns(["temp", "region"], "sales")
    'sales ~ temp + region'
    """
    rhs = " + ".join(quoted(name) for name in x_columns)
    return f"{quoted(y_column)} ~ {rhs}{'' if intercept else ' - 1'}"


def degree_formula(x_column: str, y_column: str, degree: int, intercept: bool = True) -> str:
    """The polynomial of one feature: ``y ~ x + I(x**2) + … + I(x**n)``.

    >>> degree_formula("x", "y", 3)
    'y ~ x + I(x**2) + I(x**3)'
    """
    if int(degree) != degree or degree < 1:
        raise ConfigError(f"--degree must be a whole number ≥ 1, got {degree!r}")
    name = quoted(x_column)
    powers = [name, *(f"I({name}**{power})" for power in range(2, int(degree) + 1))]
    return f"{quoted(y_column)} ~ {' + '.join(powers)}{'' if intercept else ' - 1'}"


def formula_variables(
    formula: str, available: Sequence[str] | None = None
) -> tuple[list[str], list[str]]:
    """The raw columns a formula reads: (its right side's, its left side's).

    formulaic lists the variables of most terms; those inside a few transforms it does not
    (``center(x)``), so every name the formula mentions that is a column of `available`
    counts too.

    >>> formula_variables("np.log(y) ~ x1 + C(g):x2")
    (['g', 'x1', 'x2'], ['y'])
    """
    try:
        from formulaic import Formula
    except ImportError:
        raise ConfigError(f"formulas need the optional extra: {EXTRA}") from None
    if "~" not in formula:
        raise ConfigError(f"the formula '{formula}' has no '~': write it as 'y ~ x1 + x2'")
    try:
        parsed = Formula(formula)
        rhs = {str(name) for name in parsed.rhs.required_variables}
        lhs = {str(name) for name in parsed.lhs.required_variables}
    except Exception as error:  # formulaic raises many kinds on a malformed formula
        raise ConfigError(f"cannot read the formula '{formula}': {first_line(error)}") from None
    left, right = formula.split("~", 1)
    if available is not None:
        columns = set(available)
        rhs |= mentioned(right) & columns
        lhs |= mentioned(left) & columns
    known = set(CONTEXT)
    return sorted(rhs - known), sorted(lhs - known)


def mentioned(text: str) -> set[str]:
    """Every name a piece of formula mentions (backticked ones without their backticks)."""
    return {quoted or bare for quoted, bare in NAME.findall(text)}


def categorical_calls(formula: str) -> set[str]:
    """The columns a formula names inside C(…).

    >>> sorted(categorical_calls("y ~ C(region) + C(`the year`):x"))
    ['region', 'the year']
    """
    return {match.strip("`") for match in CATEGORICAL_CALL.findall(formula)}


def first_line(error: BaseException) -> str:
    """The first line of an error's message."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@dataclass(frozen=True)
class Design:
    """A formula with its categorical levels fixed: what turns raw columns into design ones.

    `columns` are the design columns (without the intercept, which `intercept` says the
    formula has), `target` the name of the left side's column, `variables` the raw columns
    the right side reads, `target_variables` those the left side reads, `levels` the sorted
    levels of each categorical column; `note` says in words what the design did to text
    columns (empty when it did nothing worth saying).
    """

    formula: str
    columns: tuple[str, ...]
    target: str
    intercept: bool
    variables: tuple[str, ...]
    target_variables: tuple[str, ...]
    levels: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    note: str = ""

    @property
    def rhs(self) -> str:
        """The right side of the formula (what predicting needs)."""
        return self.formula.split("~", 1)[1]

    def to_record(self) -> dict[str, Any]:
        """The design as run records and saved models keep it."""
        return {
            "formula": self.formula,
            "columns": list(self.columns),
            "target": self.target,
            "intercept": self.intercept,
            "variables": list(self.variables),
            "target_variables": list(self.target_variables),
            "levels": {name: list(values) for name, values in self.levels.items()},
            "note": self.note,
        }

    @classmethod
    def from_record(cls, record: Any, where: str = "model") -> Design:
        """A design from its record, checked field by field."""
        if not isinstance(record, Mapping) or not isinstance(record.get("formula"), str):
            raise DataError(f"{where}: 'design' must hold a formula")
        try:
            levels = {str(k): tuple(v) for k, v in dict(record.get("levels", {})).items()}
            return cls(
                record["formula"],
                tuple(str(c) for c in record["columns"]),
                str(record["target"]),
                bool(record["intercept"]),
                tuple(str(v) for v in record["variables"]),
                tuple(str(v) for v in record.get("target_variables", [])),
                levels,
                str(record.get("note", "")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise DataError(f"{where}: 'design' lacks or garbles {first_line(error)}") from None

    def categorise(self, frame: Any, first_row: int, where: str) -> Any:
        """`frame` with each categorical column as a pandas Categorical of the known levels;
        a missing cell or a level the design does not know is an error naming its row."""
        import pandas as pd

        frame = frame.copy()
        for name, levels in self.levels.items():
            if name not in frame.columns:
                continue
            values = frame[name]
            missing = np.flatnonzero(pd.isna(values).to_numpy())
            if missing.size:
                row = first_row + int(missing[0]) + 1
                raise DataError(f"{where}: missing value in column '{name}' at data row {row}")
            if all(isinstance(level, float) for level in levels):
                values = pd.to_numeric(values, errors="coerce")
            unseen = np.flatnonzero(~values.isin(list(levels)).to_numpy())
            if unseen.size:
                at = int(unseen[0])
                raise DataError(
                    f"{where}: level {values.iloc[at]!r} of column '{name}' at data row "
                    f"{first_row + at + 1} is not one the model was trained on "
                    f"({', '.join(map(str, levels))})"
                )
            frame[name] = pd.Categorical(values, categories=list(levels))
        return frame

    def apply(
        self, frame: Any, first_row: int = 0, where: str = "data", target: bool = True
    ) -> tuple[Array, Array | None]:
        """The design columns (n×k) of a frame of raw columns, and the target's (or None).

        Non-finite design cells (the log of 0, say) are errors naming the column and row.
        """
        model_matrix = import_formulaic()
        frame = self.categorise(frame, first_row, where)
        formula = self.formula if target else "~" + self.rhs
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                matrices = model_matrix(
                    formula, frame, context=CONTEXT, na_action="ignore", ensure_full_rank=True
                )
            except Exception as error:
                raise DataError(f"{where}: the formula '{formula}': {first_line(error)}") from None
        rhs = matrices.rhs if target else matrices
        missing = [name for name in self.columns if name not in rhs.columns]
        if missing:
            raise DataError(f"{where}: the formula made no column {', '.join(missing)}")
        X = np.asarray(rhs[list(self.columns)].to_numpy(dtype=np.float64), dtype=np.float64)
        check_design_cells(X, self.columns, first_row, where)
        if not target:
            return X, None
        y = np.asarray(matrices.lhs.to_numpy(dtype=np.float64), dtype=np.float64).reshape(-1)
        check_design_cells(y[:, None], (self.target,), first_row, where)
        return X, y


def check_design_cells(values: Array, names: Sequence[str], first_row: int, where: str) -> None:
    """Raise a `DataError` naming the first non-finite design cell by column and row."""
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise DataError(
            f"{where}: the design column '{names[column]}' is {values[row, column]} at data row "
            f"{first_row + int(row) + 1}"
        )


def build_design(
    formula: str,
    prototype: Any,
    levels: Mapping[str, Sequence[Any]],
    where: str = "data",
    note_text_columns: bool = False,
) -> Design:
    """The `Design` of `formula` on raw columns like `prototype`'s (a few rows suffice: the
    levels come from `levels`, every other term is stateless).

    `note_text_columns` writes the note of text columns one-hot encoded without a formula.
    """
    model_matrix = import_formulaic()
    rhs_variables, lhs_variables = formula_variables(formula, list(prototype.columns))
    fixed = {name: tuple(sorted(values)) for name, values in levels.items()}
    design = Design(formula, (), "", True, tuple(rhs_variables), tuple(lhs_variables), fixed)
    frame = design.categorise(prototype, 0, where)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            matrices = model_matrix(
                formula, frame, context=CONTEXT, na_action="ignore", ensure_full_rank=True
            )
        except Exception as error:
            raise ConfigError(
                f"cannot apply the formula '{formula}': {first_line(error)}"
            ) from None
    learnt = sorted(matrices.rhs.model_spec.transform_state)
    if learnt:
        raise ConfigError(
            f"the formula term {learnt[0]} learns from the rows, so one block of them would "
            "not give the next block's columns; use --standardize to scale features, "
            "poly(x, n) or I(x**2) for powers"
        )
    names = [str(name) for name in matrices.rhs.columns]
    intercept = INTERCEPT in names
    columns = tuple(name for name in names if name != INTERCEPT)
    if not columns:
        raise ConfigError(f"the formula '{formula}' has no feature terms")
    target_columns = [str(name) for name in matrices.lhs.columns]
    if len(target_columns) != 1:
        raise ConfigError(f"the formula '{formula}' needs one column on its left side")
    note = text_column_note(columns, fixed, intercept) if note_text_columns else ""
    return Design(
        formula,
        columns,
        target_columns[0],
        intercept,
        tuple(rhs_variables),
        tuple(lhs_variables),
        fixed,
        note,
    )


def text_column_note(
    columns: Sequence[str], levels: Mapping[str, Sequence[Any]], intercept: bool
) -> str:
    """What one-hot encoding did to each text column, in words, e.g. "region is text: one-hot
    encoded, 'east' the reference level (2 columns: region[T.north], region[T.west])"."""
    sentences = []
    for name, values in levels.items():
        heads = (f"{name}[", f"{quoted(name)}[")
        made = [column for column in columns if column.startswith(heads)]
        reference = [level for level in values if not any(f"[T.{level}]" in c for c in made)]
        how = (
            f"'{reference[0]}' the reference level"
            if intercept and reference
            else "one column per level (no intercept)"
        )
        sentences.append(
            f"{name} is text: one-hot encoded, {how} ({len(made)} column"
            f"{'s' if len(made) != 1 else ''}: {', '.join(made)})"
        )
    return "; ".join(sentences)
