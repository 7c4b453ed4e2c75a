// The control panel: builds the inputs from the server's meta, shows the state in them,
// and reads them back. It knows nothing of training; main.js wires it up.

import { esc, fmt, roundLr } from "./format.js";

export const $ = (id) => document.getElementById(id);

// Fill the selects and the "more options" block from GET /api/meta.
export function buildControls(meta) {
  $("optimizer").innerHTML = meta.optimizers
    .map((o) => `<option value="${esc(o.name)}">${esc(o.name)}</option>`).join("");
  $("loss").innerHTML = Object.entries(meta.losses)
    .map(([name, text]) => `<option value="${esc(name)}" title="${esc(text)}">${esc(name)}</option>`).join("");
  $("steps").max = meta.limits.max_steps;
  $("n").max = meta.limits.max_rows;
  const more = [`<label title="std of the random start">random σ <input type="number" id="init-std" min="0" step="any"></label>`];
  const supported = new Set(meta.fit_options);
  if (supported.has("l2")) more.push(`<label title="ridge penalty">l2 <input type="number" id="opt-l2" min="0" step="any"></label>`);
  if (supported.has("tol")) more.push(`<label title="stop early once the gradient (or the loss change) is this small">tol <input type="number" id="opt-tol" min="0" step="any"></label>`);
  if (supported.has("tol_kind")) more.push(`<label title="what tol measures">tol of <select id="opt-tol-kind"><option value="">default</option><option value="grad">gradient</option><option value="loss">loss change</option></select></label>`);
  if (supported.has("schedule")) more.push(`<label title="learning-rate schedule">schedule <input type="text" id="opt-schedule" size="9" placeholder="cosine"></label>`);
  if (supported.has("standardize")) more.push(`<label class="check"><span>standardize</span><input type="checkbox" id="opt-standardize"></label>`);
  more.push(`<label class="check"><span>intercept b</span><input type="checkbox" id="opt-intercept"></label>`);
  $("more-options-body").innerHTML = more.join("");
  $("more-options").hidden = false;
}

export function optimizerDefaults(meta, name) {
  const found = meta.optimizers.find((o) => o.name === name);
  return found ? found.options : {};
}

// Inputs for the chosen optimizer's own parameters, showing the state's or the default value.
export function buildOptimizerOptions(meta, state) {
  const defaults = optimizerDefaults(meta, state.optimizer);
  $("optimizer-options").innerHTML = Object.entries(defaults).map(([name, value]) => {
    const shown = state.options[name] ?? value;
    return `<label>${esc(name)} <input type="number" step="any" data-option="${esc(name)}" value="${shown}"></label>`;
  }).join("");
}

export function readOptimizerOptions(meta, state) {
  const defaults = optimizerDefaults(meta, state.optimizer);
  const options = {};
  for (const input of $("optimizer-options").querySelectorAll("input[data-option]")) {
    const value = Number(input.value);
    if (input.value !== "" && value !== defaults[input.dataset.option]) options[input.dataset.option] = value;
  }
  return options;
}

function setValue(id, value) {
  const element = $(id);
  if (element && document.activeElement !== element) element.value = value ?? "";
}

// Show the state in the form.
export function showState(state, names) {
  $("animate").checked = state.animate;
  setValue("lr", state.lr);
  $("lr-value").textContent = `lr = ${fmt(state.lr, 3)}`;
  setValue("steps", state.steps);
  setValue("optimizer", state.optimizer);
  setValue("loss", state.loss);
  setValue("n", state.n);
  setValue("noise", state.noise);
  setValue("seed", state.seed);
  setValue("init-std", state.initStd);
  $("source-seed").checked = state.source === "seed";
  $("source-upload").checked = state.source === "upload";
  $("seed-fields").hidden = state.source !== "seed";
  $("upload-fields").hidden = state.source !== "upload";
  setValue("opt-l2", state.l2 || "");
  setValue("opt-tol", state.tol ?? "");
  setValue("opt-schedule", state.schedule ?? "");
  setValue("opt-tol-kind", state.tolKind ?? "");
  if ($("opt-standardize")) $("opt-standardize").checked = state.standardize;
  if ($("opt-intercept")) $("opt-intercept").checked = state.intercept;
  showInit(names, state.init);
}

// One input per weight of the start (bias first).
export function showInit(names, values) {
  const box = $("init-inputs");
  const wanted = names.map((n) => `init-${n}`).join("|");
  if (box.dataset.names !== wanted) {
    box.innerHTML = names.map((name, i) => `<label>${esc(name)}₀ <input type="number" step="any" data-index="${i}" id="init-${i}"></label>`).join("");
    box.dataset.names = wanted;
  }
  if (!values) return;
  box.querySelectorAll("input").forEach((input, i) => {
    if (document.activeElement !== input && values[i] !== undefined) input.value = Number(values[i].toPrecision(6));
  });
}

export function readInit() {
  const values = [...$("init-inputs").querySelectorAll("input")].map((input) => Number(input.value));
  return values.length && values.every(Number.isFinite) ? values : null;
}

// The lr slider works in log10(lr); its range follows the data's stable bound.
export function showSlider(state, setup) {
  const slider = $("lr-slider");
  const bound = setup ? setup.analysis.lr_max_stable : state.lr * 5;
  const lo = Math.floor(Math.log10(bound) - 3.3);
  const hi = Math.log10(bound) + 0.75;
  slider.min = lo;
  slider.max = hi.toFixed(2);
  slider.value = Math.log10(state.lr);
  if (!setup) return;
  const where = (lr) => (100 * (Math.log10(lr) - lo)) / (hi - lo);
  const best = setup.analysis.lr_optimal;
  const half = where(bound / 2);
  const edge = where(bound);
  slider.style.background = `linear-gradient(to right, var(--calm) 0%, var(--calm) ${half}%, var(--zig) ${half}%, var(--zig) ${edge}%, var(--boom) ${edge}%, var(--boom) 100%)`;
  $("lr-marks").innerHTML = mark("bound", edge, `bound 2/λmax = ${fmt(bound, 3)}`, "largest stable rate 2/λmax");
  $("lr-marks-below").innerHTML = mark("best", where(best), `best ${fmt(best, 3)}`, "best constant rate 2/(λmin+λmax)");
}

// A tick at `at`% of the slider with its label slid so it stays inside the panel.
function mark(kind, at, label, title) {
  const clamped = Math.min(100, Math.max(0, at));
  return `<span class="${kind}" style="left:${clamped}%;transform:translateX(-${clamped}%)" title="${title}">${label}</span>` +
    `<i class="${kind}" style="left:${clamped}%"></i>`;
}

export function sliderLr() {
  return roundLr(10 ** Number($("lr-slider").value));
}

// Column pickers for an uploaded table: checkboxes for x, a select for y.
export function showColumns(upload, state) {
  $("column-pickers").hidden = false;
  $("x-columns").innerHTML = upload.columns.map((name) =>
    `<label><input type="checkbox" value="${esc(name)}" ${state.x.includes(name) ? "checked" : ""} ${state.y === name ? "disabled" : ""}> ${esc(name)}</label>`).join("");
  $("y-column").innerHTML = upload.columns.map((name) =>
    `<option value="${esc(name)}" ${state.y === name ? "selected" : ""}>${esc(name)}</option>`).join("");
  const skipped = Object.entries(upload.skipped);
  $("upload-info").innerHTML = `<b>${esc(upload.filename)}</b>: ${upload.n_rows.toLocaleString("en")} rows, ${upload.columns.length} numeric columns.` +
    (skipped.length ? ` Skipped: ${skipped.map(([name, why]) => `<b>${esc(name)}</b> (${esc(why)})`).join("; ")}.` : "");
  $("upload-info").classList.remove("error");
}

export function readColumns() {
  const x = [...$("x-columns").querySelectorAll("input:checked")].map((input) => input.value);
  return { x, y: $("y-column").value };
}
