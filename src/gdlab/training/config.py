"""The training configuration: every option of a run, declared once, validated in one place.

`TrainingConfig` is a frozen dataclass; each field carries an `Option` that says what it
means, how the command line spells it and what the web schema allows. Everything else is
generated from this declaration: the training flags of `gdlab fit` and `gdlab explain`
(`gdlab.cli.options`), the playground's request schema and its equivalent command line
(`gdlab.web`), the parameters of `GDRegressor`, what `gdlab export` can repeat, and the
run record's `config` section. Defaults are the seed program's (50 steps of plain GD on
½Σe², start N(0, 0.1²)) but for the rate: ``lr="auto"`` picks the fastest rate the
analysis justifies for the data and optimizer (`gdlab.analysis.rates`); a run's record
keeps the number it chose. `gdlab demo` and the playground keep the seed's 0.002.

Constructing a config validates it; an error names the option as ``{option}``, so every
caller spells it its own way (see `gdlab.errors.GdlabError.spelled`).

>>> config = TrainingConfig(lr=0.01, optimizer="momentum", optimizer_options={"momentum": 0.5})
>>> config.lr, config.steps, config.momentum
(0.01, 50, 0.5)
>>> TrainingConfig().lr
'auto'
>>> TrainingConfig(l2=-1)
Traceback (most recent call last):
...
gdlab.errors.ConfigError: l2 must be a finite number ≥ 0, got -1
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any

from gdlab.errors import ConfigError

#: The most updates one run may take: the loop keeps every iterate, so more would only
#: exhaust memory (a mistyped --steps must not take the machine down).
MAX_STEPS = 1_000_000
#: What a tolerance measures: the gradient's norm, or the relative change of the loss.
TOL_KINDS = ("grad", "loss")
TRAINING = "Training"
DATA = "Data"
#: The learning rate that lets the data decide (see `gdlab.analysis.rates`).
AUTO = "auto"
#: The seed program's rate: what `gdlab demo` and the playground start from.
SEED_LR = 0.002
#: The type of the `lr` option: a rate > 0, or the text `AUTO` until a run settles it. Type
#: checkers see a float: every run's configuration (`Run.config`) holds the number chosen.
LearningRate = float


@dataclass(frozen=True)
class Option:
    """How one option is declared: what it means and how each surface offers it.

    `flag` is the command-line flag (default ``--name-with-dashes``); `web` holds the limits
    of the playground's request field (pydantic `Field` keywords), or is None when the
    playground does not offer the option; `estimator` is `GDRegressor`'s parameter name
    ("" for the option's own name, None: not a parameter) and `estimator_default` its
    default there when it differs ("same": it does not); `web_default` likewise for the
    playground's request.
    """

    help: str
    flag: str = ""
    panel: str = TRAINING
    web: Mapping[str, Any] | None = field(default_factory=dict)
    estimator: str | None = ""
    estimator_default: Any = "same"
    web_default: Any = "same"


def option(default: Any, help: str, **how: Any) -> Any:
    """A dataclass field of `TrainingConfig` with its `Option` declaration."""
    declared = Option(help, **how)
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata={"option": declared})
    return field(default=default, metadata={"option": declared})


@dataclass(frozen=True)
class TrainingConfig:
    """The settings of one training run; the run record's `config` (see the module notes)."""

    lr: LearningRate = option(  # noqa: RUF009 (LearningRate is float, immutable)
        AUTO,
        "Learning rate η, or auto: the fastest rate the analysis of the data justifies for "
        "the optimizer (plain GD: 2/(λmin+λmax)); the run record says which and why.",
        web={"gt": 0, "le": 1e12},
        web_default=SEED_LR,
    )
    steps: int = option(
        50,
        "Number of updates (the most, with --tol).",
        web={"ge": 1, "le": 100_000},
        estimator_default=1000,
    )
    optimizer: str = option(
        "gd", "gd (the seed's), momentum, nesterov, adagrad, rmsprop, adam or fista."
    )
    loss: str = option("l2", "l2 (½Σe², the seed's), mse (mean e²) or huber.")
    seed: int = option(
        0,
        "Seed for the random initial weights (and mini-batch shuffling).",
        web={"ge": 0, "le": 2**32 - 1},
        estimator="random_state",
    )
    engine: str = option(
        "auto",
        "auto, dense, stats, stream or dask: how gradients are computed.",
        web=None,
    )
    dtype: str = option("float64", "float64 or float32.")
    intercept: bool = option(
        True,
        "No bias column: y = Xw.",
        flag="--no-intercept",
        panel=DATA,
        estimator="fit_intercept",
    )
    init_std: float = option(0.1, "Std of the random initial weights.", web={"ge": 0, "le": 1e6})
    init: tuple[float, ...] | None = option(
        None,
        "Initial weights, bias first: --init=b,a,...",
        web={"min_length": 1, "max_length": 101},
        estimator=None,
    )
    optimizer_options: Mapping[str, float] = option(
        {},
        "Another optimizer option as KEY=VALUE, e.g. eps=1e-6, decay=0.99, b1=0.8, b2=0.99 "
        "(repeatable).",
        flag="--optimizer-option",
        web={"max_length": 8},
        estimator_default=None,  # scikit-learn's parameters default to immutable values
    )
    schedule: str | None = option(
        None,
        "Learning-rate schedule over update k: constant | step:EVERY:FACTOR | exp:DECAY | "
        "cosine[:FLOOR]. step:E:F multiplies lr by F every E updates, exp:D by D every "
        "update, cosine[:FLOOR] anneals lr to FLOOR·lr over --steps.",
        web={"pattern": r"^[a-z][a-z0-9_.:+-]{0,63}$"},
    )
    l2: float = option(
        0.0,
        "Ridge penalty λ: adds ½·λ·‖w‖² over the feature weights (the bias is free); with "
        "--standardize, over the standardised weights (a·scale), as Ridge after a "
        "StandardScaler does.",
        web={"ge": 0, "le": 1e12},
    )
    l1: float = option(
        0.0,
        "Lasso penalty λ₁: adds λ₁·‖w‖₁ over the feature weights (the bias is free); with "
        "--l2, the elastic net. Trains by proximal steps (gd: ISTA, fista: FISTA, others: "
        "their step, then the threshold); with "
        "--standardize, over the standardised weights. scikit-learn's ElasticNet(alpha, "
        "l1_ratio) is --l1 N·alpha·l1_ratio --l2 N·alpha·(1−l1_ratio) with the l2 loss.",
        web={"ge": 0, "le": 1e12},
    )
    tol: float | None = option(
        None,
        "Stop early: once ‖∇L‖ ≤ TOL (--tol-kind grad) or once the loss changes by at most "
        "TOL relatively (--tol-kind loss).",
        web={"gt": 0, "le": 1e12},
    )
    tol_kind: str = option("grad", "What --tol measures: grad or loss.")
    standardize: bool = option(
        False,
        "Train on centred, scaled features; report weights in the data's units.",
        panel=DATA,
        estimator_default=True,
    )
    huber_delta: float = option(
        1.0, "Huber's threshold δ (with --loss huber).", web={"gt": 0, "le": 1e12}
    )
    batch_size: int | None = option(
        None,
        "Mini-batch SGD: rows per step, shuffled from --seed.",
        web={"ge": 1, "le": 1_000_000},
    )
    scheduler: str | None = option(
        None,
        "Address of a Dask scheduler for --engine dask (else a local one).",
        web=None,
        estimator=None,
    )
    validation: float | str | None = option(
        None,
        "Held-out data: a FRACTION of the rows (0 < f < 1, split by a hash of each row and "
        "--seed) or a FILE with the same columns; records its loss after every step.",
        web={"gt": 0, "lt": 1},  # the playground holds out a share, never a file
    )
    early_stopping: int | None = option(
        None,
        "Stop once the held-out loss has not improved for this many steps (with --validation).",
        web=None,
    )
    cv: int | None = option(
        None,
        "K-fold cross-validation (row i in fold i mod K): the held-out loss of each fold "
        "after every step, its mean and spread, and the best step.",
        web=None,
        estimator="cv_folds",  # scikit-learn's `cv` is a splitter, not a count
    )
    cov: str = option(
        "nonrobust",
        "Covariance of the summary's standard errors: nonrobust, HC0, HC1, HC2, HC3 or "
        "cluster:COL (one more pass over the data at the optimum).",
        web=None,
    )

    def __post_init__(self) -> None:
        """Normalise the values (floats, a tuple, a dict) and check each one (a value that
        is its option's default passed its check once already, `option_checks`)."""
        values = self.__dict__
        for name, check, default in option_checks():
            value = values[name]
            if value is not default:
                object.__setattr__(self, name, check(value))
        check_together(self)

    @property
    def momentum(self) -> float:
        """The momentum β the optimizer carries (0 for none): heavy ball's, Nesterov's,
        Adam's β₁; their defaults when not given."""
        from gdlab.optim.optimizers import optimizer_options

        key = {"momentum": "momentum", "nesterov": "momentum", "adam": "b1"}.get(self.optimizer)
        if key is None:
            return 0.0
        return float(self.optimizer_options.get(key, optimizer_options(self.optimizer)[key]))

    @property
    def cluster_column(self) -> str | None:
        """The column of clusters for ``cov="cluster:COL"`` (else None)."""
        return self.cov.split(":", 1)[1] if self.cov.startswith("cluster:") else None

    @property
    def lr_is_auto(self) -> bool:
        """True when the rate is still to be chosen from the data (`lr="auto"`)."""
        return self.lr == AUTO

    @property
    def is_quadratic(self) -> bool:
        """True for the least-squares losses (l2, mse), whose gradients the statistics give."""
        return self.loss != "huber"

    def with_options(self, **changes: Any) -> TrainingConfig:
        """A copy with some options changed (validated again)."""
        return replace(self, **changes)

    def to_record(self) -> dict[str, Any]:
        """The run record's `config` section: every option, in declaration order.

        >>> TrainingConfig().to_record()["lr"], list(TrainingConfig().to_record())[:3]
        ('auto', ['lr', 'steps', 'optimizer'])
        """
        record = {}
        for declared in fields(self):
            value = getattr(self, declared.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            record[declared.name] = value
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> TrainingConfig:
        """The config of a run record's `config` section (records of gdlab 0.1.0 too: options
        they lack take their defaults, keys this gdlab does not know are left out)."""
        known = {declared.name for declared in fields(cls)}
        values = {key: value for key, value in record.items() if key in known}
        if values.get("tol_kind") is None:
            values.pop("tol_kind", None)
        return cls(**values)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TrainingConfig:
        """A config from keyword options; an unknown name is a `ConfigError` listing them."""
        unknown = sorted(set(options).difference(declared_names()))
        if unknown:
            raise ConfigError(
                f"unknown training option {', '.join(map(repr, unknown))}; the options are: "
                + ", ".join(option_names())
            )
        config = object.__new__(cls)  # `cls(**options)`, but the defaults copied in one go:
        config.__dict__.update(default_values(), **options)  # assigning 24 fields one by one
        config.__post_init__()  # cost half of making a config; the same checks follow
        return config


@functools.cache
def default_values() -> dict[str, Any]:
    """Every option's default value, as a config made without options holds it."""
    return dict(TrainingConfig().__dict__)


def declared_options() -> Iterator[tuple[str, Option, Any]]:
    """(name, `Option`, default) of every option, in declaration order."""
    for declared in fields(TrainingConfig):
        default: Any = declared.default
        if default is MISSING:
            default = declared.default_factory()  # type: ignore[operator]
        yield declared.name, declared.metadata["option"], default


def option_names() -> list[str]:
    """The names of every option, in declaration order."""
    return list(declared_names())


@functools.cache
def declared_names() -> tuple[str, ...]:
    """`option_names`, kept: every config made goes over them (`dataclasses.fields` costs
    a tenth of making a config)."""
    return tuple(declared.name for declared in fields(TrainingConfig))


@functools.cache
def option_checks() -> tuple[tuple[str, Callable[[Any], Any], Any], ...]:
    """(name, check, default) of every checked option. A value that *is* its default (the
    same object) passed that check once already and is not checked again (checking every
    option of every config made cost a tenth of a seed fit); a default the check would
    change (a dict, made anew for each config) stands as `MISSING`, so it is checked."""
    found = []
    for name, _, default in declared_options():
        check = CHECKS.get(name)
        if check is not None:
            found.append((name, check, default if check(default) is default else MISSING))
    return tuple(found)


def default_of(name: str) -> Any:
    """The declared default of one option."""
    for option_name, _, default in declared_options():
        if option_name == name:
            return default
    raise KeyError(name)


def option_type(name: str) -> str:
    """An option's type as `TrainingConfig` declares it, e.g. ``"float | None"``."""
    return str(TrainingConfig.__dataclass_fields__[name].type)


def cli_flag(name: str) -> str:
    """The command-line flag of an option: ``--l2``, ``--no-intercept``, ``--init``."""
    for option_name, declared, _ in declared_options():
        if option_name == name:
            return declared.flag or "--" + name.replace("_", "-")
    return "--" + name.replace("_", "-")


# --- the checks, one per option ------------------------------------------------------------


def is_real(value: Any) -> bool:
    """True for a real number (not a bool, not text)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def finite_number(name: str, value: Any, low: float, *, strict: bool, what: str = "") -> float:
    """A finite float above (`strict`) or at least `low`, else an error naming the option
    (and saying `what` it is, when its name alone does not)."""
    relation = ">" if strict else "≥"
    inside = is_real(value) and math.isfinite(value) and (value > low if strict else value >= low)
    if not inside:
        raise ConfigError(
            f"{{option}} must be a finite number {relation} {low:g}{what}, got {value!r}",
            option=name,
        )
    return float(value)


def whole_number(name: str, value: Any, low: int, high: int | None = None) -> int:
    """A whole number in [low, high], else an error naming the option."""
    if not is_real(value) or int(value) != value or value < low:
        raise ConfigError(f"{{option}} must be a whole number ≥ {low}, got {value!r}", option=name)
    if high is not None and value > high:
        raise ConfigError(f"{{option}} must be at most {high:,}, got {value:,}", option=name)
    return int(value)


def one_of(name: str, what: str, choices: tuple[str, ...] | Mapping[str, Any]) -> Callable:
    """A check that the value is one of `choices`."""

    def check(value: Any) -> str:
        if value not in choices:
            raise ConfigError(
                f"unknown {what} {value!r}; choose one of: {', '.join(choices)}", option=name
            )
        return str(value)

    return check


def check_init(values: Any) -> tuple[float, ...] | None:
    """The given start as a tuple of finite floats (its length is checked against the data)."""
    if values is None:
        return None
    try:
        start = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ConfigError("{option} must be a list of numbers, bias first", option="init") from None
    if not all(math.isfinite(v) for v in start):
        raise ConfigError("{option} values must be finite numbers", option="init")
    return start


def check_optimizer_options(values: Any) -> dict[str, float]:
    """The optimizer's extra options as a dict of floats (names checked with the optimizer)."""
    if not isinstance(values, Mapping):
        raise ConfigError("{option} must map option names to numbers", option="optimizer_options")
    options = {}
    for key, value in values.items():
        if not is_real(value):
            raise ConfigError(
                f"optimizer option {key} must be a number, got {value!r}",
                option="optimizer_options",
            )
        options[str(key)] = float(value)
    return options


def check_text(name: str) -> Callable[[Any], str | None]:
    """A check that the value is None or text."""

    def check(value: Any) -> str | None:
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{{option}} must be text, got {value!r}", option=name)
        return value

    return check


def check_flag(name: str) -> Callable[[Any], bool]:
    """A check that the value is True or False."""

    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{{option}} must be true or false, got {value!r}", option=name)
        return value

    return check


def optimizer_names() -> Mapping[str, Any]:
    """The optimizers by name (imported when first checked)."""
    from gdlab.optim.optimizers import OPTIMIZERS

    return OPTIMIZERS


def loss_names() -> Mapping[str, Any]:
    """The losses by name."""
    from gdlab.model.losses import LOSSES

    return LOSSES


def engine_names() -> tuple[str, ...]:
    """`auto` and the engines by name."""
    from gdlab.engines import ENGINES

    return ("auto", *ENGINES)


def dtype_names() -> Mapping[str, Any]:
    """The floating-point types a run computes in."""
    from gdlab.engines.dense import DTYPES

    return DTYPES


def check_lr(value: Any) -> float | str:
    """A learning rate: "auto", or a finite number > 0."""
    if value == AUTO:
        return AUTO
    return finite_number("lr", value, 0.0, strict=True, what=" (the learning rate) or 'auto'")


CHECKS: dict[str, Callable[[Any], Any]] = {
    "lr": check_lr,
    "steps": lambda v: whole_number("steps", v, 1, MAX_STEPS),
    "optimizer": lambda v: one_of("optimizer", "optimizer", optimizer_names())(v),
    "loss": lambda v: one_of("loss", "loss", loss_names())(v),
    "seed": lambda v: whole_number("seed", v, 0),
    "engine": lambda v: one_of("engine", "engine", engine_names())(v),
    "dtype": lambda v: one_of("dtype", "dtype", dtype_names())(v),
    "intercept": check_flag("intercept"),
    "init_std": lambda v: finite_number("init_std", v, 0.0, strict=False),
    "init": check_init,
    "optimizer_options": check_optimizer_options,
    "schedule": check_text("schedule"),
    "l2": lambda v: finite_number("l2", v, 0.0, strict=False),
    "l1": lambda v: finite_number("l1", v, 0.0, strict=False),
    "tol": lambda v: None if v is None else finite_number("tol", v, 0.0, strict=False),
    "tol_kind": one_of("tol_kind", "tolerance kind", TOL_KINDS),
    "standardize": check_flag("standardize"),
    "huber_delta": lambda v: finite_number("huber_delta", v, 0.0, strict=True),
    "batch_size": lambda v: None if v is None else whole_number("batch_size", v, 1),
    "scheduler": check_text("scheduler"),
    "validation": lambda v: check_validation(v),
    "early_stopping": lambda v: None if v is None else whole_number("early_stopping", v, 1),
    "cv": lambda v: None if v is None else whole_number("cv", v, 2, 1000),
    "cov": lambda v: check_cov(v),
}


#: The covariances of the summary's standard errors (statsmodels' cov_type names).
COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3")


def check_validation(value: Any) -> float | str | None:
    """A held-out fraction (0 < f < 1), a file name, or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value.strip()  # a file with the same columns
    if not (is_real(value) and 0 < value < 1):
        raise ConfigError(
            f"{{option}} must be a fraction 0 < f < 1 or a file, got {value!r}",
            option="validation",
        )
    return float(value)


def check_cov(value: Any) -> str:
    """A covariance type: one of `COV_TYPES`, or cluster:COLUMN."""
    if isinstance(value, str) and value.startswith("cluster:") and value[len("cluster:") :]:
        return value
    if value not in COV_TYPES:
        raise ConfigError(
            f"unknown covariance {value!r}; choose one of: {', '.join(COV_TYPES)}, cluster:COL",
            option="cov",
        )
    return str(value)


def check_together(config: TrainingConfig) -> None:
    """What only the options together decide: the optimizer's options, the schedule (checked
    with a stand-in rate while the rate is "auto")."""
    check_l1(config)
    rate = 1.0 if config.lr_is_auto else float(config.lr)
    if config.optimizer_options:  # a known optimizer with its defaults needs no check
        from gdlab.optim.optimizers import make_optimizer

        make_optimizer(config.optimizer, rate, **config.optimizer_options)
    if config.schedule is not None:
        from gdlab.optim.schedules import parse_schedule

        parse_schedule(config.schedule, rate, config.steps)
    if config.early_stopping is not None and config.validation is None:
        raise ConfigError(
            "{option} needs held-out data: give --validation", option="early_stopping"
        )
    if config.cv is not None and config.validation is not None:
        raise ConfigError(
            "{option} holds out folds of its own; leave --validation out", option="cv"
        )


def check_l1(config: TrainingConfig) -> None:
    """The L1 penalty's optimum is known for a quadratic loss; its gradient is not defined at
    0, so --tol measures the change of the loss."""
    if config.l1 == 0:
        return
    if not config.is_quadratic:
        raise ConfigError(
            f"{{option}} needs a quadratic loss (l2 or mse), not {config.loss}", option="l1"
        )
    if config.tol is not None and config.tol_kind == "grad":
        raise ConfigError(
            "{option} makes the loss non-differentiable where a weight is 0: stop on the "
            "loss's change (tol_kind loss), not on the gradient",
            option="l1",
        )
