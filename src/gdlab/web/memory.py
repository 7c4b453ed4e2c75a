"""Giving memory back to the system once a burst of big runs is over (glibc only).

A served run makes big short-lived buffers (a 100 000-step record, a 200 000-row design
matrix) in many threads. glibc keeps freed memory in per-thread arenas and, after the first
big buffer is freed, stops handing big ones to mmap, so a server that trained a few big runs
stayed ~1 GB large while idle. `keep_memory_returnable` fixes the mmap threshold (buffers of
256 KB and more go back to the system as soon as they are freed) and caps the arenas;
`give_back_memory` trims what is left when the last run ends. Elsewhere both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time
from functools import cache

#: mallopt parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
#: Buffers at least this big are mmapped, so freeing one returns it to the system.
MMAP_BYTES = 256 * 1024
#: At most this many malloc arenas (threads share them beyond).
ARENAS = 4
#: Trim at most once in this many seconds.
TRIM_EVERY_SECONDS = 1.0

_last_trim = 0.0
_lock = threading.Lock()


@cache
def glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has mallopt and malloc_trim), else None."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
    except OSError:
        return None
    return library if hasattr(library, "malloc_trim") and hasattr(library, "mallopt") else None


def keep_memory_returnable() -> bool:
    """Set glibc's malloc so big freed buffers go back to the system; True if it could."""
    library = glibc()
    if library is None:
        return False
    library.mallopt(M_MMAP_THRESHOLD, MMAP_BYTES)
    library.mallopt(M_TRIM_THRESHOLD, 4 * MMAP_BYTES)
    library.mallopt(M_ARENA_MAX, ARENAS)
    return True


def give_back_memory() -> bool:
    """Return free heap memory to the system (at most once a second); True if it trimmed."""
    global _last_trim
    library = glibc()
    now = time.monotonic()
    with _lock:
        if library is None or now - _last_trim < TRIM_EVERY_SECONDS:
            return False
        _last_trim = now
    library.malloc_trim(0)
    return True
