"""Frames (H×W×3 RGB arrays) to a looping GIF with Pillow, or to an MP4 with ffmpeg."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from gdlab.errors import ConfigError

Frame = NDArray[np.uint8]

#: The last frame stays up this long before a GIF loops.
HOLD_LAST_MS = 1500


def frame_delay_ms(fps: float) -> int:
    """Milliseconds per frame for `fps` frames per second (1 to 50).

    >>> frame_delay_ms(10)
    100
    """
    if not 1 <= fps <= 50:
        raise ConfigError(f"fps must be between 1 and 50, got {fps:g}")
    return round(1000 / fps)


def gif_bytes(frames: Iterable[Frame], fps: float = 10) -> bytes:
    """A looping GIF: one palette of 255 colours taken from the last frame, no dithering,
    and pixels that did not change left transparent, so each frame stores only what moved.
    """
    from PIL import Image

    delay = frame_delay_ms(fps)
    images = [Image.fromarray(pixels) for pixels in frames]
    if not images:
        raise ConfigError("an animation needs at least one frame")
    palette = images[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    indexed = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    durations = [delay] * (len(indexed) - 1) + [max(delay, HOLD_LAST_MS)]
    buffer = io.BytesIO()
    indexed[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=indexed[1:],
        duration=durations,
        loop=0,
        optimize=True,
    )
    return buffer.getvalue()


def mp4_bytes(frames: Iterable[Frame], fps: float = 10) -> bytes:
    """H.264 MP4 through ffmpeg (a `ConfigError` when ffmpeg is not on the PATH)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise ConfigError("writing MP4 needs ffmpeg on the PATH; install it or write a .gif")
    frame_delay_ms(fps)
    frames = iter(frames)
    first = next(frames)
    height, width = first.shape[:2]
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "animation.mp4"
        command = [
            ffmpeg, "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
            "-r", f"{fps:g}", "-i", "-",
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", str(target),
        ]  # fmt: skip
        with subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE) as job:
            assert job.stdin is not None
            try:
                job.stdin.write(first.tobytes())
                for pixels in frames:
                    job.stdin.write(pixels.tobytes())
            except BrokenPipeError:
                pass  # ffmpeg stopped early; its message is read below
            _, errors = job.communicate()
        if job.returncode != 0:
            lines = errors.decode(errors="replace").strip().splitlines()
            raise ConfigError(f"ffmpeg failed: {lines[-1] if lines else job.returncode}")
        return target.read_bytes()
