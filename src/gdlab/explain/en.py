"""The explanation in English: the words around the run's numbers.

`facts` decides every claim (fell or rose, converged or diverged, which bound applies);
this module only says it. Steps are "updates" in the prose and "steps" where they name the
`--steps` option.
"""

from __future__ import annotations

from gdlab.explain.facts import Facts
from gdlab.explain.notation import formulas, written_steps
from gdlab.explain.numbers import Fraction

FRACTION_WORDS = {
    (1, 2): "half",
    (1, 3): "a third",
    (2, 3): "two thirds",
    (1, 4): "a quarter",
    (3, 4): "three quarters",
    (1, 5): "a fifth",
}
OPTIMIZER_NAMES = {
    "gd": "gradient descent",
    "momentum": "heavy-ball momentum",
    "nesterov": "Nesterov momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "fista": "FISTA",
}
STOP_WORDS = {"diverged": "diverged", "tol": "tolerance met", "stopped": "stopped"}


def fraction_words(fraction: Fraction, ratio: str) -> str:
    """'about a third of', '0.45 of', '1.08 times'."""
    if fraction.simple:
        key = (fraction.numerator, fraction.denominator)
        words = FRACTION_WORDS.get(key, f"{fraction.numerator}/{fraction.denominator}")
        return f"about {words} of"
    return f"{ratio} of" if fraction.ratio < 1 else f"{ratio} times"


def count(steps: int | None) -> str:
    """'1 update', '43 updates'."""
    return f"{steps} update" if steps == 1 else f"{steps} updates"


def trend_words(trend: str, before: str, after: str) -> str:
    """'falls from 302 to 149.7', 'rises from …', 'stays at …'."""
    if trend == "same":
        return f"stays at {after}"
    verb = "falls" if trend == "fell" else "rises"
    return f"{verb} from {before} to {after}"


def data_words(f: Facts) -> str:
    """'the seed data (50 points)' or 'points.csv (200 rows)'."""
    if f.source == "seed":
        return f"the seed data ({f.n_rows} points)"
    return f"{f.source} ({f.n_rows} rows)"


def header(f: Facts) -> str:
    """The first line: which run this is, and how many of its steps ran."""
    steps = f"{f.steps_run} steps"
    if f.steps_run != f.steps_asked or f.stop_reason != "steps":
        reason = STOP_WORDS.get(f.stop_reason, f.stop_reason)
        steps = f"{f.steps_run} of {f.steps_asked} steps ({reason})"
    extras = "".join(
        [
            ", standardised" if f.standardized else "",
            f", batches of {f.batch_size}" if f.minibatch else "",
        ]
    )
    return (
        f"gdlab explain: {data_words(f)}, lr {f.lr}, {f.optimizer}, {steps}, loss {f.loss}{extras}"
    )


def sections(f: Facts) -> list[tuple[str, str]]:
    """(title, paragraph) pairs of the explanation."""
    return [
        ("What the loss measures", loss_paragraph(f)),
        ("Gradient descent, one update with numbers (step 1)", step_paragraph(f)),
        (f"What the learning rate {f.lr} means", rate_paragraph(f)),
        ("How many steps, and why", steps_paragraph(f)),
        ("What the column of ones does", ones_paragraph(f)),
        *([("What the L1 penalty does to the landscape", l1_paragraph(f))] if f.lasso else []),
    ]


def loss_paragraph(f: Facts) -> str:
    """What L measures, the seed's reduce_mean(l2_loss(e)), and where this run's loss went."""
    loss, _, _ = formulas(f)
    if f.loss == "huber":
        text = (
            f"The loss {loss} is Huber's: ρ(e) = ½e² for |e| ≤ δ = {f.huber_delta} and "
            f"δ·(|e| − ½δ) beyond, so it adds up the gaps between the predictions ŷ and the "
            f"{f.n_rows} targets y, squared when small and only linearly when large, and "
            f"outliers pull less."
        )
    else:
        how = "averages" if f.loss == "mse" else "adds up"
        text = (
            f"The loss {loss} {how} the squared gaps between the predictions ŷ and the "
            f"{f.n_rows} targets y: one number that says how wrong the weights are, so that "
            f"'better' simply means 'smaller'."
        )
    if f.ridge:
        text += f" The ridge term ½·λ·‖w‖² with λ = {f.l2} is added"
        text += " (b is not penalised)." if f.intercept else "."
    if f.lasso:
        text += f" The L1 term λ₁·‖w‖₁ = λ₁·Σ|w_j| with λ₁ = {f.l1} is added"
        text += " (b is not penalised)." if f.intercept else "."
    if f.loss == "l2":
        text += (
            " The seed's reduce_mean(l2_loss(e)), e = ŷ − y, is exactly ½·Σe²: l2_loss(e) "
            "already returns that one number, and reduce_mean averages over the dimensions "
            "of its input ('reduce' collapses dimensions, as in reduce_sum; it does not mean "
            "'make smaller'). One number has none, so the mean changes nothing: the loss is a "
            "sum, and it grows with the number of rows."
        )
    else:
        text += (
            " (The seed's reduce_mean(l2_loss(e)) is ½·Σe², --loss l2: l2_loss already "
            "returns one number, so the mean of it changes nothing.)"
        )
    if not f.initial_finite:
        text += (
            " At the start it is already past the largest float (∞): the starting weights "
            "are too large."
        )
    elif f.final_finite:
        text += (
            f" It {trend_words(f.loss_trend, f.initial_loss, f.final_loss)} over the "
            f"{count(f.steps_run)} of this run."
        )
    else:
        text += (
            f" It starts at {f.initial_loss} and grows until it overflows (∞) within the "
            f"{count(f.steps_run)} of this run."
        )
    kind = {"huber": "Huber", "l2": "least-squares", "mse": "least-squares"}[f.loss]
    kind = "ridge" if f.ridge else kind
    kind = ("elastic-net" if f.ridge else "lasso") if f.lasso else kind
    optimum = ", ".join(f"{n} = {v}" for n, v in zip(f.weight_names, f.optimum, strict=True))
    floor = ", the lowest it can go" if f.optimum_is_floor else ""
    return text + f" At the {kind} optimum ({optimum}) it is {f.optimum_loss}{floor}."


def step_paragraph(f: Facts) -> str:
    """The one-sentence definition, then update 1 with the run's numbers."""
    _, gradient, _ = formulas(f)
    text = (
        "Gradient descent makes the loss smaller by stepping, again and again, against its "
        "gradient ∇L, the direction in which it rises fastest: w ← w − η·∇L(w), with the "
        f"learning rate η. Here {gradient}; at the start {f.start_point} it is "
        f"{f.gradient_value}"
    )
    if f.minibatch:
        text += (
            f", computed from a batch of {f.batch_size} of the {f.n_rows} rows (scaled by "
            f"N/{f.batch_size}, an estimate of the full gradient)"
        )
    text += ". "
    outcome = f"and the loss {trend_words(f.first_trend, f.initial_loss, f.first_loss)}."
    name = OPTIMIZER_NAMES[f.optimizer]
    if f.lasso and f.kind == "gd":
        how = "ISTA" if f.optimizer == "gd" else name
        return text + (
            f"With the L1 penalty each update is a proximal step ({how}): "
            f"first w − η·∇L, the gradient of the smooth part only, with η = {f.lr}; then "
            f"every feature weight moves towards 0 by η·λ₁ = {f.threshold}, and one that "
            f"would cross 0 stops at exactly 0 (the soft threshold). The first update moved "
            f"the weights to ({', '.join(f.after_first)}), {outcome}"
        )
    if f.step_written and f.kind == "gd":
        return (
            text
            + f"The first update steps the other way, with η = {f.lr}:\n"
            + (written_steps(f) + "\n" + outcome)
        )
    if f.step_written and f.nesterov:
        return text + (
            f"{name} looks ahead along its velocity, so its first update is "
            f"w₁ = w₀ − η·(1 + β)·∇L with η = {f.lr}, β = {f.beta}:\n"
            f"{written_steps(f, f' × (1 + {f.beta})')}\n{outcome} Later updates keep β "
            f"times the velocity of the ones before."
        )
    if f.step_written:
        return text + (
            f"Its velocity starts at zero, so {name}'s first update is plain gradient "
            f"descent's, with η = {f.lr}:\n{written_steps(f)}\n{outcome} From the second on, "
            f"each update also repeats β = {f.beta} times the last one: "
            f"w_(k+1) = w_k − η·∇L(w_k) + β·(w_k − w_(k−1))."
        )
    if f.kind == "adaptive":
        text += adaptive_rule(f)
        if not f.standardized:
            return text + (
                f" Its first update subtracts η times ({', '.join(f.first_update)}):\n"
                f"{written_steps(f, vector=f.first_update)}\n{outcome}"
            )
        return text + (
            f" In the standardised coordinates it trains in, its first update moved the "
            f"weights by ({', '.join(f.first_moves)}); in the data's units they went to "
            f"({', '.join(f.after_first)}), {outcome}"
        )
    return text + (
        f"This run takes its {name} updates on the standardised features; back in the "
        f"data's units the first one moved the weights to ({', '.join(f.after_first)}), "
        f"{outcome}"
    )


def adaptive_rule(f: Facts) -> str:
    """How an adaptive optimizer rescales the gradient, per weight."""
    if f.optimizer == "adagrad":
        return (
            "AdaGrad divides each coordinate of the gradient by the root of the sum of its "
            "squares so far, so its first update moves every weight by about η and later "
            "ones by less."
        )
    if f.optimizer == "rmsprop":
        return (
            f"RMSProp divides each coordinate of the gradient by the root of a running "
            f"average of its squares (ρ = {f.rms_decay}), so its first update moves every "
            f"weight by about η/√(1 − ρ) = {f.rms_first_factor}·η."
        )
    return (
        "Adam divides a running average of each coordinate of the gradient by the root of a "
        "running average of its squares (both bias-corrected), so its first update moves "
        "every weight by about η, whatever the size of the gradient."
    )


def curvature_sentence(f: Facts) -> str:
    """The Hessian and its eigenvalues, in the coordinates training ran in."""
    _, _, hessian = formulas(f)
    where = " of the standardised features" if f.standardized else ""
    if f.loss == "huber":
        text = (
            f"Huber's Hessian {hessian}{where} (D is 1 for rows with |e| ≤ δ, 0 beyond) "
            f"changes as the weights move but never exceeds its value with D = 1"
        )
    else:
        text = (
            f"A learning rate means something only against the curvature of the loss, its "
            f"Hessian {hessian}{where}"
        )
    if f.eigen_count == 1:
        return text + f", here one number, λ_max = {f.lam_max}."
    text += f", whose eigenvalues run from λ_min = {f.lam_min} to λ_max = {f.lam_max}."
    if f.flat_count:
        text += (
            f" {f.flat_count} of its directions have no curvature (λ ≈ 0: collinear columns); "
            f"the loss does not change along them, so they play no part in convergence."
        )
    return text


def rate_paragraph(f: Facts) -> str:
    """What η means for this optimizer: against GD's bound, momentum's, or per weight."""
    text = curvature_sentence(f)
    if f.kind == "adaptive":
        where = "the standardised weights'" if f.standardized else "the weights'"
        return text + (
            f" For {OPTIMIZER_NAMES[f.optimizer]}, though, η is not measured against the "
            f"curvature: dividing each coordinate of the gradient by its own running size "
            f"makes η a step length per weight, in {where} own units. Its first update "
            f"moved the weights by ({', '.join(f.first_moves)}); the optimum lies "
            f"({', '.join(f.distance)}) from the start, {f.distance_in_steps} times η at the "
            f"farthest. Plain gradient descent's bound 2/λ_max = {f.bound} does not apply."
        )
    if f.kind == "momentum":
        text += " " + momentum_sentences(f)
    else:
        text += " " + gd_sentences(f)
    if f.loss == "l2":
        text += (
            f" The scale comes from XᵀX = Σ xᵢxᵢᵀ, a sum over the {f.n_rows} rows: with twice "
            f"as many similar points it doubles, so with this summed loss the rate would have "
            f"to halve. With the mean loss (--loss mse) plain gradient descent's bound reads "
            f"{f.mse_bound} and stays put as N grows."
        )
    if f.minibatch:
        text += (
            f" The bound is for full-batch updates; this run's gradients come from batches "
            f"of {f.batch_size} rows, noisy estimates of the full one, so its loss need not "
            f"fall at every update and may keep jittering near the optimum."
        )
    if f.schedule is not None:
        text += (
            f" The schedule {f.schedule} changes η as the run goes; these numbers are for "
            f"its starting value."
        )
    return text


def gd_sentences(f: Facts) -> str:
    """Plain GD: each update multiplies the error along eigenvector i by (1 − η·λ_i)."""
    where = (
        "equals that bound"
        if f.at_bound
        else f"is {fraction_words(f.fraction, f.ratio)} that bound"
    )
    if f.loss == "huber":
        verdict = "is sure to converge" if f.gd_stable else "is not sure to converge"
        return (
            f"With curvature no larger than that, plain gradient descent is sure to converge "
            f"while η < 2/λ_max = {f.bound}. Here η = {f.lr} {where}, so plain gradient "
            f"descent {verdict} at this rate."
        )
    verdict = "does not converge" if f.at_bound else "converges" if f.gd_stable else "diverges"
    if f.gd_stable and not f.initial_finite:
        verdict = "would converge from a start whose loss is finite"
    return (
        f"Each update multiplies the error along an eigenvector by (1 − η·λ), which shrinks "
        f"it only while η < 2/λ_max = {f.bound}. Here η = {f.lr} {where}, so plain gradient "
        f"descent {verdict} at this rate; {fastest(f)}. At η = {f.bound} the steepest "
        f"direction would swing back and forth forever (factor −1); at twice it, "
        f"{f.twice_bound}, the error there would triple at every update and the loss would "
        f"diverge."
    )


def fastest(f: Facts) -> str:
    """'the fastest constant rate is 2/(λ_min + λ_max) = 0.00538' (or: just below the bound)."""
    if f.best_is_bound:
        return (
            f"the fastest constant rate, {f.best_formula}, lies just below the bound (κ = "
            f"{f.condition} makes the two agree to 10 digits)"
        )
    return f"the fastest constant rate is {f.best_formula} = {f.best_lr}"


def momentum_sentences(f: Facts) -> str:
    """Momentum: the effective rate η/(1 − β) and its own stable bound."""
    formula = "2(1 + β)/((1 + 2β)·λ_max)" if f.nesterov else "2(1 + β)/λ_max"
    verdict = "converges" if f.momentum_stable else "diverges"
    change = "shrinks" if f.momentum_stable else "grows"
    text = (
        f"Momentum keeps a velocity: where the gradient changes little from update to update "
        f"it builds up to ∇L/(1 − β), so along the flat directions {OPTIMIZER_NAMES[f.optimizer]} "
        f"moves like plain gradient descent at the effective rate η/(1 − β) = {f.effective_lr}, "
        f"{f.effective_factor} times η. Its own stable bound with β = {f.beta} is "
        f"{formula} = {f.momentum_bound}, not plain gradient descent's 2/λ_max = {f.bound}. "
        f"Here η = {f.lr} is {f.momentum_ratio} {'times' if f.momentum_above else 'of'} that "
        f"bound, so it {verdict} at "
        f"this rate: in the long run the error {change} by about a factor {f.momentum_rate} "
        f"per update."
    )
    if f.optimizer == "momentum":
        text += (
            f" (Polyak's best pair for this curvature is η = {f.momentum_best_lr}, "
            f"β = {f.momentum_best_beta}.)"
        )
    return text


def steps_paragraph(f: Facts) -> str:
    """What this run did, and what the eigenvalues predict (where they can)."""
    text = stop_sentence(f)
    if f.predicts:
        text += " " + prediction(f)
        if f.gd_stable and f.within_gap and f.reached_at == f.steps_to_gap:
            return text + " This run got there at that update."
        return text + " " + closeness(f)
    text += " " + closeness(f)
    if f.kind == "gd":
        why = "Huber's curvature changes as the weights move"
        if not f.initial_finite:
            why = "its loss is not a number at the start"
        if f.minibatch:
            why = "the eigenvalues count full-batch updates"
        if f.schedule is not None:
            why = "the schedule changes η as the run goes"
        if f.lasso:
            why = "with the L1 term the loss is not a quadratic, and the eigenvalues predict "
            why += "only a quadratic's steps"
        return text + f" No step count is predicted for this run: {why}."
    if f.kind == "momentum":
        return text + (
            f" Any η below {f.momentum_bound} keeps {OPTIMIZER_NAMES[f.optimizer]} with "
            f"β = {f.beta} stable on this loss."
        )
    return text + (
        " An adaptive optimizer's step count does not follow from the curvature: its steps "
        "depend on the history of the gradients."
    )


def stop_sentence(f: Facts) -> str:
    """Why the run stopped: its steps ran out, the tolerance was met, it diverged."""
    k, n = f.steps_run, f.steps_asked
    if f.stop_reason == "diverged" and k < n:
        how = "kept growing" if f.final_finite else "overflowed"
        return (
            f"This run stopped after {k} of the {n} updates asked for because its loss "
            f"{how}: it diverged."
        )
    if f.stop_reason == "diverged":
        return (
            f"This run made all {count(n)} asked for, its loss still climbing at the end: "
            f"it diverged."
        )
    if f.stop_reason == "tol":
        rule = "‖∇L‖ ≤ " if f.tol_kind == "grad" else "the loss changed by at most a fraction "
        return f"This run stopped after {k} of the {n} updates asked for, once {rule}{f.tol}."
    if f.stop_reason == "stopped":
        return f"This run was stopped after {k} of the {n} updates asked for."
    return f"This run made all {count(k)} asked for." if k != 1 else "This run made its 1 update."


def near_words(f: Facts) -> str:
    """'within 0.1% of its minimum (below 75.46)'."""
    if f.gap_relative:
        return f"within {f.gap_percent}% of its minimum (below {f.gap_loss})"
    return (
        f"within {f.gap_percent}% of its starting distance above its minimum (below {f.gap_loss})"
    )


def closeness(f: Facts) -> str:
    """How close to its minimum the run's loss came, and where it ended."""
    near = near_words(f)
    if f.within_gap and f.reached_at == 0:
        return f"Its loss was {near} from the start."
    if f.within_gap:
        return f"Its loss got {near} at update {f.reached_at}."
    if not f.final_finite:
        return "Its loss ends far from its minimum."
    if f.end_times is not None:
        return f"Its loss ends at {f.final_loss}, {f.end_times} times its minimum."
    above = "above its minimum" if f.gap_relative else "of its starting excess left"
    if f.reached_at is not None:
        return (
            f"Its loss came {near} at update {f.reached_at} but ends {f.end_gap_percent}% {above}."
        )
    return f"Its loss ends {f.end_gap_percent}% {above}, not yet {near}."


def prediction(f: Facts) -> str:
    """Plain GD at a constant rate: the slowest direction and the exact step count."""
    where = ", in the standardised coordinates" if f.standardized else ""
    if not f.gd_stable:
        if f.at_bound:
            return (
                f"At η = 2/λ_max the error along λ_max = {f.lam_max} swings back and forth "
                f"without shrinking, so plain gradient descent never reaches the optimum. Any "
                f"η below {f.bound} converges; {fastest(f)}."
            )
        return (
            f"At this rate the error along λ_max = {f.lam_max} grows by a factor "
            f"{f.contraction} per update, so plain gradient descent never reaches the "
            f"optimum. Any η below {f.bound} converges; {fastest(f)}."
        )
    if f.eigen_count == 1:
        text = (
            f"With one weight there is one direction, and each update keeps "
            f"1 − η·λ = {f.keep_slowest} of the error."
        )
    elif f.one_curvature:
        text = (
            f"Every direction that changes the loss has the same curvature, λ = {f.lam_max}, "
            f"so each update keeps 1 − η·λ = {f.keep_slowest} of the error in all of them."
        )
    elif f.flattest_is_slowest:
        text = (
            f"At this rate the slowest direction is the flattest one: the eigenvector "
            f"{f.slow_direction} (mostly {f.slow_weight}{where}) with {f.slow_label} = "
            f"{f.lam_slow}, where each update keeps 1 − η·{f.slow_label} = {f.keep_slowest} "
            f"of the error."
        )
    else:
        text = (
            f"At this rate the slowest direction is the steepest one: along λ_max = "
            f"{f.lam_max} each update overshoots and keeps |1 − η·λ_max| = {f.contraction} "
            f"of the error, more than the flattest direction keeps."
        )
    near = near_words(f)
    if f.steps_to_gap is None:
        return text + f" At this rate plain gradient descent never gets {near}."
    if f.steps_to_gap == 0:
        return text + f" The loss starts {near}."
    return text + (
        f" So plain gradient descent at this rate gets {near} after "
        f"{count(f.steps_to_gap)}, as the eigenvalues predict exactly."
    )


def l1_paragraph(f: Facts) -> str:
    """The corners of the ‖w‖₁ ball, and the weights that become exactly zero."""
    zeros = (
        f"Here {len(f.zero_names)} of the {f.penalised} feature weights are exactly 0 at the "
        f"optimum: {', '.join(f.zero_names)}."
        if f.zero_names
        else f"Here λ₁ = {f.l1} is not large enough to set any of the {f.penalised} feature "
        f"weights to 0: each one only moves towards 0."
    )
    return (
        "The L1 term adds a tent to the loss's bowl: λ₁·Σ|w_j| grows linearly away from "
        "0 in every direction, with a crease along each axis w_j = 0. Its level sets are "
        "diamonds (the ‖w‖₁ ball), whose corners sit on the axes, so the lowest point of "
        "bowl plus tent often lies on a crease or corner: there the weight is exactly 0, "
        "not just small, because the tent's slope λ₁ outweighs the pull of the data "
        "(|∂L/∂w_j| ≤ λ₁ at w_j = 0). The ridge term ½·λ·‖w‖², round with no corners, only "
        "shrinks weights. The gradient is not defined on the creases, so training takes "
        "proximal steps, which land on them exactly. " + zeros
    )


def ones_paragraph(f: Facts) -> str:
    """The bias column: what b does and how an uncentred x couples it to the slopes."""
    if not f.intercept:
        return (
            "This model has no column of ones (--no-intercept): there is no b, so every "
            "prediction is forced through ŷ = 0 at x = 0."
        )
    text = "Each row of X starts with a 1, which multiplies b: b shifts every prediction alike."
    slope = "the slope a" if f.weight_names == ("b", "a") else f"the slope of {f.first_feature}"
    if f.standardized:
        text += (
            f" This run centred and scaled the features (--standardize), so b no longer pulls "
            f"on the slopes: κ = λ_max/λ_min of the data's XᵀX is {f.condition_after} instead "
            f"of {f.condition_before}"
        )
        return text + best_rate_steps(f, "gets") + "."
    if f.mean_x is not None and not f.mean_x_centred:
        text += (
            f" Because {f.first_feature} is not centred (its mean is {f.mean_x}), changing "
            f"{slope} also moves the line up and down where the data are, so b must change "
            f"with it: that coupling stretches the valley of the loss, to a condition number "
            f"κ = λ_max/λ_min of {f.condition}."
        )
    elif f.mean_x is not None:
        text += (
            f" {f.first_feature} is nearly centred (its mean is {f.mean_x}), so b and the "
            f"slope hardly pull on each other; κ = λ_max/λ_min is {f.condition}."
        )
    if f.condition_after is not None:
        text += (
            f" Centring and scaling the features (--standardize) would take κ from "
            f"{f.condition_before} to {f.condition_after}{best_rate_steps(f, 'would get')}."
        )
    return text


def best_rate_steps(f: Facts, verb: str) -> str:
    """', and plain gradient descent at its best rate {verb} within 0.1% of the minimum in
    1 update instead of 18'."""
    before, after = f.steps_best_before, f.steps_best_after
    if not f.quadratic or not f.initial_finite or before is None or after is None:
        return ""
    return (
        f", and plain gradient descent at its best rate {verb} within "
        f"{f.gap_percent}% of the minimum in {count(after)} instead of {before}"
    )
