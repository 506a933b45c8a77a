// The slow-machine offer (www/page/pace.js): it goes by the GAN's mean pace since both runs began
// training, so a one-second dip (a judged point) on a fast machine offers nothing. Pure Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PaceWatch } from '../www/page/pace.js';

// Feeds `watch` one observation every 2 s (as the page does) for `seconds`, the GAN's step from
// `stepAt(t)`; returns the rates it offered at, with their times.
function drive(watch, seconds, stepAt, training = () => true, t0 = 0) {
  const offers = [];
  for (let t = t0; t <= t0 + seconds; t += 2) {
    const rate = watch.observe(t * 1000, training(t), stepAt(t));
    if (rate !== null) offers.push({ t, rate });
  }
  return offers;
}

test('a machine that trains 29 steps/s on average, with seconds at 3 steps/s, is not offered a recording', () => {
  // 29 steps/s, except every 4th two-second tick, which gains only 6 steps (a judged point).
  let step = 0;
  const steps = new Map();
  for (let t = 0; t <= 120; t += 2) {
    steps.set(t, step);
    step += t % 8 === 6 ? 6 : 77;
  }
  const watch = new PaceWatch(20_000, 5);
  assert.deepEqual(drive(watch, 120, (t) => steps.get(t)), []);
});

test('a machine below 5 steps/s on average is offered one, once, after 20 s', () => {
  const watch = new PaceWatch(20_000, 5);
  const offers = drive(watch, 120, (t) => Math.floor(3 * t));
  assert.equal(offers.length, 1);
  assert.equal(offers[0].t, 20);
  assert.ok(Math.abs(offers[0].rate - 3) < 0.01, `rate ${offers[0].rate}`);
});

test('a pause or a reset starts the 20 s again', () => {
  const watch = new PaceWatch(20_000, 5);
  // Paused from 10 s to 16 s: not training, so the clock restarts at 16 s and the offer comes at 36 s.
  const paused = (t) => t < 10 || t >= 16;
  const offers = drive(watch, 60, (t) => 2 * t, paused);
  assert.deepEqual(offers.map((o) => o.t), [36]);
  // A reset at 14 s (the step count falls to 0): the offer comes 20 s after it, at 34 s.
  const w2 = new PaceWatch(20_000, 5);
  const offers2 = drive(w2, 60, (t) => (t < 14 ? 200 * t : 2 * (t - 14)));
  assert.deepEqual(offers2.map((o) => o.t), [34]);
});

test('a machine that starts slowly but keeps up on average is not offered one', () => {
  // Nothing for the first 4 s (the WebAssembly compiles), then 20 steps/s.
  const watch = new PaceWatch(20_000, 5);
  assert.deepEqual(drive(watch, 120, (t) => Math.max(0, 20 * (t - 4))), []);
});
