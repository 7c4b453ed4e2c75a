// The playground's controller: state in the URL, runs streamed from the server, pictures redrawn
// as steps arrive. document.body.dataset.status says loading | idle | running | done | error, and
// dataset.runs counts the runs finished (tests wait on both).

import * as api from "./api.js";
import {
  $, buildControls, buildOptimizerOptions, readColumns, readInit, readOptimizerOptions,
  showColumns, showInit, showSlider, showState, sliderLr,
} from "./controls.js";
import { downloadFigure, downloadRecord } from "./downloads.js";
import { dataHint, initHint, lrHint, optimizerHint, regime, stepsHint, story } from "./explain.js";
import { esc, fmt } from "./format.js";
import {
  clickToData, dataFigure, landscapeFigure, lossFigure, lossUnder, prepareLandscape, render,
} from "./plots.js";
import { inside, lossAt, rangesAround } from "./quadratic.js";
import { dataSpec, fromUrl, toUrl, trainRequest } from "./state.js";

let meta = null;
let state = fromUrl(location.search);
let view = null; // the run on screen: setup, steps, losses, path, record…
let live = null; // the stream in progress: {controller, runId}
let frame = 0;
let ranges = null;
let rangesKey = "";
let currentUpload = null; // the uploaded table's summary (columns, skipped ones)

function setStatus(status) {
  document.body.dataset.status = status;
  $("stop").disabled = status !== "running";
}

function showMessage(text, kind = "error") {
  const box = $("message");
  box.hidden = !text;
  box.className = `message ${kind}`;
  box.textContent = text || "";
}

function commit() {
  history.replaceState(null, "", toUrl(state));
}

// ---- runs --------------------------------------------------------------------------------

function freshView(setup) {
  const key = JSON.stringify([dataSpec(state), state.loss, state.intercept, state.seed]);
  const start = setup.init;
  if (key !== rangesKey || !ranges || !inside(ranges, start)) {
    ranges = rangesAround(setup.quadratic, start.length > 1 ? start : [start[0], 0]);
    rangesKey = key;
  }
  return {
    setup, steps: [0], losses: [lossAt(setup.quadratic, start)], path: [start],
    record: null, stopReason: null, message: "",
  };
}

function addSteps(rows) {
  for (const [k, loss, ...w] of rows) {
    view.steps.push(k);
    view.losses.push(loss === null ? Infinity : loss);
    view.path.push(w.map((v) => (v === null ? NaN : v)));
  }
}

// Abandon the run in progress: closing its stream stops it on the server.
async function cancelLive() {
  if (!live) return;
  const { controller } = live;
  live = null;
  controller.abort();
}

// Train from the start: animated (Train) or at full speed (Step: one more step than shown).
async function train({ duration = null, steps = null } = {}) {
  await cancelLive();
  if (steps !== null) state.steps = steps;
  commit();
  showState(state, view ? displayNames(view.setup) : ["b", "a"]);
  showMessage("");
  setStatus("running");
  const controller = new AbortController();
  const mine = { controller, runId: null };
  live = mine;
  const pace = duration ?? (state.animate ? null : 0);
  const extra = pace === null ? {} : { duration: pace };
  let settled = Promise.resolve();
  try {
    await api.stream("/api/train/stream", trainRequest(state, extra), (event, payload) => {
      if (live !== mine) return;
      if (event === "setup") {
        mine.runId = payload.run_id;
        view = freshView(payload);
        settled = showSetup();
      } else if (event === "steps") {
        addSteps(payload.steps);
        scheduleDraw();
      } else if (event === "done") {
        settled.then(() => finish(payload));
      } else if (event === "error") {
        throw new api.ApiError(500, payload.detail);
      }
    }, controller.signal);
  } catch (error) {
    if (error.name === "AbortError" || live !== mine) return;
    showMessage(error.message);
    setStatus("error");
  } finally {
    if (live === mine) live = null;
  }
}

function finish(payload) {
  const { record } = payload;
  view.record = record;
  view.stopReason = record.stop_reason;
  view.losses[0] = record.initial_loss;
  view.message = payload.message;
  if (record.stop_reason === "stopped" && record.losses.length < state.steps) {
    state.steps = record.losses.length; // the link and the command replay what is on screen
    commit();
    showState(state, displayNames(view.setup));
    api.postJson("/api/prepare", trainRequest(state))
      .then((setup) => { $("command").textContent = setup.command; })
      .catch(() => {});
  }
  let note = payload.message;
  if (!payload.landscape_matches) {
    note += " The landscape, its floor and its optimum are those of the plain loss; this run's options (a penalty, say) change the loss it minimizes.";
  }
  showMessage(note.trim(), record.stop_reason === "diverged" ? "warning" : "info");
  $("download-run").disabled = false;
  $("download-figure").disabled = false;
  drawAll();
  document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
  setStatus("done");
}

async function reset() {
  await cancelLive();
  showMessage("");
  try {
    const setup = await api.postJson("/api/prepare", trainRequest(state));
    view = freshView(setup);
    await showSetup();
    $("download-run").disabled = true;
    setStatus("idle");
  } catch (error) {
    showMessage(error.message);
    setStatus("error");
  }
}

async function stop() {
  if (live && live.runId) await api.postJson(`/api/runs/${live.runId}/stop`, {}).catch(() => {});
}

// ---- drawing -----------------------------------------------------------------------------

async function showSetup() {
  const { setup } = view;
  if (setup.quadratic.optimum_weights.length > 1) await prepareLandscape(setup, ranges);
  showInit(displayNames(setup), setup.init);
  showSlider(state, setup);
  $("command").textContent = setup.command;
  const link = $("data-download");
  if (state.source === "seed") {
    link.hidden = false;
    link.href = `/api/seed-data.csv?n=${state.n}&noise=${state.noise}&seed=${state.seed}`;
    link.textContent = `${setup.data_file} ↓`;
    link.download = setup.data_file;
  } else {
    link.hidden = true;
  }
  showHints();
  drawAll();
}

function showHints() {
  if (!view) return;
  const { setup } = view;
  const description = meta.optimizers.find((o) => o.name === state.optimizer);
  $("lr-value").textContent = `lr = ${fmt(state.lr, 3)}`;
  $("lr-hint").innerHTML = lrHint(setup, state.lr, state.optimizer);
  $("optimizer-hint").innerHTML = optimizerHint(state.optimizer, description && description.name) + stepsHint(setup, state.lr, state.optimizer, setup.init);
  $("init-hint").innerHTML = initHint(state);
  $("data-hint").innerHTML = dataHint(setup, state.source);
}

function scheduleDraw() {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; drawAll(); });
}

function drawAll() {
  if (!view) return;
  const { setup, path } = view;
  const names = displayNames(setup);
  const w = lastFinite(path);
  render($("data-plot"), dataFigure(setup, w, state.intercept));
  render($("landscape-plot"), landscapeFigure(setup, ranges, path, names));
  render($("loss-plot"), lossFigure(setup, view.steps, view.losses, $("log-loss").checked));
  drawNumbers(w);
  document.body.dataset.frames = String(Number(document.body.dataset.frames || 0) + 1);
  $("story").innerHTML = story(setup, view, state);
  const single = setup.points.features.length === 1;
  $("data-title").textContent = single ? "Data and fit" : "Targets against predictions";
  $("landscape-title").textContent = names.length > 2
    ? `Loss over (${names[0]}, ${names[1]}), other weights at the optimum — click for a start`
    : "Loss landscape — click to choose the start";
}

// The seed's names for one feature with an offset: b and a; otherwise b and the feature names.
function displayNames(setup) {
  const names = setup.weight_names;
  return names.length === 2 && state.intercept ? ["b", "a"] : names;
}

function lastFinite(path) {
  for (let i = path.length - 1; i >= 0; i--) if (path[i].every(Number.isFinite)) return path[i];
  return path[0];
}

function card(id, label, value, sub, raw, extraClass = "") {
  return `<div class="card ${extraClass}" id="${id}" data-value="${raw}"><div class="label">${label}</div><div class="value">${value}</div><div class="sub">${sub}</div></div>`;
}

function drawNumbers(w) {
  const { setup } = view;
  const names = setup.weight_names;
  const opt = setup.quadratic.optimum_weights;
  const k = view.steps[view.steps.length - 1];
  const loss = view.losses[view.losses.length - 1];
  const floor = setup.quadratic.optimum_loss;
  const sst = setup.total_sum_of_squares;
  const r2 = (l) => (sst > 0 ? 1 - (setup.sse_per_loss * l) / sst : NaN);
  const diverged = view.stopReason === "diverged" || !Number.isFinite(loss);
  const label = (name, i) => (i === 0 && state.intercept ? "b (offset)" : names.length === 2 ? `a (slope of ${esc(name)})` : esc(name));
  const cards = [card("step-now", "step", `${k} / ${state.steps}`, view.stopReason ? esc(view.stopReason) : "&nbsp;", k)];
  w.slice(0, 3).forEach((v, i) => cards.push(card(`w-${i}`, label(names[i], i), fmt(v, 5), `optimum ${fmt(opt[i], 5)}`, v)));
  cards.push(card("loss-now", "loss", fmt(loss, 5), `floor L* ${fmt(floor, 5)}`, loss, diverged ? "diverged" : ""));
  cards.push(card("r2-now", "R²", fmt(r2(loss), 4), `best ${fmt(r2(floor), 4)}`, r2(loss)));
  cards.push(card("bound", "lr bound 2/λmax", fmt(setup.analysis.lr_max_stable, 4), `best lr ${fmt(setup.analysis.lr_optimal, 3)}`, setup.analysis.lr_max_stable, regime(setup, state.lr)));
  $("numbers").innerHTML = cards.join("");
}

// ---- controls ----------------------------------------------------------------------------

function changed(update, { keepInit = true } = {}) {
  update();
  if (!keepInit) state.init = null;
  commit();
  train();
}

function wire() {
  $("train").onclick = () => train();
  $("stop").onclick = stop;
  $("step").onclick = () => {
    const done = view && view.record ? view.record.losses.length : 0;
    train({ duration: 0, steps: Math.min(done + 1, meta.limits.max_steps) });
  };
  $("reset").onclick = reset;
  $("lr-slider").oninput = () => {
    state.lr = sliderLr();
    $("lr").value = state.lr;
    showHints();
  };
  $("lr-slider").onchange = () => changed(() => { state.lr = sliderLr(); });
  $("lr").onchange = () => changed(() => { state.lr = Number($("lr").value); showSlider(state, view && view.setup); });
  $("steps").onchange = () => changed(() => { state.steps = Number($("steps").value); });
  $("loss").onchange = () => changed(() => { state.loss = $("loss").value; });
  $("optimizer").onchange = () => changed(() => {
    state.optimizer = $("optimizer").value;
    state.options = {};
    buildOptimizerOptions(meta, state);
  });
  $("optimizer-options").onchange = () => changed(() => { state.options = readOptimizerOptions(meta, state); });
  $("init-inputs").onchange = () => changed(() => { state.init = readInit(); });
  $("random-start").onclick = () => changed(() => {}, { keepInit: false });
  for (const id of ["n", "noise", "seed"]) {
    $(id).onchange = () => changed(() => { state[id] = Number($(id).value); }, { keepInit: id !== "seed" });
  }
  $("source-seed").onchange = () => changed(() => { state.source = "seed"; }, { keepInit: false });
  $("source-upload").onchange = () => {
    state.source = "upload";
    showState(state, view ? displayNames(view.setup) : ["b", "a"]);
    if (state.upload) changed(() => {}, { keepInit: false });
  };
  $("file").onchange = uploadChosen;
  $("column-pickers").onchange = () => changed(() => {
    Object.assign(state, readColumns());
    state.x = state.x.filter((name) => name !== state.y);
    showColumns(currentUpload, state);
  }, { keepInit: false });
  $("log-loss").onchange = drawAll;
  $("animate").onchange = () => { state.animate = $("animate").checked; commit(); };
  $("more-options-body").onchange = (event) => {
    const number = (id, unset) => ($(id) && $(id).value !== "" ? Number($(id).value) : unset);
    const newStart = ["init-std", "opt-intercept"].includes(event.target.id);
    changed(() => {
      state.initStd = number("init-std", 0.1);
      state.l2 = number("opt-l2", 0);
      state.tol = number("opt-tol", null);
      state.tolKind = $("opt-tol-kind") && $("opt-tol-kind").value ? $("opt-tol-kind").value : null;
      state.schedule = $("opt-schedule") && $("opt-schedule").value ? $("opt-schedule").value : null;
      state.standardize = Boolean($("opt-standardize") && $("opt-standardize").checked);
      state.intercept = $("opt-intercept").checked;
    }, { keepInit: !newStart });
  };
  $("landscape-plot").addEventListener("mousemove", (event) => {
    const point = view && clickToData($("landscape-plot"), event);
    const names = view ? displayNames(view.setup) : [];
    $("landscape-readout").textContent = point && names.length > 1
      ? `${names[0]} = ${fmt(point[0], 3)}, ${names[1]} = ${fmt(point[1], 3)}: loss ${fmt(lossUnder(view.setup, point), 5)}`
      : "";
  });
  $("landscape-plot").addEventListener("mouseleave", () => { $("landscape-readout").textContent = ""; });
  $("landscape-plot").addEventListener("click", (event) => {
    if (!view) return;
    const point = clickToData($("landscape-plot"), event);
    if (!point) return;
    const start = view.setup.init.slice();
    const digits = (lo, hi) => Math.max(0, Math.ceil(-Math.log10((hi - lo) / 1000)));
    start[0] = Number(point[0].toFixed(digits(...ranges[0])));
    if (start.length > 1) start[1] = Number(point[1].toFixed(digits(...ranges[1])));
    changed(() => { state.init = start; });
  });
  $("download-run").onclick = () => view && view.record && downloadRecord(view.record);
  $("download-figure").onclick = () => downloadFigure([
    { element: $("data-plot"), caption: $("data-title").textContent },
    { element: $("landscape-plot"), caption: "Loss landscape and path" },
    { element: $("loss-plot"), caption: "Loss after each step" },
  ], `gdlab: ${state.optimizer}, lr ${fmt(state.lr, 3)}, ${view.steps[view.steps.length - 1]} steps — loss ${fmt(view.losses[view.losses.length - 1], 5)} (floor ${fmt(view.setup.quadratic.optimum_loss, 5)})`);
  $("copy-command").onclick = () => navigator.clipboard.writeText($("command").textContent).catch(() => {});
}

async function uploadChosen() {
  const file = $("file").files[0];
  if (!file) return;
  $("upload-info").textContent = `uploading ${file.name}…`;
  $("upload-info").classList.remove("error");
  try {
    const summary = await api.upload(file);
    Object.assign(state, {
      source: "upload", upload: summary.id, file: summary.filename,
      x: [summary.columns[0]], y: summary.columns[summary.columns.length - 1], init: null,
    });
    currentUpload = summary;
    showColumns(summary, state);
    commit();
    await train();
  } catch (error) {
    $("upload-info").textContent = error.message;
    $("upload-info").classList.add("error");
    showMessage(error.message);
    setStatus("error");
  }
}

async function boot() {
  setStatus("loading");
  const resize = new ResizeObserver((entries) => {
    for (const entry of entries) if (entry.target.data) window.Plotly.Plots.resize(entry.target);
  });
  for (const id of ["data-plot", "landscape-plot", "loss-plot"]) resize.observe($(id));
  try {
    meta = await api.getJson("/api/meta");
  } catch (error) {
    showMessage(`cannot reach the gdlab server: ${error.message}`);
    setStatus("error");
    return;
  }
  buildControls(meta);
  buildOptimizerOptions(meta, state);
  wire();
  showState(state, state.init ? state.init.map((_, i) => (i === 0 ? "b" : `w${i}`)) : ["b", "a"]);
  showSlider(state, null);
  if (state.upload) {
    try {
      currentUpload = await api.getJson(`/api/uploads/${encodeURIComponent(state.upload)}`);
      showColumns(currentUpload, state);
    } catch (error) {
      const name = state.file || "the file";
      showMessage(`This link's data (${name}) is no longer on this server: ${error.message}. Upload ${name} again.`);
      setStatus("error");
      return;
    }
  }
  await train();
}

window.addEventListener("load", boot);
