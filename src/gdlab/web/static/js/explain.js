// Short explanations beside the controls and of the run, worked out from the analysis:
// the Hessian's eigenvalues λ give plain GD's stable bound 2/λmax and its best rate
// 2/(λmin+λmax); momentum's bound is 2(1+β)/λmax (Nesterov: over 1+2β); for the adaptive
// optimizers lr is a step size per weight, measured against the distance to the optimum.

import { count, language, t } from "./i18n.js";
import { esc, fmt, percent } from "./format.js";
import { stepsToReach } from "./quadratic.js";
import { rate } from "./store.js";

const MOMENTUM = new Set(["momentum", "nesterov"]);
const ADAPTIVE = new Set(["adagrad", "rmsprop", "adam"]);

export function eigen(setup) {
  const values = setup.analysis.hessian_eigenvalues;
  return { min: values[0], max: values[values.length - 1] };
}

// The steps the run on screen was asked for (a Stop or +1 Step sets `at`).
export function plannedSteps(state) {
  return state.at ?? state.steps;
}

// How to read a learning rate for this optimizer: its kind, the rate that matters (bound, or
// distance for the adaptive ones) and the slider's range in log10(lr).
export function rateScale(setup, state, defaults = {}) {
  const kind = MOMENTUM.has(state.optimizer) ? "momentum" : ADAPTIVE.has(state.optimizer) ? "adaptive" : "gd";
  const scale = { kind, gdBound: setup.analysis.lr_max_stable, best: setup.analysis.lr_optimal };
  let lo;
  let hi;
  if (kind === "adaptive") {
    const opt = setup.quadratic.optimum_weights;
    const gaps = setup.coordinates.init.map((v, i) => Math.abs(v - opt[i])).filter(Number.isFinite);
    const distance = Math.max(...gaps, 0) || Math.max(1e-3, ...opt.map(Math.abs)) * 0.1;
    Object.assign(scale, { distance, perStep: distance / Math.max(1, plannedSteps(state)) });
    lo = Math.floor(Math.log10(scale.perStep) - 2);
    hi = Math.log10(distance) + 1;
  } else {
    if (kind === "momentum") {
      const beta = state.options.momentum ?? defaults.momentum ?? 0.9;
      const nesterov = state.optimizer === "nesterov";
      Object.assign(scale, { beta, nesterov, bound: (2 * (1 + beta)) / ((nesterov ? 1 + 2 * beta : 1) * eigen(setup).max) });
    } else {
      scale.bound = scale.gdBound;
    }
    lo = Math.floor(Math.log10(scale.bound) - 3.3);
    hi = Math.log10(scale.bound) + 0.75;
  }
  const shown = Math.log10(rate());
  if (Number.isFinite(shown)) {
    lo = Math.min(lo, Math.floor(shown));
    hi = Math.max(hi, shown + 0.1);
  }
  return { ...scale, lo, hi };
}

// calm: no direction overshoots; zig: the steepest one overshoots but shrinks; boom: it grows.
// Momentum spirals at every stable rate, so it is calm or boom; adaptive steps have no bound.
export function regime(scale, lr) {
  if (scale.kind === "adaptive") return "";
  if (lr >= scale.bound) return "boom";
  if (scale.kind === "momentum") return "calm";
  return lr > scale.bound / 2 ? "zig" : "calm";
}

export function lrHint(setup, scale, lr, optimizer) {
  if (scale.kind === "adaptive") {
    return t("hint.adaptive", { optimizer: esc(optimizer), distance: fmt(scale.distance, 3), perStep: fmt(scale.perStep, 3) });
  }
  if (scale.kind === "momentum") {
    return t("hint.momentum", {
      beta: fmt(scale.beta, 3), effective: fmt(lr / (1 - scale.beta), 3), bound: fmt(scale.bound, 3),
      ratio: fmt(lr / scale.bound, 3), kind: scale.nesterov ? "nesterov" : "momentum",
    });
  }
  const { min, max } = eigen(setup);
  const steep = 1 - lr * max;
  const kind = regime(scale, lr);
  const detail = kind === "boom" ? t("hint.boom", { factor: fmt(Math.abs(steep), 3) })
    : kind === "zig" ? t("hint.zig", { factor: fmt(steep, 3) })
      : t("hint.calm", { flat: fmt(1 - lr * min, 4), steep: fmt(steep, 3) });
  return t("hint.ratio", { ratio: fmt(lr / scale.bound, 3) }) + detail;
}

export function optimizerHint(optimizer, description) {
  const key = `optimizer.${optimizer}`;
  const text = t(key);
  return esc(text === key ? description || optimizer : text);
}

// True when each step sees only some rows (mini-batch SGD): full-batch claims do not hold.
export function miniBatch(setup, state) {
  return Boolean(state.batchSize) && state.batchSize < setup.points.n_rows;
}

export function stepsHint(setup, lr, optimizer, start, state = {}) {
  if (optimizer !== "gd" || miniBatch(setup, state)) return "";
  const k = stepsToReach(setup.quadratic, start, lr);
  return k === null ? t("hint.never") : t("hint.steps", { steps: count(k) });
}

export function dataHint(setup, source, preset = "seed") {
  const { points } = setup;
  const what = source === "seed"
    ? t("hint.data.seed") + (preset === "seed" ? "" : t(`hint.preset.${preset}`))
    : t("hint.data.upload", { rows: count(points.n_rows), features: esc(points.feature_names.join(", ")), target: esc(points.target_name) });
  const shown = points.shown < points.n_rows ? t("hint.data.shown", { shown: count(points.shown) }) : "";
  const kappa = t(setup.coordinates.standardized ? "hint.data.kappa.standardized" : "hint.data.kappa", { kappa: fmt(setup.analysis.condition_number, 3) });
  return what + shown + kappa + lrChoiceHint(setup);
}

// How the rate was chosen, when the server's `auto` rule chose it.
function lrChoiceHint(setup) {
  const choice = setup.lr_choice;
  return choice && choice.auto ? t("hint.data.auto", { lr: fmt(choice.lr, 3) }) : "";
}

export function initHint(state) {
  return state.init ? t("hint.init.chosen") : t("hint.init.drawn", { std: fmt(state.initStd), seed: state.seed });
}

// The seed note's last question: what does a learning rate of 0.002 mean, relative to what?
function whyThisRate(setup, scale, lr, optimizer) {
  if (scale.kind !== "gd") return `<p>${lrHint(setup, scale, lr, optimizer)}</p>`;
  const { max } = eigen(setup);
  return t("story.why", { max: fmt(max, 4), product: fmt(lr * max, 3), rule: t("story.why.gd") });
}

// The story of the run so far, in a few sentences.
export function story(setup, run, state, scale) {
  const { analysis, quadratic } = setup;
  const floor = quadratic.optimum_loss;
  const lossText = t(`story.loss.${state.loss}`);
  if (run.steps.length <= 1 && !run.record) {
    return t("story.idle.loss", { loss: lossText.startsWith("story.") ? esc(state.loss) : lossText, weights: esc(run.names.slice(0, 2).join(", ")) })
      + t("story.idle.gd") + t("story.idle.start", { start: fmt(run.losses[0], 5), floor: fmt(floor, 5) });
  }
  const k = run.steps[run.steps.length - 1];
  const loss = run.losses[run.losses.length - 1];
  const start = run.losses[0];
  if (run.stopReason === "diverged" || !Number.isFinite(loss)) {
    return t("story.diverged") + whyThisRate(setup, scale, rate(), state.optimizer);
  }
  const progress = start - floor > 0 ? (start - loss) / (start - floor) : 1;
  const parts = [t("story.progress", {
    steps: count(k), plural: k !== 1, optimizer: esc(state.optimizer), loss: fmt(loss, 5), start: fmt(start, 5),
    progress: percent(progress, 4), floor: fmt(floor, 5),
  })];
  if (miniBatch(setup, state)) {
    parts.push(t("story.minibatch", { batch: count(state.batchSize), rows: count(setup.points.n_rows) }));
  } else if (state.optimizer === "gd" && quadratic.optimum_weights.length > 1) {
    const note = t(`story.${regime(scale, rate())}`);
    parts.push(t("story.path", { note, kappa: fmt(analysis.condition_number, 3) }));
  }
  if (!miniBatch(setup, state)) parts.push(whyThisRate(setup, scale, rate(), state.optimizer)); // full-batch theory
  if (run.stopReason === "stopped") parts.push(t("story.stopped"));
  return parts.join("");
}

// How the run ended, in the page's language: the server's own sentence in English; in Korean
// the known outcomes retold from the record, any other inside a Korean frame.
export function outcomeText(payload, scale) {
  const { record, message } = payload;
  if (!message) return "";
  if (language() === "en") return message;
  const done = record.losses.length;
  const planned = record.config.steps;
  if (record.stop_reason === "diverged") {
    const bound = scale.kind === "momentum" ? scale.bound : scale.gdBound;
    return t("outcome.diverged", { steps: count(done), lr: fmt(record.config.lr, 3), bound: fmt(bound, 6), half: fmt(bound / 2, 3) });
  }
  if (record.stop_reason === "stopped" && message.startsWith("stopped by you")) {
    return t("outcome.stopped", { done: count(done), planned: count(planned) });
  }
  if (record.stop_reason === "tol") return t("outcome.tol", { done: count(done), planned: count(planned) });
  return t("outcome.server", { message });
}
