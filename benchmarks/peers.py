"""Peer implementations of gdlab's algorithm in other frameworks, for the benchmark.

Every peer runs exactly the same algorithm, in float64, touching all N rows every step:

    L(w) = ½·Σ(Aw − y)²,   for k in range(steps): w ← w − lr·Aᵀ(Aw − y)

A is N×d with the bias column already in it (first column), y has length N, w0 length d.

Timing API (why two layers):

- ``prepare_<peer>(A, y) -> Runner`` moves A and y into the framework (numpy→tensor,
  device_put, dask chunking) and warms the peer up by running it once with ``steps=1`` on the
  same shapes, so jit/graph compilation (jax, tensorflow) happens here, outside the timing.
- ``runner(w0, lr, steps) -> np.ndarray`` is the part to time: it moves w0 in (d floats), runs
  the loop, waits for the result and returns it as float64 numpy (d floats out). ``lr`` and
  ``steps`` are runtime values in every compiled peer, so one warm-up serves every step count.
- ``run_<peer>(A, y, w0, lr, steps)`` is the one-shot convenience form (prepare + run).

A peer whose package is missing raises ``PeerUnavailable`` (from prepare or run), so a harness
can skip it with the reason. Imports are lazy: importing this module needs only numpy.

Peers: numpy, torch (CPU), jax (jit + lax.fori_loop), tensorflow (tf.function +
tf.while_loop) and dask_array. There is no dask_ml peer: dask-ml's linear models call
dask_glm's ``gradient_descent``, which is not fixed-step GD (Armijo backtracking line search
with a growing step, standardised columns, start at zero, stop on a tolerance, loss Σe²
without the ½). ``dask_array`` is instead this plain GD written with dask.array operations,
computing ``Aᵀ(Aw − y)`` with dask each step.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import math
import os
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np

Runner = Callable[[np.ndarray, float, int], np.ndarray]
"""A prepared peer: ``runner(w0, lr, steps)`` returns the final weights (the timed part)."""


class PeerUnavailable(RuntimeError):
    """Raised when a peer's framework is not installed, so the harness can skip that peer."""


PEER_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "numpy": ("numpy",),
    "torch": ("torch",),
    "jax": ("jax", "jaxlib"),
    "tensorflow": ("tensorflow-cpu", "tensorflow"),
    "dask_array": ("dask",),
}
"""The pip distributions behind each peer, for version reports."""


def _require(peer: str, module: str) -> ModuleType:
    """Import a peer's module lazily, turning a missing package into PeerUnavailable."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise PeerUnavailable(
            f"peer {peer!r} needs {module!r}, which is not importable ({exc}); "
            "install benchmarks/requirements-bench.txt"
        ) from exc


def peer_version(peer: str) -> str | None:
    """Return the installed version(s) of a peer's packages, or None if none is installed."""
    found = []
    for dist in PEER_DISTRIBUTIONS[peer]:
        try:
            found.append(f"{dist}=={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return " ".join(found) or None


def _as_f64(A: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check shapes and return C-contiguous float64 copies-or-views of A and y."""
    A = np.ascontiguousarray(A, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if A.ndim != 2 or y.ndim != 1 or A.shape[0] != y.shape[0]:
        raise ValueError(f"need A of shape (N, d) and y of shape (N,), got {A.shape}, {y.shape}")
    return A, y


def _w0_f64(w0: np.ndarray, d: int) -> np.ndarray:
    """Check w0 has length d and return it as a float64 vector."""
    w0 = np.asarray(w0, dtype=np.float64)
    if w0.shape != (d,):
        raise ValueError(f"need w0 of shape ({d},), got {w0.shape}")
    return w0


def _warmed(runner: Runner, d: int) -> Runner:
    """Run the peer once with steps=1 on the real shapes (compiles jit/graph), then return it."""
    runner(np.zeros(d), 0.0, 1)
    return runner


# numpy ----------------------------------------------------------------------------------


def prepare_numpy(A: np.ndarray, y: np.ndarray) -> Runner:
    """Prepare the reference peer: a plain numpy loop, two BLAS matvecs per step."""
    A, y = _as_f64(A, y)
    d = A.shape[1]

    def run(w0: np.ndarray, lr: float, steps: int) -> np.ndarray:
        """Run plain GD with numpy."""
        w = _w0_f64(w0, d).copy()
        for _ in range(steps):
            w = w - lr * (A.T @ (A @ w - y))
        return w

    return _warmed(run, d)


# torch ----------------------------------------------------------------------------------


def prepare_torch(A: np.ndarray, y: np.ndarray) -> Runner:
    """Prepare the torch peer: CPU float64 tensors, an eager loop with autograd off."""
    torch = _require("torch", "torch")
    A, y = _as_f64(A, y)
    d = A.shape[1]
    At = torch.from_numpy(A)  # zero-copy: the transfer is a view, done here, not timed
    yt = torch.from_numpy(y)

    def run(w0: np.ndarray, lr: float, steps: int) -> np.ndarray:
        """Run plain GD with torch on the CPU."""
        with torch.inference_mode():
            w = torch.from_numpy(_w0_f64(w0, d).copy())
            for _ in range(steps):
                w = w - lr * (At.T @ (At @ w - yt))
            return w.numpy().astype(np.float64, copy=True)

    return _warmed(run, d)


# jax ------------------------------------------------------------------------------------


def _import_jax() -> ModuleType:
    """Import jax with float64 enabled (it defaults to float32); this is process-wide."""
    jax = _require("jax", "jax")
    jax.config.update("jax_enable_x64", True)
    return jax


@cache
def _jax_gd() -> Callable[..., Any]:
    """Build the jitted GD; steps and lr are traced, so one compile per (N, d) shape."""
    jax = _import_jax()

    def gd(A: Any, y: Any, w0: Any, lr: Any, steps: Any) -> Any:
        """Run `steps` GD updates inside one compiled lax.fori_loop."""

        def body(_: Any, w: Any) -> Any:
            return w - lr * (A.T @ (A @ w - y))

        return jax.lax.fori_loop(0, steps, body, w0)

    return jax.jit(gd)


def prepare_jax(A: np.ndarray, y: np.ndarray) -> Runner:
    """Prepare the jax peer: arrays put on the CPU device, the loop compiled by warm-up."""
    jax = _import_jax()
    A, y = _as_f64(A, y)
    d = A.shape[1]
    Aj, yj = jax.device_put(A), jax.device_put(y)
    gd = _jax_gd()

    def run(w0: np.ndarray, lr: float, steps: int) -> np.ndarray:
        """Run plain GD with the jitted jax loop (python scalars keep one cache entry)."""
        w = gd(Aj, yj, _w0_f64(w0, d), float(lr), int(steps))
        return np.asarray(w.block_until_ready(), dtype=np.float64).copy()

    return _warmed(run, d)


# tensorflow -----------------------------------------------------------------------------


def _import_tf() -> ModuleType:
    """Import tensorflow quietly (its C++ info logs would flood the benchmark output)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return _require("tensorflow", "tensorflow")


@cache
def _tf_gd() -> Callable[..., Any]:
    """Build the tf.function GD with a shape-generic signature, so it traces only once."""
    tf = _import_tf()
    spec = tf.TensorSpec

    @tf.function(
        input_signature=[
            spec([None, None], tf.float64),
            spec([None], tf.float64),
            spec([None], tf.float64),
            spec([], tf.float64),
            spec([], tf.int32),
        ]
    )
    def gd(A: Any, y: Any, w0: Any, lr: Any, steps: Any) -> Any:
        """Run `steps` GD updates inside one graph-mode tf.while_loop."""

        def body(k: Any, w: Any) -> tuple[Any, Any]:
            r = tf.linalg.matvec(A, w) - y
            return k + 1, w - lr * tf.linalg.matvec(A, r, transpose_a=True)

        _, w = tf.while_loop(lambda k, _w: k < steps, body, (tf.constant(0), w0))
        return w

    return gd


def prepare_tensorflow(A: np.ndarray, y: np.ndarray) -> Runner:
    """Prepare the tensorflow peer: constant tensors, the graph traced by warm-up."""
    tf = _import_tf()
    A, y = _as_f64(A, y)
    d = A.shape[1]
    At, yt = tf.constant(A), tf.constant(y)
    gd = _tf_gd()

    def run(w0: np.ndarray, lr: float, steps: int) -> np.ndarray:
        """Run plain GD with the tf.function loop."""
        w0t = tf.constant(_w0_f64(w0, d))
        lrt = tf.constant(lr, tf.float64)
        w = gd(At, yt, w0t, lrt, tf.constant(steps, tf.int32))
        return np.asarray(w.numpy(), dtype=np.float64).copy()

    return _warmed(run, d)


# dask.array -----------------------------------------------------------------------------


def _dask_chunk_rows(n: int, n_chunks: int | None) -> int:
    """Rows per chunk: by default one row block per core, so the threaded scheduler splits it."""
    n_chunks = n_chunks or os.cpu_count() or 1
    return max(1, math.ceil(n / n_chunks))


def prepare_dask_array(A: np.ndarray, y: np.ndarray, n_chunks: int | None = None) -> Runner:
    """Prepare the dask peer: plain GD in dask.array (not dask-ml, whose GD does line search).

    It uses whatever scheduler is active: dask's threaded one by default, or a
    distributed.Client if the caller has started one.
    """
    da = _require("dask_array", "dask.array")
    A, y = _as_f64(A, y)
    d = A.shape[1]
    rows = _dask_chunk_rows(A.shape[0], n_chunks)
    # persist: under a distributed Client the chunks go to the workers once, here, not per step
    Ad = da.from_array(A, chunks=(rows, d)).persist()
    yd = da.from_array(y, chunks=rows).persist()

    def run(w0: np.ndarray, lr: float, steps: int) -> np.ndarray:
        """Run plain GD, one dask reduction Aᵀ(Aw − y) over the row chunks per step."""
        w = _w0_f64(w0, d).copy()
        for _ in range(steps):
            w = w - lr * np.asarray((Ad.T @ (Ad @ w - yd)).compute(), dtype=np.float64)
        return w

    return _warmed(run, d)


# registry and one-shot forms ------------------------------------------------------------

PEERS: dict[str, Callable[[np.ndarray, np.ndarray], Runner]] = {
    "numpy": prepare_numpy,
    "torch": prepare_torch,
    "jax": prepare_jax,
    "tensorflow": prepare_tensorflow,
    "dask_array": prepare_dask_array,
}
"""Every peer's prepare function, by name; numpy is the reference."""


def prepare(peer: str, A: np.ndarray, y: np.ndarray) -> Runner:
    """Prepare a peer by name (transfer + warm-up); raises PeerUnavailable if not installed."""
    return PEERS[peer](A, y)


def run_numpy(A: np.ndarray, y: np.ndarray, w0: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """Run plain GD with numpy (reference peer), prepare included."""
    return prepare_numpy(A, y)(w0, lr, steps)


def run_torch(A: np.ndarray, y: np.ndarray, w0: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """Run plain GD with torch on the CPU, prepare included."""
    return prepare_torch(A, y)(w0, lr, steps)


def run_jax(A: np.ndarray, y: np.ndarray, w0: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """Run plain GD with jitted jax, prepare (and compile) included."""
    return prepare_jax(A, y)(w0, lr, steps)


def run_tensorflow(
    A: np.ndarray, y: np.ndarray, w0: np.ndarray, lr: float, steps: int
) -> np.ndarray:
    """Run plain GD with a tensorflow tf.function, prepare (and tracing) included."""
    return prepare_tensorflow(A, y)(w0, lr, steps)


def run_dask_array(
    A: np.ndarray, y: np.ndarray, w0: np.ndarray, lr: float, steps: int
) -> np.ndarray:
    """Run plain GD with dask.array (the dask peer; dask-ml's GD is not plain GD)."""
    return prepare_dask_array(A, y)(w0, lr, steps)
