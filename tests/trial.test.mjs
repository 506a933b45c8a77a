// The backend trial's pure parts (www/common/trial.js): the race's verdict, what the browser
// remembers, and the guard that moves a slow WebGPU run to the CPU. Pure Node, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GUARD_MS, GUARD_SETTLE_MS, MEMO_DAYS, cpuFigure, decide, guardTick, memoKey, parseFaults, recall, remember,
} from '../www/common/trial.js';

const cand = (backend, stepsPerSec) => ({ backend, adapter: backend === 'cpu' ? 'CPU' : 'GPU', check: 'ok', maxRelError: 1e-6, stepsPerSec });

test('the race picks the faster backend; a tie, a missing figure or no figures keep the CPU', () => {
  assert.deepEqual(decide([cand('webgpu', 41), cand('cpu', 33)]), { chosen: 'webgpu', reason: 'faster' });
  assert.deepEqual(decide([cand('webgpu', 0.4), cand('cpu', 30)]), { chosen: 'cpu', reason: 'faster' });
  assert.deepEqual(decide([cand('webgpu', 30), cand('cpu', 30)]), { chosen: 'cpu', reason: 'faster' });
  assert.deepEqual(decide([cand('webgpu', null), cand('cpu', 30)]), { chosen: 'cpu', reason: 'race-error' });
  assert.deepEqual(decide([cand('webgpu', NaN), cand('cpu', NaN)]), { chosen: 'cpu', reason: 'race-error' });
  // A WebGPU figure with no CPU figure wins (the CPU failed to run: rare, but not a reason to stop).
  assert.deepEqual(decide([cand('webgpu', 5), cand('cpu', null)]), { chosen: 'webgpu', reason: 'faster' });
});

test('a remembered trial is found per browser, adapter and objective, and expires', () => {
  const now = Date.UTC(2026, 11, 7);
  const key = memoKey('Mozilla/5.0 Chrome/143', 'Intel Iris Xe');
  const trial = { candidates: [cand('webgpu', 41), cand('cpu', 33)], chosen: 'webgpu', reason: 'faster' };
  const memo = remember({}, key, 'wgan', trial, now);
  assert.equal(recall(memo, key, 'wgan', now).chosen, 'webgpu');
  assert.equal(recall(memo, key, 'gan', now), null, 'another objective measures for itself');
  assert.equal(recall(memo, memoKey('Mozilla/5.0 Chrome/144', 'Intel Iris Xe'), 'wgan', now), null, 'a browser update measures again');
  assert.equal(recall(memo, memoKey('Mozilla/5.0 Chrome/143', 'NVIDIA RTX 4060'), 'wgan', now), null, 'another GPU measures again');
  assert.equal(recall(memo, key, 'wgan', now + (MEMO_DAYS + 1) * 86400000), null, 'too old');
  // Storing a second objective keeps the first.
  const both = remember(memo, key, 'gan', { ...trial, chosen: 'cpu' }, now);
  assert.equal(recall(both, key, 'wgan', now).chosen, 'webgpu');
  assert.equal(recall(both, key, 'gan', now).chosen, 'cpu');
  // Whatever localStorage held, recall answers null rather than throwing.
  for (const junk of [null, undefined, 7, 'x', [], { [key]: null }, { [key]: { wgan: { chosen: 'gpu', candidates: [] } } },
    { [key]: { wgan: { chosen: 'cpu' } } }]) {
    assert.equal(recall(junk, key, 'wgan', now), null, JSON.stringify(junk));
  }
  assert.equal(cpuFigure(trial), 33);
  assert.equal(cpuFigure(null), 0);
});

test('the guard moves a WebGPU run only after it stayed below half the CPU figure for 20 s', () => {
  let g = { cpu: 30, since: null, move: false };
  const tick = (now, rate, { playing = true, watched = 60000 } = {}) => { g = guardTick(g, { now, playing, rate, watched }); return g; };
  tick(0, 14);
  assert.equal(g.since, 0);
  tick(GUARD_MS - 1, 14);
  assert.equal(g.move, false);
  tick(GUARD_MS - 1 + 500, 16); // back above half: the clock starts again
  assert.equal(g.since, null);
  tick(30000, 10);
  tick(30000 + GUARD_MS, 10);
  assert.equal(g.move, true);
  // Paused, or still settling after a (re)start: never.
  g = { cpu: 30, since: null, move: false };
  tick(0, 1, { playing: false });
  tick(GUARD_MS * 2, 1, { playing: false });
  assert.equal(g.move, false);
  tick(0, 1, { watched: GUARD_SETTLE_MS - 1 });
  tick(GUARD_MS * 2, 1, { watched: GUARD_SETTLE_MS - 1 });
  assert.equal(g.move, false);
  // No CPU figure (backend=webgpu forced): no guard.
  assert.equal(guardTick(null, { now: 0, playing: true, rate: 0, watched: 1e6 }), null);
});

test('only known fault names count', () => {
  assert.deepEqual([...parseFaults('check, slow-webgpu,nope,')], ['check', 'slow-webgpu']);
  assert.equal(parseFaults(undefined).size, 0);
});
