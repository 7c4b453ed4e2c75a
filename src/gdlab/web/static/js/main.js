// The playground's controller: reads the state from the URL, wires every control to it, and
// starts the first run. Runs live in runner.js, drawing in view.js, words in lang-*.js.

import * as api from "./api.js";
import {
  $, buildControls, buildOptimizerOptions, checked, readColumns, readInit, readOptimizerOptions,
  rules, showColumns, showInputError, showState, sliderLr,
} from "./controls.js";
import { downloadFigure, downloadRecord } from "./downloads.js";
import { count, setLanguage, t } from "./i18n.js";
import { fmt } from "./format.js";
import { clickToData, lossUnder } from "./plots.js";
import { failed, reset, setStatus, showPauseButton, stepOnce, stop, togglePause, train } from "./runner.js";
import { buildModelControls, showModelState, wireModelControls } from "./models.js";
import { fromUrl } from "./state.js";
import { buildPresets, wireTeaching } from "./teach.js";
import { commit, originalOf, rate, store } from "./store.js";
import {
  announce, displayNames, drawAll, drawPlot, refreshPointsPicture, retellMessage, showDragged, showHints, showMessage,
} from "./view.js";

store.state = fromUrl(location.search);
const state = store.state;

function names() {
  return store.view ? displayNames(store.view.setup) : ["b", "a"];
}

// New data, a new loss, optimizer or standardisation: the rate follows (the server's `auto`
// rule, as `gdlab fit` uses by default) unless the user chose one.
function followData() {
  if (!state.lrSet) state.lr = "auto";
}

// Apply a change of the form and train again; nothing happens when `update` says the form
// holds a bad value (it returns false), so a bad value never reaches the state or the URL.
function changed(update, { keepInit = true } = {}) {
  if (update() === false) return;
  if (!keepInit) state.init = null;
  commit();
  train();
}

// A number field bound to a state field by its rule.
function numberField(id, field, options = {}) {
  $(id).onchange = () => changed(() => {
    const value = checked($(id), rules(store.meta)[field]);
    if (value === null) return false;
    state[field] = value;
    if (field === "lr") state.lrSet = true;
    return true;
  }, options);
}

// Optional numbers of "more options": empty means unset; otherwise at least 0 (tol above 0).
function moreNumber(id, unset, positive = false) {
  const input = $(id);
  if (!input) return unset;
  if (input.value.trim() === "") {
    showInputError(input, "");
    return unset;
  }
  const name = input.closest("label").querySelector("span").textContent;
  return checked(input, { ok: (v) => (positive ? v > 0 : v >= 0), message: () => t("invalid.more", { name }) });
}

// A random point of the landscape shown (the other weights keep their start), in the data's
// units (the landscape shows the coordinates trained: standardised ones are mapped back).
function randomStart() {
  const { view, ranges } = store;
  if (!view) return null;
  const start = view.setup.coordinates.init.slice();
  ranges.forEach(([lo, hi], i) => { start[i] = lo + Math.random() * (hi - lo); });
  return inDataUnits(view.setup, start);
}

// A landscape point as a start in the data's units, each weight rounded to a thousandth of
// the view's width (short in the URL, exact in the run; unrounded when mapped from v).
function inDataUnits(setup, point) {
  if (setup.coordinates.standardized) return originalOf(setup, point).map((v) => Number(v.toPrecision(6)));
  return point.map((v, i) => (i < store.ranges.length ? rounded(v, ...store.ranges[i]) : v));
}

// A coordinate rounded to a thousandth of the view's width: short in the URL, exact in the run.
function rounded(value, lo, hi) {
  return Number(value.toFixed(Math.max(0, Math.ceil(-Math.log10((hi - lo) / 1000)))));
}

function chooseStart(event) {
  const { view, ranges } = store;
  if (!view) return;
  const point = clickToData($("landscape-plot"), event);
  if (!point) return;
  const start = view.setup.coordinates.init.slice();
  start[0] = point[0];
  if (start.length > 1 && ranges.length > 1) start[1] = point[1];
  changed(() => { state.init = inDataUnits(view.setup, start); });
}

function showReadout(event) {
  const { view } = store;
  const point = view && clickToData($("landscape-plot"), event);
  const shown = view ? view.landscapeNames : [];
  $("landscape-readout").textContent = point ? t("readout", {
    first: `${shown[0]} = ${fmt(point[0], 3)}`,
    second: shown.length > 1 ? `${shown[1]} = ${fmt(point[1], 3)}` : "",
    loss: fmt(lossUnder(view.setup, point), 5),
  }) : "";
}

// Every text on the page again, in the language now chosen; the run on screen stays.
function relabel() {
  setLanguage(state.lang);
  announce("");
  buildControls(store.meta);
  buildOptimizerOptions(store.meta, state);
  buildPresets();
  modelBlock();
  wireMoreOptions();
  showState(state, names());
  if (store.upload) showColumns(store.upload, state);
  showPauseButton();
  retellMessage();
  if (store.view) {
    showHints();
    drawAll();
  }
}

// The model block (L1, polynomial degree): models.js keeps it apart from the rest.
function modelBlock() {
  buildModelControls(store.meta);
  wireModelControls(state, changed);
  showModelState(state);
}

function wireMoreOptions() {
  $("more-options-body").onchange = (event) => {
    const newStart = ["init-std", "opt-intercept"].includes(event.target.id);
    changed(() => {
      const initStd = moreNumber("init-std", 0.1);
      const l2 = moreNumber("opt-l2", 0);
      const tol = moreNumber("opt-tol", null, true);
      if ([initStd, l2].includes(null) || (tol === null && $("opt-tol") && $("opt-tol").value.trim() !== "")) return false;
      Object.assign(state, { initStd, l2, tol });
      state.tolKind = $("opt-tol-kind") && $("opt-tol-kind").value ? $("opt-tol-kind").value : null;
      state.schedule = $("opt-schedule") && $("opt-schedule").value ? $("opt-schedule").value : null;
      const standardize = Boolean($("opt-standardize") && $("opt-standardize").checked);
      if (standardize !== state.standardize || $("opt-intercept").checked !== state.intercept) followData();
      state.standardize = standardize;
      state.intercept = $("opt-intercept").checked;
      return true;
    }, { keepInit: !newStart });
  };
}

function wire() {
  $("train").onclick = () => train();
  $("stop").onclick = stop;
  $("pause").onclick = togglePause;
  $("step").onclick = stepOnce;
  $("reset").onclick = reset;
  $("language").onclick = () => {
    state.lang = state.lang === "ko" ? "en" : "ko";
    commit();
    relabel();
  };
  $("lr-slider").oninput = () => {
    state.lr = sliderLr();
    state.lrSet = true;
    $("lr").value = state.lr;
    showDragged();
  };
  $("lr-slider").onchange = () => changed(() => { state.lr = sliderLr(); state.lrSet = true; });
  numberField("lr", "lr");
  numberField("steps", "steps");
  numberField("n", "n");
  numberField("noise", "noise");
  numberField("seed", "seed", { keepInit: false });
  $("loss").onchange = () => changed(() => { state.loss = $("loss").value; followData(); });
  $("optimizer").onchange = () => changed(() => {
    state.optimizer = $("optimizer").value;
    followData();
    state.options = {};
    buildOptimizerOptions(store.meta, state);
  });
  $("optimizer-options").onchange = () => changed(() => {
    const options = readOptimizerOptions(store.meta, state);
    if (options === null) return false;
    state.options = options;
    return true;
  });
  $("init-inputs").onchange = () => changed(() => {
    const init = readInit();
    if (init === null) return false;
    state.init = init;
    return true;
  });
  $("random-start").onclick = () => {
    const start = randomStart();
    if (start) changed(() => { state.init = start; });
  };
  $("source-seed").onchange = () => changed(() => { state.source = "seed"; followData(); }, { keepInit: false });
  $("source-upload").onchange = () => {
    state.source = "upload";
    showState(state, names());
    if (state.upload && store.upload) changed(() => {}, { keepInit: false });
  };
  $("file").onchange = uploadChosen;
  $("column-pickers").onchange = () => changed(() => {
    Object.assign(state, readColumns());
    followData();
    state.x = state.x.filter((name) => name !== state.y);
    showColumns(store.upload, state);
  }, { keepInit: false });
  $("log-loss").onchange = () => store.view && drawPlot("loss");
  $("animate").onchange = () => { state.animate = $("animate").checked; commit(); };
  wireMoreOptions();
  wireTeaching({ changed, followData, rules: () => rules(store.meta) });
  document.addEventListener("gdlab:redraw", () => store.view && drawAll());
  const landscape = $("landscape-plot");
  landscape.addEventListener("mousemove", showReadout);
  landscape.addEventListener("mouseleave", () => { $("landscape-readout").textContent = ""; });
  landscape.addEventListener("click", chooseStart);
  $("download-run").onclick = () => store.view && store.view.record && downloadRecord(store.view.record);
  $("download-figure").onclick = () => {
    const { view } = store;
    downloadFigure([
      { element: $("data-plot"), caption: $("data-title").textContent },
      { element: $("landscape-plot"), caption: t("panel.figure.landscape") },
      { element: $("loss-plot"), caption: t("panel.loss") },
    ], t("figure.title", {
      optimizer: state.optimizer, lr: fmt(rate(), 3), steps: count(view.steps[view.steps.length - 1]),
      loss: fmt(view.losses[view.losses.length - 1], 5), floor: fmt(view.setup.quadratic.optimum_loss, 5),
    }));
  };
  $("copy-command").onclick = () => navigator.clipboard.writeText($("command").textContent).catch(() => {});
}

// A new upload trains on it. A link's own file uploaded again gets its columns and start back.
async function uploadChosen() {
  const file = $("file").files[0];
  if (!file) return;
  $("upload-info").textContent = t("data.uploading", { file: file.name });
  $("upload-info").classList.remove("error");
  try {
    const summary = await api.upload(file);
    const restore = store.restore;
    const fits = restore && [...restore.x, restore.y].every((name) => summary.columns.includes(name));
    Object.assign(state, {
      source: "upload", upload: summary.id, file: summary.filename,
      x: fits ? restore.x : [summary.columns[0]],
      y: fits ? restore.y : summary.columns[summary.columns.length - 1],
      init: fits ? restore.init : null,
    });
    followData();
    store.restore = null;
    store.upload = summary;
    showColumns(summary, state);
    commit();
    await train();
    if (fits) $("upload-info").insertAdjacentText("beforeend", ` ${t("data.restored", { file: summary.filename })}`);
  } catch (error) {
    const detail = error.message;
    $("upload-info").textContent = t("error.upload", { detail });
    $("upload-info").classList.add("error");
    failed(error, "error.upload");
  }
}

async function boot() {
  setLanguage(state.lang);
  setStatus("loading");
  const resize = new ResizeObserver((entries) => {
    for (const entry of entries) if (entry.target.data) window.Plotly.Plots.resize(entry.target);
    clearTimeout(resized);
    resized = setTimeout(refreshPointsPicture, 200); // a picture of the points fits its new size
  });
  let resized = 0;
  for (const id of ["data-plot", "landscape-plot", "loss-plot"]) resize.observe($(id));
  try {
    store.meta = await api.getJson("/api/meta");
  } catch (error) {
    failed(error, "error.unreachable");
    return;
  }
  buildControls(store.meta);
  buildOptimizerOptions(store.meta, state);
  modelBlock();
  wire();
  showState(state, state.init ? state.init.map((_, i) => (i === 0 ? "b" : `w${i}`)) : ["b", "a"]);
  if (state.upload) {
    try {
      store.upload = await api.getJson(`/api/uploads/${encodeURIComponent(state.upload)}`);
      showColumns(store.upload, state);
    } catch (error) {
      store.restore = { x: state.x, y: state.y, init: state.init };
      const detail = error.message;
      const message = () => t("error.link", { file: state.file || t("error.theFile"), detail });
      showMessage(message);
      announce(message());
      $("upload-info").textContent = message();
      setStatus("error");
      return;
    }
  }
  if (state.at === 0) await reset();
  else await train(state.at === null ? {} : { steps: state.at });
}

window.addEventListener("load", boot);
