// The page's whole state, and its two faces: the URL (so a link replays the run exactly)
// and the body of a training request (the API's TrainRequest schema).
//
// `lr` is a number or "auto" (the server's rule picks it from the data); `lrSet` says the
// user chose the number (a link's number counts), so new data, a new loss, optimizer or
// standardisation keep it; otherwise they switch back to "auto".
// `steps` is the steps setting; `at` is the step the run on screen stops at when that is not
// the setting (after a Stop, or +1 Step; 0 after Reset), so a link replays what is shown
// while the steps box keeps what the user set. A URL value that breaks its field's rule is
// dropped for the default, so a bad link still opens a working page.

import { MODEL_DEFAULTS, modelFromUrl, modelRequest, modelToUrl } from "./models.js";

export const DEFAULTS = {
  source: "seed", preset: "seed", n: 50, noise: 1, seed: 0,
  upload: null, file: "", x: [], y: "",
  lr: 0.002, lrSet: false, steps: 50, at: null, optimizer: "gd", options: {}, loss: "l2",
  init: null, initStd: 0.1, intercept: true,
  l2: 0, tol: null, tolKind: null, schedule: null, standardize: false, batchSize: null, validation: null,
  animate: true, lang: "en", showFull: true, ...MODEL_DEFAULTS,
};

// URL key for each scalar field (lists and optimizer options are handled below).
const KEYS = {
  preset: "preset", n: "n", noise: "noise", seed: "seed", batchSize: "bs", validation: "val", upload: "upload", file: "file", y: "y",
  lr: "lr", steps: "steps", at: "at", optimizer: "opt", loss: "loss", initStd: "std",
  l2: "l2", tol: "tol", tolKind: "tkind", schedule: "sched", lang: "lang",
};
const whole = (v) => Number.isInteger(v);
// What a number read from the URL must be to be used.
const NUMBERS = {
  n: (v) => whole(v) && v >= 2,
  noise: (v) => v >= 0,
  seed: (v) => whole(v) && v >= 0 && v < 2 ** 32,
  lr: (v) => v > 0,
  steps: (v) => whole(v) && v >= 1,
  at: (v) => whole(v) && v >= 0,
  initStd: (v) => v >= 0,
  l2: (v) => v >= 0,
  tol: (v) => v > 0,
  batchSize: (v) => whole(v) && v >= 1,
  validation: (v) => v > 0 && v < 1,
};
// The seed recipe's teaching presets (the server's SeedData.preset).
export const PRESETS = ["seed", "centred", "ill-conditioned", "outliers", "collinear"];

function readNumber(text, rule) {
  const value = text.trim() === "" ? NaN : Number(text);
  return Number.isFinite(value) && rule(value) ? value : undefined;
}

export function fromUrl(search) {
  const params = new URLSearchParams(search);
  const state = structuredClone(DEFAULTS);
  for (const [field, key] of Object.entries(KEYS)) {
    if (!params.has(key)) continue;
    const text = params.get(key);
    const value = field in NUMBERS ? readNumber(text, NUMBERS[field]) : text;
    if (value !== undefined) state[field] = value;
  }
  if (params.get("lr") === "auto") state.lr = "auto";
  else if (params.has("lr") && readNumber(params.get("lr"), NUMBERS.lr) !== undefined) state.lrSet = true;
  if (params.has("x")) state.x = params.get("x").split(",").filter(Boolean);
  if (params.has("init")) {
    const init = params.get("init").split(",").map((text) => readNumber(text, () => true));
    if (init.length && init.every((v) => v !== undefined)) state.init = init;
  }
  if (params.get("nob") === "1") state.intercept = false;
  if (params.get("stdz") === "1") state.standardize = true;
  if (params.get("anim") === "0") state.animate = false;
  for (const [key, value] of params) {
    const number = readNumber(value, () => true);
    if (key.startsWith("o_") && number !== undefined) state.options[key.slice(2)] = number;
  }
  modelFromUrl(params, state); // the model block's fields (models.js)
  if (state.at === state.steps) state.at = null;
  if (state.lang !== "ko") state.lang = "en";
  if (!PRESETS.includes(state.preset)) state.preset = "seed";
  state.source = state.upload ? "upload" : "seed";
  return state;
}

export function toUrl(state) {
  const params = new URLSearchParams();
  const fields = state.source === "upload"
    ? ["upload", "file", "y"] : ["preset", "n", "noise"];
  for (const field of [...fields, "seed", "batchSize", "validation", "lr", "steps", "at", "optimizer", "loss", "initStd", "l2", "tol", "tolKind", "schedule", "lang"]) {
    const value = state[field];
    const kept = field === "lr" && state.lrSet; // a rate the user chose stays in the link
    if (value === null || value === "" || (value === DEFAULTS[field] && !kept)) continue;
    params.set(KEYS[field], String(value));
  }
  if (state.source === "upload" && state.x.length) params.set("x", state.x.join(","));
  if (state.init) params.set("init", state.init.map(String).join(","));
  if (!state.intercept) params.set("nob", "1");
  if (state.standardize) params.set("stdz", "1");
  if (!state.animate) params.set("anim", "0");
  for (const [name, value] of Object.entries(state.options)) params.set(`o_${name}`, String(value));
  modelToUrl(params, state); // the model block's fields (models.js)
  const text = params.toString();
  return text ? `?${text}` : location.pathname;
}

export function dataSpec(state) {
  if (state.source === "upload") {
    return { kind: "upload", id: state.upload, x: state.x, y: state.y };
  }
  const spec = { kind: "seed", n: state.n, noise: state.noise };
  return state.preset === "seed" ? spec : { ...spec, preset: state.preset };
}

// The TrainRequest body for the run on screen: newer options only when set, so older
// servers accept it.
export function trainRequest(state, extra = {}) {
  const body = {
    data: dataSpec(state), lr: state.lr, steps: state.at || state.steps, optimizer: state.optimizer,
    loss: state.loss, init_std: state.initStd, seed: state.seed, intercept: state.intercept,
  };
  if (state.init) body.init = state.init;
  if (Object.keys(state.options).length) body.optimizer_options = state.options;
  if (state.l2) body.l2 = state.l2;
  if (state.tol !== null && state.tol !== "") body.tol = state.tol;
  if (state.tolKind) body.tol_kind = state.tolKind;
  if (state.schedule) body.schedule = state.schedule;
  if (state.standardize) body.standardize = true;
  if (state.batchSize) body.batch_size = state.batchSize;
  if (state.validation) body.validation = state.validation; // a share of the rows held out
  return { ...body, ...modelRequest(state), ...extra };
}
