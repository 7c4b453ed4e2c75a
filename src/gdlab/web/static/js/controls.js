// The control panel: builds the inputs from the server's meta, shows the state in them,
// reads them back and checks them (a value that breaks its rule is shown as an error and
// never reaches the state, so never the URL). It knows nothing of training; main.js wires it.

import { count, t } from "./i18n.js";
import { boxRate, esc, fmt, roundLr } from "./format.js";
import { rate } from "./store.js";

export const $ = (id) => document.getElementById(id);

const MAX_SEED = 2 ** 32 - 1;
const whole = (v) => Number.isInteger(v);

// Each number field's rule and the message shown when a value breaks it.
export function rules(meta) {
  const { max_steps: maxSteps, max_rows: maxRows } = meta.limits;
  return {
    lr: { ok: (v) => v > 0 && v <= 1e12, message: () => t("invalid.lr") },
    steps: { ok: (v) => whole(v) && v >= 1 && v <= maxSteps, message: () => t("invalid.steps", { max: count(maxSteps) }) },
    n: { ok: (v) => whole(v) && v >= 2 && v <= maxRows, message: () => t("invalid.n", { max: count(maxRows) }) },
    noise: { ok: (v) => v >= 0 && v <= 1e6, message: () => t("invalid.noise") },
    seed: { ok: (v) => whole(v) && v >= 0 && v <= MAX_SEED, message: () => t("invalid.seed") },
    batchSize: { ok: (v) => whole(v) && v >= 1 && v <= maxRows, message: () => t("invalid.batch") },
    validation: { ok: (v) => v > 0 && v < 1, message: () => t("invalid.validation") },
  };
}

// The number in `input` if it keeps `rule` (and is finite); else null, with the error shown.
export function checked(input, rule) {
  const text = input.value.trim();
  const value = text === "" ? NaN : Number(text);
  const good = Number.isFinite(value) && input.validity.valid !== false && rule.ok(value);
  showInputError(input, good ? "" : rule.message());
  return good ? value : null;
}

export function showInputError(input, message) {
  const box = $("form-error");
  if (message) {
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "form-error");
    box.textContent = message;
    box.hidden = false;
    box.dataset.for = input.id;
  } else {
    input.removeAttribute("aria-invalid");
    if (box.dataset.for === input.id || !box.dataset.for) {
      box.hidden = true;
      box.textContent = "";
      delete box.dataset.for;
    }
  }
}

// Fill the selects and the "more options" block from GET /api/meta.
export function buildControls(meta) {
  $("optimizer").innerHTML = meta.optimizers
    .map((o) => `<option value="${esc(o.name)}">${esc(o.name)}</option>`).join("");
  $("loss").innerHTML = Object.entries(meta.losses).map(([name, text]) => {
    const key = `loss.${name}`;
    const title = t(key) === key ? text : t(key);
    return `<option value="${esc(name)}" title="${esc(title)}">${esc(name)}</option>`;
  }).join("");
  $("steps").max = meta.limits.max_steps;
  $("n").max = meta.limits.max_rows;
  const label = (key, input) => `<label title="${esc(t(`${key}.title`))}"><span>${esc(t(key))}</span> ${input}</label>`;
  const more = [label("more.std", `<input type="number" id="init-std" min="0" step="any">`)];
  const supported = new Set(meta.fit_options);
  if (supported.has("l2")) more.push(label("more.l2", `<input type="number" id="opt-l2" min="0" step="any">`));
  if (supported.has("tol")) more.push(label("more.tol", `<input type="number" id="opt-tol" min="0" step="any">`));
  if (supported.has("tol_kind")) {
    const kinds = ["", "grad", "loss"].map((kind) => `<option value="${kind}">${esc(t(`more.tolKind.${kind || "default"}`))}</option>`);
    more.push(label("more.tolKind", `<select id="opt-tol-kind">${kinds.join("")}</select>`));
  }
  if (supported.has("schedule")) more.push(label("more.schedule", `<input type="text" id="opt-schedule" size="9" placeholder="cosine">`));
  if (supported.has("standardize")) more.push(`<label class="check"><span>${esc(t("more.standardize"))}</span><input type="checkbox" id="opt-standardize"></label>`);
  more.push(`<label class="check"><span>${esc(t("more.intercept"))}</span><input type="checkbox" id="opt-intercept"></label>`);
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
    return `<label>${esc(name)} <input type="number" step="any" data-option="${esc(name)}" id="option-${esc(name)}" value="${shown}"></label>`;
  }).join("");
}

// The optimizer's options that differ from their defaults; null when one is not a number.
export function readOptimizerOptions(meta, state) {
  const defaults = optimizerDefaults(meta, state.optimizer);
  const options = {};
  for (const input of $("optimizer-options").querySelectorAll("input[data-option]")) {
    const name = input.dataset.option;
    const value = checked(input, { ok: () => true, message: () => t("invalid.option", { name }) });
    if (value === null) return null;
    if (value !== defaults[name]) options[name] = value;
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
  const lr = rate();
  setValue("lr", boxRate(lr));
  $("lr-value").textContent = lrLabel(state, lr);
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
  const wanted = [...names, document.documentElement.lang].join("|");
  if (box.dataset.names !== wanted) {
    box.innerHTML = names.map((name, i) => `<label>${esc(name)}₀ <input type="number" step="any" data-index="${i}" id="init-${i}" aria-label="${esc(t("start.input", { name }))}"></label>`).join("");
    box.dataset.names = wanted;
  }
  if (!values) return;
  box.querySelectorAll("input").forEach((input, i) => {
    if (document.activeElement !== input && values[i] !== undefined && Number.isFinite(values[i])) {
      input.value = Number(values[i].toPrecision(6));
    }
  });
}

// The start typed in, or null (with the error shown) when a weight is not a number.
export function readInit() {
  const inputs = [...$("init-inputs").querySelectorAll("input")];
  const rule = { ok: (v) => Math.abs(v) <= 1e100, message: () => t("invalid.init") };
  const values = inputs.map((input) => checked(input, rule));
  return values.length && values.every((v) => v !== null) ? values : null;
}

// "lr = 0.0054 (auto)" while the server's rule chose it; the rule itself on hover.
function lrLabel(state, lr) {
  return state.lr === "auto" ? `lr = ${fmt(lr, 3)} ${t("lr.auto")}` : `lr = ${fmt(lr, 3)}`;
}

// The lr slider works in log10(lr); its range and marks follow the optimizer (`scale`).
export function showSlider(state, scale) {
  const slider = $("lr-slider");
  const lr = rate();
  const lo = scale ? scale.lo : Math.floor(Math.log10(lr) - 3);
  const hi = scale ? scale.hi : Math.log10(lr) + 1;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return; // "auto" before its number is known
  slider.min = lo;
  slider.max = hi.toFixed(2);
  slider.value = Math.log10(lr);
  showSliderValue(state, scale);
  if (!scale) return;
  const where = (lr) => (100 * (Math.log10(lr) - lo)) / (hi - lo);
  const legend = $("lr-legend");
  legend.hidden = scale.kind === "adaptive";
  legend.classList.toggle("no-zig", scale.kind === "momentum");
  if (scale.kind === "adaptive") {
    slider.style.background = "";
    $("lr-marks").innerHTML = mark("bound", where(scale.distance), t("mark.distance", { value: fmt(scale.distance, 3) }), t("mark.distance.title"));
    $("lr-marks-below").innerHTML = mark("best", where(scale.perStep), t("mark.per-step", { value: fmt(scale.perStep, 3) }), t("mark.per-step.title"));
    return;
  }
  const edge = where(scale.bound);
  const half = scale.kind === "gd" ? where(scale.bound / 2) : edge;
  slider.style.background = `linear-gradient(to right, var(--calm) 0%, var(--calm) ${half}%, var(--zig) ${half}%, var(--zig) ${edge}%, var(--boom) ${edge}%, var(--boom) 100%)`;
  $("lr-marks").innerHTML = scale.kind === "gd"
    ? mark("bound", edge, t("mark.bound", { value: fmt(scale.bound, 3) }), t("mark.bound.title"))
    : mark("bound", edge, t("mark.momentum", { value: fmt(scale.bound, 3) }), t("mark.momentum.title"));
  $("lr-marks-below").innerHTML = scale.kind === "gd"
    ? mark("best", where(scale.best), t("mark.best", { value: fmt(scale.best, 3) }), t("mark.best.title"))
    : "";
}

// What the slider announces: the rate itself, and where it sits against what matters.
export function showSliderValue(state, scale) {
  const slider = $("lr-slider");
  const value = rate();
  const lr = fmt(value, 3);
  let ratio = "";
  let what = "";
  if (scale && scale.kind === "adaptive") {
    ratio = fmt(value / scale.distance, 3);
    what = t("valuetext.distance");
  } else if (scale) {
    ratio = fmt(value / scale.bound, 3);
    what = t("valuetext.bound");
  }
  slider.setAttribute("aria-valuetext", t("lr.valuetext", { lr, ratio, what }));
  $("lr-value").textContent = lrLabel(state, value);
}

// A tick at `at`% of the slider with its label slid so it stays inside the panel.
function mark(kind, at, label, title) {
  if (!Number.isFinite(at)) return "";
  const clamped = Math.min(100, Math.max(0, at));
  return `<span class="${kind}" style="left:${clamped}%;transform:translateX(-${clamped}%)" title="${esc(title)}">${esc(label)}</span>` +
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
  $("upload-info").innerHTML = t("data.uploaded", { file: esc(upload.filename), rows: count(upload.n_rows), columns: upload.columns.length }) +
    (skipped.length ? t("data.skipped", { list: skipped.map(([name, why]) => `<b>${esc(name)}</b> (${esc(why)})`).join("; ") }) : "");
  $("upload-info").classList.remove("error");
}

export function readColumns() {
  const x = [...$("x-columns").querySelectorAll("input:checked")].map((input) => input.value);
  return { x, y: $("y-column").value };
}
