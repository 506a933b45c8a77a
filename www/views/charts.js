// uPlot charts fed from the runs' logged points. Every chart is "managed": built from a spec
// function (so a language or presenter-mode change rebuilds it with new titles and line widths),
// keeps its last data, and can be exported as PNG or CSV (chart-export.js). Long histories are
// thinned for drawing.
/* global uPlot */
import { runName, runObjective, t } from '../page/i18n.js';
import { latestIdxs, logTicks, nats } from './scales.js';
import { tip } from './tips.js';
import { chartTools, updateTools } from './chart-export.js';

// Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
export const COLORS = { gan: '#D55E00', wgan: '#0072B2', floor: '#7a7a7a', ref: '#222222',
  kl: '#CC79A7', js: '#D55E00', w: '#0072B2', real: '#009E73', fake: '#E69F00', ns: '#CC79A7' };
const LN2 = Math.log(2);
// Points drawn per chart at most; the full history stays in memory (and in exports).
export const MAX_DRAWN = 1500;

// Presenter mode: thicker lines and taller charts.
export const look = { scale: 1, height: 230, compact: false };

const sync = uPlot.sync('earthmover');

// Events on the step axis (issue 17): resets, loss switches, D trained to optimality, lesson
// steps. Each is {run, step, text: () => words in the reader's language}; a run's marks go with
// its history when it restarts.
export const marks = [];
const MAX_MARKS = 60;
export function addMark(run, step, text) {
  marks.push({ run, step, text });
  if (marks.length > MAX_MARKS) marks.shift();
}
export function clearMarks(run) {
  for (let i = marks.length - 1; i >= 0; i--) if (marks[i].run === run) marks.splice(i, 1);
}
// Draws the marks as labelled dashed vertical lines in the run's colour.
const markPlugin = {
  hooks: {
    draw: [(u) => {
      if (!marks.length) return;
      const { ctx } = u;
      const { left, top, width, height } = u.bbox;
      const dpr = devicePixelRatio || 1;
      ctx.save();
      ctx.font = `${Math.round(11 * look.scale * dpr)}px system-ui, sans-serif`;
      ctx.textBaseline = 'top';
      let row = 0;
      const labelled = []; // [x, text]: one label for the same event of both runs
      for (const m of marks) {
        const x = u.valToPos(m.step, 'x', true);
        if (!(x >= left && x <= left + width)) continue;
        const color = COLORS[m.run] || COLORS.ref;
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.5 * dpr;
        ctx.setLineDash([4 * dpr, 3 * dpr]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        const label = m.text();
        if (labelled.some(([lx0, t0]) => t0 === label && Math.abs(lx0 - x) < 60 * dpr)) continue;
        labelled.push([x, label]);
        const w = ctx.measureText(label).width + 6 * dpr;
        const lx = Math.min(x + 2 * dpr, left + width - w);
        const ly = top + 2 * dpr + (row % 3) * 14 * look.scale * dpr;
        row++;
        ctx.fillStyle = 'rgba(255,255,255,0.85)';
        ctx.fillRect(lx, ly, w, 13 * look.scale * dpr);
        ctx.fillStyle = color;
        ctx.fillText(label, lx + 3 * dpr, ly);
      }
      ctx.restore();
    }],
  },
};
// The chart's own canvas must not widen its box (that would feed the ResizeObserver a loop).
const widthFor = (box) => Math.max(300, Math.floor(box) - 14);
// Boxes measured together before their charts are built (measureAll): reading a box after the
// previous chart went into the page lays the page out again, once per chart (issue 19: the first
// step after navigation).
const measured = new WeakMap();
const measureAll = (els) => {
  for (const el of els) measured.set(el, el.getBoundingClientRect().width);
};
const chartWidth = (el) => {
  const box = measured.get(el) ?? el.getBoundingClientRect().width;
  measured.delete(el);
  return widthFor(box);
};

// While no cursor is on a chart its legend shows each series' latest value (issue 35: a legend of
// "–" until hovered read as missing data).
const latestLegend = (u) => {
  if (u.cursor.idx == null && u.data && u.data[0] && u.data[0].length) u.setLegend({ idxs: latestIdxs(u.data) }, false);
};

function opts(el, s) {
  const x = s.x || { label: t('axis.step'), synced: true };
  return {
    title: s.title,
    width: chartWidth(el),
    height: look.height,
    cursor: x.synced ? { sync: { key: sync.key }, drag: { x: true, y: false } } : { drag: { x: false, y: false } },
    scales: { x: { time: false, ...(x.range ? { range: x.range } : {}) }, ...s.scales },
    legend: { live: true },
    hooks: { setLegend: [latestLegend], ready: [latestLegend] },
    plugins: x.synced ? [markPlugin] : [],
    series: [{ label: x.label }, ...s.series],
    // The live dashboard (look.compact) leaves its step axis unlabelled to give the plot the
    // height; the lab charts keep their x labels (θ, μ).
    // Tick spacing grows with presenter mode's larger labels, so that they never overlap.
    axes: [{ label: look.compact && x.synced ? null : x.label, space: Math.round(60 * look.scale) }, ...s.axes.map((a) => ({ space: Math.round(30 * look.scale), ...a }))].map((a) => ({ ...a, size: 50 * Math.sqrt(look.scale), font: `${Math.round(12 * look.scale)}px system-ui, sans-serif`,
      labelFont: `${Math.round(12 * look.scale)}px system-ui, sans-serif` })),
  };
}

// An axis label; on the one-screen dashboard (look.compact) its short form where it has one: the
// plots there are ~95 px tall and a longer vertical label was cut off (issue 35).
export function axisLabel(key) {
  const short = `${key}_short`;
  return look.compact && t(short) !== short ? t(short) : t(key);
}

export const line = (label, stroke, scale, extra = {}) => ({
  label, stroke, scale, spanGaps: true, points: { show: false },
  value: (u, v) => (v == null ? '–' : Math.abs(v) >= 100 || Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4)),
  ...extra,
  width: (extra.width ?? 2) * look.scale,
  ...(extra.points && extra.points.show ? { points: { ...extra.points, size: extra.points.size * look.scale } } : {}),
});

// Every x index kept when thinning n points to at most MAX_DRAWN: evenly spaced, first and last kept.
export function thin(n, max = MAX_DRAWN) {
  if (n <= max) return null;
  const keep = [];
  for (let i = 0; i < max; i++) keep.push(Math.round((i * (n - 1)) / (max - 1)));
  return keep;
}

// Join the two runs' point lists on the step axis (uPlot wants one x array), thinned to `max`.
export function joined(hist, fields, max = MAX_DRAWN) {
  const steps = new Set();
  for (const id of ['gan', 'wgan']) for (const p of hist[id]) steps.add(p.step);
  let xs = [...steps].sort((a, b) => a - b);
  const keep = thin(xs.length, max);
  if (keep) xs = keep.map((i) => xs[i]);
  const cols = fields.map(() => new Array(xs.length).fill(null));
  // Each point lands on the kept step at or before its own (its own when nothing is thinned), so
  // that values measured at a few steps only (the feature distance, the WGAN's W_hat) survive
  // thinning; a later point at the same kept step replaces an earlier one.
  const at = (step) => {
    let lo = 0;
    let hi = xs.length - 1;
    if (hi < 0 || step < xs[0]) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (xs[mid] <= step) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  fields.forEach(([id, key], k) => {
    for (const p of hist[id]) {
      const i = at(p.step);
      if (i >= 0 && p[key] != null) cols[k][i] = p[key];
    }
  });
  return [xs, ...cols];
}

// Whether uPlot data [xs, ...series] hold at least one value to draw.
export const hasData = (d) => !!(d && d[0] && d[0].length && d.slice(1).some((col) => col && col.some((v) => v != null)));

const registry = new Set();

// A chart in `el` built from `spec()` -> {name, title, series, axes, scales, x}.
export function managedChart(el, spec) {
  const c = { el, spec, data: null, u: null };
  c.build = () => {
    const s = spec();
    c.name = s.name;
    c.title = s.title;
    if (c.u) {
      if (!s.x) sync.unsub(c.u);
      c.u.destroy();
    }
    c.u = new uPlot(opts(el, s), c.data || [[]], el);
    showPlot();
    if (!s.x) sync.sub(c.u);
    const title = el.querySelector('.u-title');
    if (title) tip(title, `tip.chart.${s.name}`);
    if (c.summarise) c.summarise();
    const tools = el.querySelector('.chart-tools');
    if (tools) updateTools(c, tools);
  };
  // Until a chart has a value its plot stays undrawn (style.css): uPlot shows an axis only once
  // its scale has a range, and the plot moving over as the axes came was a layout shift (issue 35).
  const showPlot = () => el.classList.toggle('no-data', !hasData(c.data));
  c.setData = (d) => {
    c.data = d;
    c.u.setData(d);
    showPlot();
    c.summarise();
  };
  // The chart's text alternative: its latest values, for screen readers (issue 17).
  const summary = document.createElement('p');
  summary.className = 'sr-only chart-summary';
  el.append(summary);
  c.summarise = () => {
    const d = c.data || [[]];
    const parts = [];
    c.u.series.slice(1).forEach((s, k) => {
      const col = d[k + 1] || [];
      for (let i = col.length - 1; i >= 0; i--) {
        if (col[i] != null && Number.isFinite(col[i])) {
          parts.push(t('chart.summary_item', { label: s.label, value: +col[i].toPrecision(4), x: d[0][i] }));
          break;
        }
      }
    });
    summary.textContent = `${c.title}. ${parts.length ? t('chart.summary', { items: parts.join('; ') }) : t('chart.summary_empty')}`;
  };
  // `box`: the element's width as its ResizeObserver saw it (no layout to read it).
  c.resize = (box = el.getBoundingClientRect().width) => {
    if (box === 0) return; // a hidden panel
    const size = { width: widthFor(box), height: look.height };
    if (size.width !== c.u.width || size.height !== c.u.height) c.u.setSize(size);
  };
  el.prepend(chartTools(c));
  c.build();
  new ResizeObserver((entries) => {
    const box = entries[entries.length - 1].borderBoxSize;
    c.resize(box && box[0] ? box[0].inlineSize : undefined);
  }).observe(el);
  registry.add(c);
  return c;
}

export function rebuildCharts() {
  measureAll([...registry].map((c) => c.el));
  for (const c of registry) c.build();
}

// ---- the live-training charts ----

export class Charts {
  constructor(els) {
    measureAll(Object.values(els));
    this.hist = { gan: [], wgan: [] };
    this.floor = null;
    const full = (fields, extra) => () => extra(joined(this.hist, fields, Infinity));
    // Each run's own estimate: JS_hat on the left axis for a GAN, W_hat (or the energy gap) on the
    // right axis for the critics; the series follow the objectives the runs train now.
    const name = (id) => ({ run: runName(id) });
    const estLayout = () => {
      const js = ['gan', 'wgan'].filter((id) => runObjective(id) === 'gan');
      const w = ['gan', 'wgan'].filter((id) => runObjective(id) !== 'gan');
      return [...js.map((id) => ({ id, key: 'js_hat' })), ...(js.length ? [{ log2: true }] : []), ...w.map((id) => ({ id, key: 'w_hat' }))];
    };
    this.estCols = (h, max) => {
      const layout = estLayout();
      const fields = layout.filter((c) => !c.log2).map((c) => [c.id, c.key]);
      const d = joined(h, fields, max);
      let k = 1;
      return [d[0], ...layout.map((c) => (c.log2 ? d[0].map(() => LN2) : d[k++]))];
    };
    this.est = managedChart(els.estimates, () => ({
      name: 'estimates', title: t('chart.est'),
      series: estLayout().map((c) => {
        if (c.log2) return line(t('series.log2'), COLORS.ref, 'js', { dash: [6, 4], width: 1.5 });
        if (c.key === 'js_hat') return line(t('series.est_js', name(c.id)), COLORS[c.id], 'js');
        return line(t(runObjective(c.id) === 'energy' ? 'series.est_gap' : 'series.est_w', name(c.id)), COLORS[c.id], 'w');
      }),
      // W_hat spans orders of magnitude in a run (tens in the first steps, about 1 later) and can
      // be negative: an asinh axis (linear near 0, logarithmic beyond) keeps the later values
      // readable instead of a flat line under the first spike.
      axes: [{ scale: 'js', label: t('axis.js') },
        { scale: 'w', side: 1, label: t('sym.w_axis'), grid: { show: false } }],
      scales: { js: { range: nats(0, 0.75) }, w: { distr: 4, asinh: 1, auto: true } },
    }));
    this.est.full = () => this.estCols(this.hist, Infinity);
    this.probe = managedChart(els.probe, () => ({
      name: 'probe', title: t('chart.probe'),
      series: [line(t('series.probe', name('gan')), COLORS.gan, 'js', { width: 1.5, dash: [4, 3] }),
        line(t('series.probe', name('wgan')), COLORS.wgan, 'js', { width: 1.5, dash: [4, 3] }),
        line(t('series.js_opt', name('gan')), COLORS.gan, 'js', { width: 3 }), line(t('series.js_opt', name('wgan')), COLORS.wgan, 'js', { width: 3 }),
        line(t('series.log2'), COLORS.ref, 'js', { dash: [6, 4], width: 1.5 })],
      axes: [{ scale: 'js', label: t('axis.js') }],
      scales: { js: { range: nats(-0.05, 0.75) } },
    }));
    const probeFields = [['gan', 'js_probe'], ['wgan', 'js_probe'], ['gan', 'js_opt'], ['wgan', 'js_opt']];
    this.probeFields = probeFields;
    this.probe.full = full(probeFields, (d) => [...d, d[0].map(() => LN2)]);
    this.emd = managedChart(els.emd, () => ({
      name: 'emd', title: t('chart.emd'),
      series: [line(t('series.emd', name('gan')), COLORS.gan, 'emd'), line(t('series.emd', name('wgan')), COLORS.wgan, 'emd'),
        line(t('series.floor'), COLORS.floor, 'emd', { dash: [3, 3], width: 1.5 })],
      axes: [{ scale: 'emd', label: axisLabel('axis.emd') }],
      scales: { emd: { auto: true } },
    }));
    this.emd.full = full([['gan', 'emd'], ['wgan', 'emd']], (d) => [...d, d[0].map(() => this.floor)]);
    // W at a near-optimal critic (the critic judge), both generators; it spans orders of magnitude.
    this.wopt = managedChart(els.wopt, () => ({
      name: 'w-near-optimal', title: t('chart.wopt'),
      series: [line(t('series.wopt', name('gan')), COLORS.gan, 'w', { width: 3 }), line(t('series.wopt', name('wgan')), COLORS.wgan, 'w', { width: 3 })],
      axes: [{ scale: 'w', label: axisLabel('axis.wopt'), values: logTicks }],
      scales: { w: { distr: 3, auto: true } },
    }));
    this.wopt.full = full([['gan', 'w_opt'], ['wgan', 'w_opt']], (d) => d);
    // The yardstick that agrees with the eye: Fréchet distance in the digit classifier's features.
    this.feature = managedChart(els.feature, () => ({
      name: 'feature-distance', title: t('chart.feature'),
      series: [line(t('series.feature', name('gan')), COLORS.gan, 'fd'), line(t('series.feature', name('wgan')), COLORS.wgan, 'fd')],
      // Log scale: it falls by an order of magnitude while the noise turns into digits, and the
      // later, smaller changes stay readable.
      axes: [{ scale: 'fd', label: axisLabel('axis.feature'), values: logTicks }],
      scales: { fd: { distr: 3, auto: true } },
    }));
    this.feature.full = full([['gan', 'feature_distance'], ['wgan', 'feature_distance']], (d) => d);
    const sigFields = [['gan', 'loss_d'], ['gan', 'loss_g'], ['wgan', 'loss_d'], ['wgan', 'loss_g'], ['gan', 'grad_norm_g'], ['wgan', 'grad_norm_g']];
    const ld = (id) => t(runObjective(id) === 'gan' ? 'sym.series_ld' : 'sym.series_lf', name(id));
    this.sig = managedChart(els.signals, () => ({
      name: 'signals', title: t('chart.signals'),
      series: [line(ld('gan'), COLORS.gan, 'loss', { dash: [2, 3] }), line(t('sym.series_lg', name('gan')), COLORS.gan, 'loss', { dash: [8, 3] }),
        line(ld('wgan'), COLORS.wgan, 'loss', { dash: [2, 3] }), line(t('sym.series_lg', name('wgan')), COLORS.wgan, 'loss', { dash: [8, 3] }),
        line(t('sym.series_gn', name('gan')), COLORS.gan, 'gn', { width: 2.5 }), line(t('sym.series_gn', name('wgan')), COLORS.wgan, 'gn', { width: 2.5 })],
      axes: [{ scale: 'loss', label: t('axis.loss') },
        { scale: 'gn', side: 1, label: axisLabel('axis.gn'), grid: { show: false }, values: logTicks }],
      scales: { loss: { auto: true }, gn: { distr: 3, auto: true } },
    }));
    this.sig.full = full(sigFields, (d) => d);
    this.sigFields = sigFields;
  }

  resize() {
    for (const c of [this.est, this.probe, this.wopt, this.emd, this.feature, this.sig]) c.resize();
  }

  update(hist, floor) {
    this.hist = hist;
    this.floor = floor ?? null;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      const h = this.hist;
      this.est.setData(this.estCols(h));
      const pr = joined(h, this.probeFields);
      this.probe.setData([...pr, pr[0].map(() => LN2)]);
      // A run without a probe (the classroom GAN: its own D is one) has no legend entry for it.
      const rows = this.probe.u.root.querySelectorAll('.u-legend .u-series');
      pr.slice(1, 3).forEach((col, k) => {
        const row = rows[k + 1];
        const run = this.probeFields[k][0];
        if (row) row.style.display = col.some((v) => v != null) || !h[run].length ? '' : 'none';
      });
      const emd = joined(h, [['gan', 'emd'], ['wgan', 'emd']]);
      this.emd.setData([...emd, emd[0].map(() => this.floor)]);
      this.feature.setData(joined(h, [['gan', 'feature_distance'], ['wgan', 'feature_distance']]));
      // Log scale: only positive values can be drawn.
      const wo = joined(h, [['gan', 'w_opt'], ['wgan', 'w_opt']]);
      this.wopt.setData([wo[0], ...wo.slice(1).map((c) => c.map((v) => (v != null && v > 0 ? v : null)))]);
      this.sig.setData(joined(h, this.sigFields));
    });
  }
}
