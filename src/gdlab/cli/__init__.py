"""The `gdlab` command: a thin shell that parses, calls the library and renders.

Library errors become one line on stderr and the exit codes of docs/design.md ("Public contracts"):
0 success, 2 bad usage or data, 3 a diverged run, 1 anything else. Heavy libraries are
imported inside the commands, so `gdlab --help` starts fast. Ctrl-C ends any command with
exit 130 and the one line "gdlab: interrupted" (`gdlab.cli.interrupts`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from gdlab.cli import interrupts

interrupts.defer_during_startup()  # a Ctrl-C during the imports below ends in exit 130 too

import typer  # noqa: E402

from gdlab.cli import demo, explain, export, fit, plot, predict, serve, stats, sweep  # noqa: E402

app = typer.Typer(
    name="gdlab",
    help="Train, see and explain the simplest neural network, y = Xw, by gradient descent.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for module in (demo, fit, stats, explain, sweep, plot, predict, export, serve):
    module.register(app)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return (and, as a script, exit with) the exit status."""
    with interrupts.watching() as watch:
        try:
            code = run_command(argv)
        except KeyboardInterrupt:  # between the command's own handlers
            watch.interrupted, code = True, interrupts.EXIT_STATUS
    if watch.interrupted and not watch.reported:  # typer's silent 130, or it was swallowed
        return fail(interrupts.MESSAGE, interrupts.EXIT_STATUS)
    return code


def run_command(argv: Sequence[str] | None) -> int:
    """Parse `argv`, run the command, turn its errors into one line and an exit status."""
    from gdlab.cli.notices import warnings_as_lines
    from gdlab.errors import GdlabError
    from gdlab.training.config import cli_flag

    command = typer.main.get_command(app)
    try:
        with warnings_as_lines():  # a warning is one "gdlab: warning: …" line, never two
            result = command.main(args=argv, prog_name="gdlab", standalone_mode=False)
    except typer.Abort:
        return fail("gdlab: aborted", 130)
    except typer.TyperException as error:  # usage errors: bad or missing options
        context = getattr(error, "ctx", None)
        where = context.command_path if context is not None else "gdlab"
        return fail(f"{where}: {error.format_message()}", getattr(error, "exit_code", 2))
    except GdlabError as error:  # an option is named as the command line spells it
        message = error.spelled(cli_flag(error.option)) if error.option else str(error)
        return fail(f"gdlab: {message}", error.exit_code)
    except KeyboardInterrupt:
        return fail("gdlab: interrupted", 130)
    except Exception as error:  # the promise: one line, never a traceback
        return fail(f"gdlab: internal error: {type(error).__name__}: {error}", 1)
    return result if isinstance(result, int) else 0


def fail(message: str, code: int) -> int:
    """Print a one-line error on stderr and return the exit code.

    Control characters from the input (a NUL or an escape sequence in a column name) are
    shown escaped, so a hostile file cannot drive the terminal. After a Ctrl-C, whatever
    error it turned into, the line is "gdlab: interrupted" and the code 130.
    """
    from gdlab.cli.notices import printable

    watch = interrupts.current()
    if watch is not None and watch.interrupted:
        message, code, watch.reported = interrupts.MESSAGE, interrupts.EXIT_STATUS, True
    print(printable(message), file=sys.stderr)
    return code


def run() -> None:
    """Console-script entry point."""
    interrupts.exit_program(main())
