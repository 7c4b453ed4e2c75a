// The run on screen and how it is drawn: the view (steps, losses, path), the three plots,
// the number cards, the hints and story, the message box and the screen-reader summary.
//
// While a run streams, redraws are spaced so that drawing takes under a third of the main
// thread (see liveFrame): the page keeps its frame rate and still answers clicks.

import { $, optimizerDefaults, showInit, showSlider, showSliderValue } from "./controls.js";
import { count, t } from "./i18n.js";
import { dataHint, initHint, lrHint, miniBatch, optimizerHint, plannedSteps, rateScale, regime, stepsHint, story } from "./explain.js";
import { boxRate, fmt } from "./format.js";
import { dataFigure, needsPointsPicture, preparePoints } from "./datapanel.js";
import { landscapeFigure, lossFigure, prepareLandscape, render } from "./plots.js";
import { inside, lossAt, rangesAround } from "./quadratic.js";
import { dataSpec } from "./state.js";
import { rate, store, trainedOf } from "./store.js";
import { landscapeTraces, lossTraces, refreshFullBatch, showTeaching } from "./teach.js";

let frame = 0;
let nextDrawAt = 0;
let messageText = null; // () => the message in the page's language

// The seed's names for one feature with an offset: b and a; otherwise the weights' names.
export function displayNames(setup) {
  const names = setup.weight_names;
  return names.length === 2 && store.state.intercept ? ["b", "a"] : names;
}

// The landscape's axes: the weights, or their standardised coordinates (b′, a′, …).
export function landscapeNames(setup) {
  const names = displayNames(setup);
  return setup.coordinates && setup.coordinates.standardized ? names.map((name) => `${name}′`) : names;
}

export function scale() {
  const { view, state, meta } = store;
  return view ? rateScale(view.setup, state, optimizerDefaults(meta, state.optimizer)) : null;
}

// A new view for a setup: the start alone; the landscape's window kept while it holds it.
export function freshView(setup) {
  const { state } = store;
  const key = JSON.stringify([dataSpec(state), state.loss, state.intercept, state.seed, state.standardize]);
  const start = setup.coordinates.init; // where the landscape's path starts (coordinates trained)
  if (key !== store.rangesKey || !store.ranges || store.ranges.length !== Math.min(2, start.length) || !inside(store.ranges, start)) {
    store.ranges = rangesAround(setup.quadratic, start);
    store.rangesKey = key;
  }
  store.view = {
    setup, names: displayNames(setup), landscapeNames: landscapeNames(setup), steps: [0],
    losses: [lossAt(setup.quadratic, start)], path: [setup.init], trained: [start],
    record: null, stopReason: null, outcome: null,
  };
  return store.view;
}

export function addSteps(rows) {
  const { view } = store;
  for (const [k, loss, ...w] of rows) {
    view.steps.push(k);
    view.losses.push(loss === null ? Infinity : loss);
    const weights = w.map((v) => (v === null ? NaN : v));
    view.path.push(weights);
    view.trained.push(trainedOf(view.setup, weights));
  }
}

// Everything known before the first step: the landscape's picture, the start, the slider.
export async function showSetup() {
  const { setup } = store.view;
  if (setup.quadratic.optimum_weights.length > 1) await prepareLandscape(setup, store.ranges);
  if (needsPointsPicture(setup)) {
    drawPlot("data"); // to learn the size of its drawing area
    await refreshPointsPicture();
  }
  const link = $("data-download");
  if (store.state.source === "seed") {
    const { n, noise, seed, preset } = store.state;
    link.hidden = false;
    link.href = `/api/seed-data.csv?n=${n}&noise=${noise}&seed=${seed}${preset === "seed" ? "" : `&preset=${preset}`}`;
    link.textContent = `${setup.data_file} ↓`;
    link.download = setup.data_file;
  } else {
    link.hidden = true;
  }
  $("command").textContent = setup.command;
  const lr = rate(); // "auto" has its number now
  if (document.activeElement !== $("lr")) $("lr").value = boxRate(lr);
  refreshFullBatch(setup, drawAllSoon); // mini-batches: full-batch GD beside them
  showInit(store.view.names, setup.init);
  showHints();
  await drawAllSoon();
}

export function showHints() {
  const { view, state, meta } = store;
  if (!view) return;
  const { setup } = view;
  const current = scale();
  showSlider(state, current);
  const description = meta.optimizers.find((o) => o.name === state.optimizer);
  const batches = miniBatch(setup, state) ? t("hint.fullbatch") : ""; // the bound is full GD's
  $("lr-hint").innerHTML = batches + lrHint(setup, current, rate(), state.optimizer);
  $("optimizer-hint").innerHTML = optimizerHint(state.optimizer, description && description.name) + stepsHint(setup, rate(), state.optimizer, setup.coordinates.init, state);
  $("init-hint").innerHTML = initHint(state);
  $("data-hint").innerHTML = dataHint(setup, state.source, state.preset);
  showTeaching(state);
}

// Only the slider's own text while it is dragged (the rest follows on release).
export function showDragged() {
  showSliderValue(store.state, scale());
}

// While a run streams: the cards ten times a second, and one plot per turn, the one waiting
// longest, no sooner than 2.5× the time the last plot took after it. Each redraw then blocks the page for one plot only, and drawing keeps to under a
// third of the main thread.
const PLOTS = ["data", "landscape", "loss"];
const CARDS_EVERY_MS = 100; // the numbers change ten times a second: enough to read, cheap
let version = 0; // bumped by every batch of steps
let cardsDrawn = -1;
let nextCardsAt = 0;
let hurryUntil = -1; // plots older than this are redrawn without waiting (drawAllSoon)
const waiters = []; // drawAllSoon's promises: {target version, resolve}
const drawn = { data: -1, landscape: -1, loss: -1 };

export function scheduleDraw() {
  version += 1;
  if (!frame) frame = requestAnimationFrame(liveFrame);
}

// Redraw everything, one plot per frame without waiting between them (a run's first and
// last pictures); resolves once all three show at least what is known now.
export function drawAllSoon() {
  version += 1;
  hurryUntil = version;
  if (!frame) frame = requestAnimationFrame(liveFrame);
  return new Promise((resolve) => waiters.push({ target: version, resolve }));
}

function liveFrame() {
  frame = 0;
  if (!store.view) return;
  const now = performance.now();
  if (cardsDrawn < version && now >= nextCardsAt) {
    drawNumbers(lastFinite(store.view.path));
    cardsDrawn = version;
    nextCardsAt = now + CARDS_EVERY_MS;
  }
  const stale = PLOTS.filter((name) => drawn[name] < version).sort((a, b) => drawn[a] - drawn[b]);
  if (stale.length && (drawn[stale[0]] < hurryUntil || now >= nextDrawAt)) {
    drawPlot(stale[0]);
    if (stale[0] === "loss") drawStory();
    const end = performance.now();
    nextDrawAt = end + 2.5 * (end - now);
    settle();
  }
  if (stale.length || cardsDrawn < version) frame = requestAnimationFrame(liveFrame);
}

// Resolve the drawAllSoon promises whose pictures are all drawn.
function settle() {
  const oldest = Math.min(...PLOTS.map((name) => drawn[name]));
  const done = waiters.filter((waiter) => waiter.target <= oldest);
  if (!done.length) return;
  drawCards();
  for (const waiter of done) {
    waiters.splice(waiters.indexOf(waiter), 1);
    waiter.resolve();
  }
}

// The picture of a big dataset's points, redrawn when the plot's size changed; true if so.
export async function refreshPointsPicture() {
  const { view } = store;
  if (!view || !(await preparePoints(view.setup, $("data-plot")))) return false;
  drawPlot("data");
  return true;
}

export function drawPlot(name) {
  const { view, state, ranges } = store;
  const { setup } = view;
  if (name === "data") render($("data-plot"), dataFigure(setup, lastFinite(view.path), state.intercept, store.live !== null));
  else if (name === "landscape") render($("landscape-plot"), landscapeFigure(setup, ranges, { ...view, path: view.trained }, view.landscapeNames, landscapeTraces(ranges)));
  else {
    const log = $("log-loss").checked;
    render($("loss-plot"), lossFigure(setup, view.steps, view.losses, log, plannedSteps(state), lossTraces(log)));
  }
  drawn[name] = version;
  document.body.dataset.frames = String(Number(document.body.dataset.frames || 0) + 1);
}

// Everything at once (a run's setup and end, a change of language or of the log scale).
export function drawAll() {
  if (!store.view) return;
  for (const name of PLOTS) drawPlot(name);
  drawCards();
}

// The number cards, the story and the panel titles.
function drawCards() {
  drawNumbers(lastFinite(store.view.path));
  cardsDrawn = version;
  drawStory();
}

function drawStory() {
  const { view, state } = store;
  const { setup } = view;
  const names = view.landscapeNames;
  $("story").innerHTML = story(setup, view, state, scale());
  const single = setup.points.features.length === 1;
  $("data-title").textContent = single ? t("panel.data") : t("panel.rows");
  $("landscape-title").textContent = names.length > 2
    ? t("panel.landscape.more", { first: names[0], second: names[1] })
    : names.length === 1 ? t("panel.landscape.one", { name: names[0] }) : t("panel.landscape");
}

function lastFinite(path) {
  for (let i = path.length - 1; i >= 0; i--) if (path[i].every(Number.isFinite)) return path[i];
  return path[0];
}

const CARD = '<div class="label"></div><div class="value"></div><div class="sub"></div>';

// The cards, made once per set of weights (one card each); later frames change their text
// only, so a scrolled row of many weight cards stays where the user put it.
function cardLayout(names) {
  const box = $("numbers");
  const key = names.join("|");
  if (box.dataset.names === key) return;
  box.innerHTML = "";
  const make = (parent, id, className = "card") => {
    const element = document.createElement("div");
    element.id = id;
    element.className = className;
    if (className === "card") element.innerHTML = CARD;
    parent.append(element);
    return element;
  };
  make(box, "step-now");
  const weights = make(box, "weights", "weights");
  weights.setAttribute("role", "group");
  names.forEach((_, i) => make(weights, `w-${i}`));
  make(box, "loss-now");
  make(box, "r2-now");
  make(box, "bound");
  box.dataset.names = key;
}

function setCard(id, label, value, sub, raw, extraClass = "") {
  const element = document.getElementById(id);
  element.className = `card ${extraClass}`.trim();
  element.dataset.value = String(raw);
  element.children[0].textContent = label;
  element.children[1].textContent = value;
  element.children[2].textContent = sub;
}

function drawNumbers(w) {
  const { view, state } = store;
  const { setup } = view;
  const names = setup.weight_names;
  cardLayout(names);
  const weights = $("weights");
  weights.setAttribute("aria-label", t("card.weights"));
  if (weights.scrollHeight > weights.clientHeight + 1) weights.tabIndex = 0; // scrolls: reachable by keyboard
  else weights.removeAttribute("tabindex");
  const opt = setup.optimum.weights; // the data's units, as the weights shown
  const k = view.steps[view.steps.length - 1];
  const loss = view.losses[view.losses.length - 1];
  const floor = setup.quadratic.optimum_loss;
  const sst = setup.total_sum_of_squares;
  const r2 = (l) => (sst > 0 ? 1 - (setup.sse_per_loss * l) / sst : NaN);
  const diverged = view.stopReason === "diverged" || !Number.isFinite(loss);
  const reason = view.stopReason ? t(`reason.${view.stopReason}`) : "\u00a0";
  setCard("step-now", t("card.step"), `${count(k)} / ${count(plannedSteps(state))}`, reason, k);
  const slope = setup.points.feature_names.length === 1; // one feature: its weight is the slope a
  const label = (name, i) => (i === 0 && state.intercept ? t("card.offset") : slope ? t("card.slope", { name }) : name);
  w.forEach((v, i) => setCard(`w-${i}`, label(names[i], i), fmt(v, 5), t("card.optimum", { value: fmt(opt[i], 5) }), v));
  setCard("loss-now", t("card.loss"), fmt(loss, 5), t("card.floor", { value: fmt(floor, 5) }), loss, diverged ? "diverged" : "");
  setCard("r2-now", "R²", fmt(r2(loss), 4), t("card.r2.best", { value: fmt(r2(floor), 4) }), r2(loss));
  const current = scale();
  const kind = regime(current, rate());
  if (current.kind === "adaptive") {
    setCard("bound", t("card.distance"), fmt(current.distance, 4), t("card.distance.sub", { value: fmt(current.perStep, 3) }), current.distance, kind);
  } else if (current.kind === "momentum") {
    setCard("bound", t("card.bound.momentum"), fmt(current.bound, 4), t("card.bound.gd", { value: fmt(current.gdBound, 3) }), current.bound, kind);
  } else {
    setCard("bound", t("card.bound"), fmt(current.bound, 4), t("card.bound.best", { value: fmt(current.best, 3) }), current.bound, kind);
  }
}

// The message box: `text` is a function, so the message follows a change of language.
export function showMessage(text, kind = "error") {
  messageText = text;
  const box = $("message");
  const shown = text ? text() : "";
  box.hidden = !shown;
  box.className = `message ${kind}`;
  box.dataset.kind = kind;
  box.textContent = shown;
}

export function retellMessage() {
  const box = $("message");
  if (messageText) showMessage(messageText, box.dataset.kind || "error");
}

// One short sentence for screen readers (the page's only live region besides input errors).
export function announce(text) {
  $("announce").textContent = text;
}

