"""Writes that respect their target, and the files of one command as a set.

A symlink is written through (the link stays), a device, FIFO or /dev/stdout is written to
as a stream (never replaced), a regular file is replaced atomically; a full disk or a
read-only file system is a one-line DataError. The files of one command appear together:
a command killed at random points (SIGKILL, to it or to its whole process group) leaves
either all the old files or all the new ones.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from gdlab.atomic import atomic_write_bytes, atomic_write_text, output_set, write_target
from gdlab.errors import DataError
from tests.conftest import run_cli, write_table


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    (tmp_path / "real.json").write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    atomic_write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert (tmp_path / "real.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_a_dangling_link_gets_its_target_made(tmp_path):
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "sub" / "made.csv")
    atomic_write_text(link, "x\n")
    assert link.is_symlink() and (tmp_path / "sub" / "made.csv").read_text() == "x\n"


def test_a_chain_of_links_ends_at_the_file(tmp_path):
    (tmp_path / "file").write_text("old")
    (tmp_path / "b").symlink_to("file")
    (tmp_path / "a").symlink_to("b")
    atomic_write_text(tmp_path / "a", "new")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()
    assert (tmp_path / "file").read_text() == "new"


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_devices_are_streams_never_replaced(device):
    before = os.stat(device)
    if not stat.S_ISCHR(before.st_mode):  # another program on this machine replaced it
        pytest.skip(f"{device} is not a device on this machine")
    atomic_write_text(device, "discarded")
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_device_is_a_one_line_error_and_stays_a_device():
    with pytest.raises(DataError, match=r"/dev/full: cannot write here \(No space left"):
        atomic_write_text("/dev/full", "{}")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_fifo_is_written_to_as_a_stream(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    atomic_write_bytes(fifo, b"a,b\n1,2\n")
    reader.join(10)
    assert received == [b"a,b\n1,2\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_descriptor_aliases_are_streams():
    for name in ("/dev/stdout", "/dev/stderr", "/proc/self/fd/1"):
        target = write_target(name)
        assert target.stream and target.descriptor in (1, 2)


def test_predict_out_dev_stdout_prints_and_replaces_nothing(tmp_path):
    data = write_table(tmp_path / "d.csv", {"x": [1.0, 2.0, 3.0], "y": [2.0, 4.1, 5.9]})
    model = tmp_path / "m.json"
    assert run_cli("fit", str(data), "--x", "x", "--y", "y", "--save", str(model))[0] == 0
    result = subprocess.run(
        [sys.executable, "-m", "gdlab", "predict", str(model), str(data), "--out", "/dev/stdout"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("x,predicted_y\n") and result.stdout.count("\n") >= 4
    assert Path("/dev/stdout").is_symlink() or stat.S_ISCHR(os.stat("/dev/stdout").st_mode)


def test_a_read_only_file_system_is_a_one_line_error(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(DataError, match=r"run.json: cannot write here \(Read-only file system"):
        atomic_write_text(tmp_path / "run.json", "{}")
    code, _, err = run_cli("demo", "--no-plot", "--out", str(tmp_path / "demo"))
    assert code == 2 and "Read-only file system" in err and err.count("\n") == 1


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "model.json"
    target.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DataError, match="No space left on device"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def test_an_output_set_commits_together_or_not_at_all(tmp_path):
    (tmp_path / "a").write_text("old a")
    with output_set():
        atomic_write_text(tmp_path / "a", "new a")
        atomic_write_text(tmp_path / "b", "new b")
        assert (tmp_path / "a").read_text() == "old a" and not (tmp_path / "b").exists()
    assert (tmp_path / "a").read_text() == "new a" and (tmp_path / "b").read_text() == "new b"
    with pytest.raises(RuntimeError), output_set():
        atomic_write_text(tmp_path / "a", "newer a")
        raise RuntimeError("the command failed before its end")
    assert (tmp_path / "a").read_text() == "new a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]  # no temporary left


def test_writing_one_path_twice_in_a_set_keeps_the_last(tmp_path):
    with output_set():
        atomic_write_text(tmp_path / "a", "first")
        atomic_write_text(tmp_path / "a", "second")
    assert (tmp_path / "a").read_text() == "second" and len(list(tmp_path.iterdir())) == 1


# --- kills at random points ----------------------------------------------------------------


@pytest.fixture(scope="module")
def kill_bench(tmp_path_factory):
    """Data, the old outputs of a 5-step run, and the new ones of a 7-step run (references)."""
    folder = tmp_path_factory.mktemp("kill")
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    write_table(folder / "d.csv", {"x": x, "y": 2 * x + 1 + rng.normal(size=200)})
    references = {}
    for steps in (5, 7):
        made = folder / f"ref{steps}"
        args = outputs_args(made, steps)
        assert run_cli("fit", str(folder / "d.csv"), "--x", "x", "--y", "y", *args)[0] == 0
        references[steps] = signature(made)
    return folder, references


def outputs_args(folder: Path, steps: int) -> list[str]:
    return [
        "--steps", str(steps), "--out", str(folder / "out"), "--save", str(folder / "model.json"),
        "--trace", str(folder / "trace.csv"),
    ]  # fmt: skip


def signature(folder: Path) -> tuple:
    """What tells one run's outputs from another's: steps in each file, the figure's bytes."""
    record = json.loads((folder / "out" / "run.json").read_text())
    model = json.loads((folder / "model.json").read_text())
    trace_rows = (folder / "trace.csv").read_text().count("\n") - 1
    figure = (folder / "out" / "figure.png").read_bytes()
    return record["config"]["steps"], model["config"]["steps"], trace_rows, figure


def test_a_kill_at_any_point_leaves_all_old_or_all_new_outputs(kill_bench):
    folder, references = kill_bench
    work = folder / "work"
    command = [sys.executable, "-m", "gdlab", "fit", str(folder / "d.csv"), "--x", "x", "--y", "y"]
    start = time.monotonic()
    subprocess.run([*command, *outputs_args(folder / "timing", 7)], check=True, timeout=300)
    full = time.monotonic() - start
    rng = random.Random(20)
    seen = set()
    for trial in range(14):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(folder / "ref5", work)
        group = trial % 2 == 1  # every other time, kill the whole process group
        process = subprocess.Popen(
            [*command, *outputs_args(work, 7)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=group,
        )
        time.sleep(rng.uniform(0.3, 1.0) * full)
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait(60)
        time.sleep(0.5)  # a commit helper that outlived gdlab finishes its renames
        found = signature(work)
        assert found in (references[5], references[7]), f"trial {trial}: a mixed set {found[:3]}"
        seen.add(found[0])
    assert seen, "no trial ran"
