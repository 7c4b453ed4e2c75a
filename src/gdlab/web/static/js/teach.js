// The playground's teaching controls: mini-batch SGD with the full-batch path beside it,
// the seed data's presets and noise slider, and a kept run to compare with the next one.
// main.js wires them (`wireTeaching`); view.js asks for the extra traces they draw.

import * as api from "./api.js";
import { $, checked } from "./controls.js";
import { count, t } from "./i18n.js";
import { esc, fmt } from "./format.js";
import { lossTrace, pathTrace } from "./plots.js";
import { PRESETS, trainRequest } from "./state.js";
import { rate, store, trainedOf } from "./store.js";

const FULL = { color: "#4b5563", width: 1.5 }; // grey: full-batch GD
const KEPT = { color: "#7c3aed", width: 1.8, dash: "dash" }; // violet, dashed: the kept run
const HELD = { color: "#0f766e", width: 2 }; // teal: the held-out loss, on its own axis

// What is drawn beside the run on screen: full-batch GD (when batches are on) and the kept run.
export const companions = { full: null, kept: null, asked: 0 };

export function buildPresets() {
  $("preset").innerHTML = PRESETS.map((name) => `<option value="${name}">${esc(t(`preset.${name}`))}</option>`).join("");
}

// The teaching controls showing the state.
export function showTeaching(state) {
  if (document.activeElement !== $("preset")) $("preset").value = state.preset;
  $("noise-slider").value = Math.min(5, state.noise);
  if (document.activeElement !== $("batch-size")) $("batch-size").value = state.batchSize ?? "";
  $("show-full").checked = state.showFull !== false;
  if (document.activeElement !== $("validation")) $("validation").value = state.validation ?? "";
  showBatchHint();
  showHeldOutHint();
  showCompareHint();
}

function showBatchHint() {
  const { state, view } = store;
  const hint = $("batch-hint");
  hint.hidden = !state.batchSize || !view;
  if (hint.hidden) return;
  const rows = view.setup.points.n_rows;
  const key = state.batchSize < rows ? "batch.hint" : "batch.hint.all";
  hint.textContent = t(key, { batch: count(state.batchSize), rows: count(rows) });
}

// How many rows are held out and, once the run is done, what their loss says.
export function showHeldOutHint() {
  const { state, view } = store;
  const hint = $("held-out-hint");
  const held = view && view.setup.held_out;
  if (!state.validation || !held) {
    hint.textContent = t("heldout.none.hint");
    return;
  }
  let text = t("heldout.rows", { held: count(held.rows), train: count(held.training_rows) });
  const losses = view.record && view.record.validation_losses;
  if (losses && losses.length) {
    const best = bestStep(losses);
    text += " " + t("heldout.result", { last: fmt(losses[losses.length - 1], 5), best: fmt(losses[best - 1], 5), step: count(best) });
  }
  hint.textContent = text;
}

// The step (1, 2, …) of the lowest held-out loss.
function bestStep(losses) {
  let best = 0;
  losses.forEach((v, i) => { if (v !== null && (losses[best] === null || v < losses[best])) best = i; });
  return best + 1;
}

// The held-out loss after each step of the finished run (the record's validation_losses).
function heldOutTrace(logScale) {
  const { view } = store;
  const losses = view && view.record && view.record.validation_losses;
  if (!losses || !losses.length) return null;
  const steps = losses.map((_, k) => k + 1);
  const trace = lossTrace(steps, losses.map((v) => (v === null ? Infinity : v)), logScale, t("trace.heldout.loss"), HELD);
  return { ...trace, yaxis: "y2" };
}

// The run on screen in a few words: "gd, lr 0.002, batch 10, l2".
function runLabel() {
  const { state } = store;
  const parts = [state.optimizer, `lr ${fmt(rate(), 3)}`];
  if (state.batchSize) parts.push(`${t("batch.label")} ${state.batchSize}`);
  if (state.loss !== "l2") parts.push(state.loss);
  if (state.source === "seed" && state.preset !== "seed") parts.push(t(`preset.${state.preset}`));
  if (state.standardize) parts.push("standardize");
  return parts.join(", ");
}

// Which landscape a path belongs to: the same data, coordinates and weights.
function landscapeKey() {
  const { view } = store;
  return JSON.stringify([store.rangesKey, view ? view.landscapeNames : []]);
}

function keepRun() {
  const { view } = store;
  if (!view || !view.record) return;
  companions.kept = {
    key: landscapeKey(), label: runLabel(), path: view.trained.slice(), steps: view.steps.slice(),
    losses: view.losses.slice(), loss: view.losses[view.losses.length - 1],
  };
  showCompareHint();
}

function showCompareHint() {
  const { kept } = companions;
  $("clear-pin").hidden = !kept;
  if (!kept) {
    $("compare-hint").textContent = t("compare.none");
    return;
  }
  const other = store.view && kept.key !== landscapeKey() ? t("compare.other") : "";
  $("compare-hint").textContent = t("compare.kept", { label: kept.label, loss: fmt(kept.loss, 5), steps: count(kept.steps[kept.steps.length - 1]) }) + other;
}

// Whether the kept run can be compared now (a finished run on screen enables "keep").
export function runFinished(done) {
  $("pin-run").disabled = !done;
  showCompareHint();
  showHeldOutHint();
}

// The extra paths on the landscape and curves on the loss plot.
export function landscapeTraces(ranges) {
  const traces = [];
  const { full, kept } = companions;
  if (full && full.key === landscapeKey()) traces.push(pathTrace(full.path, ranges, t("trace.full"), FULL));
  if (kept && kept.key === landscapeKey()) traces.push(pathTrace(kept.path, ranges, t("trace.pinned", { label: kept.label }), KEPT));
  return traces;
}

export function lossTraces(logScale) {
  const traces = [];
  const { full, kept } = companions;
  if (full && full.key === landscapeKey()) traces.push(lossTrace(full.steps, full.losses, logScale, t("trace.full"), FULL));
  if (kept) traces.push(lossTrace(kept.steps, kept.losses, logScale, t("trace.pinned", { label: kept.label }), KEPT));
  const held = heldOutTrace(logScale);
  if (held) traces.push(held);
  return traces;
}

// With mini-batches on, full-batch GD from the same start at the same rate, trained at full
// speed beside the live run (the record's path, mapped into the landscape's coordinates).
export async function refreshFullBatch(setup, redraw) {
  const { state } = store;
  const ask = ++companions.asked;
  companions.full = null;
  showBatchHint();
  if (!state.batchSize || state.showFull === false || state.batchSize >= setup.points.n_rows) return;
  const body = trainRequest(state, { lr: setup.lr_choice.lr, init: setup.init });
  delete body.batch_size;
  try {
    const record = await api.postJson("/api/train", body);
    if (ask !== companions.asked) return; // a newer run asked meanwhile
    const losses = [record.initial_loss, ...record.losses].map((v) => (v === null ? Infinity : v));
    companions.full = {
      key: landscapeKey(), path: record.path.map((w) => trainedOf(setup, w.map((v) => (v === null ? NaN : v)))),
      steps: losses.map((_, k) => k), losses,
    };
    redraw();
  } catch (_) {
    /* the run itself reports what is wrong with the settings */
  }
}

// The controls' events; `changed(update, options)` applies a change and trains again, and
// `followData()` lets the rate follow new data (main.js).
export function wireTeaching({ changed, followData, rules }) {
  buildPresets();
  const { state } = store;
  $("preset").onchange = () => changed(() => {
    state.preset = $("preset").value;
    followData();
  }, { keepInit: false });
  $("noise-slider").oninput = () => { $("noise").value = $("noise-slider").value; };
  $("noise-slider").onchange = () => changed(() => { state.noise = Number($("noise-slider").value); });
  $("batch-size").onchange = () => changed(() => {
    const input = $("batch-size");
    if (input.value.trim() === "") {
      state.batchSize = null;
    } else {
      const value = checked(input, rules().batchSize);
      if (value === null) return false;
      state.batchSize = value;
    }
    followData();
    return true;
  });
  $("show-full").onchange = () => changed(() => { state.showFull = $("show-full").checked; });
  $("validation").onchange = () => changed(() => {
    const input = $("validation");
    if (input.value.trim() === "" || Number(input.value) === 0) {
      state.validation = null;
    } else {
      const value = checked(input, rules().validation);
      if (value === null) return false;
      state.validation = value;
    }
    followData(); // the rows trained on change, and with them the rate's bound
    return true;
  });
  $("pin-run").onclick = () => { keepRun(); document.dispatchEvent(new Event("gdlab:redraw")); };
  $("clear-pin").onclick = () => {
    companions.kept = null;
    showCompareHint();
    document.dispatchEvent(new Event("gdlab:redraw"));
  };
}
