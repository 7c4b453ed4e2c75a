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
