"""The Korean explanation keeps one term per idea (docs/tutorial.ko.md's glossary).

그래디언트 is ∇L and 기울기 only the slope a, never the other way round; 손실 함수, 경사 하강법,
학습률, 업데이트, 옵티마이저, 예제 데이터 throughout; none of the phrases that read as
translations (폭발, 최적화기, 시드 데이터, 단계, …). Checked over every optimizer and variant.
"""

from __future__ import annotations

import re
import warnings

import pytest

import gdlab
from gdlab.explain import explain

#: Phrases the Korean text must never use, with the term that replaces each.
BANNED = {
    "폭발": "발산",
    "최적화기": "옵티마이저",
    "시드 데이터": "예제 데이터",
    "단계": "스텝, 업데이트",
    "경사하강법": "경사 하강법 (띄어 씀)",
    "경사 한 걸음": "경사 하강 한 걸음, 첫 번째 업데이트",
    "보통의 경사": "기본 경사 하강법",
    "가장 빠른 값": "가장 빨리 수렴하게 하는 값",
    "끌어당기": "a를 바꾸면 직선이 위아래로도 움직여 b도 함께 바뀌어야 합니다",
    "더 이상 줄어들지 않": "변하지 않습니다",
    "ŷ와": "ŷ과 (와이햇)",
    "헤세": "헤시안",
    "기울기(그래디언트)": "그래디언트",
    "줄여나간": "차원을 줄인다",
}
#: Terms every Korean explanation uses.
REQUIRED = ("그래디언트 ∇L", "손실 함수", "경사 하강법", "학습률", "업데이트", "옵티마이저", "ŷ과")

RUNS = {
    "seed": {},
    "diverging": {"lr": 0.0065},
    "momentum": {"optimizer": "momentum", "lr": 0.001},
    "nesterov-above": {"optimizer": "nesterov", "lr": 0.01},
    "adagrad": {"optimizer": "adagrad", "lr": 0.5},
    "rmsprop": {"optimizer": "rmsprop", "lr": 0.05},
    "adam": {"optimizer": "adam", "lr": 0.1},
    "adam-standardize": {"optimizer": "adam", "lr": 0.1, "standardize": True},
    "standardize": {"standardize": True, "lr": 0.01},
    "no-intercept": {"intercept": False},
    "huber": {"loss": "huber"},
    "mini-batch": {"batch_size": 10},
    "mse": {"loss": "mse", "lr": 0.05},
    "ridge": {"l2": 2.0},
    "tol": {"lr": 0.005, "steps": 500, "tol": 1e-3},
    "schedule": {"schedule": "exp:0.99"},
}


def check_terms(korean: str) -> None:
    """The glossary's terms, and none of the banned phrases; 기울기 never beside ∇L."""
    for phrase, instead in BANNED.items():
        assert phrase not in korean, f"'{phrase}' in the Korean text: use {instead}"
    for term in REQUIRED:
        assert term in korean, term
    for sentence in re.split(r"(?<=[.:])\s+", " ".join(korean.split())):
        if "기울기" in sentence:
            assert "∇" not in sentence and "그래디언트" not in sentence, sentence


def check_english_terms(english: str) -> None:
    """The English counterparts: diverge, not explode; no 'usually' where it is always."""
    for phrase in ("explode", "usually", "optimiser"):
        assert phrase not in english, phrase


@pytest.mark.parametrize("name", RUNS)
def test_korean_terms_are_the_glossarys_in_every_run(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gdlab.LearningRateWarning)
        run = gdlab.fit(gdlab.seed_dataset(0), raise_on_divergence=False, **RUNS[name])
    check_terms(explain(run, "ko"))
    check_english_terms(explain(run, "en"))


def test_the_check_catches_the_old_wording():
    """The old text's '기울기(그래디언트) ∇L' and '폭발' would fail."""
    old = "기울기(그래디언트) ∇L = Xᵀ(Xw − y)는 오르막을 가리킵니다. 손실이 폭발합니다."
    with pytest.raises(AssertionError, match="기울기"):
        check_terms(old + " " + " ".join(REQUIRED))
    with pytest.raises(AssertionError, match="폭발"):
        check_terms("손실이 폭발합니다. " + " ".join(REQUIRED))
    with pytest.raises(AssertionError, match="기울기"):
        check_terms("기울기 ∇L은 오르막입니다. " + " ".join(REQUIRED))
