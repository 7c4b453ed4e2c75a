"""Any update written out: step K of a run with its numbers, in English or Korean.

Update K takes the weights w_{K−1} to w_K. Its numbers come from the run itself — the path
and the gradient kept at every point — so the text can show the gradient's components at
w_{K−1}, the step η·∇L, the new weights and the loss before and after. Plain GD's step is
exactly −η·∇L; other optimizers' steps are shown as what they moved, beside the gradient
they started from. A standardised run trained in coordinates v (w = M·v): its update is
written there, where the rule holds, with the gradient ∇L(v) = Mᵀ∇L(w).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdlab.errors import ConfigError
from gdlab.explain.facts import display_names
from gdlab.explain.numbers import distinct, num
from gdlab.training.record import Run


@dataclass(frozen=True)
class Step:
    """The numbers of update K, as printed (`num`), in the coordinates it was taken in."""

    k: int
    names: tuple[str, ...]
    before: tuple[str, ...]
    gradient: tuple[str, ...]
    scaled: tuple[str, ...]
    after: tuple[str, ...]
    moved: tuple[str, ...]
    loss_before: str
    loss_after: str
    change: str
    rose: bool
    lr: str
    plain: bool
    standardized: bool
    optimizer: str


def step_of(run: Run, k: int) -> Step:
    """The numbers of update `k` (1 ≤ k ≤ the updates the run took)."""
    taken = len(run.losses)
    if not 1 <= k <= taken:
        raise ConfigError(
            f"{{option}} {k}: this run took {taken} update{'s' if taken != 1 else ''}; "
            f"choose one from 1 to {taken}",
            option="step",
        )
    path = np.asarray(run.path, dtype=np.float64)
    if run.gradients is None or len(path) <= k:
        raise ConfigError("this run kept no path to write its updates out from")
    before, after = path[k - 1], path[k]
    gradient = np.asarray(run.gradients[k - 1], dtype=np.float64)
    to_original = run.analysis.to_original
    standardized = to_original is not None
    if to_original is not None:  # the update was taken in v = M⁻¹w, with ∇L(v) = Mᵀ∇L(w)
        before, after = (np.linalg.solve(to_original, v) for v in (before, after))
        gradient = to_original.T @ gradient
    lr = float(run.config.lr)
    schedule_free = run.config.schedule in (None, "constant")
    plain = run.config.optimizer == "gd" and schedule_free
    loss_before = run.initial_loss if k == 1 else run.losses[k - 2]
    loss_after = run.losses[k - 1]
    weights = distinct([*before, *after])
    losses = distinct([loss_before, loss_after])
    names = display_names(run) if not standardized else tuple(f"{n}′" for n in display_names(run))
    return Step(
        k=k,
        names=names,
        before=weights[: len(before)],
        gradient=tuple(num(float(g)) for g in gradient),
        scaled=tuple(num(float(lr * g)) for g in gradient),
        after=weights[len(before) :],
        moved=tuple(num(float(d)) for d in after - before),
        loss_before=losses[0],
        loss_after=losses[1],
        change=num(abs(float(loss_after - loss_before))),
        rose=bool(loss_after > loss_before),
        lr=num(lr),
        plain=plain,
        standardized=standardized,
        optimizer=run.config.optimizer,
    )


def vector(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    """'(b, a) = (0.05, 0.1)'."""
    return f"({', '.join(names)}) = ({', '.join(values)})"


def english(s: Step) -> list[str]:
    """Update K in English (title, then the paragraph's lines)."""
    where = " (in the standardised coordinates the run trained in)" if s.standardized else ""
    lines = [
        f"Before update {s.k} the weights are w{sub(s.k - 1)} = {vector(s.names, s.before)}"
        f"{where}, and the loss is L(w{sub(s.k - 1)}) = {s.loss_before}.",
        f"The gradient there, ∇L(w{sub(s.k - 1)}), is ({', '.join(s.gradient)}): the direction "
        "in which the loss rises fastest.",
    ]
    if s.plain:
        lines.append(
            f"Plain gradient descent steps against it, η = {s.lr} times the gradient, "
            f"η·∇L = ({', '.join(s.scaled)}):"
        )
        lines += [
            f"    {name}: {b} − ({g}) = {a}"
            for name, b, g, a in zip(s.names, s.before, s.scaled, s.after, strict=True)
        ]
    else:
        lines.append(
            f"{s.optimizer} moved the weights by w{sub(s.k)} − w{sub(s.k - 1)} = "
            f"({', '.join(s.moved)}) — not η·∇L = ({', '.join(s.scaled)}), since it "
            + MOVES_EN.get(s.optimizer, "follows a schedule of rates")
            + f"; so w{sub(s.k)} = {vector(s.names, s.after)}."
        )
    verb = "rises" if s.rose else "falls"
    lines.append(f"After it the loss is L(w{sub(s.k)}) = {s.loss_after}: it {verb} by {s.change}.")
    return [f"Update {s.k} written out", *lines]


MOVES_EN = {
    "momentum": "adds β times its previous velocity to the gradient (heavy ball)",
    "nesterov": "steps along the gradient plus β times its new velocity (a look-ahead)",
    "adagrad": "divides each weight's gradient by the root of its running sum of squares",
    "rmsprop": "divides each weight's gradient by the root of its running mean of squares",
    "adam": "follows averages of the gradient and of its squares, per weight",
    "gd": "takes this update's rate from its schedule",
}
MOVES_KO = {
    "momentum": "그래디언트에 직전 속도의 β배를 더해 움직이기 때문입니다(헤비볼)",
    "nesterov": "그래디언트에 새 속도의 β배를 더한 방향으로, 한 발 앞서 보고 움직이기 때문입니다",
    "adagrad": "가중치마다 그래디언트를 지금까지의 제곱합의 제곱근으로 나누기 때문입니다",
    "rmsprop": "가중치마다 그래디언트를 제곱의 이동 평균의 제곱근으로 나누기 때문입니다",
    "adam": "가중치마다 그래디언트와 그 제곱의 평균을 따라 움직이기 때문입니다",
    "gd": "이번 업데이트의 학습률을 스케줄에서 가져오기 때문입니다",
}


def korean(s: Step) -> list[str]:
    """Update K in Korean (title, then the paragraph's lines)."""
    where = " (이번 학습이 진행된 표준화된 좌표에서)" if s.standardized else ""
    lines = [
        f"{s.k}번째 업데이트 직전의 가중치는{where} w{sub(s.k - 1)} = "
        f"{vector(s.names, s.before)}이고, 손실은 L(w{sub(s.k - 1)}) = {s.loss_before}입니다.",
        f"그 자리의 그래디언트 ∇L(w{sub(s.k - 1)})는 ({', '.join(s.gradient)})입니다. 손실이 "
        "가장 빨리 커지는 방향이지요.",
    ]
    if s.plain:
        lines.append(
            "기본 경사 하강법은 그 반대쪽으로, 그래디언트에 학습률 η를 곱한 만큼 움직입니다 "
            f"(η = {s.lr}, η·∇L = ({', '.join(s.scaled)}))."
        )
        lines += [
            f"    {name}: {b} − ({g}) = {a}"
            for name, b, g, a in zip(s.names, s.before, s.scaled, s.after, strict=True)
        ]
    else:
        lines.append(
            f"{s.optimizer} 옵티마이저는 가중치를 w{sub(s.k)} − w{sub(s.k - 1)} = "
            f"({', '.join(s.moved)})만큼 옮겼습니다. η·∇L = ({', '.join(s.scaled)})와 다른 "
            "것은 "
            + MOVES_KO.get(s.optimizer, MOVES_KO["gd"])
            + f". 그래서 w{sub(s.k)} = {vector(s.names, s.after)}입니다."
        )
    verb = "늘었습니다" if s.rose else "줄었습니다"
    lines.append(
        f"업데이트 뒤의 손실은 L(w{sub(s.k)}) = {s.loss_after}입니다. {s.change}만큼 {verb}."
    )
    return [f"{s.k}번째 업데이트를 숫자로", *lines]


SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(k: int) -> str:
    """k as subscript digits: 12 → '₁₂'."""
    return str(k).translate(SUBSCRIPTS)


def explain_step(run: Run, k: int, lang: str = "en") -> list[str]:
    """Update `k` of `run` written out: a title and the lines of its paragraph.

    >>> import gdlab
    >>> title, first, *_ = explain_step(gdlab.demo(0), 1)
    >>> title, first.startswith("Before update 1 the weights are w₀ = (b, a)")
    ('Update 1 written out', True)
    """
    step = step_of(run, k)
    return korean(step) if lang == "ko" else english(step)
