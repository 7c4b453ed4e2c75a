// What the page holds between events, in one place: the server's meta, the state (mirrored
// in the URL), the run on screen, the landscape's view and the stream in progress.

import { toUrl } from "./state.js";

export const store = {
  meta: null,
  state: null,
  view: null, // the run on screen: setup, steps, losses, path, record…
  ranges: null, // the landscape's view: [[lo, hi], [lo, hi]] (one pair for one weight)
  rangesKey: "",
  live: null, // the stream in progress: {controller, runId}
  upload: null, // the uploaded table's summary (columns, skipped ones)
  restore: null, // a link's columns and start, kept until its file is uploaded again
};

// Write the state into the address bar (no new history entry).
export function commit() {
  history.replaceState(null, "", toUrl(store.state));
}

// The learning rate of the run on screen: the number set, or the one `auto` settled on
// (the setup's lr_choice) while the state says "auto".
export function rate() {
  const { state, view } = store;
  if (state.lr !== "auto") return state.lr;
  return view && view.setup.lr_choice ? view.setup.lr_choice.lr : NaN;
}

// A matrix times a vector (the maps between the data's units and the coordinates trained).
function times(matrix, w) {
  return matrix.map((row) => row.reduce((sum, m, j) => sum + m * w[j], 0));
}

// Weights in the data's units → the coordinates the run trains in (v = M⁻¹w, standardised).
export function trainedOf(setup, w) {
  const map = setup.coordinates && setup.coordinates.to_trained;
  return map ? times(map, w) : w;
}

// Coordinates trained → the data's units (w = M·v).
export function originalOf(setup, v) {
  const map = setup.coordinates && setup.coordinates.to_original;
  return map ? times(map, v) : v;
}
