"""한국어 설명: 주장은 모두 `facts`가 정하고, 이 모듈은 그것을 한국어로 말할 뿐입니다.

용어는 docs/tutorial.ko.md의 용어집을 따릅니다. 그래디언트(∇L)와 기울기(직선의 a)를 섞지
않고, 손실 함수·경사 하강법·학습률·수렴/발산·업데이트·옵티마이저·예제 데이터라고 씁니다.
숫자나 식 바로 뒤에는 받침에 따라 모양이 바뀌는 조사(이/가, 은/는, 을/를, 으로/로)를 붙이지
않고, '입니다', '이고', '에서', '까지', '만큼', '배', '번'처럼 늘 같은 말만 씁니다.
"""

from __future__ import annotations

from gdlab.explain.facts import Facts
from gdlab.explain.notation import formulas, written_steps
from gdlab.explain.numbers import Fraction

FRACTION_WORDS = {
    (1, 2): "절반",
    (1, 3): "3분의 1",
    (2, 3): "3분의 2",
    (1, 4): "4분의 1",
    (3, 4): "4분의 3",
    (1, 5): "5분의 1",
}
OPTIMIZER_NAMES = {
    "gd": "기본 경사 하강법",
    "momentum": "헤비볼 모멘텀",
    "nesterov": "네스테로프 모멘텀",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "fista": "FISTA",
}
STOP_WORDS = {"diverged": "발산", "tol": "허용 오차 도달", "stopped": "중단"}


def fraction_words(fraction: Fraction, ratio: str) -> str:
    """'약 3분의 1', '0.45배', '1.08배'."""
    if fraction.simple:
        key = (fraction.numerator, fraction.denominator)
        words = FRACTION_WORDS.get(key, f"{fraction.denominator}분의 {fraction.numerator}")
        return f"약 {words}"
    return f"{ratio}배"


def trend_words(trend: str, before: str, after: str) -> str:
    """'302에서 149.7까지 줄었습니다', '…까지 늘었습니다' 또는 '…에서 변하지 않았습니다'."""
    if trend == "same":
        return f"{after}에서 변하지 않았습니다"
    verb = "줄었습니다" if trend == "fell" else "늘었습니다"
    return f"{before}에서 {after}까지 {verb}"


def data_words(f: Facts) -> str:
    """'예제 데이터(점 50개)' 또는 'points.csv(200행)'."""
    if f.source == "seed":
        return f"예제 데이터(점 {f.n_rows}개)"
    return f"{f.source}({f.n_rows}행)"


def header(f: Facts) -> str:
    """첫 줄: 어떤 실행인지, 요청한 업데이트 가운데 몇 번을 했는지."""
    steps = f"업데이트 {f.steps_run}번"
    if f.steps_run != f.steps_asked or f.stop_reason != "steps":
        reason = STOP_WORDS.get(f.stop_reason, f.stop_reason)
        steps = f"업데이트 {f.steps_run}번(요청 {f.steps_asked}번, {reason})"
    extras = "".join(
        [
            ", 표준화" if f.standardized else "",
            f", 미니배치 {f.batch_size}행" if f.minibatch else "",
        ]
    )
    return (
        f"gdlab 설명: {data_words(f)}, 학습률 {f.lr}, 옵티마이저 {f.optimizer}, {steps}, "
        f"손실 {f.loss}{extras}"
    )


def sections(f: Facts) -> list[tuple[str, str]]:
    """(제목, 문단) 목록."""
    return [
        ("손실 함수는 무엇을 재는가", loss_paragraph(f)),
        ("경사 하강법: 첫 번째 업데이트를 숫자로 따라가 보기", step_paragraph(f)),
        (f"학습률 {f.lr}의 의미", rate_paragraph(f)),
        ("업데이트는 몇 번 필요하고, 왜 그런가", steps_paragraph(f)),
        ("1로 채운 열은 무슨 일을 하는가", ones_paragraph(f)),
        *([("L1 벌점이 손실 지형에 하는 일", l1_paragraph(f))] if f.lasso else []),
    ]


def loss_paragraph(f: Facts) -> str:
    """손실이 재는 것, 시드의 reduce_mean(l2_loss(e)), 이번 실행에서 손실이 간 곳."""
    loss, _, _ = formulas(f)
    if f.loss == "huber":
        text = (
            f"손실 함수({loss})는 후버 손실입니다. 예측값 ŷ과 목표값 y의 차이 e를 {f.n_rows}개 "
            f"점 모두에서 더하되, 작을 때(|e| ≤ δ = {f.huber_delta})는 ½e²처럼 제곱으로, 클 "
            f"때는 δ·(|e| − ½δ)처럼 직선으로만 늘어나게 셉니다. 그래서 동떨어진 점(이상치)에 덜 "
            f"끌려갑니다."
        )
    else:
        how = "제곱해서 평균한 값(평균제곱오차)" if f.loss == "mse" else "제곱해서 모두 더한 값"
        text = (
            f"손실 함수({loss})는 예측값 ŷ과 목표값 y의 차이를 {f.n_rows}개 점마다 {how}입니다. "
            f"지금 가중치가 얼마나 틀렸는지를 숫자 하나로 나타내므로, '더 좋다'는 곧 '더 "
            f"작다'는 뜻이 됩니다."
        )
    if f.ridge:
        text += f" 여기에 릿지 항 ½·λ·‖w‖²(λ = {f.l2})을 더합니다."
        text += " b에는 벌점을 주지 않습니다." if f.intercept else ""
    if f.lasso:
        text += f" 여기에 L1 항 λ₁·‖w‖₁ = λ₁·Σ|w_j|(λ₁ = {f.l1})을 더합니다."
        text += " b에는 벌점을 주지 않습니다." if f.intercept else ""
    if f.loss == "l2":
        text += (
            " 시드 코드의 reduce_mean(l2_loss(e)) 부분(e = ŷ − y)은 결국 ½·Σe² 값입니다. "
            "l2_loss가 이미 숫자 하나(스칼라)를 돌려주고, reduce_mean은 "
            "입력의 차원(축)을 따라 평균을 내어 그 차원을 없앱니다. 여기서 'reduce'는 '줄여 "
            "나간다'가 아니라 reduce_sum처럼 '차원을 줄인다'는 뜻입니다. 스칼라에는 없앨 차원이 "
            "없으니 평균을 내도 바뀌는 것이 없고, 이 손실은 평균이 아니라 합이라서 행이 "
            "많을수록 커집니다."
        )
    else:
        text += (
            " (시드 코드의 reduce_mean(l2_loss(e)) 부분은 --loss l2의 ½·Σe² 값과 같습니다. "
            "l2_loss 함수가 이미 숫자 하나를 돌려주므로 평균을 내도 바뀌는 것이 없습니다.)"
        )
    if not f.initial_finite:
        text += " 출발점의 가중치가 너무 커서 손실이 처음부터 부동소수점 범위를 넘어섰습니다(∞)."
    elif f.final_finite:
        text += (
            f" 이번 실행의 업데이트 {f.steps_run}번 동안 손실은 "
            f"{trend_words(f.loss_trend, f.initial_loss, f.final_loss)}."
        )
    else:
        text += (
            f" 처음 손실은 {f.initial_loss}이고, 이번 실행의 업데이트 {f.steps_run}번 안에 "
            f"계속 커지다가 부동소수점 범위를 넘어섰습니다(∞)."
        )
    kind = {"huber": "후버", "l2": "최소제곱", "mse": "최소제곱"}[f.loss]
    kind = "릿지" if f.ridge else kind
    kind = ("엘라스틱넷" if f.ridge else "라쏘") if f.lasso else kind
    optimum = ", ".join(f"{n} = {v}" for n, v in zip(f.weight_names, f.optimum, strict=True))
    floor = "이고, 이보다 낮아질 수는 없습니다" if f.optimum_is_floor else "입니다"
    return text + f" {kind} 최적점({optimum})에서 손실은 {f.optimum_loss}{floor}."


def outcome(f: Facts) -> str:
    """'그 결과 손실이 302에서 149.7까지 줄어듭니다.'"""
    if f.first_trend == "same":
        return f"손실은 {f.first_loss}에서 변하지 않습니다."
    verb = "줄어듭니다" if f.first_trend == "fell" else "늘어납니다"
    return f"그 결과 손실이 {f.initial_loss}에서 {f.first_loss}까지 {verb}."


def step_paragraph(f: Facts) -> str:
    """경사 하강법을 한 문장으로, 그리고 이번 실행의 첫 번째 업데이트."""
    _, gradient, _ = formulas(f)
    text = (
        "경사 하강법은 손실이 가장 빨리 커지는 방향인 그래디언트 ∇L의 반대쪽으로 조금씩 "
        "이동하기를 되풀이해 손실을 줄이는 방법입니다: w ← w − η·∇L(w), η는 학습률. "
        f"여기서는 {gradient}이고, 출발점 {f.start_point}에서 계산하면 "
        f"{f.gradient_value}입니다."
    )
    if f.minibatch:
        text += (
            f" 이 그래디언트는 {f.n_rows}개 행 가운데 {f.batch_size}개로 된 미니배치 하나에서 "
            f"계산해, 전체 그래디언트를 추정하도록 N/{f.batch_size}배로 키운 값입니다."
        )
    text += " "
    name = OPTIMIZER_NAMES[f.optimizer]
    if f.lasso and f.kind == "gd":
        how = "ISTA" if f.optimizer == "gd" else name
        return text + (
            f"L1 벌점이 있으면 업데이트마다 근접(proximal) 단계({how})를 밟습니다. 먼저 매끄러운 "
            f"부분의 그래디언트만으로 w − η·∇L을 계산하고(η = {f.lr}), 그다음 특성 가중치마다 "
            f"0 쪽으로 η·λ₁ = {f.threshold}만큼 당깁니다. 0을 넘어가게 될 가중치는 정확히 0에서 "
            f"멈춥니다(소프트 임계값). 첫 번째 업데이트로 가중치는 "
            f"({', '.join(f.after_first)})가 되었고, {outcome(f)}"
        )
    if f.step_written and f.kind == "gd":
        return text + (
            f"첫 번째 업데이트는 그 반대쪽으로 움직입니다(η = {f.lr}):\n"
            f"{written_steps(f)}\n{outcome(f)}"
        )
    if f.step_written and f.nesterov:
        return text + (
            f"{name}은 속도 방향으로 한 발 앞을 내다보므로, 첫 번째 업데이트가 "
            f"w₁ = w₀ − η·(1 + β)·∇L입니다(η = {f.lr}, β = {f.beta}):\n"
            f"{written_steps(f, f' × (1 + {f.beta})')}\n{outcome(f)} 그다음 업데이트부터는 "
            f"앞선 속도의 β배도 함께 실립니다."
        )
    if f.step_written:
        return text + (
            f"속도가 0에서 시작하므로 {name}의 첫 번째 업데이트는 기본 경사 하강법과 "
            f"같습니다(η = {f.lr}):\n{written_steps(f)}\n{outcome(f)} 두 번째 업데이트부터는 "
            f"직전 이동의 β = {f.beta}배를 더합니다: "
            f"w_(k+1) = w_k − η·∇L(w_k) + β·(w_k − w_(k−1))."
        )
    if f.kind == "adaptive":
        text += adaptive_rule(f)
        if not f.standardized:
            return text + (
                f" 첫 번째 업데이트에서 빼는 양은 η × ({', '.join(f.first_update)})입니다:\n"
                f"{written_steps(f, vector=f.first_update)}\n{outcome(f)}"
            )
        return text + (
            f" 학습이 이루어지는 표준화 좌표에서 첫 번째 업데이트는 가중치를 "
            f"({', '.join(f.first_moves)})만큼 옮겼습니다. 데이터 단위로 되돌린 가중치는 "
            f"({', '.join(f.after_first)})이고, {outcome(f)}"
        )
    return text + (
        f"이번 실행은 {name} 업데이트를 표준화한 특성 위에서 진행합니다. 데이터 단위로 "
        f"되돌려 보면 첫 번째 업데이트 뒤의 가중치는 ({', '.join(f.after_first)})이고, "
        f"{outcome(f)}"
    )


def adaptive_rule(f: Facts) -> str:
    """적응형 옵티마이저가 그래디언트를 가중치마다 어떻게 나누는지."""
    if f.optimizer == "adagrad":
        return (
            "AdaGrad 옵티마이저는 그래디언트의 각 좌표를 지금까지 그 좌표를 제곱해 더한 값의 "
            "제곱근으로 나눕니다. 그래서 첫 번째 업데이트에서는 모든 가중치가 약 η만큼 "
            "움직이고, 그 뒤로는 점점 덜 움직입니다."
        )
    if f.optimizer == "rmsprop":
        return (
            f"RMSProp 옵티마이저는 그래디언트의 각 좌표를 그 제곱의 이동 평균(ρ = {f.rms_decay})"
            f"의 제곱근으로 나눕니다. 그래서 첫 번째 업데이트에서 모든 가중치가 약 "
            f"η/√(1 − ρ) = {f.rms_first_factor}·η만큼 움직입니다."
        )
    return (
        "Adam 옵티마이저는 그래디언트 각 좌표의 이동 평균을 그 제곱의 이동 평균의 제곱근으로 "
        "나눕니다(둘 다 편향 보정). 그래서 첫 번째 업데이트에서는 그래디언트의 크기와 "
        "상관없이 모든 가중치가 약 η만큼 움직입니다."
    )


def curvature_sentence(f: Facts) -> str:
    """헤시안과 고윳값(학습이 이루어진 좌표에서)."""
    _, _, hessian = formulas(f)
    where = "표준화한 특성의 " if f.standardized else ""
    if f.eigen_count == 1:
        values = f"그 값은 숫자 하나, λ_max = {f.lam_max}입니다."
    else:
        values = f"고윳값은 λ_min = {f.lam_min}부터 λ_max = {f.lam_max}까지입니다."
    if f.flat_count:
        values += (
            f" 이 가운데 {f.flat_count}개 방향은 곡률이 없습니다(λ ≈ 0, 서로 겹치는 열). 그 "
            f"방향으로는 손실이 변하지 않으므로 수렴에 영향을 주지 않습니다."
        )
    if f.loss == "huber":
        return (
            f"후버 손실의 {where}헤시안 {hessian}는 가중치가 움직이면 바뀌지만(D는 |e| ≤ δ인 "
            f"행에서 1, 그 밖에서 0), D가 모두 1일 때보다 커지지는 않습니다. 그때의 " + values
        )
    return (
        f"학습률은 손실 함수의 곡률과 견주어 볼 때에만 의미가 있습니다. 곡률을 정하는 것은 "
        f"{where}헤시안 {hessian}이고, 그 " + values
    )


def rate_paragraph(f: Facts) -> str:
    """옵티마이저에 따라 η가 뜻하는 것: 경사 하강법의 한계, 모멘텀의 한계, 가중치마다의 스텝."""
    text = curvature_sentence(f)
    if f.kind == "adaptive":
        where = " 여기서는 표준화 좌표 기준입니다." if f.standardized else ""
        return text + (
            f" 하지만 {OPTIMIZER_NAMES[f.optimizer]} 옵티마이저에서 η는 곡률과 견주는 값이 "
            f"아닙니다. 그래디언트의 각 좌표를 그 좌표 자신의 최근 크기로 나누므로, η는 "
            f"가중치마다의 스텝 크기, 곧 가중치 단위로 잰 이동 거리가 됩니다.{where} 첫 번째 "
            f"업데이트는 가중치를 ({', '.join(f.first_moves)})만큼 옮겼고, 최적점은 출발점에서 "
            f"({', '.join(f.distance)})만큼 떨어져 있어 가장 먼 쪽이 η의 "
            f"{f.distance_in_steps}배입니다. 기본 경사 하강법의 한계(2/λ_max = {f.bound})는 "
            f"여기에 적용되지 않습니다."
        )
    text += " " + (momentum_sentences(f) if f.kind == "momentum" else gd_sentences(f))
    if f.loss == "l2":
        text += (
            f" 이 한계의 크기는 XᵀX = Σ xᵢxᵢᵀ, 즉 {f.n_rows}개 행을 모두 더한 값에서 "
            f"나옵니다. 비슷한 점이 두 배로 많아지면 XᵀX도 두 배가 되므로, 이렇게 합으로 "
            f"정의한 손실에서는 학습률도 절반으로 줄여야 합니다. 평균 손실(--loss mse)을 쓰면 "
            f"기본 경사 하강법의 한계는 {f.mse_bound}이고, N이 커져도 변하지 않습니다."
        )
    if f.minibatch:
        text += (
            f" 이 한계는 전체 배치 업데이트 기준입니다. 이번 실행의 그래디언트는 "
            f"{f.batch_size}개 행짜리 미니배치에서 나온, 전체 그래디언트의 잡음 섞인 "
            f"추정값이라서 손실이 업데이트마다 꼭 줄지는 않고 최적점 근처에서 계속 흔들릴 수 "
            f"있습니다."
        )
    if f.schedule is not None:
        text += (
            f" 학습률 스케줄({f.schedule})에 따라 η가 실행 중에 바뀝니다. 여기의 숫자는 시작 "
            f"값 기준입니다."
        )
    return text


def gd_sentences(f: Facts) -> str:
    """기본 경사 하강법: 업데이트마다 고유벡터 방향의 오차에 (1 − η·λ)가 곱해집니다."""
    where = (
        "이 한계와 같으므로"
        if f.at_bound
        else f"이 한계의 {fraction_words(f.fraction, f.ratio)}이므로"
    )
    if f.loss == "huber":
        verdict = "반드시 수렴합니다" if f.gd_stable else "수렴이 보장되지 않습니다"
        return (
            f"곡률이 이보다 크지 않으니 η < 2/λ_max = {f.bound}이면 기본 경사 하강법의 수렴이 "
            f"보장됩니다. 지금 쓰는 학습률(η = {f.lr})은 {where}, 이 학습률에서 기본 경사 "
            f"하강법은 {verdict}."
        )
    verdict = "수렴하지 않습니다" if f.at_bound else "수렴합니다" if f.gd_stable else "발산합니다"
    if f.gd_stable and not f.initial_finite:
        verdict = "손실이 유한한 출발점에서라면 수렴합니다"
    return (
        f"업데이트 한 번마다 각 고유벡터 방향의 오차에 (1 − η·λ)가 곱해지므로, 오차는 "
        f"η < 2/λ_max = {f.bound}일 때에만 줄어듭니다. 지금 쓰는 학습률(η = {f.lr})은 "
        f"{where}, 이 학습률에서 기본 경사 하강법은 {verdict}. {fastest(f)} η를 {f.bound}에 딱 "
        f"맞추면 가장 가파른 방향의 오차가 줄지도 늘지도 않고 영원히 앞뒤로 오가고(곱해지는 "
        f"값 −1), 그 두 배인 {f.twice_bound}에서는 그 방향의 오차가 업데이트마다 세 배가 되어 "
        f"손실이 발산합니다."
    )


def fastest(f: Facts) -> str:
    """'일정한 학습률 가운데 가장 빨리 수렴하게 하는 값은 … 입니다.'"""
    if f.best_is_bound:
        return (
            f"일정한 학습률 가운데 가장 빨리 수렴하게 하는 값({f.best_formula})은 한계 바로 "
            f"아래에 있습니다(조건수가 {f.condition}에 이르러 두 값이 10자리까지 같습니다)."
        )
    return (
        f"일정한 학습률 가운데 가장 빨리 수렴하게 하는 값은 {f.best_formula} = {f.best_lr}입니다."
    )


def momentum_sentences(f: Facts) -> str:
    """모멘텀: 유효 학습률 η/(1 − β)와 모멘텀 자신의 안정 한계."""
    formula = "2(1 + β)/((1 + 2β)·λ_max)" if f.nesterov else "2(1 + β)/λ_max"
    verdict = "수렴합니다" if f.momentum_stable else "발산합니다"
    change = "줄어듭니다" if f.momentum_stable else "커집니다"
    text = (
        f"모멘텀은 속도를 기억합니다. 그래디언트가 업데이트마다 별로 바뀌지 않는 곳에서는 "
        f"속도가 ∇L/(1 − β)까지 쌓이므로, 평평한 방향을 따라서는 유효 학습률 "
        f"η/(1 − β) = {f.effective_lr}(η의 {f.effective_factor}배)로 기본 경사 하강법을 하는 "
        f"것처럼 움직입니다. β = {f.beta}일 때 이 옵티마이저 자신의 안정 한계는 {formula} = "
        f"{f.momentum_bound}이며, 기본 경사 하강법의 한계(2/λ_max = {f.bound})와는 다릅니다. "
        f"지금 쓰는 학습률(η = {f.lr})은 이 한계의 {f.momentum_ratio}배이므로 이 학습률에서 "
        f"{verdict}. 충분히 지나고 나면 오차가 업데이트마다 약 {f.momentum_rate}배로 {change}."
    )
    if f.optimizer == "momentum":
        text += (
            f" (이 곡률에서 폴랴크가 제시한 가장 좋은 조합은 η = {f.momentum_best_lr}, "
            f"β = {f.momentum_best_beta}입니다.)"
        )
    return text


def steps_paragraph(f: Facts) -> str:
    """이번 실행이 한 일, 그리고 (계산할 수 있을 때) 고윳값이 내다보는 업데이트 횟수."""
    text = stop_sentence(f)
    if f.predicts:
        text += " " + prediction(f)
        if f.gd_stable and f.within_gap and f.reached_at == f.steps_to_gap:
            return text + " 이번 실행도 그때 들어왔습니다."
        return text + " " + closeness(f)
    text += " " + closeness(f)
    if f.kind == "gd":
        why = "후버 손실의 곡률은 가중치가 움직이면 바뀌기 때문입니다"
        if not f.initial_finite:
            why = "출발점의 손실이 이미 유한한 수가 아니기 때문입니다"
        if f.minibatch:
            why = "고윳값으로 하는 계산은 전체 배치 업데이트를 전제로 하기 때문입니다"
        if f.schedule is not None:
            why = "학습률 스케줄이 실행 중에 η를 바꾸기 때문입니다"
        if f.lasso:
            why = "L1 항이 있으면 손실이 이차식이 아니고, 고윳값은 이차식의 업데이트 수만 예측하기 "
            why += "때문입니다"
        return text + f" 이번 실행의 업데이트 횟수는 미리 계산하지 않습니다. {why}."
    if f.kind == "momentum":
        return text + (
            f" η를 {f.momentum_bound}보다 작게 잡으면 β = {f.beta}인 "
            f"{OPTIMIZER_NAMES[f.optimizer]}은 이 손실에서 안정적입니다."
        )
    return text + (
        " 적응형 옵티마이저의 업데이트 횟수는 곡률만으로 정해지지 않습니다. 스텝 크기가 "
        "지금까지의 그래디언트 기록에 따라 달라지기 때문입니다."
    )


def stop_sentence(f: Facts) -> str:
    """실행이 멈춘 까닭: 요청한 업데이트를 다 했는지, 허용 오차, 발산."""
    k, n = f.steps_run, f.steps_asked
    if f.stop_reason == "diverged" and k < n:
        why = "계속 커졌기" if f.final_finite else "부동소수점 범위를 넘어섰기"
        return (
            f"이번 실행은 요청한 {n}번 가운데 {k}번째 업데이트에서 멈췄습니다. 손실이 {why} "
            f"때문입니다(발산)."
        )
    if f.stop_reason == "diverged":
        return (
            f"이번 실행은 요청한 업데이트 {n}번을 모두 마쳤지만 끝까지 손실이 커지고 "
            f"있었습니다. 발산한 것입니다."
        )
    if f.stop_reason == "tol":
        rule = "‖∇L‖" if f.tol_kind == "grad" else "손실의 상대 변화"
        return (
            f"이번 실행은 요청한 {n}번 가운데 {k}번째 업데이트에서 허용 오차 조건({rule} ≤ "
            f"{f.tol})을 만족해 멈췄습니다."
        )
    if f.stop_reason == "stopped":
        return f"이번 실행은 요청한 {n}번 가운데 {k}번째 업데이트에서 중단되었습니다."
    return f"이번 실행은 요청한 업데이트 {k}번을 모두 마쳤습니다."


def near_words(f: Facts) -> str:
    """'최솟값의 0.1% 안(75.46 아래)'."""
    if f.gap_relative:
        return f"최솟값의 {f.gap_percent}% 안({f.gap_loss} 아래)"
    return f"처음 최솟값 위로 떨어져 있던 거리의 {f.gap_percent}% 안({f.gap_loss} 아래)"


def closeness(f: Facts) -> str:
    """손실이 최솟값에 얼마나 가까이 갔고, 어디서 끝났는지."""
    near = near_words(f)
    if f.within_gap and f.reached_at == 0:
        return f"손실은 처음부터 {near}에 있었습니다."
    if f.within_gap:
        return f"손실은 {f.reached_at}번째 업데이트에서 {near}에 들어왔습니다."
    if not f.final_finite:
        return "손실은 최솟값에서 한참 멀리 떨어진 채 끝났습니다."
    if f.end_times is not None:
        return f"손실은 {f.final_loss}에서 끝나, 최솟값의 {f.end_times}배입니다."
    left = (
        f"최솟값보다 {f.end_gap_percent}% 위에"
        if f.gap_relative
        else f"처음 초과분의 {f.end_gap_percent}%가 남은 채"
    )
    if f.reached_at is not None:
        return (
            f"손실은 {f.reached_at}번째 업데이트에서 {near}에 들어왔지만, 끝에서는 {left} 있습니다."
        )
    return f"손실은 {left} 끝나, 아직 {near}에 들지 못했습니다."


def prediction(f: Facts) -> str:
    """일정한 학습률의 기본 경사 하강법: 가장 느린 방향과 정확한 업데이트 횟수."""
    where = ", 표준화 좌표 기준" if f.standardized else ""
    if not f.gd_stable:
        tail = f" η를 {f.bound}보다 작게 잡으면 수렴합니다. {fastest(f)}"
        if f.at_bound:
            return (
                f"η = 2/λ_max에서는 λ_max = {f.lam_max} 방향의 오차가 줄지 않고 앞뒤로 "
                f"오가기만 하므로, 기본 경사 하강법은 최적점에 닿지 못합니다." + tail
            )
        return (
            f"이 학습률에서는 λ_max = {f.lam_max} 방향의 오차가 업데이트마다 "
            f"{f.contraction}배씩 커지므로, 기본 경사 하강법은 최적점에 결코 닿지 못합니다." + tail
        )
    if f.eigen_count == 1:
        text = (
            f"가중치가 하나뿐이라 방향도 하나이고, 업데이트마다 오차의 "
            f"1 − η·λ = {f.keep_slowest}배가 남습니다."
        )
    elif f.one_curvature:
        text = (
            f"손실을 바꾸는 모든 방향의 곡률이 같으므로(λ = {f.lam_max}), 어느 방향에서나 "
            f"업데이트마다 오차의 1 − η·λ = {f.keep_slowest}배가 남습니다."
        )
    elif f.flattest_is_slowest:
        text = (
            f"이 학습률에서 가장 느린 방향은 곡률이 가장 작은 방향, 곧 고유벡터 "
            f"{f.slow_direction}(주로 {f.slow_weight} 쪽{where})이며 {f.slow_label} = "
            f"{f.lam_slow}입니다. 이 방향에서는 업데이트마다 오차의 1 − η·{f.slow_label} = "
            f"{f.keep_slowest}배가 남습니다."
        )
    else:
        text = (
            f"이 학습률에서 가장 느린 방향은 오히려 가장 가파른 방향입니다. λ_max = "
            f"{f.lam_max} 방향에서는 업데이트마다 목표를 지나쳐 오차의 |1 − η·λ_max| = "
            f"{f.contraction}배가 남는데, 가장 평평한 방향에 남는 몫보다 큽니다."
        )
    near = near_words(f)
    if f.steps_to_gap is None:
        return text + f" 이 학습률의 기본 경사 하강법은 {near}에 끝내 들어오지 못합니다."
    if f.steps_to_gap == 0:
        return text + f" 손실은 처음부터 {near}에 있습니다."
    return text + (
        f" 그래서 이 학습률의 기본 경사 하강법은 {f.steps_to_gap}번째 업데이트에서 {near}에 "
        f"들어옵니다(고윳값으로 정확히 계산한 값)."
    )


def l1_paragraph(f: Facts) -> str:
    """‖w‖₁ 공의 모서리, 그리고 정확히 0이 되는 가중치."""
    zeros = (
        f"이번 최적점에서는 특성 가중치 {f.penalised}개 가운데 {len(f.zero_names)}개가 정확히 "
        f"0입니다: {', '.join(f.zero_names)}."
        if f.zero_names
        else f"여기서는 λ₁ = {f.l1}이 특성 가중치 {f.penalised}개 중 어느 것도 0으로 만들 만큼 "
        f"크지 않아서, 모두 0 쪽으로 줄어들기만 합니다."
    )
    return (
        "L1 항은 손실의 그릇 모양 위에 천막을 씌웁니다. λ₁·Σ|w_j|는 0에서 어느 방향으로든 "
        "직선으로 커지고, 각 축 w_j = 0을 따라 접힌 자국(모서리)이 있습니다. 이 항의 등고선은 "
        "꼭짓점이 축 위에 놓인 마름모(‖w‖₁ 공)라서, 그릇과 천막을 더한 손실의 가장 낮은 점은 "
        "흔히 이 접힌 자국이나 꼭짓점 위에 놓입니다. 그곳에서 가중치는 작은 값이 아니라 정확히 "
        "0인데, 천막의 기울기 λ₁이 데이터가 끄는 힘보다 크기 때문입니다(w_j = 0에서 "
        "|∂L/∂w_j| ≤ λ₁). 둥글고 모서리가 없는 릿지 항 ½·λ·‖w‖²는 가중치를 줄이기만 합니다. "
        "접힌 자국 위에서는 그래디언트가 정의되지 않으므로, 학습은 그 위에 정확히 내려앉는 "
        "근접 단계를 밟습니다. " + zeros
    )


def ones_paragraph(f: Facts) -> str:
    """절편 열: b가 하는 일, 그리고 중심이 0이 아닌 x가 b와 기울기를 얽는 방식."""
    if not f.intercept:
        return (
            "이 모델에는 1로 채운 열이 없습니다(--no-intercept). 절편 b가 없으니 모든 예측은 "
            "x = 0에서 ŷ = 0을 지나도록 묶여 있습니다."
        )
    text = "X의 각 행은 1로 시작하고, 이 1이 절편 b에 곱해져 모든 예측값을 똑같이 옮깁니다."
    slope = "a를" if f.weight_names == ("b", "a") else f"{f.first_feature}의 기울기를"
    if f.standardized:
        text += (
            " 이번 실행은 특성을 평균 0, 표준편차 1로 맞춘 뒤(--standardize) 학습했으므로 "
            "b와 기울기가 더 이상 서로 얽히지 않습니다."
        )
        if f.condition_after is None:
            return text
        return text + (
            f" 데이터의 조건수(κ = λ_max/λ_min)는 {f.condition_before}에서 "
            f"{f.condition_after}까지 {condition_verb(f, past=True)}"
        )
    if f.mean_x is not None and not f.mean_x_centred:
        text += (
            f" 그런데 {f.first_feature}의 평균은 0이 아니라 {f.mean_x}입니다. 그래서 {slope} "
            f"바꾸면 직선이 위아래로도 움직여 b도 함께 바뀌어야 합니다. 이 얽힘이 손실의 "
            f"골짜기를 길쭉하게 늘여, 조건수(κ = λ_max/λ_min)가 {f.condition}에 이릅니다."
        )
    elif f.mean_x is not None:
        text += (
            f" {f.first_feature}의 평균({f.mean_x})은 거의 0이라서 b와 기울기가 서로 거의 "
            f"얽히지 않습니다. 조건수(κ = λ_max/λ_min)는 {f.condition}입니다."
        )
    if f.condition_after is not None:
        text += (
            f" 특성을 평균 0, 표준편차 1로 맞추면(--standardize) 조건수가 "
            f"{f.condition_before}에서 {f.condition_after}까지 {condition_verb(f, past=False)}"
        )
    return text


def condition_verb(f: Facts, past: bool) -> str:
    """'내려갔고, 가장 좋은 학습률의 … 1번이면 됩니다.' 또는 '내려갑니다.' (후버 손실 등)."""
    down = f.condition_drops
    before, after = f.steps_best_before, f.steps_best_after
    if not f.quadratic or not f.initial_finite or before is None or after is None:
        if past:
            return "내려갔습니다." if down else "바뀌었습니다."
        return "내려갑니다." if down else "바뀝니다."
    verb = ("내려갔고" if down else "바뀌었고") if past else ("내려가고" if down else "바뀌고")
    return (
        f"{verb}, 가장 좋은 학습률의 기본 경사 하강법이 최솟값의 {f.gap_percent}% 안에 "
        f"들기까지 업데이트 {before}번이 아니라 {after}번이면 됩니다."
    )
