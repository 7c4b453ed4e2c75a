"""Comparisons: every member's path and loss gap are drawn from its own training run."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

import gdlab
from gdlab.optim.optimizers import OPTIMIZERS, GradientTransformation, check_lr
from gdlab.plots import compare_figure, default_members, parse_members
from gdlab.plots.compare import adaptive_lr
from gdlab.plots.view import as_view
from tests.plots.checks import assert_readable


@pytest.fixture(scope="module")
def seed_view():
    return as_view(gdlab.demo(0))


def test_gd_at_several_rates_each_drawn_from_its_own_run(seed_view):
    figure = compare_figure(seed_view, spec="gd:0.004,gd:best,gd:0.0065", grid_size=31)
    ax_landscape, ax_gap = figure.axes
    labels = [line.get_label() for line in ax_gap.lines]
    assert labels[0] == "gd lr=0.002 (this run)"
    assert labels[1] == "gd lr=0.004"
    assert labels[2] == f"gd lr={seed_view.analysis.lr_optimal:.3g} (best constant rate)"
    assert labels[3].startswith("gd lr=0.0065 — diverged at step")
    assert [t.get_text() for t in ax_gap.get_legend().get_texts()] == labels
    assert ax_gap.get_yscale() == "log"

    data = seed_view.dataset
    optimum_loss = seed_view.optimum_loss
    paths = {line.get_label(): line for line in ax_landscape.lines}
    for label, lr in zip(labels[:3], [0.002, 0.004, seed_view.analysis.lr_optimal], strict=True):
        run = gdlab.fit(data, lr=lr, steps=50, init=list(seed_view.init))
        np.testing.assert_allclose(paths[label].get_xydata(), run.path, rtol=1e-12)
        gap = ax_gap.lines[labels.index(label)].get_ydata()
        expected = np.array([run.initial_loss, *run.losses]) - optimum_loss
        np.testing.assert_allclose(gap, np.maximum(expected, 1e-15 * optimum_loss), rtol=1e-9)

    # The diverging member is drawn, clipped, and its curve stops where it stopped.
    diverged = paths[labels[3]].get_xydata()
    assert np.all(np.isfinite(diverged))
    assert len(ax_gap.lines[3].get_xdata()) < 51
    (x0, x1), (y0, y1) = ax_landscape.get_xlim(), ax_landscape.get_ylim()
    np.testing.assert_allclose([(x0 + x1) / 2, (y0 + y1) / 2], seed_view.optimum, rtol=1e-12)
    assert_readable(figure)


class MomentumState(NamedTuple):
    velocity: np.ndarray


def heavy_ball(lr, beta=0.9):
    """Test stand-in for momentum when this build has none: v ← βv + g, u = −lr·v."""
    lr = check_lr(lr)

    def init(params):
        return MomentumState(np.zeros_like(params))

    def update(grads, state, params):
        velocity = beta * state.velocity + grads
        return -lr * velocity, MomentumState(velocity)

    return GradientTransformation(init, update)


class AdamState(NamedTuple):
    count: int
    mu: np.ndarray
    nu: np.ndarray


def adam(lr, b1=0.9, b2=0.999, eps=1e-8):
    """Test stand-in for Adam when this build has none."""
    lr = check_lr(lr)

    def init(params):
        return AdamState(0, np.zeros_like(params), np.zeros_like(params))

    def update(grads, state, params):
        count = state.count + 1
        mu = b1 * state.mu + (1 - b1) * grads
        nu = b2 * state.nu + (1 - b2) * grads**2
        step = (mu / (1 - b1**count)) / (np.sqrt(nu / (1 - b2**count)) + eps)
        return -lr * step, AdamState(count, mu, nu)

    return GradientTransformation(init, update)


def test_default_set_uses_the_optimizers_this_build_has(seed_view, monkeypatch):
    names = [member.optimizer for member in default_members(seed_view)]
    expected = ["gd", "gd"] + [n for n in ("momentum", "adam") if n in OPTIMIZERS]
    assert names == expected

    for name, factory in (("momentum", heavy_ball), ("adam", adam)):
        if name not in OPTIMIZERS:
            monkeypatch.setitem(OPTIMIZERS, name, factory)
    members = default_members(seed_view)
    assert [(m.optimizer, m.note) for m in members] == [
        ("gd", "this run"),
        ("gd", "best constant rate"),
        ("momentum", ""),
        ("adam", ""),
    ]
    assert members[1].lr == seed_view.analysis.lr_optimal
    assert members[2].lr == seed_view.lr and members[3].lr == adaptive_lr(seed_view) == 0.1
    figure = compare_figure(seed_view, members=members, grid_size=21)
    gaps = figure.axes[1].lines
    assert [line.get_label() for line in gaps] == [m.label for m in members]
    assert all(len(line.get_xdata()) == 51 for line in gaps)
    spec = parse_members("momentum:0.001,adam", seed_view)
    assert [(m.optimizer, m.lr) for m in spec] == [
        ("gd", 0.002),
        ("momentum", 0.001),
        ("adam", 0.1),
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("sgdx:0.1", "unknown optimizer 'sgdx'"),
        ("gd:fast", "'fast' is not a learning rate"),
        ("gd:0", "finite number > 0"),
        ("gd:nan", "finite number > 0"),
        ("gd:0.1,,gd:0.2", "empty entry"),
    ],
)
def test_bad_compare_specs_say_what_is_wrong(seed_view, spec, message):
    with pytest.raises(gdlab.ConfigError, match=message):
        parse_members(spec, seed_view)
