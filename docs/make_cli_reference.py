"""Write docs/cli.md, the command-line reference, from each command's --help text.

Run `python docs/make_cli_reference.py` (or `make docs`) after changing a command;
tests/test_docs.py fails while docs/cli.md is stale, and this script refuses to write a
reference for a command or option that has no help text.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

REFERENCE = Path(__file__).resolve().parent / "cli.md"
#: `--help` wraps at this width on any terminal at least this wide (click caps it at 80).
WIDTH = 80

HEADER = """# gdlab command-line reference

Generated from `gdlab --help` and `gdlab COMMAND --help` by `docs/make_cli_reference.py`;
do not edit by hand. Exit status: 0 success, 2 bad usage or bad data (one line on stderr
saying what is wrong and where), 3 a run that diverged, 1 anything else.
"""


def commands(app: typer.Typer) -> tuple[Any, dict[str, Any]]:
    """The click group behind the typer app and its commands, in their registered order."""
    group = typer.main.get_command(app)
    return group, dict(group.commands)  # type: ignore[attr-defined]


def context(command: Any, name: str, parent: typer.Context | None = None) -> typer.Context:
    """A click context at a fixed width, so the text does not depend on the terminal."""
    return typer.Context(  # click leaves two columns free, as on a terminal
        command, info_name=name, parent=parent, terminal_width=WIDTH - 2, max_content_width=WIDTH
    )


def help_text(command: Any, name: str, parent: typer.Context | None = None) -> str:
    """Exactly what `gdlab … --help` prints."""
    return str(command.get_help(context(command, name, parent)))


def missing_help(app: typer.Typer) -> list[str]:
    """Every command without a help text and an example, and every option without help."""
    problems = []
    for name, command in commands(app)[1].items():
        text = (command.help or "").strip()
        if len(text) < 20:
            problems.append(f"gdlab {name}: no help text (the command function's docstring)")
        elif "Example:" not in text:
            problems.append(f"gdlab {name}: its help has no 'Example:' line")
        for param in command.params:
            if not getattr(param, "help", None):
                problems.append(f"gdlab {name} {param.opts[0]}: no help text")
    return problems


def cli_reference(app: typer.Typer) -> str:
    """The whole reference: the top-level help, then one section per command."""
    problems = missing_help(app)
    if problems:
        raise SystemExit("commands lack help text:\n  " + "\n  ".join(problems))
    group, named = commands(app)
    root = context(group, "gdlab")
    sections = [HEADER, "## gdlab\n", fenced(help_text(group, "gdlab"))]
    for name, command in named.items():
        sections += [f"## gdlab {name}\n", fenced(help_text(command, name, root))]
    return "\n".join(sections)


def fenced(text: str) -> str:
    """A block of help text as a Markdown code block."""
    return "```text\n" + text.rstrip() + "\n```\n"


def main() -> None:
    """Write docs/cli.md (with --check: exit 1 when it is stale, writing nothing)."""
    from gdlab.cli import app

    text = cli_reference(app)
    if "--check" in sys.argv[1:]:
        stale = not REFERENCE.exists() or REFERENCE.read_text(encoding="utf-8") != text
        if stale:
            print(f"{REFERENCE} is stale: run python docs/make_cli_reference.py", file=sys.stderr)
        sys.exit(1 if stale else 0)
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"Wrote {REFERENCE}")


if __name__ == "__main__":
    main()
