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
