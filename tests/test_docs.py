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


#: Both tutorials show a rate just past the stable bound on purpose.
PAST_THE_BOUND = pytest.mark.filterwarnings("ignore::gdlab.errors.LearningRateWarning")


@PAST_THE_BOUND
def test_tutorial_examples_compute_the_numbers_it_quotes():
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(str(DOCS / "tutorial.md"), module_relative=False, optionflags=flags)
    assert result.attempted > 20 and result.failed == 0


@PAST_THE_BOUND
def test_korean_tutorial_examples_compute_the_numbers_it_quotes():
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    path = str(DOCS / "tutorial.ko.md")
    result = doctest.testfile(path, module_relative=False, optionflags=flags, encoding="utf-8")
    assert result.attempted > 30 and result.failed == 0


def test_korean_tutorial_ends_with_a_glossary_of_the_terms_explain_uses():
    """Every term `explain --lang ko` relies on is in the glossary, with its English."""
    text = (DOCS / "tutorial.ko.md").read_text(encoding="utf-8")
    glossary = text[text.index("## 용어집") :]
    rows = [line for line in glossary.splitlines() if line.startswith("| ") and "---" not in line]
    terms = {
        "손실 함수": "loss function",
        "경사 하강법": "gradient descent",
        "그래디언트 (∇L)": "gradient",
        "기울기 (a)": "slope",
        "학습률 (η)": "learning rate",
        "수렴 / 발산": "convergence / divergence",
        "스텝, 업데이트": "step, update",
        "옵티마이저": "optimizer",
        "조건수 (κ)": "condition number",
        "헤시안": "Hessian",
        "곡률": "curvature",
        "예제 데이터": "example (seed) data",
    }
    for korean, english in terms.items():
        assert any(row.startswith(f"| {korean}") and english in row for row in rows), korean
    for phrase in ("폭발", "최적화기", "시드 데이터", "경사하강법은"):
        assert phrase not in text.replace("「simple-neural-network」", ""), phrase


def test_the_tutorials_link_each_other_and_the_readme_links_both():
    english = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    korean = (DOCS / "tutorial.ko.md").read_text(encoding="utf-8")
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "(tutorial.ko.md)" in english and "(tutorial.md)" in korean
    assert "(docs/tutorial.ko.md)" in readme and "(docs/tutorial.md)" in readme


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
