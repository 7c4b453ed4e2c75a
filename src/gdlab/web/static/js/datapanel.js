// The data panel: the points and the fitted line (one feature), or targets against
// predictions (several). Its points are a picture when there are many (see plots.js).

import { t } from "./i18n.js";
import { fmt } from "./format.js";
import { COLORS, axis, baseLayout, clip, extent, padded } from "./plots.js";

// Beyond this many points the data are a picture (one feature) or thinned while a run
// streams (several), and residual lines and prediction markers are left out.
export const MANY_POINTS = 300;

function predict(points, w, intercept) {
  const { features, target } = points;
  return target.map((_, row) => {
    let value = intercept ? w[0] : 0;
    features.forEach((column, j) => { value += w[j + (intercept ? 1 : 0)] * column[row]; });
    return value;
  });
}

function lineLabel(w, intercept, name) {
  if (!intercept) return `ŷ = ${fmt(w[0], 3)}·${name}`;
  const slope = w[1];
  return `ŷ = ${fmt(w[0], 3)} ${slope < 0 ? "−" : "+"} ${fmt(Math.abs(slope), 3)}·${name}`;
}

// The part of the line y = f(x) over [x0, x1] that lies within `far` spans of the y range.
function clippedLine(xs, ys, [ylo, yhi], far = 50) {
  const span = yhi - ylo || 1;
  const [bottom, top] = [ylo - far * span, yhi + far * span];
  const [xa, xb] = xs;
  const [ya, yb] = ys;
  if (!Number.isFinite(ya) || !Number.isFinite(yb)) return { x: [], y: [] };
  const at = (y) => xa + ((y - ya) / (yb - ya)) * (xb - xa);
  const ends = [[xa, ya], [xb, yb]].map(([x, y]) => (y > top ? [at(top), top] : y < bottom ? [at(bottom), bottom] : [x, y]));
  return { x: ends.map((e) => e[0]), y: ends.map((e) => e[1]) };
}

// The axes of the data panel: they hold the data, so a line that blows up swings out of view.
function dataRanges(points) {
  const [lo, hi] = extent(points.features[0]);
  const pad = 0.08 * (hi - lo || 1);
  return [[lo - pad, hi + pad], padded(points.target)];
}

// Every k-th row, at most `limit` of them.
function thinned(values, limit) {
  if (values.length <= limit) return values;
  const every = Math.ceil(values.length / limit);
  return values.filter((_, i) => i % every === 0);
}

// The points of a big one-feature dataset as a picture (they never move): drawn off screen
// once per dataset and plot size, at twice the pixels, and laid under the plot.
let pointsPicture = { data: "", size: "", source: null };

// Which points a picture shows (the setup's thinned points and their axes).
function pointsKey(setup) {
  const { points } = setup;
  return JSON.stringify([points.n_rows, points.shown, dataRanges(points), points.target.slice(0, 8)]);
}

export function needsPointsPicture(setup) {
  const { points } = setup;
  return points.features.length === 1 && points.target.length > MANY_POINTS;
}

export async function preparePoints(setup, element) {
  if (!needsPointsPicture(setup) || !element._fullLayout) return false;
  const { w, h } = element._fullLayout._size;
  const size = [Math.round(w), Math.round(h)];
  const data = pointsKey(setup);
  if (pointsPicture.data === data && pointsPicture.size === String(size)) return false;
  const [xRange, yRange] = dataRanges(setup.points);
  const holder = document.createElement("div");
  holder.style.cssText = `position:fixed;left:-10000px;top:0;width:${size[0]}px;height:${size[1]}px`;
  holder.setAttribute("aria-hidden", "true");
  document.body.append(holder);
  // The grid goes into the picture too (same size, same ticks), under the points.
  const bare = { fixedrange: true, gridcolor: "#eef1f5", zeroline: false, showticklabels: false, ticks: "", showline: false };
  await window.Plotly.newPlot(holder, [{
    type: "scatter", mode: "markers", x: setup.points.features[0], y: setup.points.target,
    marker: { color: COLORS.data, opacity: 0.6, size: 5 }, hoverinfo: "skip",
  }], {
    width: size[0], height: size[1], margin: { l: 0, r: 0, t: 0, b: 0 }, showlegend: false,
    paper_bgcolor: "#fff", plot_bgcolor: "#fff",
    xaxis: { ...bare, range: xRange }, yaxis: { ...bare, range: yRange },
  }, { staticPlot: true });
  const source = await window.Plotly.toImage(holder, { format: "png", width: size[0], height: size[1], scale: 2 });
  window.Plotly.purge(holder);
  holder.remove();
  pointsPicture = { data, size: String(size), source };
  return true;
}

// Data panel: points, predictions at each x, the fitted line, residuals; with several
// features, targets against predictions. `live`: a run is streaming.
// Held-out points (the `validation` split) are drawn hollow: the run never trains on them.
function heldOutSymbols(setup, rows) {
  const held = setup.held_out;
  return held ? rows.map((i) => (held.shown[i] ? "circle-open" : "circle")) : "circle";
}

function heldOutLegend(setup) {
  return setup.held_out ? [{ type: "scatter", mode: "markers", name: t("trace.heldout"), x: [null], y: [null], marker: { color: COLORS.data, symbol: "circle-open", size: 7 }, hoverinfo: "skip" }] : [];
}

export function dataFigure(setup, w, intercept, live = false) {
  const { points } = setup;
  const many = points.target.length > MANY_POINTS;
  const [xRange, yRange] = points.features.length === 1 ? dataRanges(points) : [null, padded(points.target)];
  const yhat = predict(points, w, intercept);
  const shownY = yhat.map((v) => clip(v, ...yRange));
  const hover = `${t("hover.point")}<extra></extra>`;
  if (points.features.length === 1) {
    const x = points.features[0];
    const line = clippedLine(xRange, predict({ features: [xRange], target: xRange }, w, intercept), yRange);
    const data = [];
    const images = [];
    if (many) {
      // A legend entry for the picture of the points.
      data.push({ type: "scatter", mode: "markers", name: t("trace.data"), x: [null], y: [null], marker: { color: COLORS.data, opacity: 0.7, size: 6 }, hoverinfo: "skip" });
      if (pointsPicture.data === pointsKey(setup)) {
        images.push({ source: pointsPicture.source, xref: "x", yref: "y", x: xRange[0], y: yRange[1], sizex: xRange[1] - xRange[0], sizey: yRange[1] - yRange[0], sizing: "stretch", layer: "below" });
      }
    } else {
      const segments = { x: [], y: [] };
      x.forEach((xi, i) => {
        segments.x.push(xi, xi, null);
        segments.y.push(points.target[i], shownY[i], null);
      });
      const custom = yhat.map((v, i) => [v, v - points.target[i], points.target[i]]);
      data.push({ type: "scatter", mode: "lines", name: t("trace.residual"), x: segments.x, y: segments.y, line: { color: "rgba(220,38,38,.35)", width: 1 }, hoverinfo: "skip" });
      data.push({ type: "scatter", mode: "markers", name: t("trace.data"), x, y: points.target, customdata: custom, marker: { color: COLORS.data, opacity: 0.7, size: 6, symbol: heldOutSymbols(setup, x.map((_, i) => i)) }, hovertemplate: `x = %{x:.4g}<br>${hover}` });
      data.push(...heldOutLegend(setup));
      data.push({ type: "scatter", mode: "markers", name: t("trace.prediction"), x, y: shownY, marker: { color: COLORS.fit, opacity: 0.6, size: 5 }, hoverinfo: "skip" });
    }
    data.push({ type: "scatter", mode: "lines", name: lineLabel(w, intercept, points.feature_names[0]), x: line.x, y: line.y, line: { color: COLORS.fit, width: 2.5 }, opacity: 0.85, hoverinfo: "skip" });
    const grid = { showgrid: !images.length }; // a picture brings its own grid
    return {
      data,
      layout: baseLayout({
        images,
        xaxis: axis(points.feature_names[0], { range: xRange, ...grid }),
        yaxis: axis(points.target_name, { range: yRange, ...grid }),
      }),
    };
  }
  const [lo, hi] = yRange;
  const rows = live && many ? thinned(points.target.map((_, i) => i), MANY_POINTS) : points.target.map((_, i) => i);
  return {
    data: [
      { type: "scatter", mode: "lines", name: t("trace.diagonal"), x: [lo, hi], y: [lo, hi], line: { color: COLORS.floor, dash: "dot", width: 1 }, hoverinfo: "skip" },
      { type: "scatter", mode: "markers", name: t("trace.rows"), x: rows.map((i) => points.target[i]), y: rows.map((i) => shownY[i]),
        customdata: rows.map((i) => [yhat[i], yhat[i] - points.target[i], points.target[i]]), marker: { color: COLORS.data, opacity: 0.7, size: 6, symbol: heldOutSymbols(setup, rows) }, hovertemplate: hover },
      ...heldOutLegend(setup),
    ],
    layout: baseLayout({
      xaxis: axis(t("axis.target", { name: points.target_name }), { range: yRange }),
      yaxis: axis(t("axis.prediction"), { range: yRange }),
    }),
  };
}
