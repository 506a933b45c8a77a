// uPlot charts fed from the runs' logged points. Every chart is "managed": built from a spec
// function (so a language or presenter-mode change rebuilds it with new titles and line widths),
// keeps its last data, and can be exported as PNG or CSV (chart-export.js). Long histories are
// thinned for drawing.
/* global uPlot */
import { runName, runObjective, t } from '../page/i18n.js';
import { latestIdxs, logTicks, nats } from './scales.js';
import { tip } from './tips.js';
import { chartTools, updateTools } from './chart-export.js';
import { LIVE_CHARTS, MAX_DRAWN } from './live-charts.js';

// Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
export const COLORS = { gan: '#D55E00', wgan: '#0072B2', floor: '#7a7a7a', ref: '#222222',
  kl: '#CC79A7', js: '#D55E00', w: '#0072B2', real: '#009E73', fake: '#E69F00', ns: '#CC79A7' };
// The live charts' specs, and the join of the runs' histories they draw from (live-charts.js).
export { MAX_DRAWN, joined, thin } from './live-charts.js';

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
    if (c.afterBuild) c.afterBuild();
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

// What only drawing needs, per live chart (live-charts.js has the series and the data): its
// element in the dashboard, its axes and its scales.
const LIVE_LOOK = {
  estimates: {
    el: 'estimates',
    // W_hat spans orders of magnitude in a run (tens in the first steps, about 1 later) and can
    // be negative: an asinh axis (linear near 0, logarithmic beyond) keeps the later values
    // readable instead of a flat line under the first spike.
    axes: () => [{ scale: 'js', label: t('axis.js') }, { scale: 'w', side: 1, label: t('sym.w_axis'), grid: { show: false } }],
    scales: () => ({ js: { range: nats(0, 0.75) }, w: { distr: 4, asinh: 1, auto: true } }),
  },
  probe: {
    el: 'probe',
    axes: () => [{ scale: 'js', label: t('axis.js') }],
    scales: () => ({ js: { range: nats(-0.05, 0.75) } }),
  },
  emd: { el: 'emd', axes: () => [{ scale: 'emd', label: axisLabel('axis.emd') }], scales: () => ({ emd: { auto: true } }) },
  'w-near-optimal': {
    el: 'wopt',
    axes: () => [{ scale: 'w', label: axisLabel('axis.wopt'), values: logTicks }],
    scales: () => ({ w: { distr: 3, auto: true } }),
  },
  // Log scale: it falls by an order of magnitude while the noise turns into digits, and the later,
  // smaller changes stay readable.
  'feature-distance': {
    el: 'feature',
    axes: () => [{ scale: 'fd', label: axisLabel('axis.feature'), values: logTicks }],
    scales: () => ({ fd: { distr: 3, auto: true } }),
  },
  signals: {
    el: 'signals',
    axes: () => [{ scale: 'loss', label: t('axis.loss') }, { scale: 'gn', side: 1, label: axisLabel('axis.gn'), grid: { show: false }, values: logTicks }],
    scales: () => ({ loss: { auto: true }, gn: { distr: 3, auto: true } }),
  },
};

export class Charts {
  constructor(els) {
    measureAll(Object.values(els));
    this.hist = { gan: [], wgan: [] };
    this.floor = null;
    const ctx = () => ({ objectives: { gan: runObjective('gan'), wgan: runObjective('wgan') }, floor: this.floor });
    this.charts = LIVE_CHARTS.map((spec) => {
      const look2 = LIVE_LOOK[spec.name];
      const c = managedChart(els[look2.el], () => ({
        name: spec.name, title: t(spec.title),
        series: spec.series(ctx()).map((x) => line(t(x.label, x.run ? { run: runName(x.run) } : {}), COLORS[x.color], x.scale, x.extra)),
        axes: look2.axes(), scales: look2.scales(),
      }));
      // The CSV export: the same columns, not thinned.
      c.full = () => spec.columns(this.hist, ctx(), Infinity);
      c.columns = (h) => spec.columns(h, ctx(), MAX_DRAWN);
      return c;
    });
    this.probe = this.charts[LIVE_CHARTS.findIndex((spec) => spec.name === 'probe')];
    // A rebuilt chart (a resize, the language, presenter mode) has a new legend: hide again.
    this.probe.afterBuild = () => this.hideMissingProbes();
  }

  // A run without a probe (the classroom GAN: its own D is one) has no legend entry for it.
  hideMissingProbes() {
    const pr = this.probe.data;
    if (!pr) return;
    const rows = this.probe.u.root.querySelectorAll('.u-legend .u-series');
    pr.slice(1, 3).forEach((col, k) => {
      const row = rows[k + 1];
      const run = ['gan', 'wgan'][k];
      if (row) row.style.display = col.some((v) => v != null) || !this.hist[run].length ? '' : 'none';
    });
  }

  resize() {
    for (const c of this.charts) c.resize();
  }

  update(hist, floor) {
    this.hist = hist;
    this.floor = floor ?? null;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      const h = this.hist;
      for (const c of this.charts) c.setData(c.columns(h));
      this.hideMissingProbes();
    });
  }
}
