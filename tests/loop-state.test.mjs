// The training loop's state machine (www/workers/loop-state.js): what a worker's run does on each
// request and event, without a worker or a browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PHASES, canTrain, initial, isPlaying, next } from '../www/workers/loop-state.js';

const walk = (events, s = initial()) => events.reduce((x, ev) => next(x, typeof ev === 'string' ? { type: ev } : ev), s);
const phase = (events, s) => walk(events, s).phase;

test('a run starts, then plays or waits as the page asked', () => {
  assert.equal(initial().phase, 'starting');
  assert.equal(phase([{ type: 'ready', autoplay: true }]), 'playing');
  assert.equal(phase([{ type: 'ready', autoplay: false }]), 'paused');
  assert.equal(phase(['play']), 'starting', 'nothing trains before the run is built');
  assert.ok(!canTrain(initial()));
});

test('play and pause', () => {
  const ready = walk([{ type: 'ready' }]);
  assert.equal(phase(['play'], ready), 'playing');
  assert.equal(phase(['play', 'pause'], ready), 'paused');
  assert.equal(phase(['play', 'play'], ready), 'playing');
  assert.equal(phase(['pause'], ready), 'paused');
  const s = next(ready, { type: 'pause' });
  assert.equal(s, ready, 'an event that changes nothing returns the same state');
  assert.ok(isPlaying(walk(['play'], ready)) && canTrain(walk(['play'], ready)));
  assert.ok(!isPlaying(ready) && canTrain(ready), 'a paused run may still step');
});

test('a diverged run trains no more until a reset rebuilds it', () => {
  const diverged = walk([{ type: 'ready', autoplay: true }, 'diverged']);
  assert.equal(diverged.phase, 'diverged');
  assert.ok(!canTrain(diverged));
  assert.equal(phase(['play'], diverged), 'diverged');
  assert.equal(phase(['pause', 'play'], diverged), 'diverged');
  assert.equal(phase([{ type: 'reset', play: false }], diverged), 'paused');
  assert.equal(phase([{ type: 'reset', play: true }], diverged), 'playing');
});

test('a reset keeps a training run training and a paused one paused', () => {
  const ready = walk([{ type: 'ready' }]);
  assert.equal(phase(['play', 'pause', { type: 'reset', play: true }], ready), 'playing');
  assert.equal(phase([{ type: 'reset', play: false }], ready), 'paused');
  assert.equal(phase([{ type: 'reset', play: true }]), 'starting', 'no reset before the run is built');
});

test('a lost device is final, from any phase', () => {
  for (const from of PHASES) {
    const lost = next({ phase: from }, { type: 'lost' });
    assert.equal(lost.phase, 'lost', from);
    for (const ev of ['play', 'pause', 'error', 'diverged', { type: 'ready', autoplay: true }, { type: 'reset', play: true }]) {
      assert.equal(phase([ev], lost), 'lost', `${from} then ${JSON.stringify(ev)}`);
    }
    assert.ok(!canTrain(lost));
  }
});

test('an error stops the loop and leaves the run usable', () => {
  const playing = walk([{ type: 'ready', autoplay: true }]);
  const s = next(playing, { type: 'error' });
  assert.equal(s.phase, 'paused');
  assert.ok(canTrain(s));
  assert.equal(phase(['play'], s), 'playing');
});

test('an unknown event throws', () => {
  assert.throws(() => next(initial(), { type: 'jump' }), /unknown loop event "jump"/);
});
