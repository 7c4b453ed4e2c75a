// A run's life on the page: Train streams it from the server, Pause and Continue hold it,
// Stop ends it, +1 Step retrains one step further, Reset goes back to the start.
// document.body.dataset.status says loading | idle | running | paused | done | error, and
// dataset.runs counts the runs finished (tests wait on both).

import * as api from "./api.js";
import { $, showState } from "./controls.js";
import { outcomeText, plannedSteps } from "./explain.js";
import { t } from "./i18n.js";
import { fmt } from "./format.js";
import { trainRequest } from "./state.js";
import { commit, rate, store } from "./store.js";
import { runFinished } from "./teach.js";
import { addSteps, announce, displayNames, drawAllSoon, freshView, scale, scheduleDraw, showMessage, showSetup } from "./view.js";

export function setStatus(status) {
  document.body.dataset.status = status;
  const live = status === "running" || status === "paused";
  $("stop").disabled = !live;
  $("pause").disabled = !live;
  showPauseButton();
}

export function showPauseButton() {
  const paused = document.body.dataset.status === "paused";
  $("pause").textContent = t(paused ? "button.continue" : "button.pause");
  $("pause").title = t(paused ? "button.continue.title" : "button.pause.title");
  $("pause").setAttribute("aria-pressed", String(paused));
}

function names() {
  return store.view ? displayNames(store.view.setup) : ["b", "a"];
}

// Abandon the run in progress: closing its stream stops it on the server.
async function cancelLive() {
  if (!store.live) return;
  const { controller } = store.live;
  store.live = null;
  controller.abort();
}

// Train from the start: the steps setting (Train), or `steps` of them (+1 Step, a link's
// `at`), animated or at full speed (`duration` 0).
export async function train({ duration = null, steps = null } = {}) {
  const { state } = store;
  await cancelLive();
  state.at = steps === null || steps === state.steps ? null : steps;
  commit();
  showState(state, names());
  showMessage(null);
  runFinished(false);
  setStatus("running");
  announce(t("announce.start", { steps: plannedSteps(state), optimizer: state.optimizer, lr: state.lr === "auto" ? t("lr.auto") : fmt(state.lr, 3) }));
  const controller = new AbortController();
  const mine = { controller, runId: null };
  store.live = mine;
  const pace = duration ?? (state.animate ? null : 0);
  const extra = pace === null ? {} : { duration: pace };
  let settled = Promise.resolve();
  try {
    await api.stream("/api/train/stream", trainRequest(state, extra), (event, payload) => {
      if (store.live !== mine) return;
      if (event === "setup") {
        mine.runId = payload.run_id;
        freshView(payload);
        settled = showSetup();
        if (mine.stopWanted) stop();
        else if (mine.pauseWanted) togglePause();
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
    if (error.name === "AbortError" || store.live !== mine) return;
    failed(error);
  } finally {
    if (store.live === mine) store.live = null;
  }
}

export function failed(error, frame = "error.server") {
  const detail = error.message;
  showMessage(() => t(frame, { detail }));
  announce(t(frame, { detail }));
  setStatus("error");
}

async function finish(payload) {
  const { state, view } = store;
  const { record } = payload;
  view.record = record;
  view.stopReason = record.stop_reason;
  view.losses[0] = record.initial_loss;
  view.outcome = payload;
  const done = record.losses.length;
  if (record.stop_reason === "stopped" && done < plannedSteps(state)) {
    state.at = done === state.steps ? null : done; // the link and the command replay what is shown
    commit();
    showState(state, displayNames(view.setup));
    api.postJson("/api/prepare", trainRequest(state))
      .then((setup) => { $("command").textContent = setup.command; })
      .catch(() => {});
  }
  const current = scale();
  showMessage(() => {
    let note = outcomeText(payload, current);
    if (!payload.landscape_matches) note += ` ${t("outcome.landscape")}`;
    return note.trim();
  }, record.stop_reason === "diverged" ? "warning" : "info");
  await drawAllSoon();
  if (store.view !== view) return; // a new run began meanwhile: it owns the page now
  $("download-run").disabled = false;
  $("download-figure").disabled = false;
  const last = view.losses[view.losses.length - 1];
  const floor = fmt(view.setup.quadratic.optimum_loss, 5);
  announce(record.stop_reason === "diverged" ? t("announce.diverged", { steps: done })
    : record.stop_reason === "stopped" ? t("announce.stopped", { steps: done })
      : t("announce.done", { steps: done, loss: fmt(last, 5), floor }));
  runFinished(true);
  document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
  setStatus("done");
}

// Back to the start: the setup alone, no steps (a link with at=0 opens here).
export async function reset() {
  const { state } = store;
  await cancelLive();
  showMessage(null);
  state.at = 0;
  commit();
  try {
    const setup = await api.postJson("/api/prepare", trainRequest(state));
    freshView(setup);
    await showSetup();
    $("download-run").disabled = true;
    announce(t("announce.reset"));
    setStatus("idle");
  } catch (error) {
    failed(error);
  }
}

export async function stop() {
  const { live } = store;
  if (!live) return;
  if (!live.runId) {
    live.stopWanted = true; // pressed before the server named the run: stop once it does
    return;
  }
  await api.postJson(`/api/runs/${live.runId}/stop`, {}).catch(() => {});
}

// Pause a live run, or let a paused one go on.
export async function togglePause() {
  const { live, view } = store;
  if (!live) return;
  if (!live.runId) {
    live.pauseWanted = true; // pressed before the server named the run: pause once it does
    return;
  }
  live.pauseWanted = false;
  const paused = document.body.dataset.status === "paused";
  try {
    await api.postJson(`/api/runs/${live.runId}/${paused ? "resume" : "pause"}`, {});
  } catch (_) {
    return; // the run ended meanwhile: its last event says how
  }
  if (store.live !== live) return;
  setStatus(paused ? "running" : "paused");
  if (!paused) announce(t("announce.paused", { step: view.steps[view.steps.length - 1] }));
}

// +1 Step: one step more than the run shown, at full speed.
export function stepOnce() {
  const { view, meta } = store;
  const shown = view ? (view.record ? view.record.losses.length : view.steps[view.steps.length - 1]) : 0;
  return train({ duration: 0, steps: Math.min(shown + 1, meta.limits.max_steps) });
}
