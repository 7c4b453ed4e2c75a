"""Reaching a Dask scheduler, and noticing when the cluster fails, each within seconds.

`Client(address, timeout=…)` does not bound the handshake: an address that accepts TCP
connections and never answers, or answers as some other server, hangs it. So an address
is checked first: its scheme (`check_address`), then one handshake and an ``identity``
request under a hard deadline, in a thread of its own (`probe`), which must answer as a
Dask scheduler; only then is the client made. While a pass runs, `wait_for_result` polls
the future and the cluster: a cluster without workers for `WORKERLESS_SECONDS`, or a
scheduler gone, ends the pass with one line naming the address (exit 1: the cluster died
mid-run). Every problem with the address itself is a `ConfigError` naming
``--scheduler`` (exit 2).

`library_logs` keeps `distributed`'s own log lines and warnings off stderr (the command
line's `--verbose` lets them through).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from gdlab.errors import ConfigError, GdlabError

Result = TypeVar("Result")

#: Seconds to try connecting (distributed retries a refused connection until then) …
CONNECT_SECONDS = 10.0
#: … and then for each answer of the handshake.
HANDSHAKE_SECONDS = 5.0
#: A cluster with no worker for this long cannot finish the pass.
WORKERLESS_SECONDS = 10.0
#: How often the pass checks on the cluster while it waits.
POLL_SECONDS = 1.0
#: The schemes gdlab connects to (tls needs certificates in dask's configuration).
SCHEMES = ("tcp", "tls", "ws", "wss", "inproc", "ucx")


class ClusterFailed(GdlabError):
    """The Dask cluster failed during the pass (exit 1: not the user's input)."""


def failure(address: str, what: str) -> ConfigError:
    """The one-line error for an address that does not lead to a Dask scheduler."""
    return ConfigError(f"{{option}} {address}: {what}", option="scheduler")


def check_address(address: str) -> tuple[str, dict[str, Any]]:
    """The address's scheme and the connection arguments it needs, or a `ConfigError`."""
    from distributed.comm import parse_address

    try:
        scheme, location = parse_address(address)
    except (ValueError, TypeError) as error:
        raise failure(address, f"not a Dask address ({error})") from None
    if scheme not in SCHEMES or not location:
        raise failure(address, "not a Dask address (expected tcp://HOST:PORT)")
    if scheme == "ucx" and importlib.util.find_spec("ucp") is None:
        raise failure(address, "a ucx:// address needs the ucx-py package, which is missing")
    if scheme == "inproc":
        from distributed.comm.inproc import global_manager

        try:
            listener = global_manager.get_listener_for(location)
        except ValueError:
            listener = None
        if listener is None:
            raise failure(address, "no Dask scheduler runs in this process at that address")
    arguments: dict[str, Any] = {}
    if scheme in ("tls", "wss"):
        from distributed.security import Security

        security: Any = Security()
        if not (security.tls_client_cert or security.tls_ca_file):
            raise failure(
                address,
                f"a {scheme}:// address needs TLS certificates in Dask's configuration "
                "(distributed.comm.tls.client.cert and ca-file), and none are set",
            )
        arguments = security.get_connection_args("client")
    return scheme, arguments


def probe(address: str, arguments: dict[str, Any], seconds: float | None = None) -> None:
    """Connect, shake hands and ask the peer who it is, all under a hard deadline
    (`CONNECT_SECONDS`, then `HANDSHAKE_SECONDS` for each answer); a `ConfigError` says
    what went wrong when it is not a Dask scheduler that answers."""
    seconds = CONNECT_SECONDS if seconds is None else seconds

    async def identity() -> Any:
        from distributed.comm import connect

        try:  # distributed's own timeout covers the connection, this one the handshake too
            connecting = connect(address, timeout=seconds, **arguments)
            comm = await asyncio.wait_for(connecting, seconds + HANDSHAKE_SECONDS)
        except TimeoutError:
            waited = seconds + HANDSHAKE_SECONDS
            raise failure(
                address, f"accepts connections but gave no Dask handshake in {waited:g} s"
            ) from None
        except OSError as error:
            raise failure(address, f"no Dask scheduler reachable there ({reason(error)})") from None
        try:
            await comm.write({"op": "identity", "reply": True})
            return await asyncio.wait_for(comm.read(), HANDSHAKE_SECONDS)
        except TimeoutError:
            raise failure(
                address, f"did not answer as a Dask scheduler within {HANDSHAKE_SECONDS:g} s"
            ) from None
        finally:
            comm.abort()

    try:
        answer = in_thread(lambda: asyncio.run(identity()), seconds + 3 * HANDSHAKE_SECONDS)
    except GdlabError:
        raise
    except TimeoutError:
        raise failure(address, "no answer from it in time") from None
    except Exception as error:  # what a peer that is no Dask scheduler makes distributed raise
        raise failure(address, f"no Dask scheduler reachable there ({one_line(error)})") from None
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind != "Scheduler":
        said = f"a Dask {kind}" if isinstance(kind, str) else "something else"
        raise failure(address, f"answers, but as {said}, not as a Dask scheduler")


def in_thread(work: Callable[[], Result], seconds: float) -> Result:
    """`work()` in a daemon thread, waited for at most `seconds` (then `TimeoutError`)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:
            outcome["error"] = error

    worker = threading.Thread(target=run, name="gdlab-dask-probe", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def connect_client(address: str) -> Any:
    """A `distributed.Client` of the scheduler at `address`, checked first (see above)."""
    from distributed import Client
    from distributed.security import Security

    scheme, arguments = check_address(address)
    probe(address, arguments)
    security = Security() if scheme in ("tls", "wss") else None
    try:
        return in_thread(
            lambda: Client(
                address, timeout=f"{CONNECT_SECONDS}s", set_as_default=False, security=security
            ),
            3 * CONNECT_SECONDS,
        )
    except (OSError, ValueError, TimeoutError) as error:
        raise failure(address, f"no Dask scheduler reachable there ({one_line(error)})") from None


def wait_for_result(client: Any, future: Any, where: str) -> Any:
    """The future's result, checking on the cluster every `POLL_SECONDS` while it waits.

    A cluster without workers for `WORKERLESS_SECONDS`, or a lost scheduler, is a
    `ClusterFailed` naming `where`.
    """
    from distributed import TimeoutError as DaskTimeout

    workerless_since: float | None = None
    while True:
        try:
            return future.result(timeout=POLL_SECONDS)
        except (DaskTimeout, TimeoutError):
            pass
        except (asyncio.CancelledError, concurrent.futures.CancelledError):
            raise ClusterFailed(
                f"{where}: lost the connection to the Dask scheduler mid-pass"
            ) from None
        if client.status not in ("running", "connecting", "newly-created"):
            raise ClusterFailed(f"{where}: lost the connection to the Dask scheduler mid-pass")
        try:
            workers = client.nthreads(callback_timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, DaskTimeout, asyncio.CancelledError) as error:
            raise ClusterFailed(
                f"{where}: the Dask scheduler stopped answering mid-pass ({one_line(error)})"
            ) from None
        if workers:
            workerless_since = None
            continue
        workerless_since = workerless_since or time.monotonic()
        if time.monotonic() - workerless_since >= WORKERLESS_SECONDS:
            raise ClusterFailed(
                f"{where}: the Dask cluster has had no workers for {WORKERLESS_SECONDS:g} s "
                "(they were lost mid-pass), so the pass cannot finish"
            )


def reason(error: BaseException) -> str:
    """Why a connection failed: the system's reason behind distributed's retries, if any."""
    cause = error.__cause__
    if isinstance(cause, OSError) and cause.strerror:
        return f"{cause.strerror.lower()}, for {CONNECT_SECONDS:g} s"
    return one_line(error)


def one_line(error: BaseException) -> str:
    """An exception as one short line."""
    text = str(error).strip()
    return (text.splitlines()[0] if text else "") or type(error).__name__


@contextmanager
def library_logs(shown: bool = False) -> Iterator[None]:
    """Within: `distributed`'s log records and warnings reach stderr only when `shown`."""
    if shown:
        yield
        return
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            for module in ("distributed", "dask", "tornado", "bokeh"):
                warnings.filterwarnings("ignore", module=module)
            yield
    finally:
        logging.disable(previous)
