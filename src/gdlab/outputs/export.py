"""Code export: a short, runnable script that reproduces a run in another framework.

`export_script(record, "numpy" | "pytorch" | "keras" | "sklearn")` writes the run from
its record alone: the same data (the seed recipe regenerated, or the same CSV/Parquet file
read again from where the run read it, its absolute path), the same initial weights,
learning rate, loss and number of updates. A ``--standardize`` run is written with its
scaling: the script trains on z = (x − mean)/scale with the run's own means and scales (a
`StandardScaler` in a pipeline for scikit-learn) from the run's start in those units, and
turns the weights back into the data's units, b = b' − Σ a'ⱼ·meanⱼ/scaleⱼ, aⱼ = a'ⱼ/scaleⱼ.
Each script prints the final weights, bias first, in the data's units, and the final loss,
so its numbers can be set beside the run's. Only plain gradient descent is written; a run
that used anything else is refused with a message that says what cannot be reproduced.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from gdlab.data.columns import PARQUET_SUFFIXES
from gdlab.errors import ConfigError, DataError
from gdlab.model.linear import weight_names
from gdlab.model.standardize import Standardization
from gdlab.outputs.savedmodel import is_finite_number
from gdlab.training.config import declared_options, option_names
from gdlab.training.location import absolute_source, data_location
from gdlab.training.record import RunRecord

FRAMEWORK_IMPORTS = {
    "numpy": (),
    "pytorch": ("import torch",),
    "keras": ("import keras",),
    "sklearn": ("from sklearn.neural_network import MLPRegressor",),
}

#: What a standardised run's script imports besides.
SCALED_IMPORTS = {
    "sklearn": (
        "from sklearn.pipeline import make_pipeline",
        "from sklearn.preprocessing import StandardScaler",
    )
}

#: Options every export honours; any other option must hold its default. A stopping rule is
#: honoured too (the scripts take as many steps as the run took), the start is the record's,
#: and where the gradients were computed (engine, scheduler) changes no step.
HONOURED = {
    *("lr", "steps", "optimizer", "loss", "seed", "engine", "dtype", "intercept", "init_std"),
    *("init", "tol", "tol_kind", "scheduler", "huber_delta", "standardize"),
}
NEUTRAL_VALUES: tuple[Any, ...] = (None, False, 0, "", "none", "constant", {}, [])


@dataclass(frozen=True)
class Recipe:
    """What every script needs from a run record."""

    data_code: str
    imports: tuple[str, ...]
    features: list[str]
    init: list[float]
    lr: float
    steps: int
    loss: str
    intercept: bool
    dtype: str
    #: The run's standardisation (means, scales), or None when it trained in data units.
    scaling: tuple[list[float], list[float]] | None = None

    @property
    def units(self) -> str:
        """' on z' after a standardised run's start, else nothing."""
        return " on z" if self.scaling is not None else ""

    @property
    def start(self) -> list[float]:
        """The weights the loop starts from: `init`, in standardised units when scaled."""
        if self.scaling is None:
            return self.init
        means, scales = (np.asarray(values) for values in self.scaling)
        standard = Standardization(means, scales, self.intercept).to_standard()
        return [float(v) for v in standard @ np.asarray(self.init)]

    @property
    def weight_label(self) -> str:
        """'(b, x1, x2)': the order the script prints the weights in."""
        names = weight_names([plain(name) for name in self.features], self.intercept)
        return "(" + ", ".join(names) + ")"

    @property
    def bias(self) -> float:
        """The initial bias (0 without an intercept), in the units the loop trains in."""
        return self.start[0] if self.intercept else 0.0

    @property
    def slopes(self) -> list[float]:
        """The initial feature weights, in the units the loop trains in."""
        return self.start[1:] if self.intercept else self.start


def export_script(
    record: RunRecord | dict[str, Any],
    framework: str,
    where: str = "run record",
    data: str | os.PathLike[str] | None = None,
) -> str:
    """A runnable script reproducing the run of `record` in `framework`.

    The script reads the record's file from where the run read it, or `data` when given
    (a record whose file has moved, or one trained on arrays saved to a file since).

    >>> import gdlab
    >>> script = export_script(gdlab.demo(0).to_record(), "numpy")
    >>> "np.random.default_rng(0)" in script and "lr * (A.T @ error)" in script
    True
    """
    writers = {
        "numpy": numpy_script,
        "pytorch": pytorch_script,
        "keras": keras_script,
        "sklearn": sklearn_script,
    }
    if framework not in writers:
        raise ConfigError(f"unknown framework '{framework}'; choose one of: {', '.join(writers)}")
    recipe = recipe_from_record(record, where, data)
    scaled = " on standardised features" if recipe.scaling is not None else ""
    heading = (
        f'"""Reproduce a gdlab run with {framework}: {recipe.steps} steps of gradient descent'
        f"{scaled},\nlr {recipe.lr!r}, loss {recipe.loss}, from the run's initial weights "
        f'{recipe.weight_label}.\n\nWritten by `gdlab export --to {framework}`."""\n\n'
    )
    extra = SCALED_IMPORTS.get(framework, ()) if recipe.scaling is not None else ()
    imports = "\n".join(
        sorted(
            {"import numpy as np", *recipe.imports, *FRAMEWORK_IMPORTS[framework], *extra},
            key=lambda line: (line.startswith("from "), line),
        )
    )
    scaling = scaling_code(recipe, transform=framework != "sklearn")  # sklearn: a pipeline
    body = writers[framework](recipe)
    return heading + imports + "\n\n" + recipe.data_code + scaling + "\n" + body


def recipe_from_record(
    record: Any, where: str, data: str | os.PathLike[str] | None = None
) -> Recipe:
    """Check the record and pull out what a script needs; errors name the bad field."""
    if not isinstance(record, RunRecord):
        if not isinstance(record, dict):
            raise DataError(f"{where}: not a run record (expected a JSON object)")
        record = RunRecord.from_dict(record, where)
    config = record.config
    check_reproducible(record, where)
    features = list(record.data.features)
    if not all(features):
        raise DataError(f"{where}: data.features must be a list of column names")
    init = [float(v) for v in record.init]
    if not all(math.isfinite(v) for v in init):
        raise DataError(f"{where}: 'init' must be a list of finite numbers")
    if len(init) != len(features) + config.intercept or not init:
        raise DataError(f"{where}: {len(init)} initial weights for {len(features)} feature(s)")
    if not len(record.losses):
        raise DataError(f"{where}: 'losses' must list the loss after each update")
    if config.loss not in ("l2", "mse"):
        raise ConfigError(f"{where}: export knows the losses l2 and mse, not {config.loss!r}")
    target = record.data.target
    if not target:
        raise DataError(f"{where}: data.target must be a column name")
    data_code, imports = data_loading_code(record, features, target, where, data)
    return Recipe(
        data_code=data_code,
        imports=imports,
        features=features,
        init=init,
        lr=config.lr,
        steps=record.steps_run,
        loss=config.loss,
        intercept=config.intercept,
        dtype=config.dtype,
        scaling=scaling_of(record, where),
    )


def scaling_of(record: RunRecord, where: str) -> tuple[list[float], list[float]] | None:
    """The means and scales a ``standardize`` run applied, as its record's analysis keeps
    them (`conditioning.feature_means`, `feature_scales`); None for a run in data units."""
    if not record.config.standardize:
        return None
    conditioning = record.analysis.get("conditioning")
    kept = conditioning if isinstance(conditioning, dict) else {}
    means, scales = kept.get("feature_means"), kept.get("feature_scales")
    k = len(record.data.features)
    if is_number_list(means, k) and is_number_list(scales, k) and min(scales) > 0:
        return [float(v) for v in means], [float(v) for v in scales]
    raise DataError(
        f"{where}: a standardised run, but analysis.conditioning lacks the {k} feature means "
        "and scales (> 0) the script needs"
    )


def is_number_list(values: Any, length: int) -> TypeGuard[list[float]]:
    """True for a list of `length` finite numbers."""
    return (
        isinstance(values, list)
        and len(values) == length
        and all(is_finite_number(value) for value in values)
    )


def check_reproducible(record: RunRecord, where: str) -> None:
    """Refuse runs whose settings the scripts cannot repeat (another optimizer, a schedule…).

    Every option of the configuration is either honoured by the scripts (`HONOURED`) or must
    hold its default; keys of a newer gdlab must hold a neutral value.
    """
    config = record.config
    if config.optimizer != "gd":
        raise ConfigError(
            f"{where}: export writes plain gradient descent ('gd'); "
            f"this run used {config.optimizer!r}"
        )
    for name, _, default in declared_options():
        value = getattr(config, name)
        neutral = value == default or (name == "schedule" and value == "constant")
        if name not in HONOURED and not neutral:
            raise ConfigError(
                f"{where}: export writes plain gradient descent and cannot repeat "
                f"the setting {name}={value!r}"
            )
    raw = record.raw.get("config", {})
    for key, value in raw.items():
        if key not in option_names() and value not in NEUTRAL_VALUES:
            raise ConfigError(
                f"{where}: export writes plain gradient descent and cannot repeat "
                f"the setting {key}={value!r}"
            )


def data_loading_code(
    record: RunRecord,
    features: list[str],
    target: str,
    where: str,
    data: str | os.PathLike[str] | None = None,
) -> tuple[str, tuple[str, ...]]:
    """Code that defines X (N×k) and y (N) as the run saw them, and the imports it needs.

    A file is read by its absolute path: `data` when given, else where the run read it
    (`data_location`, which says in one line when the file is no longer there).
    """
    source = record.data.source
    details = record.data.details
    if source == "seed" and data is None:
        seed: Any = details.get("seed", record.config.seed)
        n: Any = details.get("n", 50)
        noise: Any = details.get("noise", 1.0)
        if not (is_whole(seed) and is_whole(n) and n >= 2 and is_finite_number(noise)):
            raise DataError(f"{where}: the seed recipe needs whole seed and n ≥ 2, finite noise")
        code = (
            f"# The seed program's data: two ramps with N(0, {noise!r}²) noise added to both.\n"
            f"rng = np.random.default_rng({seed})\n"
            f"ramps = np.array([np.linspace(-2, 4, {n}), np.linspace(-6, 6, {n})])\n"
            f"ramps += {noise!r} * rng.standard_normal((2, {n}))\n"
            "X, y = ramps[0].reshape(-1, 1), ramps[1]\n"
        )
        return code, ()
    if data is None and source in ("", "arrays"):
        raise DataError(
            f"{where}: the run's data came from in-memory arrays, so no script can load it "
            "again; export runs on the seed data or on a file (or pass the data's file "
            "with {option})",
            option="data",
        )
    path = absolute_source(
        os.fspath(data) if data is not None else data_location(record.data, where)
    )
    about = (
        f"# The data: feature column(s) {plain(', '.join(features))} and target "
        f"{plain(target)} of {plain(path)}.\n"
    )
    if is_parquet_name(path):
        code = (
            about
            + f"table = pq.read_table({path!r}, columns={[*features, target]!r})\n"
            + f"X = np.column_stack([table[name].to_numpy().astype(float) for name in "
            f"{features!r}])\n"
            f"y = table[{target!r}].to_numpy().astype(float)\n"
        )
        return code, ("import pyarrow.parquet as pq",)
    code = (
        about + f"with open({path!r}, newline='', encoding='utf-8-sig') as handle:\n"
        "    rows = list(csv.DictReader(handle))\n"
        f"X = np.array([[float(row[name]) for name in {features!r}] for row in rows])\n"
        f"y = np.array([float(row[{target!r}]) for row in rows])\n"
    )
    return code, ("import csv",)


def scaling_code(r: Recipe, transform: bool = True) -> str:
    """For a standardised run: its means and scales, `in_data_units`, and (with `transform`)
    X replaced by the standardised z the loop trains on."""
    if r.scaling is None:
        return ""
    means, scales = r.scaling
    if r.intercept:
        standardise = "X = (X - mean) / scale  # train on z = (x − mean)/scale, as the run did\n"
        back = (
            "    # b = b' − Σ a'·mean/scale, a = a'/scale\n"
            "    v = np.asarray(v, dtype=float)\n"
            "    return [float(v[0] - np.sum(v[1:] * mean / scale)), *(v[1:] / scale).tolist()]\n"
        )
    else:
        standardise = "X = X / scale  # without a bias the run only scaled (root mean square)\n"
        back = "    return (np.asarray(v, dtype=float) / scale).tolist()  # a = a'/scale\n"
    return (
        "\n# The run standardised the features with these means and scales (its own numbers).\n"
        f"mean = np.array({means!r})\n"
        f"scale = np.array({scales!r})\n"
        f"{standardise if transform else ''}"
        "\n\n"
        "def in_data_units(v):\n"
        '    """Weights trained on standardised features, in the data\'s units."""\n'
        f"{back}"
        "\n"
    )


def numpy_script(r: Recipe) -> str:
    """Plain numpy: the seed's loop written out, w ← w − lr·∇L(w)."""
    design = "np.column_stack([np.ones(len(y)), X])" if r.intercept else "X"
    gradient = "A.T @ error" if r.loss == "l2" else "A.T @ (2 * error / len(y))"
    cast = (
        "A, y, w = A.astype(np.float32), y.astype(np.float32), w.astype(np.float32)\n"
        if r.dtype == "float32"
        else ""
    )
    return (
        f"A = {design}  # the design matrix, bias column first\n"
        f"w = np.array({r.start!r})  # the run's initial weights {r.weight_label}{r.units}\n"
        f"{cast}"
        f"lr, steps = {r.lr!r}, {r.steps}\n"
        "for step in range(steps):\n"
        "    error = A @ w - y  # ŷ − y\n"
        f"    w = w - lr * ({gradient})  # the gradient of {loss_formula(r.loss)}\n"
        "\n"
        "weights = w.tolist()\n"
        "error = A @ w - y\n" + report(r)
    )


def pytorch_script(r: Recipe) -> str:
    """PyTorch: `nn.Linear` with the run's start, `optim.SGD`, the loss as the run defines it."""
    torch_dtype = "torch.float64" if r.dtype == "float64" else "torch.float32"
    loss = (
        "0.5 * ((layer(inputs) - targets) ** 2).sum()"
        if r.loss == "l2"
        else "torch.nn.functional.mse_loss(layer(inputs), targets)"
    )
    bias_line = f"    layer.bias.copy_(torch.tensor([{r.bias!r}]))\n" if r.intercept else ""
    return (
        f"inputs = torch.tensor(X, dtype={torch_dtype})\n"
        f"targets = torch.tensor(y, dtype={torch_dtype}).reshape(-1, 1)\n"
        f"layer = torch.nn.Linear({len(r.features)}, 1, bias={r.intercept}, dtype={torch_dtype})\n"
        "with torch.no_grad():  # the run's initial weights\n"
        f"{bias_line}"
        f"    layer.weight.copy_(torch.tensor([{r.slopes!r}]))\n"
        f"optimizer = torch.optim.SGD(layer.parameters(), lr={r.lr!r})\n"
        f"for step in range({r.steps}):\n"
        "    optimizer.zero_grad()\n"
        f"    loss = {loss}  # {loss_formula(r.loss)}\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
        "\n"
        "with torch.no_grad():\n"
        "    error = (layer(inputs) - targets).reshape(-1).double().numpy()\n"
        f"    weights = {'layer.bias.tolist() + ' if r.intercept else ''}"
        "layer.weight.reshape(-1).tolist()\n" + report(r)
    )


def keras_script(r: Recipe) -> str:
    """Keras: one `Dense` unit with the run's start, full-batch `SGD` for `steps` epochs."""
    loss_name = "half_sum_of_squares" if r.loss == "l2" else '"mean_squared_error"'
    loss_def = (
        "\n\ndef half_sum_of_squares(target, prediction):\n"
        '    """The seed\'s loss, ½·Σ(ŷ − y)², over the whole batch."""\n'
        "    return 0.5 * keras.ops.sum(keras.ops.square(prediction - target))\n\n\n"
        if r.loss == "l2"
        else ""
    )
    start = f"[np.array({[[a] for a in r.slopes]!r})" + (
        f", np.array([{r.bias!r}])]" if r.intercept else "]"
    )
    return (
        f'keras.backend.set_floatx("{r.dtype}")\n'
        f"X, y = X.astype(np.{r.dtype}), y.astype(np.{r.dtype}).reshape(-1, 1)\n"
        "model = keras.Sequential(\n"
        f"    [keras.Input(shape=({len(r.features)},)), "
        f"keras.layers.Dense(1, use_bias={r.intercept})]\n"
        ")\n"
        "dense = model.layers[-1]\n"
        "# The run's initial weights: the kernel (one row per feature), then the bias.\n"
        f"dense.set_weights({start})\n"
        f"{loss_def}"
        f"model.compile(optimizer=keras.optimizers.SGD(learning_rate={r.lr!r}), "
        f"loss={loss_name})\n"
        "# One epoch is one full-batch step.\n"
        f"model.fit(X, y, batch_size=len(y), epochs={r.steps}, shuffle=False, verbose=0)\n"
        "\n"
        "kernel, *bias = dense.get_weights()\n"
        "weights = [float(v) for v in [*np.ravel(bias), *kernel.ravel()]]\n"
        "error = (model.predict(X, verbose=0) - y).ravel().astype(float)\n" + report(r)
    )


def sklearn_script(r: Recipe) -> str:
    """scikit-learn: an `MLPRegressor` with no hidden layer (one linear layer), full batch;
    for a standardised run, a `StandardScaler` with the run's scaling before it, in a pipeline.

    Its squared loss is ½·mean(e²), so its rate is lr·N for the seed's ½Σe² (and 2·lr for
    mse, mean e²): the same steps.
    """
    rate = "lr * len(y)" if r.loss == "l2" else "2 * lr"
    reset_bias = "    model.intercepts_[0][:] = 0.0  # this run had no bias\n"
    inputs, scaler, predictor = "X", "", "model"
    if r.scaling is not None:
        inputs, predictor = "Z", "pipeline"
        scaler = (
            "scaler = StandardScaler().fit(X)  # mean and population std, as gdlab's\n"
            "scaler.mean_, scaler.scale_ = mean, scale  # the run's own numbers, to the bit\n"
            if r.intercept
            else "scaler = StandardScaler(with_mean=False).fit(X)\n"
            "scaler.scale_ = scale  # without a bias gdlab scales by the root mean square\n"
        ) + "Z = scaler.transform(X)\n"
    pipeline = (
        "pipeline = make_pipeline(scaler, model)  # predicts from the data's own units\n"
        if r.scaling is not None
        else ""
    )
    return (
        f"X, y = X.astype(np.{r.dtype}), y.astype(np.{r.dtype})\n"
        f"{scaler}"
        f"lr, steps = {r.lr!r}, {r.steps}\n"
        f"# scikit-learn's squared loss is ½·mean(e²): rate {rate} takes the steps that\n"
        f"# lr takes on {loss_formula(r.loss)}.\n"
        "model = MLPRegressor(\n"
        f'    hidden_layer_sizes=(), solver="sgd", learning_rate_init={rate},\n'
        "    batch_size=len(y), momentum=0.0, alpha=0.0, shuffle=False,\n"
        ")\n"
        f"model.partial_fit({inputs}, y)  # builds the layer; its weights are replaced next\n"
        f"model.coefs_[0][:] = {[[a] for a in r.slopes]!r}  # the run's initial weights{r.units}\n"
        f"model.intercepts_[0][:] = [{r.bias!r}]\n"
        "for step in range(steps):\n"
        f"    model.partial_fit({inputs}, y)  # one full-batch gradient step\n"
        f"{'' if r.intercept else reset_bias}"
        f"{pipeline}"
        "\n"
        f"weights = [{'*model.intercepts_[0], ' if r.intercept else ''}"
        "*model.coefs_[0].ravel()]\n"
        "weights = [float(v) for v in weights]\n"
        f"error = ({predictor}.predict(X) - y).astype(float)\n" + report(r)
    )


def report(r: Recipe) -> str:
    """The closing lines every script shares: weights (in the data's units) and the loss."""
    value = "0.5 * float(error @ error)" if r.loss == "l2" else "float(error @ error) / len(error)"
    back = "weights = in_data_units(weights)\n" if r.scaling is not None else ""
    return (
        back + f'print("weights {r.weight_label}:", weights)\n'
        f'print("loss after {r.steps} steps:", {value})\n'
    )


def loss_formula(loss: str) -> str:
    """The loss written out: ½·Σe² or mean(e²)."""
    return "½·Σe²" if loss == "l2" else "mean(e²) = Σe²/N"


def plain(text: str) -> str:
    """Text safe inside a comment, a docstring or a string literal of the script.

    >>> plain('say "hi"\\nnow')
    'say ?hi??now'
    """
    return "".join(c if c.isprintable() and c not in "\"'\\" else "?" for c in text)


def is_parquet_name(source: str) -> bool:
    """True when the file is Parquet, by its suffix or, when it exists, its magic bytes."""
    path = Path(source)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PAR1"
    except (OSError, ValueError):  # no such file, or a name no file can have
        return False


def is_whole(value: Any) -> bool:
    """True for an int (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)
