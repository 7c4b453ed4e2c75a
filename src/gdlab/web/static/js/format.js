// Numbers for people: a few significant digits, exponents only when needed.

export function fmt(value, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const size = Math.abs(value);
  const text = size >= 1e6 || size < 1e-4
    ? value.toExponential(digits - 1).replace(/\.?0+e/, "e")
    : String(Number(value.toPrecision(digits)));
  return text.replace("-", "−");
}

// A learning rate rounded for the slider and the URL: three significant digits.
export function roundLr(value) {
  return Number(value.toPrecision(3));
}

// A rate for the lr box: six significant digits (the run keeps every digit), or empty.
export function boxRate(value) {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : "";
}

export function percent(value, digits = 3) {
  return `${fmt(100 * value, digits)}%`;
}

// Escape text before it goes into innerHTML.
export function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}
