// The loss as a quadratic, L(w) = L* + ½(w − w*)ᵀH(w − w*), exact for the l2 and mse losses:
// the landscape's heights, and what plain gradient descent does on it.

export function lossAt(quadratic, w) {
  const { hessian: H, optimum_weights: opt, optimum_loss: floor } = quadratic;
  const d = w.map((v, i) => v - opt[i]);
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    for (let j = 0; j < d.length; j++) sum += d[i] * H[i][j] * d[j];
  }
  return floor + 0.5 * sum;
}

// Steps of plain GD (d ← d − lr·H·d) until L − L* falls to `fraction` of where it started;
// null when it never does within `limit` steps (too slow, or diverging).
export function stepsToReach(quadratic, start, lr, fraction = 0.01, limit = 1e6) {
  const { hessian: H, optimum_weights: opt } = quadratic;
  const p = start.length;
  let d = start.map((v, i) => v - opt[i]);
  const gap = (x) => {
    let s = 0;
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) s += x[i] * H[i][j] * x[j];
    return s;
  };
  const target = fraction * gap(d);
  if (!(target > 0)) return 0;
  for (let k = 1; k <= limit; k++) {
    const next = new Array(p);
    for (let i = 0; i < p; i++) {
      let hd = 0;
      for (let j = 0; j < p; j++) hd += H[i][j] * d[j];
      next[i] = d[i] - lr * hd;
    }
    d = next;
    const g = gap(d);
    if (!Number.isFinite(g) || g > 1e12 * target) return null;
    if (g <= target) return k;
  }
  return null;
}

// The heights on a grid over weights i=0 and i=1 (the others held at the optimum).
export function grid(quadratic, ranges, size = 61) {
  const opt = quadratic.optimum_weights;
  const [[x0, x1], [y0, y1]] = ranges;
  const xs = Array.from({ length: size }, (_, k) => x0 + ((x1 - x0) * k) / (size - 1));
  const ys = Array.from({ length: size }, (_, k) => y0 + ((y1 - y0) * k) / (size - 1));
  const w = opt.slice();
  const z = ys.map((y) => xs.map((x) => {
    w[0] = x;
    w[1] = y;
    return lossAt(quadratic, w);
  }));
  return { xs, ys, z };
}

// A view around the optimum wide enough to hold the start (and a click's worth of room):
// over the first two weights, or the only one.
export function rangesAround(quadratic, start) {
  const opt = quadratic.optimum_weights;
  const shown = Math.min(2, opt.length);
  const gaps = opt.slice(0, shown).map((o, i) => Math.abs(start[i] - o));
  const widest = Math.max(...gaps.filter(Number.isFinite), 0);
  return gaps.map((gap, i) => {
    const half = 1.5 * Math.max(Number.isFinite(gap) ? gap : 0, 0.35 * widest, 1e-3 * (Math.abs(opt[i]) + 1));
    return [opt[i] - half, opt[i] + half];
  });
}

export function inside(ranges, w) {
  return ranges.every(([lo, hi], i) => w[i] >= lo && w[i] <= hi);
}
