"""The playground in Korean: ?lang=ko, a toggle that keeps the run, every word Korean (the
server's own sentences inside a Korean frame), the terms of a Korean ML course."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.web.test_browser import open_page, shown, wait_runs, weights_shown

#: Latin words a Korean page still shows: names, code, file names, symbols of the math.
ALLOWED = {
    "gdlab",
    "lr",
    "max",
    "min",
    "API",
    "run",
    "json",
    "figure",
    "png",
    "English",
    "CSV",
    "Parquet",
    "docs",
    "design",
    "md",
    "gd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "fista",
    "FISTA",
    "ISTA",
    "L1",
    "AdaGrad",
    "RMSProp",
    "Adam",
    "Huber",
    "l2",
    "mse",
    "huber",
    "linspace",
    "tol",
    "cosine",
    "step",
    "seed",
    "data",
    "csv",
    "fit",
    "b1",
    "b2",
    "eps",
    "std",
    "opt",
    "init",
    "x",
    "y",
    "b",
    "a",
    "no",
    "intercept",
    "steps",
    "loss",
    "optimizer",
    "e",
    "inf",
    "PNG",
    "JSON",
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")

VISIBLE_TEXT = """
(() => {
  const parts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest("#command, script, style, [hidden], .modebar")) continue;
    const style = getComputedStyle(element);
    if (style.display === "none" || style.visibility === "hidden") continue;
    parts.push(node.textContent);
  }
  for (const element of document.querySelectorAll("[title], [aria-label], [aria-valuetext]")) {
    if (element.closest("#command, .modebar, [hidden]")) continue;
    for (const name of ["title", "aria-label", "aria-valuetext"]) {
      if (element.hasAttribute(name)) parts.push(element.getAttribute(name));
    }
  }
  return parts.join("\\n");
})()
"""


def english_words(page) -> set[str]:
    """Latin words on the page outside the allowed names."""
    text = page.evaluate(VISIBLE_TEXT)
    text = re.sub(r"seed-data\.csv|run\.json|figure\.png|step:\d+:[\d.]+", " ", text)
    return {word for word in LATIN_WORD.findall(text) if word not in ALLOWED}


def test_lang_ko_shows_every_label_hint_and_explanation_in_korean(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&lang=ko")
    assert page.evaluate("document.documentElement.lang") == "ko"
    page.click("#more-options summary")
    assert english_words(page) == set()
    assert page.inner_text("#train").endswith("학습")
    text = page.evaluate(VISIBLE_TEXT)
    for term in (
        "손실 함수",
        "경사 하강법",
        "학습률",
        "그래디언트",
        "수렴",
        "발산",
        "스텝",
        "옵티마이저",
        "예제 데이터",
    ):
        assert term in text, term
    assert "시드 데이터" not in text
    # 기울기 is the slope a only; the gradient ∇L is 그래디언트.
    assert page.inner_text("#w-1 .label") == "a (x의 기울기)"
    assert text.count("기울기") == 1
    assert "그래디언트 ∇L" in page.inner_text("#optimizer-hint")
    for url in (
        "?anim=0&lang=ko&lr=0.05",
        "?anim=0&lang=ko&opt=adam&lr=0.05",
        "?anim=0&lang=ko&opt=momentum",
    ):
        open_page(page, f"{live_server.url}/{url}")
        assert english_words(page) == set(), url
    assert "lr/(1 − β)" in page.inner_text("#lr-hint")


def test_a_diverged_or_stopped_run_is_told_in_korean(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&lang=ko&lr=0.05")
    message = page.inner_text("#message")
    assert message.startswith("10 스텝 만에 발산했습니다") and "0.00600592" in message
    page.goto(f"{live_server.url}/?lang=ko&steps=20000&lr=0.001")
    page.locator("body[data-status=running]").wait_for(timeout=10_000)
    page.click("#stop")
    wait_runs(page, 1)
    assert page.inner_text("#message").startswith("직접 멈췄습니다")
    assert page.inner_text("#step-now .sub") == "멈춤"


def test_the_toggle_keeps_the_run_and_puts_the_language_in_the_link(page, live_server):
    open_page(page, f"{live_server.url}/?anim=0&lr=0.003&steps=30&seed=4")
    weights, url = weights_shown(page), page.url
    page.click("#language")
    query = parse_qs(urlparse(page.url).query)
    assert query["lang"] == ["ko"] and query["lr"] == ["0.003"] and query["steps"] == ["30"]
    assert page.evaluate("document.body.dataset.runs") == "1"  # nothing trained again
    assert weights_shown(page) == weights and page.inner_text("#language") == "English"
    assert english_words(page) == set()
    assert page.locator("#loss-plot .xtitle").text_content() == "학습 스텝"
    shared = page.context.new_page()
    open_page(shared, page.url)  # the link opens in Korean
    assert shared.evaluate("document.documentElement.lang") == "ko"
    assert weights_shown(shared) == weights
    page.click("#language")
    assert page.url == url and page.inner_text("#train").endswith("Train")
    assert shown(page, "step-now") == 30


def test_server_errors_are_shown_inside_a_korean_sentence(
    page, live_server, page_errors, tmp_path: Path
):
    page_errors.http_4xx_expected = True
    (tmp_path / "broken.csv").write_text("x,y\n1,2\n2,abc\n3,4\n")
    open_page(page, f"{live_server.url}/?anim=0&lang=ko")
    page.check("#source-upload")
    page.set_input_files("#file", str(tmp_path / "broken.csv"))
    page.locator("body[data-status=error]").wait_for(timeout=10_000)
    message = page.inner_text("#message")
    assert message.startswith("파일을 올리지 못했습니다. 서버의 설명:")
    assert "non-numeric value 'abc'" in message and "data row 2" in message
    page.fill("#steps", "0")
    page.press("#steps", "Enter")
    assert page.inner_text("#form-error").startswith("스텝 수는 1부터")
    page.goto(f"{live_server.url}/?lang=ko&upload=AAAAAAAAAAAAAAAAAAAAAA&file=gone.csv&x=x&y=y")
    page.locator("body[data-status=error]").wait_for(timeout=10_000)
    assert page.inner_text("#message").startswith(
        "이 링크의 데이터(gone.csv)가 이제 이 서버에 없습니다"
    )
