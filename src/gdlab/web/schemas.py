"""Request and response schemas of the playground's JSON API, declared once (pydantic).

Every field carries its limits, so a bad request is a 422 naming the field before any work
starts, and the OpenAPI schema tells a client (or a fuzzer) exactly what is accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, create_model

from gdlab.data.presets import PRESETS
from gdlab.model.losses import LOSSES
from gdlab.optim.optimizers import OPTIMIZERS
from gdlab.training.config import Option, declared_options, option_type

#: The issue's hard limits; `Settings` may only tighten them.
MAX_ROWS = 1_000_000
MAX_STEPS = 100_000  # also declared as the web limit of `steps` in TrainingConfig
MAX_FEATURES = 100
MAX_SEED = 2**32 - 1
#: The highest polynomial degree the playground fits (--degree has no limit of its own).
MAX_DEGREE = 12

#: Data and weights stay within ±1e100 so that sums of squares over a million rows stay finite.
LARGEST_VALUE = 1e100


def within_range(value: float) -> float:
    """Refuse numbers whose square would overflow in a sum over many rows."""
    if abs(value) > LARGEST_VALUE:
        raise ValueError(f"must be within ±{LARGEST_VALUE:g}")
    return value


FiniteFloat = Annotated[
    float,
    Field(
        allow_inf_nan=False,
        json_schema_extra={"minimum": -LARGEST_VALUE, "maximum": LARGEST_VALUE},
    ),
    AfterValidator(within_range),
]
ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
OptionName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


def known_name(registry: dict[str, Any], what: str) -> AfterValidator:
    """A validator accepting only the names in `registry` (so the message lists them)."""

    def check(name: str) -> str:
        if name not in registry:
            raise ValueError(f"unknown {what} '{name}'; choose one of: {', '.join(registry)}")
        return name

    return AfterValidator(check)


OptimizerName = Annotated[
    str, known_name(OPTIMIZERS, "optimizer"), Field(json_schema_extra={"enum": list(OPTIMIZERS)})
]
LossName = Annotated[
    str, known_name(LOSSES, "loss"), Field(json_schema_extra={"enum": list(LOSSES)})
]


PresetName = Literal["seed", "centred", "ill-conditioned", "outliers", "collinear"]


class SeedData(BaseModel):
    """The seed program's recipe: x = linspace(-2, 4, n) + ε₁, y = linspace(-6, 6, n) + ε₂.

    The request's `seed` draws the data first and then the initial weights, as `gdlab demo`.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["seed"] = "seed"
    n: int = Field(default=50, ge=2, le=MAX_ROWS, description="number of points")
    noise: float = Field(
        default=1.0, ge=0, le=1e6, allow_inf_nan=False, description="std of the noise ε"
    )
    preset: PresetName = Field(
        default="seed",
        description="a teaching variation of the recipe: "
        + "; ".join(f"{name}: {text}" for name, text in PRESETS.items()),
    )


class InlineData(BaseModel):
    """Columns sent in the request itself; `x` names the feature columns, `y` the target."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["inline"]
    columns: dict[ColumnName, list[FiniteFloat]] = Field(min_length=2, max_length=MAX_FEATURES + 1)
    x: list[ColumnName] = Field(min_length=1, max_length=MAX_FEATURES)
    y: ColumnName


class UploadData(BaseModel):
    """A dataset uploaded before (POST /api/uploads), by its id, with the columns to use."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["upload"]
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="id from POST /api/uploads")
    x: list[ColumnName] = Field(min_length=1, max_length=MAX_FEATURES)
    y: ColumnName


DataSpec = Annotated[SeedData | InlineData | UploadData, Field(discriminator="kind")]


def training_field(name: str, declared: Option, default: Any) -> tuple[Any, Any]:
    """The request field of one training option: its type, default, limits and description."""
    kind = option_type(name)
    annotation = CHOICE_TYPES.get(name) or FIELD_TYPES[kind]
    limits = dict(declared.web or {})
    if declared.web_default != "same":
        default = declared.web_default
    if kind in ("float", "float | None", "float | str | None", "LearningRate"):
        limits["allow_inf_nan"] = False
    if kind.startswith("Mapping"):
        return annotation, Field(default_factory=dict, description=declared.help, **limits)
    if kind == "LearningRate":  # a number within the limits, or "auto"
        annotation = Annotated[float, Field(**limits)] | Literal["auto"]
        return annotation, Field(default=default, description=declared.help)
    return annotation, Field(default=default, description=declared.help, **limits)


#: Request field types by the option's declared type (choices get their own, below).
FIELD_TYPES: dict[str, Any] = {
    "LearningRate": float,  # or "auto": see `training_field`
    "float": float,
    "int": int,
    "str": str,
    "bool": bool,
    "float | None": float | None,
    "int | None": int | None,
    "str | None": str | None,
    "tuple[float, ...] | None": list[FiniteFloat] | None,
    "float | str | None": float | None,  # the page holds out a fraction, never a file
    "Mapping[str, float]": dict[OptionName, FiniteFloat],
}
CHOICE_TYPES: dict[str, Any] = {
    "optimizer": OptimizerName,
    "loss": LossName,
    "dtype": Literal["float64", "float32"],
    "tol_kind": Literal["grad", "loss"],
}

if TYPE_CHECKING:

    class TrainRequest(BaseModel):
        """What type checkers see of the generated request: a model with the options."""

        def __getattr__(self, name: str) -> Any: ...

else:
    #: The options of `gdlab fit`, one field each (generated from `TrainingConfig`); an
    #: empty body is the seed program with its defaults.
    TrainRequest = create_model(
        "TrainRequest",
        __config__=ConfigDict(extra="forbid"),
        __doc__="The options of `gdlab fit`; an empty body is the seed program with its defaults.",
        data=(DataSpec, Field(default_factory=SeedData)),
        degree=(
            int,
            Field(
                default=1,
                ge=1,
                le=MAX_DEGREE,
                description="fit a polynomial of this degree in the one feature column: "
                "x, x², …, x^degree (gdlab fit --degree)",
            ),
        ),
        **{
            name: training_field(name, declared, default)
            for name, declared, default in declared_options()
            if declared.web is not None
        },
    )


class StreamRequest(TrainRequest):
    """A training request streamed live; `duration` paces it for the eye (0: full speed)."""

    duration: float | None = Field(
        default=None,
        ge=0,
        le=60,
        allow_inf_nan=False,
        description="seconds the run should take at least; default: 0.02 s a step, ≤ 6 s",
    )


class RunRecord(BaseModel):
    """The run record of docs/design.md, "Public contracts" (non-finite numbers are null)."""

    model_config = ConfigDict(extra="allow")

    gdlab_version: str
    data: dict[str, Any]
    config: dict[str, Any]
    weight_names: list[str]
    init: list[float | None]
    weights: list[float | None]
    initial_loss: float | None
    losses: list[float | None]
    optimum: dict[str, Any]
    analysis: dict[str, Any]
    stop_reason: str
    timing: dict[str, Any]


class OptimizerInfo(BaseModel):
    """One optimizer the server knows and its parameters with their defaults."""

    name: str
    options: dict[str, float]


class Meta(BaseModel):
    """What the page needs to build its controls: names, defaults and limits."""

    version: str
    optimizers: list[OptimizerInfo]
    losses: dict[str, str]
    fit_options: list[str] = Field(description="the training options this server offers")
    defaults: dict[str, Any] = Field(description="the default of every field of a request")
    limits: dict[str, int]


class UploadSummary(BaseModel):
    """An uploaded table: its id, its numeric columns, and why any other column was skipped."""

    id: str
    filename: str
    n_rows: int
    columns: list[str]
    skipped: dict[str, str]


class Points(BaseModel):
    """Data points for the page's data panel (evenly thinned to at most a few thousand)."""

    features: list[list[float | None]]
    target: list[float | None]
    feature_names: list[str]
    target_name: str
    n_rows: int
    shown: int


class Quadratic(BaseModel):
    """The loss as a quadratic: L(w) = L* + ½(w − w*)ᵀH(w − w*), exact for l2 and mse."""

    hessian: list[list[float | None]]
    optimum_weights: list[float | None]
    optimum_loss: float | None


class Coordinates(BaseModel):
    """The coordinates the run trains in: v = M⁻¹w when standardised (else the data's w)."""

    standardized: bool
    to_trained: list[list[float | None]] | None = Field(description="M⁻¹: v = M⁻¹·w")
    to_original: list[list[float | None]] | None = Field(description="M: w = M·v")
    init: list[float | None] = Field(description="the start in these coordinates")


class LrChoice(BaseModel):
    """The rate the run uses and how it was chosen (the record's `lr_choice`)."""

    lr: float | None
    auto: bool
    rule: str


class HeldOut(BaseModel):
    """The rows `validation` holds out: a seeded hash of each row picks them."""

    share: float = Field(description="the share asked for (0 < f < 1)")
    rows: int = Field(description="rows held out")
    training_rows: int = Field(description="rows the run trains on")
    shown: list[int] = Field(description="1 for each shown point that is held out, else 0")


class Setup(BaseModel):
    """Everything about a run known before its first step: data, start, curvature, bounds."""

    weight_names: list[str]
    init: list[float | None]
    points: Points
    optimum: dict[str, Any] = Field(description="w* in the data's units and the floor L*")
    quadratic: Quadratic = Field(description="the loss in the coordinates trained")
    coordinates: Coordinates
    analysis: dict[str, Any]
    lr_choice: LrChoice
    total_sum_of_squares: float | None = Field(description="of the training rows' target")
    sse_per_loss: float | None = Field(description="Σe² per unit of loss, on the training rows")
    held_out: HeldOut | None = Field(default=None, description="the `validation` split")
    command: str
    data_file: str


class ErrorMessage(BaseModel):
    """A 4xx answer: one line saying what is wrong and where (422s also list the fields)."""

    detail: str
    errors: list[dict[str, Any]] | None = None
