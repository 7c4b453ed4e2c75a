"""The playground's settings: where it listens and the limits every request is held to."""

from __future__ import annotations

from dataclasses import dataclass

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
#: Addresses that mean every network interface.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Host, port and limits of one playground server (docs/design.md: 127.0.0.1 by default).

    >>> Settings().max_rows, Settings().max_steps, Settings().max_upload_bytes // MEGABYTE
    (1000000, 100000, 50)
    """

    host: str = "127.0.0.1"
    port: int = 8000
    #: Largest dataset (rows) the server trains on, from any source.
    max_rows: int = 1_000_000
    #: Most columns an inline or uploaded dataset may use as features.
    max_features: int = 100
    #: Most gradient steps in one run.
    max_steps: int = 100_000
    #: Largest uploaded file, in bytes.
    max_upload_bytes: int = 50 * MEGABYTE
    #: Largest JSON request body (inline columns of a million rows fit).
    max_json_bytes: int = 64 * MEGABYTE
    #: Uploads stay in memory until the server stops, at most this many files…
    upload_cache_entries: int = 1024
    #: …and this many bytes of parsed float64 columns; beyond, the least recently used go.
    upload_cache_bytes: int = 512 * MEGABYTE
    #: Runs training at the same time; more wait for a slot…
    max_concurrent_runs: int = 4
    #: …for at most this many seconds, then get HTTP 429…
    queue_seconds: float = 10.0
    #: …and at most this many wait at once (more get HTTP 429 at once).
    max_waiting_runs: int = 32
    #: Threads for blocking request work (setups, uploads, POST /api/train); fewer threads
    #: fighting for Python's lock keep the event loop, and so the page, answering.
    request_threads: int = 4
    #: A run is stopped after this many seconds of wall time.
    max_train_seconds: float = 120.0
    #: Points sent to the page for the data panel (evenly thinned beyond that).
    max_plot_points: int = 2000
    #: Extra host names the server answers to (beyond the loopback names and `host`).
    extra_allowed_hosts: tuple[str, ...] = ()

    @property
    def is_loopback(self) -> bool:
        """True when only this machine can reach the server."""
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")

    def allowed_hosts(self) -> list[str]:
        """Host names to accept (the loopback names, `host` and the extra ones): they guard
        against DNS rebinding. Beyond loopback an IP address written out passes too
        (`gdlab.web.security.HostCheck`), so the check stays on there.

        >>> Settings(host="0.0.0.0", extra_allowed_hosts=("lab.example",)).allowed_hosts()
        ['127.0.0.1', '::1', '[::1]', 'lab.example', 'localhost']
        """
        own = () if self.host in WILDCARD_HOSTS else (self.host,)
        return sorted({*LOOPBACK_HOSTS, "[::1]", *own, *self.extra_allowed_hosts})
