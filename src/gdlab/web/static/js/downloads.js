// Downloads made in the browser: the run record as run.json, the three panels as one PNG.

function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadRecord(record) {
  save(new Blob([`${JSON.stringify(record, null, 1)}\n`], { type: "application/json" }), "run.json");
}

function loadImage(source) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = reject;
    image.src = source;
  });
}

// Each panel rendered by plotly at 2× and laid side by side under a title line.
export async function downloadFigure(panels, title) {
  const width = 560;
  const height = 420;
  const scale = 2;
  const images = await Promise.all(panels.map(async ({ element }) =>
    loadImage(await window.Plotly.toImage(element, { format: "png", width, height, scale }))));
  const canvas = document.createElement("canvas");
  const head = 56 * scale;
  canvas.width = images.length * width * scale;
  canvas.height = height * scale + head;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "#1d2330";
  context.font = `${15 * scale}px DejaVu Sans, sans-serif`;
  context.fillText(title, 16 * scale, 22 * scale);
  context.font = `${12 * scale}px DejaVu Sans, sans-serif`;
  panels.forEach(({ caption }, i) => context.fillText(caption, (i * width + 16) * scale, 48 * scale));
  images.forEach((image, i) => context.drawImage(image, i * width * scale, head));
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  save(blob, "figure.png");
}
