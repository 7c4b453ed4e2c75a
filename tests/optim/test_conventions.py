"""The optimizers' conventions (docs/conventions.md), pinned against torch.optim and optax.

Each test runs the same steps on the same quadratic in float64 and compares the paths.
Without torch or optax installed (``pip install 'gdlab[conventions]'``) they skip and say so.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from gdlab.optim import optimizers
from gdlab.optim.optimizers import OPTIMIZERS, adagrad, adam, gd, momentum, nesterov, rmsprop

LR = 0.05
STEPS = 40
CONVENTIONS = Path(__file__).resolve().parents[2] / "docs" / "conventions.md"


def problem():
    """½‖Aw − y‖² with cond(A) ≈ 10, its gradient Aᵀ(Aw − y), a start away from w*."""
    rng = np.random.default_rng(11)
    A = rng.normal(size=(30, 3)) * [1.0, 0.5, 0.2] + [0.0, 1.0, -2.0]
    y = A @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=30)
    A = A / np.sqrt(np.linalg.eigvalsh(A.T @ A)[-1])  # λ_max = 1: LR is stable for all
    return (lambda w: A.T @ (A @ w - y)), np.array([0.3, 0.1, -0.4])


def gdlab_path(optimizer):
    """The weights after each update of a gdlab optimizer."""
    grad, w = problem()
    state, path = optimizer.init(w), []
    for _ in range(STEPS):
        updates, state = optimizer.update(grad(w), state, w)
        w = w + updates
        path.append(w)
    return np.array(path)


def torch_path(make):
    """The weights after each step of the torch.optim optimizer `make(params)` builds."""
    torch = pytest.importorskip("torch", reason="torch.optim is not installed")
    grad, w0 = problem()
    weights = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    optimizer, path = make(torch, [weights]), []
    for _ in range(STEPS):
        weights.grad = torch.from_numpy(grad(weights.detach().numpy().copy()))
        optimizer.step()
        path.append(weights.detach().numpy().copy())
    return np.array(path)


@pytest.fixture
def optax():
    """optax with JAX in float64 for the test (restored after)."""
    jax = pytest.importorskip("jax", reason="jax (for optax) is not installed")
    module = pytest.importorskip("optax", reason="optax is not installed")
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    yield module
    jax.config.update("jax_enable_x64", before)


def optax_path(optax, transform):
    """The weights after each update of an optax GradientTransformation."""
    import jax.numpy as jnp

    grad, w0 = problem()
    params = jnp.asarray(w0, dtype=jnp.float64)
    state, path = transform.init(params), []
    for _ in range(STEPS):
        updates, state = transform.update(jnp.asarray(grad(np.asarray(params))), state, params)
        params = optax.apply_updates(params, updates)
        path.append(np.asarray(params))
    return np.array(path)


def by_hand(scaling, s0=0.0):
    """Weights from w ← w − LR·u with u = scaling(g, s), s ← s + g² (AdaGrad-like sums)."""
    grad, w = problem()
    s, path = np.full_like(w, s0), []
    for _ in range(STEPS):
        g = grad(w)
        s = s + g**2
        w = w - LR * scaling(g, s)
        path.append(w)
    return np.array(path)


TORCH_EQUIVALENTS = {
    # gdlab's optimizer, torch.optim's with the settings that make it the same rule
    "gd": (gd(LR), lambda torch, p: torch.optim.SGD(p, lr=LR)),
    "momentum": (momentum(LR), lambda torch, p: torch.optim.SGD(p, lr=LR, momentum=0.9)),
    "nesterov": (
        nesterov(LR),
        lambda torch, p: torch.optim.SGD(p, lr=LR, momentum=0.9, nesterov=True),
    ),
    "adagrad": (adagrad(LR), lambda torch, p: torch.optim.Adagrad(p, lr=LR, eps=1e-8)),
    "rmsprop": (
        rmsprop(LR),
        lambda torch, p: torch.optim.RMSprop(p, lr=LR, alpha=0.9, eps=1e-8),
    ),
    "adam": (adam(LR), lambda torch, p: torch.optim.Adam(p, lr=LR)),
}


@pytest.mark.parametrize("name", list(TORCH_EQUIVALENTS))
def test_every_optimizer_is_torch_optims_rule(name):
    ours, theirs = TORCH_EQUIVALENTS[name]
    np.testing.assert_allclose(gdlab_path(ours), torch_path(theirs), rtol=1e-12, atol=1e-15)


def test_torch_defaults_differ_where_the_page_says():
    torch = pytest.importorskip("torch", reason="torch.optim is not installed")
    params = [torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))]
    assert torch.optim.SGD(params, lr=LR).defaults["momentum"] == 0  # no default β
    assert torch.optim.Adagrad(params).defaults["eps"] == 1e-10  # ours: 1e-8
    assert torch.optim.Adagrad(params).defaults["initial_accumulator_value"] == 0
    assert torch.optim.RMSprop(params).defaults["alpha"] == 0.99  # ours (decay): 0.9
    assert torch.optim.RMSprop(params).defaults["eps"] == 1e-8
    adam_defaults = torch.optim.Adam(params).defaults
    assert (adam_defaults["betas"], adam_defaults["eps"]) == ((0.9, 0.999), 1e-8)  # ours too
    assert optimizers.optimizer_options("adagrad") == {"eps": 1e-8}
    assert optimizers.optimizer_options("rmsprop") == {"decay": 0.9, "eps": 1e-8}


def test_sgd_momentum_nesterov_and_adam_are_optaxs(optax):
    pairs = {
        "gd": (gd(LR), optax.sgd(LR)),
        "momentum": (momentum(LR), optax.sgd(LR, momentum=0.9)),
        "nesterov": (nesterov(LR), optax.sgd(LR, momentum=0.9, nesterov=True)),
        "adam": (adam(LR), optax.adam(LR)),  # the same defaults: b1, b2, eps, eps_root = 0
    }
    for name, (ours, theirs) in pairs.items():
        np.testing.assert_allclose(
            gdlab_path(ours), optax_path(optax, theirs), rtol=1e-12, atol=1e-15, err_msg=name
        )


def test_optax_adagrad_puts_eps_inside_the_root_and_starts_at_a_tenth(optax):
    eps = 1e-7  # optax's default, with initial_accumulator_value = 0.1
    documented = by_hand(lambda g, s: g / np.sqrt(s + eps), s0=0.1)
    np.testing.assert_allclose(optax_path(optax, optax.adagrad(LR)), documented, rtol=1e-12)
    assert not np.allclose(gdlab_path(adagrad(LR)), documented, rtol=1e-3)
    # with the accumulator from 0 and ε → 0 the two rules are one
    from_zero = optax.adagrad(LR, initial_accumulator_value=0.0, eps=0.0)
    np.testing.assert_allclose(
        optax_path(optax, from_zero), gdlab_path(adagrad(LR, eps=1e-300)), rtol=1e-12
    )


def test_optax_rmsprop_puts_eps_inside_the_root_unless_told(optax):
    inside = optax_path(optax, optax.rmsprop(LR, decay=0.9, eps=1e-8))
    outside = optax_path(optax, optax.rmsprop(LR, decay=0.9, eps=1e-8, eps_in_sqrt=False))
    np.testing.assert_allclose(outside, gdlab_path(rmsprop(LR)), rtol=1e-12, atol=1e-15)
    grad, w = problem()
    nu, documented = np.zeros_like(w), []
    for _ in range(STEPS):  # optax's default: u = g/√(ν + ε)
        g = grad(w)
        nu = 0.9 * nu + 0.1 * g**2
        w = w - LR * g / np.sqrt(nu + 1e-8)
        documented.append(w)
    np.testing.assert_allclose(inside, np.array(documented), rtol=1e-12)


def test_the_page_lists_every_optimizer_with_its_defaults():
    text = CONVENTIONS.read_text(encoding="utf-8")
    for name in OPTIMIZERS:
        row = re.search(rf"^\| `{name}` \|(.*)$", text, flags=re.MULTILINE)
        assert row is not None, f"docs/conventions.md has no row for {name}"
        for option, value in optimizers.optimizer_options(name).items():
            assert f"{option} = {value:g}" in row.group(1), (name, option, value)
