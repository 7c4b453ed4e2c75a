// The model controls, in their own block: the L1 penalty λ₁ (the lasso; with l2 the
// elastic net) and the polynomial degree (x, x², …, x^degree of the one feature column).
// Kept apart from the other controls on purpose: this module renders its block under the
// optimizer's, reads and writes its own two state fields, and adds them to the URL and to
// the training request only when they differ from their defaults, so older servers and
// older links keep working.

import { language } from "./i18n.js";

export const MODEL_DEFAULTS = { l1: 0, degree: 1 };

const TEXTS = {
  en: {
    heading: "Model: L1 and polynomial degree",
    l1: "L1 λ₁",
    l1Title: "adds λ₁·‖w‖₁ to the loss (the bias is free): weights become exactly 0; trained by proximal steps (gd: ISTA, fista: FISTA)",
    degree: "degree",
    degreeTitle: "fit a polynomial of the one feature: x, x², …, x^degree (one linear layer, a curve)",
  },
  ko: {
    heading: "모델: L1과 다항식 차수",
    l1: "L1 λ₁",
    l1Title: "손실에 λ₁·‖w‖₁을 더합니다(절편 제외). 가중치가 정확히 0이 될 수 있고, 근접 단계로 학습합니다(gd: ISTA, fista: FISTA)",
    degree: "차수",
    degreeTitle: "특성 하나의 다항식을 맞춥니다: x, x², …, x^차수 (선형 층 하나로 곡선)",
  },
};

const text = (key) => (TEXTS[language()] || TEXTS.en)[key];
const $ = (id) => document.getElementById(id);

// Is each control offered by this server (GET /api/meta)?
function offered(meta) {
  return {
    l1: (meta.fit_options || []).includes("l1"),
    degree: meta.defaults !== undefined && "degree" in meta.defaults,
  };
}

// Render the block after the optimizer's section (once; again on a language change).
export function buildModelControls(meta) {
  const has = offered(meta);
  $("model-options")?.remove();
  if (!has.l1 && !has.degree) return;
  const block = document.createElement("section");
  block.className = "group";
  block.id = "model-options";
  block.setAttribute("aria-labelledby", "model-heading");
  const max = meta.limits?.max_degree || 12;
  const fields = [];
  if (has.l1) {
    fields.push(`<label title="${text("l1Title")}"><span>${text("l1")}</span> <input type="number" id="opt-l1" min="0" step="any"></label>`);
  }
  if (has.degree) {
    fields.push(`<label title="${text("degreeTitle")}"><span>${text("degree")}</span> <input type="number" id="opt-degree" min="1" max="${max}" step="1"></label>`);
  }
  block.innerHTML = `<h2 id="model-heading">${text("heading")}</h2><div class="row">${fields.join("")}</div>`;
  const anchor = $("more-options")?.closest("section");
  if (anchor) anchor.after(block);
}

// Show the state's values in the block.
export function showModelState(state) {
  if ($("opt-l1")) $("opt-l1").value = state.l1 || "";
  if ($("opt-degree")) $("opt-degree").value = state.degree || 1;
}

// Read the block into the state on a change; `changed(update)` retrains (false: refused).
export function wireModelControls(state, changed) {
  const block = $("model-options");
  if (!block) return;
  block.onchange = () => changed(() => {
    const l1 = $("opt-l1") ? Number($("opt-l1").value || 0) : 0;
    const degree = $("opt-degree") ? Number($("opt-degree").value || 1) : 1;
    if (!(Number.isFinite(l1) && l1 >= 0 && Number.isInteger(degree) && degree >= 1)) return false;
    const newShape = degree !== state.degree; // other weights: the start must be drawn again
    Object.assign(state, { l1, degree });
    if (newShape) state.init = null;
    return true;
  });
}

// The URL's l1= and deg= (a bad value is dropped for the default).
export function modelFromUrl(params, state) {
  Object.assign(state, MODEL_DEFAULTS);
  const l1 = Number(params.get("l1"));
  if (params.has("l1") && Number.isFinite(l1) && l1 >= 0) state.l1 = l1;
  const degree = Number(params.get("deg"));
  if (params.has("deg") && Number.isInteger(degree) && degree >= 1) state.degree = degree;
}

export function modelToUrl(params, state) {
  if (state.l1) params.set("l1", String(state.l1));
  if (state.degree && state.degree !== 1) params.set("deg", String(state.degree));
}

// The fields of a TrainRequest the block sets (none at their defaults).
export function modelRequest(state) {
  const body = {};
  if (state.l1) body.l1 = state.l1;
  if (state.degree && state.degree !== 1) body.degree = state.degree;
  return body;
}
