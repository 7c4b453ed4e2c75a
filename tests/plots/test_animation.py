"""Animation: each frame puts the run's weights on every panel; files have the frames asked."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from PIL import Image

import gdlab
from gdlab.plots import TrainingAnimation, write_animation
from gdlab.plots.animation import frame_indices
from gdlab.plots.encode import HOLD_LAST_MS, mp4_bytes
from tests.plots.checks import assert_readable


@pytest.fixture(scope="module")
def animation():
    return TrainingAnimation(gdlab.demo(0), max_frames=12, grid_size=21, dpi=50)


def test_frames_update_every_panel_on_a_frozen_layout(animation):
    view = animation.view
    assert animation.n_frames == 12
    assert animation.indices[0] == 0 and animation.indices[-1] == len(view.path) - 1
    engine = animation.figure.get_layout_engine()
    assert engine is None or isinstance(engine, PlaceHolderLayoutEngine)
    positions = [ax.get_position().bounds for ax in animation.figure.axes]
    moving = animation.moving
    x = view.dataset.features[:, 0]
    pictures = []
    for frame in (0, 5, 11):
        pictures.append(animation.frame(frame))
        index = animation.indices[frame]
        b, a = view.path[index]
        np.testing.assert_array_equal(moving.point.get_xydata()[0], view.path[index])
        np.testing.assert_array_equal(moving.trail.get_xydata(), view.path[: index + 1])
        np.testing.assert_allclose(moving.predictions.get_offsets()[:, 1], b + a * x)
        xs = moving.line.get_xdata()
        np.testing.assert_allclose(moving.line.get_ydata(), b + a * xs)
        np.testing.assert_array_equal(moving.curve.get_ydata(), view.loss_series[: index + 1])
        assert (
            moving.label.get_text() == f"Loss after step {index}/50: {view.loss_series[index]:.5g}"
        )
    assert [ax.get_position().bounds for ax in animation.figure.axes] == positions
    assert all(p.shape == pictures[0].shape and p.dtype == np.uint8 for p in pictures)
    assert not np.array_equal(pictures[0], pictures[-1])
    # The landscape panel is centred on the optimum.
    ax_landscape = animation.figure.axes[1]
    centre = np.mean([ax_landscape.get_xlim(), ax_landscape.get_ylim()], axis=1)
    np.testing.assert_allclose(centre, view.optimum, rtol=1e-12)
    assert_readable(animation.figure)


def test_gif_has_the_frames_and_timing_asked_for(tmp_path):
    path = tmp_path / "train.gif"
    write_animation(gdlab.demo(0, steps=20), path, fps=5, max_frames=8, dpi=40)
    with Image.open(path) as gif:
        assert gif.n_frames == 8
        durations = []
        for frame in range(gif.n_frames):
            gif.seek(frame)
            durations.append(gif.info["duration"])
    assert durations == [200] * 7 + [HOLD_LAST_MS]
    assert path.stat().st_size < 1_000_000


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_mp4_through_ffmpeg(tmp_path):
    frames = [np.full((31, 41, 3), level, dtype=np.uint8) for level in (0, 128, 255)]
    content = mp4_bytes(frames, fps=3)
    assert content[4:8] == b"ftyp"


def test_mp4_without_ffmpeg_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(gdlab.ConfigError, match="needs ffmpeg"):
        mp4_bytes([np.zeros((2, 2, 3), dtype=np.uint8)])


@settings(max_examples=60, deadline=None)
@given(n_points=st.integers(1, 100_000), max_frames=st.integers(2, 500))
def test_frame_indices_are_bounded_ordered_and_keep_both_ends(n_points, max_frames):
    indices = frame_indices(n_points, max_frames)
    assert 1 <= len(indices) <= max_frames
    assert indices[0] == 0 and indices[-1] == n_points - 1
    assert np.all(np.diff(indices) > 0)
    if n_points <= max_frames:
        assert len(indices) == n_points
