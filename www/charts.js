// Three x-synced uPlot charts fed from the runs' logged points. Each exposes only reset() and
// update(histories, floor); drawing is throttled to animation frames.
/* global uPlot */

// Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
export const COLORS = { gan: '#D55E00', wgan: '#0072B2', floor: '#7a7a7a', ref: '#222222',
  kl: '#CC79A7', js: '#D55E00', w: '#0072B2', real: '#009E73', fake: '#E69F00', ns: '#CC79A7' };
const LN2 = Math.log(2);

const sync = uPlot.sync('earthmover');
// The chart's own canvas must not widen its box (that would feed the ResizeObserver a loop).
const chartWidth = (el) => Math.max(300, Math.floor(el.getBoundingClientRect().width) - 14);

function opts(el, title, series, axes, scales, x = { label: 'generator step', synced: true }) {
  return {
    title,
    width: chartWidth(el),
    height: 230,
    cursor: x.synced ? { sync: { key: sync.key }, drag: { x: true, y: false } } : { drag: { x: false, y: false } },
    scales: { x: { time: false, ...(x.range ? { range: x.range } : {}) }, ...scales },
    legend: { live: true },
    series: [{ label: x.label }, ...series],
    axes: [{ label: x.label }, ...axes],
  };
}

// Tick labels of a log axis: small values in exponent form (uPlot's default rounds them to 0).
export const logTicks = (u, vals) => vals.map((v) => (v == null ? '' : v >= 0.01 && v < 1e4 ? String(+v.toPrecision(2)) : v.toExponential(0)));

export const line = (label, stroke, scale, extra = {}) => ({
  label, stroke, scale, width: 2, spanGaps: true, points: { show: false },
  value: (u, v) => (v == null ? '–' : Math.abs(v) >= 100 || Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4)),
  ...extra,
});

// Join the two runs' point lists on the step axis (uPlot wants one x array).
function joined(hist, fields) {
  const steps = new Set();
  for (const id of ['gan', 'wgan']) for (const p of hist[id]) steps.add(p.step);
  const xs = [...steps].sort((a, b) => a - b);
  const idx = new Map(xs.map((x, i) => [x, i]));
  const cols = fields.map(() => new Array(xs.length).fill(null));
  fields.forEach(([id, key], k) => {
    for (const p of hist[id]) if (p[key] != null) cols[k][idx.get(p.step)] = p[key];
  });
  return [xs, ...cols];
}

// A standalone chart (toy cases, experiments) that follows its box's width.
export function simpleChart(el, title, series, axes, scales, x) {
  const u = new uPlot(opts(el, title, series, axes, scales, { synced: false, ...x }), [[]], el);
  new ResizeObserver(() => u.setSize({ width: chartWidth(el), height: 230 })).observe(el);
  return u;
}

export class Charts {
  constructor(els) {
    this.els = els;
    this.pending = null;
    this.make();
    new ResizeObserver(() => this.resize()).observe(els.estimates);
    this.hidden = false;
  }

  make() {
    const { estimates, emd, signals, probe } = this.els;
    this.est = new uPlot(opts(estimates, "Each model's own estimate", [
      line('GAN JS_hat (nats)', COLORS.gan, 'js'),
      line('log 2 (JS ceiling)', COLORS.ref, 'js', { dash: [6, 4], width: 1.5 }),
      line('WGAN W_hat (critic units)', COLORS.wgan, 'w'),
    ], [
      { scale: 'js', label: 'JS_hat (nats)', stroke: COLORS.gan },
      { scale: 'w', side: 1, label: 'W_hat', stroke: COLORS.wgan, grid: { show: false } },
    ], { js: { range: [0, 0.75] }, w: { auto: true } }), [[]], estimates);
    this.probe = new uPlot(opts(probe, 'Same divergence for both: the probe discriminator\'s JS_hat', [
      line('probe JS_hat, GAN generator', COLORS.gan, 'js'),
      line('probe JS_hat, WGAN generator', COLORS.wgan, 'js'),
      line('log 2 (JS ceiling)', COLORS.ref, 'js', { dash: [6, 4], width: 1.5 }),
    ], [{ scale: 'js', label: 'JS_hat (nats)' }], { js: { range: [-0.05, 0.75] } }), [[]], probe);
    this.emd = new uPlot(opts(emd, 'Common yardstick: exact EMD to real images (pixel space)', [
      line('GAN EMD', COLORS.gan, 'emd'),
      line('WGAN EMD', COLORS.wgan, 'emd'),
      line('real vs real (reference)', COLORS.floor, 'emd', { dash: [3, 3], width: 1.5 }),
    ], [{ scale: 'emd', label: 'EMD (L2 pixel distance)' }], { emd: { auto: true } }), [[]], emd);
    this.sig = new uPlot(opts(signals, 'Losses and generator gradient norm', [
      line('GAN L_D', COLORS.gan, 'loss', { dash: [2, 3] }),
      line('GAN L_G', COLORS.gan, 'loss', { dash: [8, 3] }),
      line('WGAN L_f', COLORS.wgan, 'loss', { dash: [2, 3] }),
      line('WGAN L_G', COLORS.wgan, 'loss', { dash: [8, 3] }),
      line('GAN ||∇G L_G||', COLORS.gan, 'gn', { width: 2.5 }),
      line('WGAN ||∇G L_G||', COLORS.wgan, 'gn', { width: 2.5 }),
    ], [
      { scale: 'loss', label: 'loss' },
      { scale: 'gn', side: 1, label: '||∇G L_G|| (log)', grid: { show: false }, values: logTicks },
    ], { loss: { auto: true }, gn: { distr: 3, auto: true } }), [[]], signals);
    for (const u of [this.est, this.probe, this.emd, this.sig]) sync.sub(u);
  }

  resize() {
    for (const [u, el] of [[this.est, this.els.estimates], [this.probe, this.els.probe], [this.emd, this.els.emd],
      [this.sig, this.els.signals]]) {
      if (el.getBoundingClientRect().width === 0) continue; // a hidden panel
      u.setSize({ width: chartWidth(el), height: 230 });
    }
  }

  update(hist, floor) {
    this.pending = { hist, floor };
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      const { hist: h, floor: f } = this.pending;
      const est = joined(h, [['gan', 'js_hat'], ['wgan', 'w_hat']]);
      this.est.setData([est[0], est[1], est[0].map(() => LN2), est[2]]);
      const pr = joined(h, [['gan', 'js_probe'], ['wgan', 'js_probe']]);
      this.probe.setData([...pr, pr[0].map(() => LN2)]);
      const emd = joined(h, [['gan', 'emd'], ['wgan', 'emd']]);
      this.emd.setData([...emd, emd[0].map(() => (f == null ? null : f))]);
      this.sig.setData(joined(h, [['gan', 'loss_d'], ['gan', 'loss_g'], ['wgan', 'loss_d'], ['wgan', 'loss_g'],
        ['gan', 'grad_norm_g'], ['wgan', 'grad_norm_g']]));
    });
  }
}
