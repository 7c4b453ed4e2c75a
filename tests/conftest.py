"""Shared fixtures: the reference numbers in tests/fixtures and a CLI runner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def tf_reference() -> dict[str, Any]:
    """The seed program as real TensorFlow 2.21 ran it (fixed data and start)."""
    return json.loads((FIXTURES / "seed_tf_reference.json").read_text())


@pytest.fixture(scope="session")
def nist_datasets() -> dict[str, Any]:
    """NIST StRD linear regression datasets with certified coefficients."""
    return json.loads((FIXTURES / "nist_strd_linear.json").read_text())["datasets"]


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed."""
    return np.random.default_rng(12345)


#: The two routes of the one pass: LAPACK (small data, with moments) and the compiled kernel.
PASS_ROUTES = ["lapack", "kernel"]


@contextmanager
def pass_route(route: str) -> Iterator[None]:
    """Within: "kernel" runs every pass compiled whatever its size (so without moments)."""
    from gdlab.onepass import arrays as one_pass
    from gdlab.onepass import lstsq

    if route == "lapack":
        yield
        return
    with (
        mock.patch.object(one_pass, "KERNEL_MIN_VALUES", 0),
        mock.patch.object(lstsq, "EXTENDED_MOMENTS_BUDGET", -1),
    ):
        yield


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    """Write a small CSV file from a header line and row lines."""
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def python_output(code: str) -> str:
    """Run `code` in a fresh Python process (a clean sys.modules); its stdout, stripped."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run `gdlab ARGS` in-process; return (exit code, stdout, stderr)."""
    import contextlib
    import io

    from gdlab.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def dask_client():
    """A two-worker Dask cluster on loopback (in-process), the default client while it lasts."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        processes=False,
        protocol="tcp",
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def write_table(path: Path, columns: dict[str, Any], row_group_size: int | None = None) -> Path:
    """Write columns to a Parquet file (by suffix) or a CSV file (repr keeps every digit)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.suffix == ".parquet":
        pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
        return path
    names = list(columns)
    rows = [
        ",".join(repr(float(v)) for v in values) for values in zip(*columns.values(), strict=True)
    ]
    return write_csv(path, ",".join(names), rows)
