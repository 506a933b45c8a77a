// A managed chart's export (charts.js): PNG (title, plot and legend on white) and CSV (one column
// per series), from the buttons each chart carries.
import { t } from '../page/i18n.js';

let exportHandler = null;
// The page decides how a file is saved (and where exports are allowed): fn(name, blob).
export function onExport(fn) {
  exportHandler = fn;
}

export function chartTools(c) {
  const div = document.createElement('div');
  div.className = 'chart-tools';
  div.dataset.control = 'export';
  for (const kind of ['png', 'csv']) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `export-${kind}`;
    b.onclick = () => (kind === 'png' ? chartPNG(c) : Promise.resolve(chartCSV(c))).then((blob) => exportHandler(`${c.name}.${kind}`, blob));
    div.append(b);
  }
  return div;
}

export function updateTools(c, div) {
  for (const kind of ['png', 'csv']) {
    const b = div.querySelector(`.export-${kind}`);
    b.textContent = t(`chart.${kind}`);
    b.setAttribute('aria-label', t(`chart.${kind}_aria`, { title: c.title }));
  }
}

export function chartPNG(c) {
  const src = c.u.ctx.canvas;
  const dpr = src.width / Math.max(1, c.u.width);
  const pad = Math.round(12 * dpr);
  const titleH = Math.round(28 * dpr);
  const rowH = Math.round(20 * dpr);
  const series = c.u.series.slice(1);
  const out = document.createElement('canvas');
  out.width = src.width + 2 * pad;
  out.height = titleH + src.height + pad + rowH * Math.ceil(series.length / 2) + pad;
  const g = out.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, out.height);
  g.fillStyle = '#1b1b1f';
  g.font = `600 ${Math.round(15 * dpr)}px system-ui, sans-serif`;
  g.textBaseline = 'middle';
  g.fillText(c.title, pad, titleH / 2 + pad / 2);
  g.drawImage(src, pad, titleH);
  g.font = `${Math.round(12 * dpr)}px system-ui, sans-serif`;
  series.forEach((s, i) => {
    const x = pad + (i % 2) * (out.width / 2);
    const y = titleH + src.height + pad + Math.floor(i / 2) * rowH + rowH / 2;
    g.strokeStyle = typeof s.stroke === 'function' ? s.stroke(c.u, i + 1) : s.stroke;
    g.lineWidth = 3 * dpr;
    g.beginPath();
    g.moveTo(x, y);
    g.lineTo(x + 24 * dpr, y);
    g.stroke();
    g.fillText(s.label, x + 32 * dpr, y);
  });
  return new Promise((ok) => out.toBlob(ok, 'image/png'));
}

const csvCell = (v) => {
  const s = v == null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

// The chart's full data (not the thinned drawing): the spec may supply `full()` for that.
export function chartCSV(c) {
  const labels = c.u.series.map((s) => s.label);
  const data = (c.full && c.full()) || c.data || [[]];
  const rows = [labels.map(csvCell).join(',')];
  for (let i = 0; i < data[0].length; i++) rows.push(data.map((col) => csvCell(col[i])).join(','));
  return new Blob([`${rows.join('\n')}\n`], { type: 'text/csv' });
}
