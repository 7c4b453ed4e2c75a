// The three pictures, drawn with plotly.js: the data and the fitted line, the loss landscape
// with the descent's path, and the loss after each step with the optimum's floor.
// Each `*Figure` function builds {data, layout} from the run as it stands; `render` draws it.
// The data panel lives in datapanel.js; this module has the landscape, the loss curve and
// what the panels share.
//
// Drawing must stay cheap while a run animates: one redraw of 2000 SVG markers costs about
// 150 ms. So what does not move is drawn once as a picture laid under the plot (the loss
// contours; the points of a big one-feature dataset), moving markers are thinned while a
// run streams, long paths are lines without markers, and numbers far outside the view (a
// diverged run) are clipped so SVG gets no 1e+21. (WebGL is no way out: plotly's WebGL
// traces compile code at run time, which the page's content security policy forbids.)

import { t } from "./i18n.js";
import { fmt } from "./format.js";
import { grid, lossAt } from "./quadratic.js";

export const COLORS = { data: "#2563eb", fit: "#16a34a", path: "#e8590c", floor: "#6b7280", start: "#111827" };
const FONT = { family: "DejaVu Sans, sans-serif", size: 11, color: "#1d2330" };
// Nothing on the plots may send data away: no cloud "share" button, no server to send to.
const CONFIG = {
  displaylogo: false, responsive: true, showSendToCloud: false, showEditInChartStudio: false,
  showLink: false, plotlyServerURL: "", linkText: "",
  modeBarButtonsToRemove: ["sendChartToCloud", "sendDataToCloud", "editInChartStudio", "lasso2d", "select2d", "toImage"],
};
// Beyond this many steps the path is a line without markers.
const LONG_PATH = 200;

export function baseLayout(extra) {
  return {
    font: FONT, margin: { l: 52, r: 12, t: 8, b: 36 }, showlegend: true,
    legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom", font: { size: 10 }, bgcolor: "rgba(0,0,0,0)" },
    paper_bgcolor: "#fff", plot_bgcolor: "#fff", hovermode: "closest",
    ...extra,
  };
}

export function axis(title, extra = {}) {
  return { title: { text: title, standoff: 4 }, zeroline: false, gridcolor: "#eef1f5", automargin: true, ...extra };
}

export function render(element, figure, config = {}) {
  if (figure.layout.dragmode === false) config = { displayModeBar: false, ...config };
  return window.Plotly.react(element, figure.data, figure.layout, { ...CONFIG, ...config });
}

// Clamp v into [lo − far·span, hi + far·span]: out of view either way, but a number SVG takes.
export function clip(v, lo, hi, far = 50) {
  if (!Number.isFinite(v)) return null;
  const span = hi - lo || 1;
  return Math.min(hi + far * span, Math.max(lo - far * span, v));
}

export function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

export function padded(values) {
  const [lo, hi] = extent(values);
  const pad = 0.12 * (hi - lo || 1);
  return [lo - pad, hi + pad];
}

// The contour map of the loss, drawn once per view as a picture and laid under the path:
// redrawing the contours at every frame would make the animation stutter.
let background = { key: "", source: null };

function contourTrace(quadratic, ranges) {
  const heights = grid(quadratic, ranges);
  const floor = quadratic.optimum_loss;
  // √(L − L*) is a norm of w − w*: equally spaced contours are equally spaced ellipses.
  const z = heights.z.map((row) => row.map((v) => Math.sqrt(Math.max(v - floor, 0))));
  return {
    type: "contour", x: heights.xs, y: heights.ys, z, ncontours: 18, showscale: false,
    colorscale: [[0, "#eef4ff"], [0.5, "#b9cff5"], [1, "#5b7fc7"]],
    line: { color: "rgba(40,60,110,.35)", width: 0.8 }, hoverinfo: "skip",
  };
}

function backgroundKey(setup, ranges) {
  return JSON.stringify([setup.quadratic, ranges]);
}

export async function prepareLandscape(setup, ranges) {
  const key = backgroundKey(setup, ranges);
  if (background.key === key) return;
  const holder = document.createElement("div");
  holder.style.cssText = "position:fixed;left:-10000px;top:0;width:600px;height:450px";
  holder.setAttribute("aria-hidden", "true");
  document.body.append(holder);
  const hidden = { visible: false, fixedrange: true };
  await window.Plotly.newPlot(holder, [contourTrace(setup.quadratic, ranges)], {
    width: 600, height: 450, margin: { l: 0, r: 0, t: 0, b: 0 },
    xaxis: { ...hidden, range: ranges[0] }, yaxis: { ...hidden, range: ranges[1] },
  }, { staticPlot: true });
  const source = await window.Plotly.toImage(holder, { format: "png", width: 600, height: 450 });
  window.Plotly.purge(holder);
  holder.remove();
  background = { key, source };
}

// A point of the path pulled in toward the view's centre until it lies within `far` spans:
// a diverged path still leaves the view in the direction it really went.
function clipPoint(w, ranges, far = 50) {
  const centre = ranges.map(([lo, hi]) => (lo + hi) / 2);
  const half = ranges.map(([lo, hi]) => (far + 0.5) * (hi - lo || 1));
  if (!w.every(Number.isFinite)) return null;
  const reach = Math.max(...centre.map((c, i) => Math.abs(w[i] - c) / half[i]));
  return reach <= 1 ? w : centre.map((c, i) => c + (w[i] - c) / reach);
}

// Another path on the landscape (full batch, a kept run): a line without markers, clipped
// as the run's own path is.
export function pathTrace(path, ranges, name, line) {
  const shown = path.map((w) => clipPoint(w, ranges));
  return { type: "scatter", mode: "lines", name, x: shown.map((w) => (w ? w[0] : null)), y: shown.map((w) => (w ? w[1] : null)), line, hoverinfo: "skip" };
}

// Another loss curve (full batch, a kept run) on the loss plot.
export function lossTrace(steps, losses, logScale, name, line) {
  const y = losses.map((v) => (Number.isFinite(v) && (!logScale || v > 0) ? v : null));
  return { type: "scatter", mode: "lines", name, x: steps, y, line, hovertemplate: `${name}<br>${t("hover.step")} %{x}<br>${t("hover.loss")} %{y:.6g}<extra></extra>` };
}

// Landscape: the loss over the first two weights (others at the optimum) and the path;
// `others` are more paths drawn under it (`pathTrace`).
export function landscapeFigure(setup, ranges, view, names, others = []) {
  const { quadratic } = setup;
  const opt = quadratic.optimum_weights;
  if (opt.length === 1) return lossLineFigure(setup, ranges, view, names);
  const floor = quadratic.optimum_loss;
  const shown = view.path.map((w) => clipPoint(w, ranges));
  const start = shown[0];
  const last = shown.filter(Boolean).pop() || start;
  const long = shown.length > LONG_PATH;
  const [[x0, x1], [y0, y1]] = ranges;
  return {
    data: [
      ...others,
      { type: "scatter", mode: long ? "lines" : "lines+markers", name: t("trace.path"), x: shown.map((w) => (w ? w[0] : null)), y: shown.map((w) => (w ? w[1] : null)),
        line: { color: COLORS.path, width: 2 }, marker: { color: COLORS.path, size: 4 },
        hovertemplate: `${t("hover.step")} %{customdata}<br>${names[0]} = %{x:.4g}<br>${names[1]} = %{y:.4g}<extra></extra>`, customdata: view.steps },
      { type: "scatter", mode: "markers", name: t("trace.start"), x: [start[0]], y: [start[1]],
        marker: { color: "#fff", size: 12, line: { color: COLORS.start, width: 2.5 } }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", name: t("trace.now"), x: [last[0]], y: [last[1]],
        marker: { color: COLORS.path, size: 10, line: { color: "#fff", width: 1.5 } }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", name: t("trace.optimum"), x: [opt[0]], y: [opt[1]],
        marker: { symbol: "star", color: "#facc15", size: 16, line: { color: "#854d0e", width: 1.2 } },
        hovertemplate: `${t("hover.optimum")}<br>${names[0]} = %{x:.6g}<br>${names[1]} = %{y:.6g}<br>${t("hover.floor")} = ${fmt(floor, 6)}<extra></extra>` },
    ],
    layout: baseLayout({
      dragmode: false,
      images: background.key === backgroundKey(setup, ranges) ? [{
        source: background.source, xref: "x", yref: "y", x: x0, y: y1, sizex: x1 - x0, sizey: y1 - y0,
        sizing: "stretch", layer: "below",
      }] : [],
      // Fixed axes: a tap or a pinch on a touch screen must pick a start, never zoom.
      xaxis: axis(names[0], { range: ranges[0], showgrid: false, fixedrange: true }),
      yaxis: axis(names[1], { range: ranges[1], showgrid: false, fixedrange: true }),
    }),
  };
}

// The loss under the mouse, for the landscape's readout.
export function lossUnder(setup, point) {
  const w = setup.quadratic.optimum_weights.slice();
  w[0] = point[0];
  if (w.length > 1) w[1] = point[1];
  return lossAt(setup.quadratic, w);
}

// One weight only (no intercept, one feature): the loss is a parabola in w, the path on it.
function lossLineFigure(setup, ranges, view, names) {
  const { quadratic } = setup;
  const [lo, hi] = ranges[0];
  const xs = Array.from({ length: 121 }, (_, k) => lo + ((hi - lo) * k) / 120);
  const curve = xs.map((v) => lossAt(quadratic, [v]));
  const top = Math.max(...curve);
  const shown = view.path.map((w) => clip(w[0], lo, hi));
  const heights = view.path.map((w) => clip(lossAt(quadratic, w), quadratic.optimum_loss, top));
  const long = shown.length > LONG_PATH;
  const opt = quadratic.optimum_weights[0];
  return {
    data: [
      { type: "scatter", mode: "lines", name: t("trace.loss"), x: xs, y: curve, line: { color: "#5b7fc7", width: 2 }, hoverinfo: "skip" },
      { type: "scatter", mode: long ? "lines" : "lines+markers", name: t("trace.path"), x: shown, y: heights, line: { color: COLORS.path, width: 2 }, marker: { size: 5 },
        customdata: view.steps, hovertemplate: `${t("hover.step")} %{customdata}<br>${names[0]} = %{x:.4g}<br>${t("hover.loss")} %{y:.5g}<extra></extra>` },
      { type: "scatter", mode: "markers", name: t("trace.start"), x: [shown[0]], y: [heights[0]], marker: { color: "#fff", size: 12, line: { color: COLORS.start, width: 2.5 } }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", name: t("trace.optimum"), x: [opt], y: [quadratic.optimum_loss],
        marker: { symbol: "star", color: "#facc15", size: 16, line: { color: "#854d0e", width: 1.2 } }, hoverinfo: "skip" },
    ],
    layout: baseLayout({
      dragmode: false,
      xaxis: axis(names[0], { range: ranges[0], fixedrange: true }),
      yaxis: axis(t("axis.loss"), { range: padded([quadratic.optimum_loss, top]), fixedrange: true }),
    }),
  };
}

// Loss curve: the loss after each step (step 0 is the start) and the optimum's floor, over
// the steps planned (the axis stays put while a run fills it in).
export function lossFigure(setup, steps, losses, logScale, planned = 1, others = []) {
  const floor = setup.quadratic.optimum_loss;
  const longest = Math.max(0, ...others.map((trace) => trace.x[trace.x.length - 1] || 0));
  const last = Math.max(steps[steps.length - 1] || 1, planned, longest, 1);
  const shown = losses.map((v) => (Number.isFinite(v) && (!logScale || v > 0) ? v : null));
  const data = [
    { type: "scatter", mode: steps.length > 80 ? "lines" : "lines+markers", name: t("trace.loss"), x: steps, y: shown,
      line: { color: COLORS.path, width: 2 }, marker: { size: 4 },
      hovertemplate: `${t("hover.step")} %{x}<br>${t("hover.loss")} %{y:.6g}<extra></extra>` },
    ...others,
  ];
  if (!logScale || floor > 0) {
    data.push({ type: "scatter", mode: "lines", name: t("trace.floor", { value: fmt(floor, 5) }), x: [0, last], y: [floor, floor],
      line: { color: COLORS.floor, dash: "dash", width: 1.5 }, hovertemplate: `${t("hover.floor")} = %{y:.6g}<extra></extra>` });
  }
  const layout = baseLayout({
    xaxis: axis(t("axis.steps"), { range: [0, last] }),
    yaxis: axis(t("axis.loss"), { type: logScale ? "log" : "linear", exponentformat: "power", ...decades(shown, floor, logScale) }),
  });
  const right = others.find((trace) => trace.yaxis === "y2");
  if (right) { // the held-out loss: a sum over other rows (with ½Σe²), so its own axis
    layout.yaxis2 = axis(t("axis.heldout"), {
      type: logScale ? "log" : "linear", exponentformat: "power", overlaying: "y", side: "right", showgrid: false,
      ...decades(right.y.filter((v) => v !== null), 0, logScale),
    });
  }
  return { data, layout };
}

// On a log axis over a decade and a half, label only powers of ten, and at most about
// eight of them: a diverged run spans 28 decades, whose labels would overlap.
export function decades(losses, floor, logScale) {
  if (!logScale) return {};
  const finite = losses.filter((v) => Number.isFinite(v) && v > 0);
  if (floor > 0) finite.push(floor);
  if (!finite.length) return {};
  const [lo, hi] = extent(finite);
  const span = Math.log10(hi) - Math.log10(lo);
  return span > 1.5 ? { dtick: Math.max(1, Math.ceil(span / 8)) } : {};
}

// Map a click on a plot's drawing area to data coordinates (linear axes).
export function clickToData(element, event) {
  const area = element.querySelector(".nsewdrag");
  if (!area) return null;
  const box = area.getBoundingClientRect();
  const fx = (event.clientX - box.left) / box.width;
  const fy = (event.clientY - box.top) / box.height;
  if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return null;
  const [x0, x1] = element.layout.xaxis.range;
  const [y0, y1] = element.layout.yaxis.range;
  return [x0 + fx * (x1 - x0), y1 - fy * (y1 - y0)];
}
