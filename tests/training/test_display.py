"""A run, its analysis and its summary in a notebook: a short repr, an HTML card."""

from __future__ import annotations

import html
import re

import gdlab


def test_a_run_has_a_one_line_repr_with_its_numbers():
    run = gdlab.demo(0, steps=5000)
    text = repr(run)
    assert "\n" not in text and len(text) < 200
    assert text.startswith("Run(seed data, 50 rows: gd lr=0.002, 5000 of 5000 steps")
    assert f"{run.analysis.optimum_loss:.4g}" in text and "stopped: steps" in text


def test_the_html_card_shows_the_runs_numbers_and_draws_its_curve():
    run = gdlab.demo(0)
    card = run._repr_html_()
    assert "gdlab run" in card and card.count("<svg") == 2  # the loss curve and the line
    for value in (*run.weights, *run.analysis.optimum_weights, run.final_loss):
        assert html.escape(f"{value:.6g}") in card
    polyline = re.search(r'<polyline[^>]*points="([^"]*)"', card).group(1)
    assert len(polyline.split()) == len(run.losses) + 1  # every step, the start included
    assert len(card) < 20_000  # a card, not a dump


def test_the_analysis_and_the_summary_show_themselves_as_tables():
    run = gdlab.demo(0)
    analysis = run.analysis._repr_html_()
    assert "<table" in analysis and f"{run.analysis.lr_max_stable:.6g}" in analysis
    summary = run.analysis.regression._repr_html_()
    assert "P&gt;|t|" in summary and f"{run.analysis.regression.r_squared:.6g}" in summary


def test_tab_completion_on_gdlab_offers_the_public_api_only():
    names = dir(gdlab)
    assert "fit" in names and "Run" in names and "demo" in names
    assert not {"Any", "TYPE_CHECKING", "annotations", "importlib"} & set(names)
    assert names == sorted(gdlab.__all__)
