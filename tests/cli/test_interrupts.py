"""Ctrl-C ends any command with exit 130 and one line, "gdlab: interrupted", never exit 0.

In-process tests pin the mechanism (an interrupt swallowed by a library, or turned into
another error, still ends the command as interrupted); subprocess tests send SIGINT at
random points of real runs: during the imports, the pass over a file (streamed, with
pyarrow's readers and the compiled kernel), training, and writing the outputs.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from gdlab.cli import interrupts
from gdlab.training import problem as problem_module
from tests.conftest import run_cli, write_table


@pytest.fixture
def small_csv(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    return write_table(tmp_path / "d.csv", {"x": x, "y": 2 * x + rng.normal(size=50)})


def interrupting(handle):
    """A stand-in for `prepare` that sends itself SIGINT, then lets `handle` deal with it."""
    original = problem_module.prepare

    def prepare(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)  # the handler runs here
        except KeyboardInterrupt as interrupt:
            handle(interrupt)
        return original(*args, **kwargs)

    return prepare


def raising(error):
    def handle(interrupt):
        raise error if error is not None else interrupt

    return handle


@pytest.mark.parametrize(
    "handle",
    [
        lambda interrupt: None,  # swallowed, as a library might
        raising(SystemError("error return without exception set")),  # inside an import
        raising(OSError("read cancelled")),
        raising(None),  # the KeyboardInterrupt itself
    ],
    ids=["swallowed", "system-error", "os-error", "raised"],
)
def test_an_interrupt_ends_the_command_as_interrupted_whatever_became_of_it(
    small_csv, monkeypatch, handle
):
    monkeypatch.setattr(problem_module, "prepare", interrupting(handle))
    code, _, err = run_cli("fit", str(small_csv), "--x", "x", "--y", "y")
    assert code == 130
    assert err == "gdlab: interrupted\n", err


def test_the_handler_is_restored_after_a_command(small_csv):
    before = signal.getsignal(signal.SIGINT)
    assert run_cli("fit", str(small_csv), "--x", "x", "--y", "y")[0] == 0
    assert signal.getsignal(signal.SIGINT) is before


def test_an_interrupt_during_startup_is_kept_for_the_command(small_csv):
    interrupts.UNWATCHED.interrupted = True  # as if Ctrl-C came during the imports
    code, _, err = run_cli("fit", str(small_csv), "--x", "x", "--y", "y")
    assert (code, err) == (130, "gdlab: interrupted\n")
    assert run_cli("fit", str(small_csv), "--x", "x", "--y", "y")[0] == 0  # used up


# --- real runs, interrupted at random points ------------------------------------------------


def interrupted_runs(argv, cwd, trials, seed, earliest=0.05):
    """Run `gdlab argv` `trials` times, each sent SIGINT at a random time within the run;
    yield (delay, returncode, stderr) of the runs still going when the signal was sent."""
    command = [sys.executable, "-m", "gdlab", *argv]
    full = min(run_seconds(command, cwd) for _ in range(2))  # warm: the shortest a run takes
    rng = random.Random(seed)
    for _ in range(trials):
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        # not in the last quarter: a signal as the run exits races its end (exit 0, rightly)
        delay = rng.uniform(min(earliest, 0.5 * full), 0.75 * full)
        time.sleep(delay)
        if process.poll() is not None:  # already done: nothing was interrupted
            process.communicate()
            continue
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
        yield delay, process.returncode, err


def run_seconds(command, cwd):
    """Wall seconds of one uninterrupted run of `command`."""
    start = time.monotonic()
    subprocess.run(command, cwd=cwd, capture_output=True, check=True, timeout=300)
    return time.monotonic() - start


def assert_interrupted(delay, code, err):
    lines = err.splitlines()
    assert code == 130, f"SIGINT after {delay:.2f} s: exit {code}: {err}"
    assert lines and lines[-1] == "gdlab: interrupted", f"after {delay:.2f} s: {err}"
    assert "Traceback" not in err
    assert all(line.startswith("gdlab: ") for line in lines), err


def test_sigint_at_random_points_of_a_long_training_run(small_csv):
    argv = ["fit", str(small_csv), "--x", "x", "--y", "y", "--steps", "400000", "--lr", "1e-3",
            "--out", "out", "--save", "m.json"]  # fmt: skip
    runs = list(interrupted_runs(argv, small_csv.parent, trials=8, seed=1))
    assert runs
    for delay, code, err in runs:
        assert_interrupted(delay, code, err)


def test_sigint_at_random_points_of_a_streamed_pass(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=1_200_000)  # a pass of about a second, after the imports
    path = write_table(tmp_path / "big.csv", {"x": x, "y": 3 * x + rng.normal(size=x.size)})
    argv = ["fit", str(path), "--x", "x", "--y", "y", "--engine", "stream", "--lr", "1e-7"]
    runs = list(interrupted_runs(argv, tmp_path, trials=8, seed=3, earliest=0.5))
    assert runs
    for delay, code, err in runs:
        assert_interrupted(delay, code, err)
