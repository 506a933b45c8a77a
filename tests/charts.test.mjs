// The charts' axis ranges (www/views/scales.js): fixed where the data lie inside them, widened to
// show a point outside them (a probe estimate's rare dip below 0 was cut off at the axis' edge).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latestIdxs, logTicks, nats } from '../www/views/scales.js';

test('a divergence axis keeps its range unless a point lies outside it', () => {
  const js = nats(-0.05, 0.75);
  assert.deepEqual(js(null, 0.01, 0.69), [-0.05, 0.75]);
  assert.deepEqual(js(null, null, null), [-0.05, 0.75], 'no data yet');
  assert.deepEqual(js(null, Infinity, -Infinity), [-0.05, 0.75], 'uPlot with every value null');
  const [lo, hi] = js(null, -0.2, 0.5);
  assert.ok(lo < -0.2 && lo > -0.25, `a dip to -0.2 is shown: ${lo}`);
  assert.equal(hi, 0.75);
  const [lo2, hi2] = js(null, 0.1, 0.9);
  assert.equal(lo2, -0.05);
  assert.ok(hi2 > 0.9, `a point above the ceiling is shown: ${hi2}`);
  assert.deepEqual(nats(0, 0.75)(null, 0, 0.75), [0, 0.75], 'points on the edges stay inside');
});

test('log-axis tick labels keep small and large values readable', () => {
  assert.deepEqual(logTicks(null, [0.001, 0.5, 12.34, 12345, null]), ['1e-3', '0.5', '12', '1e+4', '']);
});

test('the legend\'s latest values: each series\' last point with a value', () => {
  const x = [0, 10, 20, 30];
  assert.deepEqual(latestIdxs([x, [1, 2, 3, 4], [1, null, 2, null], [null, null, null, null], []]), [3, 3, 2, null, null]);
  assert.deepEqual(latestIdxs([[]]), [null]);
});

// The live charts' specs (www/views/live-charts.js): the columns drawing and the CSV export both read.
const { LIVE_CHARTS, MAX_DRAWN, joined, thin } = await import('../www/views/live-charts.js');
const { STRINGS } = await import('../www/page/i18n.js');

test('joined(): the runs\' points on one step axis, null where a run has none, thinned keeping sparse values', () => {
  const hist = {
    gan: [{ step: 0, a: 1 }, { step: 20, a: 2 }, { step: 40, a: 3 }],
    wgan: [{ step: 0, a: 10 }, { step: 10, a: 11 }, { step: 10, a: 12 }, { step: 30, b: 5 }],
  };
  assert.deepEqual(joined(hist, [['gan', 'a'], ['wgan', 'a'], ['wgan', 'b']]), [
    [0, 10, 20, 30, 40],
    [1, null, 2, null, 3],
    [10, 12, null, null, null], // a later point at the same step replaces the earlier one
    [null, null, null, 5, null],
  ]);
  assert.deepEqual(joined({ gan: [], wgan: [] }, [['gan', 'a']]), [[], []]);
  // 3,001 steps thinned to 1,500: first and last kept, and a value logged at one step only lands on
  // the kept step at or before its own instead of vanishing.
  const long = { gan: Array.from({ length: 3001 }, (_, i) => ({ step: i, a: i })), wgan: [{ step: 1001, fd: 7 }] };
  const [xs, a, fd] = joined(long, [['gan', 'a'], ['wgan', 'fd']]);
  assert.equal(xs.length, MAX_DRAWN);
  assert.equal(xs[0], 0);
  assert.equal(xs[xs.length - 1], 3000);
  assert.ok(a.every((v, i) => v >= xs[i] && (i === xs.length - 1 || v < xs[i + 1])), 'each kept step carries the latest value of the steps it stands for');
  assert.equal(fd.filter((v) => v === 7).length, 1, 'the sparse value survives thinning');
  assert.equal(thin(10, 1500), null);
});

test('each live chart: one column per series, the export whole and the drawing thinned from the same columns', () => {
  const point = (step, id) => ({ step, js_hat: 0.3, w_hat: id === 'wgan' ? 2 - step / 1e4 : 0.1, emd: 9, loss_d: 1, loss_g: 2, grad_norm_g: 0.5,
    js_probe: id === 'wgan' ? 0.4 : null, ...(step % 100 === 0 ? { js_opt: 0.6, w_opt: step % 200 === 0 ? 0 : 3, feature_distance: 200 } : {}) });
  const hist = (n) => ({ gan: Array.from({ length: n }, (_, i) => point(i * 10, 'gan')), wgan: Array.from({ length: n }, (_, i) => point(i * 10, 'wgan')) });
  for (const objectives of [{ gan: 'gan', wgan: 'wgan' }, { gan: 'wgan', wgan: 'wgan_gp' }, { gan: 'gan', wgan: 'gan' }, { gan: 'wgan_gp', wgan: 'energy' }]) {
    const ctx = { objectives, floor: 7.3 };
    for (const spec of LIVE_CHARTS) {
      const series = spec.series(ctx);
      for (const x of series) {
        for (const lang of ['en', 'zh']) assert.equal(typeof STRINGS[lang][x.label], 'string', `${spec.name}: ${lang} has no ${x.label}`);
      }
      const short = spec.columns(hist(40), ctx, MAX_DRAWN);
      assert.equal(short.length, series.length + 1, `${spec.name} (${JSON.stringify(objectives)}): columns vs series`);
      assert.ok(short.every((col) => col.length === short[0].length), spec.name);
      assert.deepEqual(spec.columns(hist(40), ctx, Infinity), short, `${spec.name}: export = drawing when nothing is thinned`);
      const whole = spec.columns(hist(4000), ctx, Infinity);
      const drawn = spec.columns(hist(4000), ctx, MAX_DRAWN);
      assert.equal(whole[0].length, 4000, spec.name);
      assert.equal(drawn[0].length, MAX_DRAWN, spec.name);
      assert.equal(whole.length, drawn.length, spec.name);
    }
    const est = LIVE_CHARTS.find((s) => s.name === 'estimates');
    const gans = Object.values(objectives).filter((o) => o === 'gan').length;
    assert.equal(est.series(ctx).filter((x) => x.label === 'series.log2').length, gans ? 1 : 0, 'log 2 ceiling iff a GAN');
    assert.equal(est.series(ctx).filter((x) => x.label === 'series.est_gap').length, Object.values(objectives).filter((o) => o === 'energy').length);
  }
  // The log axes draw positive values only, and the export holds what is drawn (issue 36: the W_opt
  // CSV kept values <= 0 that the chart dropped).
  const wopt = LIVE_CHARTS.find((s) => s.name === 'w-near-optimal');
  const cols = wopt.columns(hist(40), { objectives: { gan: 'gan', wgan: 'wgan' } }, Infinity);
  assert.ok(cols.slice(1).every((col) => col.every((v) => v == null || v > 0)));
  assert.ok(cols[1].some((v) => v === 3));
  const emd = LIVE_CHARTS.find((s) => s.name === 'emd').columns(hist(3), { objectives: {}, floor: 7.3 }, Infinity);
  assert.deepEqual(emd[3], [7.3, 7.3, 7.3], 'the real-vs-real floor');
});
