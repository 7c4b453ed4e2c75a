"""The explanation in English: the words around the run's numbers (see `facts`)."""

from __future__ import annotations

from gdlab.explain.facts import Facts, Fraction

FRACTION_WORDS = {
    (1, 2): "half",
    (1, 3): "a third",
    (2, 3): "two thirds",
    (1, 4): "a quarter",
    (3, 4): "three quarters",
    (1, 5): "a fifth",
}


def fraction_words(fraction: Fraction) -> str:
    """'about a third of', '0.45 of', '1.7 times'."""
    if fraction.simple:
        key = (fraction.numerator, fraction.denominator)
        words = FRACTION_WORDS.get(key, f"{fraction.numerator}/{fraction.denominator}")
        return f"about {words} of"
    if fraction.ratio < 1:
        return f"{fraction.ratio:.2g} of"
    return f"{fraction.ratio:.3g} times"


def count(steps: str | None) -> str:
    """'1 step', '43 steps' ('never' when there is no count)."""
    if steps is None:
        return "never"
    return f"{steps} step" if steps == "1" else f"{steps} steps"


def data_words(f: Facts) -> str:
    """'the seed data (50 points)' or 'points.csv (200 rows)'."""
    if f.source == "seed":
        return f"the seed data ({f.n_rows} points)"
    return f"{f.source} ({f.n_rows} rows)"


def loss_words(f: Facts) -> tuple[str, str, str]:
    """(formula of L, gradient formula, Hessian) for the run's loss."""
    if f.loss == "mse":
        return "L(w) = (1/N)·Σ(ŷ − y)²", "∇L = (2/N)·Xᵀ(Xw − y)", "(2/N)·XᵀX"
    return "L(w) = ½·Σ(ŷ − y)²", "∇L = Xᵀ(Xw − y)", "XᵀX"


def sections(f: Facts) -> list[tuple[str, str]]:
    """(title, paragraph) pairs of the explanation."""
    loss, gradient, hessian = loss_words(f)
    if f.ridge:
        hessian += " + λI (the ridge term)"
        gradient += " + λw"
    names = ", ".join(f.weight_names)
    optimum = ", ".join(f"{n} = {v}" for n, v in zip(f.weight_names, f.optimum, strict=True))
    out = [
        (
            "What the loss measures",
            f"The loss {loss} adds up the squared gaps between the predictions ŷ and the "
            f"{f.n_rows} targets y: one number that says how wrong the weights are, so that "
            f"'better' simply means 'smaller'. It starts at {f.initial_loss}, is "
            f"{f.final_loss} after {f.steps_run} steps, and can go no lower than "
            f"{f.optimum_loss}, its value at the least-squares optimum ({optimum}).",
        )
    ]
    steps = "\n".join(
        f"    {name}: {w0} − {f.lr} × ({g}) = {w1}"
        for name, w0, g, w1 in zip(f.weight_names, f.start, f.gradient, f.after_first, strict=True)
    )
    first = (
        f"The gradient {gradient} points uphill; at the start ({names}) = "
        f"({', '.join(f.start)}) it is ({', '.join(f.gradient)}). "
    )
    if f.is_gd:
        first += f"Gradient descent steps the other way, w₁ = w₀ − η·∇L with η = {f.lr}:\n"
        first += steps + f"\nand the loss falls from {f.initial_loss} to {f.first_loss}."
    elif f.standardized:
        first += (
            f"This run takes its steps w₁ = w₀ − η·∇L on the standardised features, where "
            f"the curvature is even; back in the data's units the first step moved the weights "
            f"to ({', '.join(f.after_first)}), where the loss is {f.first_loss}."
        )
    else:
        first += (
            f"Plain gradient descent would step to w₀ − η·∇L; {f.optimizer} reshapes that "
            f"step and moved the weights to ({', '.join(f.after_first)}), where the loss is "
            f"{f.first_loss}."
        )
    out.append(("One gradient step, with numbers (step 1)", first))
    verdict = (
        "so this run converges"
        if f.converges
        else "so plain gradient descent at this rate diverges"
    )
    rate = (
        f"A learning rate only means something against the curvature of the loss. Its "
        f"Hessian {hessian} has eigenvalues from λ_min = {f.lam_min} to λ_max = {f.lam_max}, "
        f"and each step multiplies the error along an eigenvector by (1 − η·λ). That keeps "
        f"shrinking only while η < 2/λ_max = {f.bound}. Here η = {f.lr} is "
        f"{fraction_words(f.fraction)} that bound, {verdict}; the fastest constant rate is "
        f"2/(λ_min + λ_max) = {f.best_lr}. At η = {f.bound} the steepest direction would "
        f"swing back and forth forever (factor −1); at twice it, {f.twice_bound}, the error "
        f"there would triple every step and the loss would explode."
    )
    if f.loss == "l2":
        rate += (
            f" The scale comes from XᵀX = Σ xᵢxᵢᵀ, a sum over the {f.n_rows} rows: with twice "
            f"as many similar points it doubles, so with this summed loss the rate would have "
            f"to halve. With the mean loss (--loss mse) the bound reads {f.mse_bound} and no "
            f"longer shrinks as N grows."
        )
    out.append((f"What the learning rate {f.lr} means", rate))
    if f.converges and f.steps_to_gap is not None:
        speed = (
            f"The slowest direction is usually the flattest one: the eigenvector "
            f"{f.slow_direction} (mostly {f.slow_weight}) with λ_min = {f.lam_min}. Each step "
            f"keeps 1 − {f.lr} × "
            f"{f.lam_min} = {f.keep_slowest} of the error there."
        )
        if f.steepest_limits:
            speed += (
                f" At this rate, though, the steepest direction (λ_max = {f.lam_max}) "
                f"overshoots and keeps |1 − η·λ_max| = {f.growth_at_lr} of its error, so it "
                f"is the one that sets the pace."
            )
        speed += (
            f" So the loss gets within {f.gap_percent}% of its minimum (below {f.gap_loss}) "
            f"after {count(f.steps_to_gap)}; this run made {count(f.steps_run)}."
        )
    else:
        speed = (
            f"At this rate the error along λ_max = {f.lam_max} grows by a factor "
            f"{f.growth_at_lr} per step, so plain gradient descent never reaches the optimum. "
            f"Any η below {f.bound} converges; {f.best_lr} is the fastest."
        )
    out.append(("How many steps, and why", speed))
    out.append(("What the column of ones does", ones_paragraph(f)))
    return out


def ones_paragraph(f: Facts) -> str:
    """The bias column: what b does and how an uncentred x couples it to the slopes."""
    if not f.intercept:
        return (
            "This model has no column of ones (--no-intercept): there is no b, so every "
            "prediction is forced through ŷ = 0 at x = 0."
        )
    text = (
        "Each row of X starts with a 1, and that 1 multiplies b: b moves every prediction "
        "up or down by the same amount without tilting the fit."
    )
    if f.standardized:
        return text + (
            f" This run centred and scaled the features (--standardize), so b no longer pulls "
            f"on the slopes: κ = λ_max/λ_min fell from {f.condition_before} to {f.condition}, "
            f"and at the best rate the optimum takes {count(f.steps_best_after)} instead of "
            f"{f.steps_best_before}."
        )
    if f.mean_x is not None:
        text += (
            f" Because {f.first_feature} is not centred (its mean is {f.mean_x}), b and the "
            f"slope pull on each other; that coupling is what makes the condition number "
            f"κ = λ_max/λ_min = {f.condition}."
        )
    if f.condition_after is not None:
        text += (
            f" Centring and scaling the features (--standardize) would make κ = "
            f"{f.condition_after} and reach the optimum at the best rate in "
            f"{count(f.steps_best_after)} instead of {f.steps_best_before}."
        )
    return text


def header(f: Facts) -> str:
    """The first line: which run this is."""
    return (
        f"gdlab explain: {data_words(f)}, lr {f.lr}, {f.steps_run} steps of {f.optimizer}, "
        f"loss {f.loss}"
    )
