// The page's whole state, and its two faces: the URL (so a link replays the run exactly)
// and the body of a training request (the API's TrainRequest schema).

export const DEFAULTS = {
  source: "seed", n: 50, noise: 1, seed: 0,
  upload: null, file: "", x: [], y: "",
  lr: 0.002, steps: 50, optimizer: "gd", options: {}, loss: "l2",
  init: null, initStd: 0.1, intercept: true,
  l2: 0, tol: null, tolKind: null, schedule: null, standardize: false,
  animate: true,
};

// URL key for each scalar field (lists and optimizer options are handled below).
const KEYS = {
  n: "n", noise: "noise", seed: "seed", upload: "upload", file: "file", y: "y",
  lr: "lr", steps: "steps", optimizer: "opt", loss: "loss", initStd: "std",
  l2: "l2", tol: "tol", tolKind: "tkind", schedule: "sched",
};
const NUMBERS = new Set(["n", "noise", "seed", "lr", "steps", "initStd", "l2", "tol"]);

export function fromUrl(search) {
  const params = new URLSearchParams(search);
  const state = structuredClone(DEFAULTS);
  for (const [field, key] of Object.entries(KEYS)) {
    if (!params.has(key)) continue;
    const text = params.get(key);
    state[field] = NUMBERS.has(field) ? Number(text) : text;
  }
  if (params.has("x")) state.x = params.get("x").split(",").filter(Boolean);
  if (params.has("init")) state.init = params.get("init").split(",").map(Number);
  if (params.get("nob") === "1") state.intercept = false;
  if (params.get("stdz") === "1") state.standardize = true;
  if (params.get("anim") === "0") state.animate = false;
  for (const [key, value] of params) {
    if (key.startsWith("o_")) state.options[key.slice(2)] = Number(value);
  }
  state.source = state.upload ? "upload" : "seed";
  return state;
}

export function toUrl(state) {
  const params = new URLSearchParams();
  const fields = state.source === "upload"
    ? ["upload", "file", "y"] : ["n", "noise"];
  for (const field of [...fields, "seed", "lr", "steps", "optimizer", "loss", "initStd", "l2", "tol", "tolKind", "schedule"]) {
    const value = state[field];
    if (value === null || value === "" || value === DEFAULTS[field]) continue;
    params.set(KEYS[field], String(value));
  }
  if (state.source === "upload" && state.x.length) params.set("x", state.x.join(","));
  if (state.init) params.set("init", state.init.map(String).join(","));
  if (!state.intercept) params.set("nob", "1");
  if (state.standardize) params.set("stdz", "1");
  if (!state.animate) params.set("anim", "0");
  for (const [name, value] of Object.entries(state.options)) params.set(`o_${name}`, String(value));
  const text = params.toString();
  return text ? `?${text}` : location.pathname;
}

export function dataSpec(state) {
  if (state.source === "upload") {
    return { kind: "upload", id: state.upload, x: state.x, y: state.y };
  }
  return { kind: "seed", n: state.n, noise: state.noise };
}

// The TrainRequest body: newer options only when set, so older servers accept it.
export function trainRequest(state, extra = {}) {
  const body = {
    data: dataSpec(state), lr: state.lr, steps: state.steps, optimizer: state.optimizer,
    loss: state.loss, init_std: state.initStd, seed: state.seed, intercept: state.intercept,
  };
  if (state.init) body.init = state.init;
  if (Object.keys(state.options).length) body.optimizer_options = state.options;
  if (state.l2) body.l2 = state.l2;
  if (state.tol !== null && state.tol !== "") body.tol = state.tol;
  if (state.tolKind) body.tol_kind = state.tolKind;
  if (state.schedule) body.schedule = state.schedule;
  if (state.standardize) body.standardize = true;
  return { ...body, ...extra };
}
