"""The docs stay true: the tutorial's numbers are computed, the CLI reference is current."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import pytest
import typer

from gdlab.cli import app
from tests.conftest import run_cli

DOCS = Path(__file__).resolve().parents[1] / "docs"


def load_reference_script():
    spec = importlib.util.spec_from_file_location(
        "make_cli_reference", DOCS / "make_cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = load_reference_script()


def test_tutorial_examples_compute_the_numbers_it_quotes():
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(str(DOCS / "tutorial.md"), module_relative=False, optionflags=flags)
    assert result.attempted > 20 and result.failed == 0


def test_cli_reference_is_current():
    expected = reference.cli_reference(app)
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: run `python docs/make_cli_reference.py` (or `make docs`)"
    )


def test_cli_reference_is_what_help_prints(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in reference.commands(app)[1]:
        code, out, err = run_cli(name, "--help")
        assert code == 0, err
        assert f"## gdlab {name}\n\n```text\n{out.rstrip()}\n```" in text


def test_every_command_and_option_has_help_text():
    assert reference.missing_help(app) == []


def test_a_command_without_help_is_caught():
    broken = typer.Typer()

    @broken.command("quiet")
    def quiet(level: int = typer.Option(1)) -> None:
        pass

    @broken.command("terse")
    def terse() -> None:
        """Does something useful, but shows no example of it."""

    assert reference.missing_help(broken) == [
        "gdlab quiet: no help text (the command function's docstring)",
        "gdlab quiet --level: no help text",
        "gdlab terse: its help has no 'Example:' line",
    ]
    with pytest.raises(SystemExit, match="commands lack help text"):
        reference.cli_reference(broken)


def readme_section(title: str) -> str:
    text = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_the_readmes_first_example_on_your_own_data_converges_as_printed(tmp_path, monkeypatch):
    """Its command has no options but the columns; what it prints is what the README shows."""
    section = readme_section("Your own data")
    script = section.split("```sh\n")[1].split("```")[0]
    heredoc, command = script.split("\nEOF\n")
    name = heredoc.split("cat > ")[1].split()[0]
    (tmp_path / name).write_text(heredoc.split("<<'EOF'\n")[1] + "\n")
    words = command.split()
    assert words[:2] == ["gdlab", "fit"] and words[3::2] == ["--x", "--y"] and len(words) == 7
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(*words[1:])
    assert code == 0, err
    printed, unconverged = section.split("```text\n")[1:3]
    assert out == printed.split("```")[0]
    assert "converged: the loss is within 1e-06" in out
    code, out, err = run_cli(*words[1:], "--steps", "10")
    assert code == 0, err
    assert unconverged.split("```")[0].strip() in out.splitlines()
