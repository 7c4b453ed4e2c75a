"""The notation both languages share: the loss, its gradient and Hessian as formulas, and
the first update written out weight by weight."""

from __future__ import annotations

from gdlab.explain.facts import Facts


def formulas(f: Facts) -> tuple[str, str, str]:
    """(L(w), ∇L, Hessian) for the run's loss, with the ridge term when there is one.

    >>> from types import SimpleNamespace as Run
    >>> formulas(Run(loss="l2", ridge=True, intercept=True, weight_names=("b", "a")))[1:]
    ('∇L = Xᵀ(Xw − y) + λ·(0, a)', 'XᵀX + λ·diag(0, 1)')
    """
    if f.loss == "mse":
        loss, gradient, hessian = "(1/N)·Σ(ŷ − y)²", "(2/N)·Xᵀ(Xw − y)", "(2/N)·XᵀX"
    elif f.loss == "huber":
        loss, gradient, hessian = "Σρ(ŷ − y)", "Xᵀρ′(Xw − y)", "XᵀDX"
    else:
        loss, gradient, hessian = "½·Σ(ŷ − y)²", "Xᵀ(Xw − y)", "XᵀX"
    if f.ridge and f.intercept:  # the bias b is not penalised
        ones = ", ".join(["1"] * (len(f.weight_names) - 1))
        loss += " + ½·λ·‖w‖²"
        gradient += f" + λ·(0, {', '.join(f.weight_names[1:])})"
        hessian += f" + λ·diag(0, {ones})"
    elif f.ridge:
        loss += " + ½·λ·‖w‖²"
        gradient += " + λw"
        hessian += " + λI"
    return f"L(w) = {loss}", f"∇L = {gradient}", hessian


def written_steps(f: Facts, factor: str = "", vector: tuple[str, ...] | None = None) -> str:
    """The update written out per weight: 'b: w₀ − η × (g) = w₁'."""
    values = f.gradient if vector is None else vector
    return "\n".join(
        f"    {name}: {w0} − {f.lr}{factor} × ({g}) = {w1}"
        for name, w0, g, w1 in zip(f.weight_names, f.start, values, f.after_first, strict=True)
    )
