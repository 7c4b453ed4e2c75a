"""`explain`: one screen of plain text about a run, with the run's own numbers.

It answers the seed author's questions: what the loss measures (and why the seed's
reduce_mean(l2_loss(e)) is ½Σe²), what gradient descent is and what its first update does
(written out with numbers), what the learning rate means for the run's optimizer (against
the curvature XᵀX for plain GD and momentum, a step per weight for the adaptive ones), how
many updates convergence takes and why, and what the column of ones does. Every claim and
number is decided in `facts` from the run itself; `en` and `ko` only choose the words.
"""

from __future__ import annotations

from gdlab.errors import ConfigError
from gdlab.explain import en, ko
from gdlab.explain.facts import Facts, gather
from gdlab.explain.step import explain_step
from gdlab.training.record import Run

LANGUAGES = {"en": en, "ko": ko}
#: Terminal columns the text is wrapped to (Korean characters take two).
WIDTH = 88


def explain(run: Run, lang: str = "en", step: int | None = None) -> str:
    """The explanation of `run` in `lang` ("en" or "ko"); with `step`, update K written
    out with its numbers comes after it (`gdlab.explain.step`).

    >>> import gdlab
    >>> text = explain(gdlab.demo(0))
    >>> "about a third" in text and "XᵀX" in text
    True
    """
    texts = LANGUAGES.get(lang)
    if texts is None:
        raise ConfigError(f"unknown language '{lang}'; choose one of: {', '.join(LANGUAGES)}")
    facts = gather(run)
    lines = [texts.header(facts), ""]
    sections = list(texts.sections(facts))
    if step is not None:
        title, *paragraph = explain_step(run, step, lang)
        sections.append((title, "\n".join(paragraph)))
    for title, paragraph in sections:
        lines.append(title)
        lines += [wrapped for line in paragraph.split("\n") for wrapped in wrap(line, WIDTH)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def wrap(line: str, width: int) -> list[str]:
    """Wrap one line at spaces to `width` terminal columns, indented by two (four kept)."""
    from rich.cells import cell_len

    indent = "    " if line.startswith("    ") else "  "
    words = line.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and cell_len(indent + candidate) > width:
            lines.append(indent + current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(indent + current)
    return lines


__all__ = ["LANGUAGES", "Facts", "explain", "explain_step", "gather"]
