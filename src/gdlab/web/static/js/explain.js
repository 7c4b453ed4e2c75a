// Short explanations beside the controls and of the run, worked out from the analysis:
// the Hessian's eigenvalues λ give the stable bound 2/λmax and the best rate 2/(λmin+λmax).

import { esc, fmt, percent } from "./format.js";
import { stepsToReach } from "./quadratic.js";

const OPTIMIZER_TEXT = {
  gd: "Plain gradient descent, as in the seed program: w ← w − lr·∇L(w).",
  momentum: "Momentum: a velocity v ← μ·v + ∇L carries past steps along, w ← w − lr·v; it speeds up long narrow valleys.",
  nesterov: "Nesterov momentum: like momentum, but looks ahead along the velocity before taking the gradient.",
  adagrad: "AdaGrad: each weight's step is divided by the root of its summed squared gradients, so steep directions slow down.",
  rmsprop: "RMSProp: each weight's step is divided by a running average of its squared gradients.",
  adam: "Adam: momentum on the gradient and RMSProp-style scaling, with bias correction for the first steps.",
};

export function eigen(setup) {
  const values = setup.analysis.hessian_eigenvalues;
  return { min: values[0], max: values[values.length - 1] };
}

// calm: no direction overshoots; zig: the steepest one overshoots but shrinks; boom: it grows.
export function regime(setup, lr) {
  const bound = setup.analysis.lr_max_stable;
  if (lr >= bound) return "boom";
  return lr > bound / 2 ? "zig" : "calm";
}

export function lrHint(setup, lr, optimizer) {
  const { min, max } = eigen(setup);
  const bound = setup.analysis.lr_max_stable;
  const kind = regime(setup, lr);
  const steep = 1 - lr * max;
  if (optimizer !== "gd") {
    return `lr is <b>${fmt(lr / bound, 3)}×</b> plain GD's stable bound 2/λ<sub>max</sub>. The colours and marks are for plain GD; ${esc(optimizer)} reshapes each step, so its own safe range differs: watch the path.`;
  }
  let text = `lr is <b>${fmt(lr / bound, 3)}×</b> the stable bound 2/λ<sub>max</sub>. `;
  if (kind === "boom") {
    text += `<span class="boom">Past it, each step multiplies the error along the steepest direction by |1 − lr·λ<sub>max</sub>| = ${fmt(Math.abs(steep), 3)} &gt; 1: the descent zig-zags ever wider and blows up.</span>`;
  } else if (kind === "zig") {
    text += `<span class="zig">Above half of it the steepest direction overshoots (factor 1 − lr·λ<sub>max</sub> = ${fmt(steep, 3)} &lt; 0): the path zig-zags across the valley, yet shrinks.</span>`;
  } else {
    text += `<span class="calm">Every direction shrinks without overshooting: ×${fmt(1 - lr * min, 4)} a step along the flattest, ×${fmt(steep, 3)} along the steepest.</span>`;
  }
  return text;
}

export function optimizerHint(optimizer, description) {
  return esc(OPTIMIZER_TEXT[optimizer] || description || optimizer);
}

export function stepsHint(setup, lr, optimizer, start) {
  if (optimizer !== "gd") return "";
  const k = stepsToReach(setup.quadratic, start, lr);
  if (k === null) return " At this lr it never gets within 1% of the floor.";
  return ` From this start it gets within 1% of the floor in <b>${k.toLocaleString("en")}</b> steps.`;
}

export function dataHint(setup, source) {
  const { condition_number: kappa } = setup.analysis;
  const { points } = setup;
  const shown = points.shown < points.n_rows ? ` (${points.shown.toLocaleString("en")} shown)` : "";
  const what = source === "seed"
    ? "The seed program's data: two noisy ramps, x = linspace(−2, 4, n) + ε₁, y = linspace(−6, 6, n) + ε₂."
    : `${points.n_rows.toLocaleString("en")} rows; features ${esc(points.feature_names.join(", "))}, target ${esc(points.target_name)}.`;
  return `${what}${shown} κ = λ<sub>max</sub>/λ<sub>min</sub> = <b>${fmt(kappa, 3)}</b>: the larger κ, the narrower the valley and the slower GD.`;
}

export function initHint(state) {
  return state.init
    ? "Chosen by hand or by a click. Click anywhere on the landscape to start from there."
    : `Drawn from N(0, ${fmt(state.initStd)}²) with seed ${state.seed}, as in the seed program — or click anywhere on the landscape.`;
}

// The seed note's last question: what does a learning rate of 0.002 mean, relative to what?
function whyThisRate(setup, lr, optimizer) {
  const { max } = eigen(setup);
  const rule = optimizer === "gd"
    ? "below 2 the descent converges, above 2 it blows up"
    : `for plain GD below 2 converges and above 2 blows up; ${esc(optimizer)} reshapes its steps, so its limit lies elsewhere`;
  return `<p><b>Why this learning rate?</b> A rate means nothing alone: what matters is lr·λ, the rate times the loss's curvature λ (the Hessian's eigenvalues, here up to λ<sub>max</sub> = ${fmt(max, 4)}). Here lr·λ<sub>max</sub> = <b>${fmt(lr * max, 3)}</b>: ${rule}.</p>`;
}

// The story of the run so far, in a few sentences.
export function story(setup, run, state) {
  const { analysis, quadratic } = setup;
  const names = setup.weight_names;
  const floor = quadratic.optimum_loss;
  const parts = [];
  if (!run.steps.length) {
    parts.push(`<p>The loss measures how far the predictions ŷ are from the targets y: ${state.loss === "mse" ? "mean of (ŷ − y)²" : "L = ½·Σ(ŷ − y)²"}. Its landscape over (${esc(names.slice(0, 2).join(", "))}) is a bowl whose bottom, the star, is the least-squares optimum w*.</p>`);
    parts.push(`<p>Gradient descent walks downhill from the start: w ← w − lr·∇L(w). Press <b>Train</b>, or drag the learning rate.</p>`);
    parts.push(`<p>The loss at the start is <b>${fmt(run.losses[0], 5)}</b>; the floor, the best any line can do on this data, is <b>${fmt(floor, 5)}</b>.</p>`);
    return parts.join("");
  }
  const k = run.steps[run.steps.length - 1];
  const loss = run.losses[run.losses.length - 1];
  const start = run.losses[0];
  const kind = regime(setup, state.lr);
  if (run.stopReason === "diverged" || !Number.isFinite(loss)) {
    parts.push(`<p><span class="boom">Why it blew up:</span> along the steepest direction of the bowl every step overshoots the valley floor by more than it corrects, so the weights swing further out each time and the loss grows without limit. Drag the learning rate back into the green.</p>`);
    parts.push(whyThisRate(setup, state.lr, state.optimizer));
    return parts.join("");
  }
  const progress = start - floor > 0 ? (start - loss) / (start - floor) : 1;
  parts.push(`<p>After <b>${k}</b> step${k === 1 ? "" : "s"} of ${esc(state.optimizer)} the loss is <b>${fmt(loss, 5)}</b>, down from ${fmt(start, 5)}: <b>${percent(progress, 4)}</b> of the way to the floor ${fmt(floor, 5)}.</p>`);
  if (state.optimizer === "gd") {
    const note = {
      calm: "<span class=\"calm\">a smooth slide</span>: no direction overshoots",
      zig: "<span class=\"zig\">a zig-zag</span>: the steep direction overshoots every step but still shrinks",
      boom: "<span class=\"boom\">unstable</span>: lr is past 2/λ<sub>max</sub>",
    }[kind];
    parts.push(`<p>The path is ${note}. The bowl curves κ = ${fmt(analysis.condition_number, 3)} times more steeply across its valley than along it, which is why the descent first drops fast, then crawls along the valley floor.</p>`);
  }
  parts.push(whyThisRate(setup, state.lr, state.optimizer));
  if (run.stopReason === "stopped") parts.push("<p>Stopped before the last step.</p>");
  return parts.join("");
}
