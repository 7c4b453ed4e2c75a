// The three pictures, drawn with plotly.js: the data and the fitted line, the loss landscape
// with the descent's path, and the loss after each step with the optimum's floor.
// Each `*Figure` function builds {data, layout} from the run as it stands; `render` draws it.

import { fmt } from "./format.js";
import { grid, lossAt } from "./quadratic.js";

const COLORS = { data: "#2563eb", fit: "#16a34a", path: "#e8590c", floor: "#6b7280", start: "#111827" };
const FONT = { family: "DejaVu Sans, sans-serif", size: 11, color: "#1d2330" };
const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d", "toImage"] };

function baseLayout(extra) {
  return {
    font: FONT, margin: { l: 52, r: 12, t: 8, b: 36 }, showlegend: true,
    legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom", font: { size: 10 }, bgcolor: "rgba(0,0,0,0)" },
    paper_bgcolor: "#fff", plot_bgcolor: "#fff", hovermode: "closest",
    ...extra,
  };
}

function axis(title, extra = {}) {
  return { title: { text: title, standoff: 4 }, zeroline: false, gridcolor: "#eef1f5", automargin: true, ...extra };
}

export function render(element, figure, config = {}) {
  if (figure.layout.dragmode === false) config = { displayModeBar: false, ...config };
  return window.Plotly.react(element, figure.data, figure.layout, { ...CONFIG, ...config });
}

function predict(points, w, intercept) {
  const { features, target } = points;
  return target.map((_, row) => {
    let value = intercept ? w[0] : 0;
    features.forEach((column, j) => { value += w[j + (intercept ? 1 : 0)] * column[row]; });
    return value;
  });
}

function padded(values) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = 0.12 * (hi - lo || 1);
  return [lo - pad, hi + pad];
}

function lineLabel(w, intercept, name) {
  if (!intercept) return `ŷ = ${fmt(w[0], 3)}·${name}`;
  const slope = w[1];
  return `ŷ = ${fmt(w[0], 3)} ${slope < 0 ? "−" : "+"} ${fmt(Math.abs(slope), 3)}·${name}`;
}

// Data panel: points, predictions at each x, the fitted line, residuals on hover.
export function dataFigure(setup, w, intercept) {
  const { points } = setup;
  const yhat = predict(points, w, intercept);
  const residual = yhat.map((v, i) => v - points.target[i]);
  const custom = yhat.map((v, i) => [v, residual[i]]);
  const hover = "y = %{customdata[2]:.4g}<br>ŷ = %{customdata[0]:.4g}<br>residual ŷ − y = %{customdata[1]:.4g}<extra></extra>";
  if (points.features.length === 1) {
    const x = points.features[0];
    const lo = Math.min(...x);
    const hi = Math.max(...x);
    const pad = 0.08 * (hi - lo || 1);
    const lineX = [lo - pad, hi + pad];
    const lineY = predict({ features: [lineX], target: lineX }, w, intercept);
    const segments = { x: [], y: [] };
    if (x.length <= 300) {
      x.forEach((xi, i) => {
        segments.x.push(xi, xi, null);
        segments.y.push(points.target[i], yhat[i], null);
      });
    }
    const customY = custom.map((c, i) => [...c, points.target[i]]);
    return {
      data: [
        { type: "scatter", mode: "lines", name: "residual", x: segments.x, y: segments.y, line: { color: "rgba(220,38,38,.35)", width: 1 }, hoverinfo: "skip" },
        { type: "scatter", mode: "markers", name: "data", x, y: points.target, customdata: customY, marker: { color: COLORS.data, opacity: 0.7, size: 6 }, hovertemplate: `x = %{x:.4g}<br>${hover}` },
        { type: "scatter", mode: "markers", name: "prediction ŷ", x, y: yhat, marker: { color: COLORS.fit, opacity: 0.6, size: 5 }, hoverinfo: "skip" },
        { type: "scatter", mode: "lines", name: lineLabel(w, intercept, points.feature_names[0]), x: lineX, y: lineY, line: { color: COLORS.fit, width: 2.5 }, opacity: 0.8, hoverinfo: "skip" },
      ],
      // Axes hold the data, so a line that blows up swings out of view instead of squashing it.
      layout: baseLayout({
        xaxis: axis(points.feature_names[0], { range: lineX }),
        yaxis: axis(points.target_name, { range: padded(points.target) }),
      }),
    };
  }
  const lo = Math.min(...points.target);
  const hi = Math.max(...points.target);
  const customY = custom.map((c, i) => [...c, points.target[i]]);
  return {
    data: [
      { type: "scatter", mode: "lines", name: "ŷ = y", x: [lo, hi], y: [lo, hi], line: { color: COLORS.floor, dash: "dot", width: 1 }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", name: "rows", x: points.target, y: yhat, customdata: customY, marker: { color: COLORS.data, opacity: 0.7, size: 6 }, hovertemplate: hover },
    ],
    layout: baseLayout({ xaxis: axis(`${points.target_name} (target)`), yaxis: axis("prediction ŷ") }),
  };
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

// Landscape: the loss over the first two weights (others at the optimum) and the path.
export function landscapeFigure(setup, ranges, path, names) {
  const { quadratic } = setup;
  const opt = quadratic.optimum_weights;
  if (opt.length === 1) return lossLineFigure(setup, ranges, path, names);
  const floor = quadratic.optimum_loss;
  const start = path[0];
  const last = path[path.length - 1];
  const [[x0, x1], [y0, y1]] = ranges;
  return {
    data: [
      { type: "scatter", mode: "lines+markers", name: "path", x: path.map((w) => w[0]), y: path.map((w) => w[1]),
        line: { color: COLORS.path, width: 2 }, marker: { color: COLORS.path, size: path.length > 200 ? 2 : 4 },
        hovertemplate: `step %{customdata}<br>${names[0]} = %{x:.4g}<br>${names[1]} = %{y:.4g}<extra></extra>`, customdata: path.map((_, k) => k) },
      { type: "scatter", mode: "markers", name: "start w₀", x: [start[0]], y: [start[1]],
        marker: { color: "#fff", size: 12, line: { color: COLORS.start, width: 2.5 } }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", name: "now", x: [last[0]], y: [last[1]],
        marker: { color: COLORS.path, size: 10, line: { color: "#fff", width: 1.5 } }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", name: "optimum w*", x: [opt[0]], y: [opt[1]],
        marker: { symbol: "star", color: "#facc15", size: 16, line: { color: "#854d0e", width: 1.2 } },
        hovertemplate: `optimum<br>${names[0]} = %{x:.6g}<br>${names[1]} = %{y:.6g}<br>loss L* = ${fmt(floor, 6)}<extra></extra>` },
    ],
    layout: baseLayout({
      dragmode: false,
      images: background.key === backgroundKey(setup, ranges) ? [{
        source: background.source, xref: "x", yref: "y", x: x0, y: y1, sizex: x1 - x0, sizey: y1 - y0,
        sizing: "stretch", layer: "below",
      }] : [],
      xaxis: axis(names[0], { range: ranges[0], showgrid: false }),
      yaxis: axis(names[1], { range: ranges[1], showgrid: false }),
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

// One weight only (no intercept, one feature): the loss is a parabola in w.
function lossLineFigure(setup, ranges, path, names) {
  const { quadratic } = setup;
  const [lo, hi] = ranges[0];
  const xs = Array.from({ length: 121 }, (_, k) => lo + ((hi - lo) * k) / 120);
  return {
    data: [
      { type: "scatter", mode: "lines", name: "loss", x: xs, y: xs.map((v) => lossAt(quadratic, [v])), line: { color: "#5b7fc7" } },
      { type: "scatter", mode: "lines+markers", name: "path", x: path.map((w) => w[0]), y: path.map((w) => lossAt(quadratic, w)), line: { color: COLORS.path } },
    ],
    layout: baseLayout({ dragmode: false, xaxis: axis(names[0], { range: ranges[0] }), yaxis: axis("loss") }),
  };
}

// Loss curve: the loss after each step (step 0 is the start) and the optimum's floor.
export function lossFigure(setup, steps, losses, logScale) {
  const floor = setup.quadratic.optimum_loss;
  const last = Math.max(steps[steps.length - 1] || 1, 1);
  const data = [
    { type: "scatter", mode: steps.length > 80 ? "lines" : "lines+markers", name: "loss", x: steps, y: losses,
      line: { color: COLORS.path, width: 2 }, marker: { size: 4 },
      hovertemplate: "step %{x}<br>loss %{y:.6g}<extra></extra>" },
  ];
  if (!logScale || floor > 0) {
    data.push({ type: "scatter", mode: "lines", name: `floor L* = ${fmt(floor, 5)}`, x: [0, last], y: [floor, floor],
      line: { color: COLORS.floor, dash: "dash", width: 1.5 }, hovertemplate: "optimum's loss L* = %{y:.6g}<extra></extra>" });
  }
  return {
    data,
    layout: baseLayout({
      xaxis: axis("training steps", { rangemode: "tozero" }),
      yaxis: axis("loss", { type: logScale ? "log" : "linear", exponentformat: "power", ...decades(losses, floor, logScale) }),
    }),
  };
}

// On a log axis spanning over a decade and a half, label only the powers of ten.
function decades(losses, floor, logScale) {
  if (!logScale) return {};
  const finite = losses.filter((v) => Number.isFinite(v) && v > 0);
  if (floor > 0) finite.push(floor);
  const span = Math.log10(Math.max(...finite)) - Math.log10(Math.min(...finite));
  return span > 1.5 ? { dtick: 1 } : {};
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
