"""Option parsing shared by the commands: comma lists and number lists."""

from __future__ import annotations

from gdlab.errors import ConfigError


def split_names(text: str, option: str) -> list[str]:
    """'a, b,c' → ['a', 'b', 'c']; empty names are an error."""
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise ConfigError(f"{option}: empty column name in '{text}'")
    return names


def parse_floats(text: str, option: str) -> list[float]:
    """'0.1,-2,3e-2' → [0.1, -2.0, 0.03], or a ConfigError naming the bad entry."""
    values = []
    for part in text.split(","):
        try:
            values.append(float(part))
        except ValueError:
            raise ConfigError(f"{option}: '{part.strip()}' is not a number") from None
    return values
