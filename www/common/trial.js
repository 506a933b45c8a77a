// The backend trial (issue 34), as pure functions the worker and the page share and Node tests:
// which backend a run trains on after the known-answer check and the race, what the browser
// remembers of it, and the guard that moves a WebGPU run that became slow to the CPU.
//
// A trial: { candidates: [{ backend: 'webgpu'|'cpu', adapter, check: 'ok'|'mismatch'|'error'|'skipped',
//   maxRelError, stepsPerSec }], chosen: 'webgpu'|'cpu', reason, remembered }
// reason: 'faster' (the race's winner), 'check-mismatch', 'check-error', 'race-error',
// 'remembered', 'forced' (backend=webgpu: no race), 'test' (a test's fault switch chose).

// What a candidate must measure in the race, after its warm-up, in milliseconds.
export const RACE_MS = 1500;
// The guard: a WebGPU run below this share of the CPU's figure for GUARD_MS moves to the CPU.
export const GUARD_SHARE = 0.5;
export const GUARD_MS = 20000;
// How long a trained run is watched before the guard judges it (its steps/s window fills).
export const GUARD_SETTLE_MS = 5000;
// The localStorage entry of remembered trials, and how long one is trusted.
export const MEMO_KEY = 'earthmover.backendTrial.v1';
export const MEMO_DAYS = 30;

// Test-only switches (?fault=check,prefer-webgpu,slow-webgpu): a set of known names; anything
// else is ignored, so a typo cannot turn a page into a test.
export const FAULTS = ['check', 'prefer-webgpu', 'slow-webgpu'];
export function parseFaults(text) {
  return new Set(String(text || '').split(',').map((s) => s.trim()).filter((s) => FAULTS.includes(s)));
}

// One browser and adapter: a browser update, a driver update or another GPU measures again.
export function memoKey(userAgent, adapter) {
  return `${userAgent || ''}|${adapter || ''}`;
}

// The remembered trial of `objective` on `key`, or null (none, unreadable, or too old).
export function recall(memo, key, objective, now = Date.now()) {
  const e = memo && typeof memo === 'object' && memo[key] && memo[key][objective];
  if (!e || (e.chosen !== 'cpu' && e.chosen !== 'webgpu') || !Array.isArray(e.candidates)) return null;
  if (!(now - (e.at || 0) < MEMO_DAYS * 86400000)) return null;
  return e;
}

// The memo with `trial` stored for `objective` on `key` (a trial that raced, or a guard's move).
export function remember(memo, key, objective, trial, now = Date.now()) {
  const out = memo && typeof memo === 'object' ? { ...memo } : {};
  out[key] = { ...(out[key] || {}), [objective]: { chosen: trial.chosen, candidates: trial.candidates, reason: trial.reason, at: now } };
  return out;
}

// The race's verdict over measured candidates: the one with more steps/s (a tie keeps the CPU,
// which needs no second download next time). A candidate without a figure cannot win.
export function decide(candidates) {
  const rate = (b) => {
    const c = candidates.find((x) => x.backend === b);
    return c && Number.isFinite(c.stepsPerSec) && c.stepsPerSec > 0 ? c.stepsPerSec : 0;
  };
  const gpu = rate('webgpu');
  const cpu = rate('cpu');
  if (!gpu && !cpu) return { chosen: 'cpu', reason: 'race-error' };
  return { chosen: gpu > cpu ? 'webgpu' : 'cpu', reason: gpu ? 'faster' : 'race-error' };
}

// The CPU's figure in a trial, or 0.
export const cpuFigure = (trial) => {
  const c = trial && trial.candidates && trial.candidates.find((x) => x.backend === 'cpu');
  return c && Number.isFinite(c.stepsPerSec) ? c.stepsPerSec : 0;
};

// The guard's next state after a status of a WebGPU run: { cpu, since, move }. `rate` is the run's
// steps/s over the last seconds, `watched` how long it has trained since it (re)started.
export function guardTick(g, { now, playing, rate, watched }) {
  if (!g || !(g.cpu > 0) || g.move) return g;
  if (!playing || watched < GUARD_SETTLE_MS || rate >= GUARD_SHARE * g.cpu) return { ...g, since: null };
  const since = g.since == null ? now : g.since;
  return { ...g, since, move: now - since >= GUARD_MS };
}
