"""한국어 설명: 실행의 숫자(`facts`)는 영어와 똑같고, 그 둘레의 말만 한국어로 씁니다.

숫자 바로 뒤에는 받침에 따라 모양이 바뀌는 조사(이/가, 은/는, 으로/로)를 붙이지 않고,
'입니다', '까지', '에서', '만큼', '배', '단계'처럼 늘 같은 말만 씁니다.
"""

from __future__ import annotations

from gdlab.explain.facts import Facts, Fraction

FRACTION_WORDS = {
    (1, 2): "절반",
    (1, 3): "3분의 1",
    (2, 3): "3분의 2",
    (1, 4): "4분의 1",
    (3, 4): "4분의 3",
    (1, 5): "5분의 1",
}


def fraction_words(fraction: Fraction) -> str:
    """'약 3분의 1', '0.45배', '1.7배'."""
    if fraction.simple:
        key = (fraction.numerator, fraction.denominator)
        words = FRACTION_WORDS.get(key, f"{fraction.denominator}분의 {fraction.numerator}")
        return f"약 {words}"
    if fraction.ratio < 1:
        return f"{fraction.ratio:.2g}배"
    return f"{fraction.ratio:.3g}배"


def data_words(f: Facts) -> str:
    """'시드 데이터(점 50개)' 또는 'points.csv(200행)'."""
    if f.source == "seed":
        return f"시드 데이터(점 {f.n_rows}개)"
    return f"{f.source}({f.n_rows}행)"


def loss_words(f: Facts) -> tuple[str, str, str]:
    """(손실 식, 기울기 식, 헤세 행렬)."""
    if f.loss == "mse":
        return "L(w) = (1/N)·Σ(ŷ − y)²", "∇L = (2/N)·Xᵀ(Xw − y)", "(2/N)·XᵀX"
    return "L(w) = ½·Σ(ŷ − y)²", "∇L = Xᵀ(Xw − y)", "XᵀX"


def sections(f: Facts) -> list[tuple[str, str]]:
    """(제목, 문단) 목록."""
    loss, gradient, hessian = loss_words(f)
    if f.ridge:
        hessian += " + λI(릿지 항)"
        gradient += " + λw"
    names = ", ".join(f.weight_names)
    optimum = ", ".join(f"{n} = {v}" for n, v in zip(f.weight_names, f.optimum, strict=True))
    out = [
        (
            "손실은 무엇을 재는가",
            f"손실 {loss}은 예측값 ŷ와 목표값 y {f.n_rows}개 사이의 차이를 제곱해서 모두 더한 "
            f"값입니다. 지금 가중치가 얼마나 틀렸는지를 숫자 하나로 나타내는 것이지요. 그래서 "
            f"'더 좋다'는 말이 곧 '더 작다'는 뜻이 됩니다. 처음 손실은 {f.initial_loss}, "
            f"{f.steps_run}단계 뒤의 손실은 {f.final_loss}입니다. 아무리 학습해도 최소제곱 "
            f"최적점({optimum})에서의 값 {f.optimum_loss}보다 낮아질 수는 없습니다.",
        )
    ]
    steps = "\n".join(
        f"    {name}: {w0} − {f.lr} × ({g}) = {w1}"
        for name, w0, g, w1 in zip(f.weight_names, f.start, f.gradient, f.after_first, strict=True)
    )
    first = (
        f"기울기(그래디언트) {gradient}는 손실이 가장 가파르게 커지는 오르막 방향을 "
        f"가리킵니다. 출발점 ({names}) = ({', '.join(f.start)})에서 계산하면 "
        f"({', '.join(f.gradient)})입니다. "
    )
    if f.is_gd:
        first += (
            f"경사하강법은 그 반대 방향으로 한 걸음 내려갑니다. η = {f.lr}일 때 w₁ = w₀ − η·∇L:\n"
        )
        first += (
            steps + f"\n이 한 걸음으로 손실이 {f.initial_loss}에서 {f.first_loss}까지 줄어듭니다."
        )
    elif f.standardized:
        first += (
            f"이번 학습은 w₁ = w₀ − η·∇L 걸음을 표준화한 특성 위에서 밟습니다. 그곳에서는 "
            f"곡률이 고르기 때문입니다. 원래 데이터의 단위로 되돌려 보면 첫 걸음은 가중치를 "
            f"({', '.join(f.after_first)}) 위치로 옮겼고, 그곳의 손실은 {f.first_loss}입니다."
        )
    else:
        first += (
            f"보통의 경사하강법이라면 w₀ − η·∇L 쪽으로 움직이겠지만, {f.optimizer} 최적화기는 이 "
            f"걸음을 자기 방식대로 고쳐서 가중치를 ({', '.join(f.after_first)}) 위치로 "
            f"옮겼습니다. 그곳의 손실은 {f.first_loss}입니다."
        )
    out.append(("경사 한 걸음을 숫자로 따라가 보기 (1단계)", first))
    verdict = (
        "이 학습은 수렴합니다" if f.converges else "이 학습률로는 보통의 경사하강법이 발산합니다"
    )
    rate = (
        f"학습률은 손실 함수의 곡률과 견주어 볼 때에만 의미가 있습니다. 손실의 헤세 행렬 "
        f"{hessian}의 고윳값은 λ_min = {f.lam_min}부터 λ_max = {f.lam_max}까지이고, 한 단계를 "
        f"밟을 때마다 각 고유벡터 방향의 오차에 (1 − η·λ)가 곱해집니다. 오차가 계속 줄어들려면 "
        f"η가 2/λ_max = {f.bound}보다 작아야 합니다. 지금 쓰는 학습률(η = {f.lr})은 이 "
        f"한계의 {fraction_words(f.fraction)} 수준이므로 {verdict}. 일정한 학습률 가운데 가장 빠른 "
        f"값은 2/(λ_min + λ_max) = {f.best_lr}입니다. η를 한계값 {f.bound}에 딱 맞추면 가장 "
        f"가파른 방향의 오차가 줄지 않고 영원히 앞뒤로 오가고(곱해지는 값 −1), 그 두 배인 "
        f"{f.twice_bound}에서는 그 방향의 오차가 매 단계 세 배씩 커져서 손실이 폭발합니다."
    )
    if f.loss == "l2":
        rate += (
            f" 이 한계값의 크기는 XᵀX = Σ xᵢxᵢᵀ, 즉 {f.n_rows}개 행을 모두 더한 값에서 "
            f"나옵니다. 비슷한 점이 두 배로 많아지면 XᵀX도 두 배가 되므로, "
            f"이렇게 합으로 정의한 손실에서는 "
            f"학습률을 절반으로 줄여야 합니다. 평균 손실(--loss mse)을 쓰면 같은 한계는 "
            f"{f.mse_bound}입니다. 이 값은 N이 커져도 더 이상 줄어들지 않습니다."
        )
    out.append((f"학습률 {f.lr}의 진짜 의미", rate))
    if f.converges and f.steps_to_gap is not None:
        speed = (
            f"보통 가장 느린 방향은 곡률이 가장 작은 방향, 곧 고유벡터 {f.slow_direction}"
            f"(대부분 {f.slow_weight} 쪽)이고, 그 고윳값이 λ_min = {f.lam_min}입니다. "
            f"이 방향의 오차는 한 단계마다 1 − {f.lr} × "
            f"{f.lam_min} = {f.keep_slowest}배로 줄어듭니다."
        )
        if f.steepest_limits:
            speed += (
                f" 다만 이 학습률에서는 가장 가파른 방향(λ_max = {f.lam_max})이 목표를 "
                f"지나쳐 버려서 오차가 매 단계 |1 − η·λ_max| = {f.growth_at_lr}배로밖에 줄지 "
                f"않습니다. 그래서 속도를 정하는 쪽은 오히려 이 방향입니다."
            )
        speed += (
            f" 결국 손실이 최솟값의 {f.gap_percent}% 안({f.gap_loss} 아래)에 들어오기까지 "
            f"{f.steps_to_gap}단계가 걸립니다. 이번 학습은 {f.steps_run}단계를 진행했습니다."
        )
    else:
        speed = (
            f"이 학습률에서는 λ_max = {f.lam_max} 방향의 오차가 단계마다 {f.growth_at_lr}배씩 "
            f"커지므로, 보통의 경사하강법으로는 최적점에 결코 닿지 못합니다. η를 {f.bound}보다 "
            f"작게 잡으면 수렴하고, 그중 가장 빠른 값이 {f.best_lr}입니다."
        )
    out.append(("몇 단계나 걸리고, 왜 그런가", speed))
    out.append(("1로 채운 열은 무슨 일을 하는가", ones_paragraph(f)))
    return out


def ones_paragraph(f: Facts) -> str:
    """절편 열: b가 하는 일, 그리고 중심이 맞지 않은 x가 b와 기울기를 얽는 방식."""
    if not f.intercept:
        return (
            "이 모델에는 1로 채운 열이 없습니다(--no-intercept). b가 없으니 모든 예측은 "
            "x = 0에서 ŷ = 0을 지나도록 묶여 있습니다."
        )
    text = (
        "X의 각 행은 1로 시작하고, 이 1이 b에 곱해집니다. 그래서 b는 직선을 기울이지 않고 "
        "모든 예측값을 똑같이 위아래로 옮기는 역할을 합니다."
    )
    if f.standardized:
        return text + (
            f" 이번 학습은 특성을 평균 0, 표준편차 1로 맞춘 뒤(--standardize) 진행했기 때문에 "
            f"b와 기울기가 서로 얽히지 않습니다. 조건수 κ = λ_max/λ_min은 "
            f"{f.condition_before}에서 {f.condition}까지 내려갔고, 가장 좋은 학습률에서 "
            f"최적점까지 {f.steps_best_before}단계가 아니라 {f.steps_best_after}단계면 됩니다."
        )
    if f.mean_x is not None:
        text += (
            f" 그런데 {f.first_feature}의 평균은 0이 아니라 {f.mean_x}입니다. 그래서 b와 기울기가 "
            f"서로 끌어당기며 영향을 주고받습니다. 이 얽힘 때문에 조건수 κ = λ_max/λ_min의 값이 "
            f"{f.condition}입니다."
        )
    if f.condition_after is not None:
        text += (
            f" 특성을 평균 0, 표준편차 1로 맞추면(--standardize) 조건수는 {f.condition_after}, "
            f"가장 좋은 학습률에서 최적점까지 {f.steps_best_before}단계가 아니라 "
            f"{f.steps_best_after}단계면 됩니다."
        )
    return text


def header(f: Facts) -> str:
    """첫 줄: 어떤 실행인지."""
    return (
        f"gdlab 설명: {data_words(f)}, 학습률 {f.lr}, {f.optimizer} {f.steps_run}단계, "
        f"손실 {f.loss}"
    )
