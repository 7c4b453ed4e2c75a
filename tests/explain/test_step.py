"""Any update written out: the numbers of step K are the run's own, in both languages."""

from __future__ import annotations

import re

import numpy as np
import pytest

import gdlab
from gdlab.explain import explain, explain_step
from gdlab.explain.numbers import num
from tests.conftest import run_cli


def numbers_in(line: str) -> list[float]:
    """The numbers printed in a line (with the explanation's real minus sign)."""
    text = line.replace("−", "-").replace("×10^", "e")
    return [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


@pytest.mark.parametrize("k", [1, 7, 50])
def test_a_plain_gd_update_is_written_out_with_the_runs_numbers(k):
    run = gdlab.demo(0)
    title, *lines = explain_step(run, k)
    assert title == f"Update {k} written out"
    text = " ".join(lines)
    for value in run.gradients[k - 1]:
        assert num(float(value)) in text
    before = run.initial_loss if k == 1 else run.losses[k - 2]
    assert "L(w" in text and num(run.losses[k - 1]) in text and num(before)[:4] in text
    for line in lines:
        if line.startswith("    "):  # "b: w − (η·g) = w'": the arithmetic holds as printed
            w_before, step, w_after = numbers_in(line.split(":", 1)[1])
            assert w_before - step == pytest.approx(w_after, rel=2e-3, abs=1e-3)
    np.testing.assert_allclose(run.path[k], run.path[k - 1] - 0.002 * run.gradients[k - 1])


def test_korean_tells_the_same_update_with_the_same_numbers():
    run = gdlab.demo(0)
    english, korean = explain_step(run, 3), explain_step(run, 3, "ko")
    assert korean[0] == "3번째 업데이트를 숫자로"
    assert sorted(numbers_in(" ".join(english[1:]))) == sorted(numbers_in(" ".join(korean[1:])))
    assert "그래디언트" in " ".join(korean) and "기울기" not in " ".join(korean)


def test_other_optimizers_show_what_they_moved_beside_the_gradient():
    run = gdlab.fit(gdlab.seed_dataset(0), optimizer="momentum", lr=0.002, steps=10)
    text = " ".join(explain_step(run, 5))
    moved = run.path[5] - run.path[4]
    assert all(num(float(v)) in text for v in moved) and "heavy ball" in text
    rose = gdlab.fit(gdlab.seed_dataset(0), lr=0.0065, steps=10, raise_on_divergence=False)
    assert "rises by" in " ".join(explain_step(rose, 1))


def test_a_standardised_update_is_written_in_its_own_coordinates():
    run = gdlab.fit(gdlab.seed_dataset(0), standardize=True, lr=0.01, steps=5)
    text = " ".join(explain_step(run, 2))
    assert "standardised coordinates" in text and "b′" in text


def test_the_cli_adds_the_update_and_refuses_one_the_run_did_not_take():
    code, out, err = run_cli("explain", "--step", "4")
    assert code == 0, err
    assert "Update 4 written out" in out and out == explain(gdlab.demo(0), step=4)
    code, out, err = run_cli("explain", "--step", "51")
    assert code == 2 and err.strip() == (
        "gdlab: --step 51: this run took 50 updates; choose one from 1 to 50"
    )
