// The live panel's charts, one spec each (issue 36): the series a chart shows and the columns it
// draws, which its CSV export reads too (the drawing thinned to MAX_DRAWN points, the export
// whole), so the two cannot drift. Pure: no uPlot and no DOM, so tests/charts.test.mjs checks
// each spec in Node. www/views/charts.js adds what only drawing needs (axes, scales, line widths).

const LN2 = Math.log(2);
// Points drawn per chart at most; the full history stays in memory (and in exports).
export const MAX_DRAWN = 1500;
const IDS = ['gan', 'wgan'];

// Every x index kept when thinning n points to at most `max`: evenly spaced, first and last kept.
export function thin(n, max = MAX_DRAWN) {
  if (n <= max) return null;
  const keep = [];
  for (let i = 0; i < max; i++) keep.push(Math.round((i * (n - 1)) / (max - 1)));
  return keep;
}

// Join the two runs' point lists on the step axis (uPlot wants one x array), thinned to `max`:
// [steps, ...one column per [run, key] of `fields`], null where a run has no value there.
export function joined(hist, fields, max = MAX_DRAWN) {
  const steps = new Set();
  for (const id of IDS) for (const p of hist[id]) steps.add(p.step);
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

// A series: its label (a string key and the run it names, if any), its colour (a COLORS key), its
// scale and its drawing extras.
const s = (label, color, scale, extra = {}, run = null) => ({ label, run, color, scale, extra });
const both = (key) => IDS.map((id) => [id, key]);
const constant = (xs, v) => xs.map(() => v);
// Log axes draw positive values only: what is not drawn is not exported either.
const positive = (col) => col.map((v) => (v != null && v > 0 ? v : null));

// ctx: { objectives: { gan, wgan } (what each run trains now), floor (the real-vs-real EMD) }.
// Each spec: name (its file name in exports), title (a string key), series(ctx), columns(hist,
// ctx, max) -> [steps, ...one column per series].
export const LIVE_CHARTS = [
  {
    // Each run's own estimate: JS_hat on the left axis for a GAN with the log 2 ceiling, W_hat (or
    // the energy gap) on the right for the critics; the series follow the objectives trained now.
    name: 'estimates',
    title: 'chart.est',
    layout(ctx) {
      const js = IDS.filter((id) => ctx.objectives[id] === 'gan');
      const w = IDS.filter((id) => ctx.objectives[id] !== 'gan');
      return [...js.map((id) => ({ id, key: 'js_hat' })), ...(js.length ? [{ log2: true }] : []), ...w.map((id) => ({ id, key: 'w_hat' }))];
    },
    series(ctx) {
      return this.layout(ctx).map((c) => {
        if (c.log2) return s('series.log2', 'ref', 'js', { dash: [6, 4], width: 1.5 });
        if (c.key === 'js_hat') return s('series.est_js', c.id, 'js', {}, c.id);
        return s(ctx.objectives[c.id] === 'energy' ? 'series.est_gap' : 'series.est_w', c.id, 'w', {}, c.id);
      });
    },
    columns(hist, ctx, max) {
      const layout = this.layout(ctx);
      const d = joined(hist, layout.filter((c) => !c.log2).map((c) => [c.id, c.key]), max);
      let k = 1;
      return [d[0], ...layout.map((c) => (c.log2 ? constant(d[0], LN2) : d[k++]))];
    },
  },
  {
    // The weak probe and the near-optimal discriminator (the judge) of both generators.
    name: 'probe',
    title: 'chart.probe',
    series: () => [
      ...IDS.map((id) => s('series.probe', id, 'js', { width: 1.5, dash: [4, 3] }, id)),
      ...IDS.map((id) => s('series.js_opt', id, 'js', { width: 3 }, id)),
      s('series.log2', 'ref', 'js', { dash: [6, 4], width: 1.5 }),
    ],
    columns(hist, ctx, max) {
      const d = joined(hist, [...both('js_probe'), ...both('js_opt')], max);
      return [...d, constant(d[0], LN2)];
    },
  },
  {
    name: 'emd',
    title: 'chart.emd',
    series: () => [...IDS.map((id) => s('series.emd', id, 'emd', {}, id)), s('series.floor', 'floor', 'emd', { dash: [3, 3], width: 1.5 })],
    columns(hist, ctx, max) {
      const d = joined(hist, both('emd'), max);
      return [...d, constant(d[0], ctx.floor ?? null)];
    },
  },
  {
    // W at a near-optimal critic (the critic judge), both generators, on a log axis.
    name: 'w-near-optimal',
    title: 'chart.wopt',
    series: () => IDS.map((id) => s('series.wopt', id, 'w', { width: 3 }, id)),
    columns(hist, ctx, max) {
      const [xs, ...cols] = joined(hist, both('w_opt'), max);
      return [xs, ...cols.map(positive)];
    },
  },
  {
    // The yardstick that agrees with the eye: the Fréchet distance in the digit classifier's
    // features, on a log axis.
    name: 'feature-distance',
    title: 'chart.feature',
    series: () => IDS.map((id) => s('series.feature', id, 'fd', {}, id)),
    columns: (hist, ctx, max) => joined(hist, both('feature_distance'), max),
  },
  {
    // Each run's losses (the discriminator's or the critic's, and the generator's) and the
    // generator's gradient norm on a log axis.
    name: 'signals',
    title: 'chart.signals',
    series: (ctx) => [
      ...IDS.flatMap((id) => [
        s(ctx.objectives[id] === 'gan' ? 'sym.series_ld' : 'sym.series_lf', id, 'loss', { dash: [2, 3] }, id),
        s('sym.series_lg', id, 'loss', { dash: [8, 3] }, id),
      ]),
      ...IDS.map((id) => s('sym.series_gn', id, 'gn', { width: 2.5 }, id)),
    ],
    columns: (hist, ctx, max) => joined(hist, [['gan', 'loss_d'], ['gan', 'loss_g'], ['wgan', 'loss_d'], ['wgan', 'loss_g'], ...both('grad_norm_g')], max),
  },
];
