// A run record's controls on the page (www/page/run-control.js): play, pause, the status messages
// of a worker, divergence, reset, a restart after a lost device or the guard, errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { control, initialControl } from '../www/page/run-control.js';

const walk = (events, c = initialControl()) => events.reduce((x, ev) => control(x, typeof ev === 'string' ? { type: ev } : ev), c);
const ready = () => walk(['worker', 'ready']);

test('nothing plays before the worker is ready', () => {
  const c = walk(['worker', 'play']);
  assert.equal(c.playing, false);
  assert.equal(c.toggling, 0, 'no request is sent');
  const p = walk(['worker', 'play', 'pause']);
  assert.equal(p.wasPlaying, false);
  assert.equal(p.toggling, 0);
});

test('play and pause show at once and count their requests', () => {
  const c = walk(['play'], ready());
  assert.deepEqual([c.playing, c.wasPlaying, c.toggling], [true, true, 1]);
  const d = walk(['pause'], c);
  assert.deepEqual([d.playing, d.wasPlaying, d.toggling], [false, false, 2]);
  assert.equal(walk(['toggled', 'toggled', 'toggled'], d).toggling, 0, 'never below zero');
});

test('a status posted before a request arrived does not undo the button', () => {
  const c = walk(['play', { type: 'status', playing: false }], ready());
  assert.equal(c.playing, true, 'the play request is on its way');
  const settled = walk(['toggled', { type: 'status', playing: false }], c);
  assert.equal(settled.playing, false, 'once it answered, the worker says');
  const same = walk(['toggled'], c);
  assert.equal(control(same, { type: 'status', playing: true }), same, 'no change: the same object');
});

test('a diverged run cannot play until a reset', () => {
  const d = walk(['play', 'toggled', { type: 'diverged', step: 40, detail: 'L_D = NaN' }], ready());
  assert.deepEqual([d.playing, d.diverged], [false, { step: 40, detail: 'L_D = NaN' }]);
  assert.equal(walk(['play'], d).playing, false);
  const r = walk(['reset', 'play'], d);
  assert.deepEqual([r.diverged, r.playing], [null, true]);
});

test('an error that stops training shows the run paused; one that does not, playing', () => {
  const c = walk(['play', 'toggled'], ready());
  assert.equal(walk([{ type: 'error', stops: false }], c).playing, true);
  assert.equal(walk([{ type: 'error', stops: true }], c).playing, false);
});

test('a restart remembers whether the run trained, and happens once', () => {
  const playing = walk(['play', 'toggled'], ready());
  const moved = control(playing, { type: 'restart' });
  assert.deepEqual([moved.ready, moved.playing, moved.restart.wasPlaying], [false, false, true]);
  assert.equal(control(moved, { type: 'restart', lost: { reason: 'x' } }), moved, 'a second restart is ignored');
  assert.equal(walk([{ type: 'status', playing: true }], moved).playing, false, 'the old worker no longer counts');
  const back = walk(['worker', 'ready'], moved);
  assert.deepEqual([back.ready, back.restart], [true, null]);
  assert.equal(control(ready(), { type: 'restart' }).restart.wasPlaying, false, 'a paused run stays paused');
  assert.equal(control(ready(), { type: 'restart', slow: { stepsPerSec: 1 } }).restart.wasPlaying, true, 'the guard moves a training run');
  const lostWhilePaused = walk([{ type: 'restart', lost: { reason: 'destroyed' } }], walk(['play', 'toggled', 'pause'], ready()));
  assert.equal(lostWhilePaused.restart.wasPlaying, false);
  assert.deepEqual(lostWhilePaused.restart.lost, { reason: 'destroyed' });
});

test('a new worker has no requests on their way', () => {
  assert.equal(walk(['play', 'worker'], ready()).toggling, 0);
});

test('an unknown event throws', () => {
  assert.throws(() => control(initialControl(), { type: 'jump' }), /unknown run control event/);
});
