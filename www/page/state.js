// All of the page's state in one declarative table, and its (de)serialisation to the address.
//
// Pure: no DOM, no globals, nothing here throws on any input (tests/state.test.mjs fuzzes it).
// `parseState(search)` -> {state, notices}; `serializeState(state)` -> "?k=v&..." with only the
// values that differ from the defaults. Notices are structured ({code, key, value, ...}); the page
// words them in the reader's language (i18n.js).
//
// Run settings and the experiments' bounds come from Rust's schema (www/common/schema.js, generated
// and checked by tests/schema.rs), so each bound is written once; Rust checks them again.
import { LIMITS, RUN_KEYS } from '../common/schema.js';
import { FAULTS } from '../common/trial.js';

export const PANELS = ['live', 'lines', 'gaussians', 'optimality', 'energy'];
// The words of an enum setting (Rust's one mapping, through the generated schema).
export const wordsOf = (key) => RUN_KEYS.find((k) => k.key === key).values;
export const OBJECTIVES = wordsOf('objective');
export const RUNS = ['gan', 'wgan'];
// Controls a lesson link can hide (hide=settings,preset,...); each element carries data-control.
export const CONTROLS = ['play', 'step', 'reset', 'settings', 'preset', 'loss', 'backend', 'tabs', 'lab',
  'optimality', 'export', 'load', 'share', 'language', 'presenter', 'lesson'];

// Every run setting, generated from Rust's schema (src/config/schema.rs): key, kind, bounds, and
// the objectives that use it (none: all). Every key is valid for either run (its objective is a
// setting too); the settings form shows only the keys the run's objective uses.
export { LIMITS, RUN_KEYS };

// Is `v` a number within `limit` ({min, max}), and whole when `int`?
export const within = (v, { min, max }, int = false) => (int ? Number.isInteger(v) : Number.isFinite(v)) && v >= min && v <= max;

export const PAGE_KEYS = [
  { key: 'lang', type: 'enum', values: ['en', 'zh'], def: null }, // null: from the browser's language
  { key: 'panel', type: 'enum', values: PANELS, def: 'live' },
  { key: 'preset', type: 'enum', values: ['classroom', 'paper'], def: 'classroom' },
  // race: as auto, but a software WebGPU adapter takes part in the check and the race too.
  { key: 'backend', type: 'enum', values: ['auto', 'cpu', 'webgpu', 'race'], def: 'auto' },
  // Test-only switches of the backend trial (www/common/trial.js FAULTS); not in any link a teacher shares.
  { key: 'fault', type: 'list', values: FAULTS, def: [] },
  { key: 'autoplay', type: 'bool', def: false },
  { key: 'presenter', type: 'bool', def: false },
  // Lesson mode: the step shown (1-8, lesson.js STEPS), 0 = off.
  { key: 'lesson', type: 'int', min: 0, max: 8, def: 0 },
  { key: 'hide', type: 'list', values: CONTROLS, def: [] },
  { key: 'theta', type: 'float', ...LIMITS.theta, def: 0.5 },
  { key: 'mu_r', type: 'float', ...LIMITS.mu, def: -1 },
  { key: 'mu_g', type: 'float', ...LIMITS.mu, def: 2 },
  { key: 'opt_run', type: 'enum', values: RUNS, def: 'gan' },
  { key: 'opt_k', type: 'int', ...LIMITS.opt_steps, def: 2000 },
  { key: 'opt_every', type: 'int', ...LIMITS.opt_steps, def: 50 },
  { key: 'mcmc_run', type: 'enum', values: RUNS, def: 'wgan' },
  { key: 'mcmc_sampler', type: 'enum', values: LIMITS.mcmc_samplers, def: 'mala' },
  { key: 'mcmc_eps', type: 'float', ...LIMITS.mcmc_eps, def: 0.01 },
  { key: 'mcmc_steps', type: 'int', ...LIMITS.mcmc_steps, def: 100 },
  { key: 'mcmc_prior', type: 'bool', def: true },
  // A class room (the Rust server, www/page/class.js): a class code (its join link), or 'new' to open
  // the Class dialog.
  { key: 'class', type: 'code', def: null },
];

// A class code: 13 characters of Crockford's base32 (server/src/api.rs), or 'new'.
export const CLASS_CODE = /^[0-9A-HJKMNP-TV-Z]{13}$/;

const PAGE = new Map(PAGE_KEYS.map((k) => [k.key, k]));
const RUN = new Map(RUN_KEYS.map((k) => [k.key, k]));
// Longest values we look at: anything longer is a mistake or an attack, not a setting.
const MAX_VALUE = 200;
const MAX_PARAMS = 100;

// The run keys (all of them, for either run: kept as a function of the run for the callers).
export const runKeysFor = () => RUN_KEYS;
// Does a run training `objective` use `key`?
export const usesKey = (spec, objective) => !spec.objectives || spec.objectives.includes(objective);

export function defaultState() {
  const page = Object.fromEntries(PAGE_KEYS.map((k) => [k.key, Array.isArray(k.def) ? [...k.def] : k.def]));
  return { ...page, runs: { gan: {}, wgan: {} } };
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// Parse one value against its spec: {ok: true, value} or {ok: false, code, ...}.
export function parseValue(spec, raw) {
  const v = String(raw).trim();
  switch (spec.type) {
    case 'enum':
      return spec.values.includes(v) ? { ok: true, value: v } : { ok: false, code: 'choice', allowed: spec.values };
    case 'bool':
      if (['1', 'true', 'on', 'yes'].includes(v)) return { ok: true, value: true };
      if (['0', 'false', 'off', 'no'].includes(v)) return { ok: true, value: false };
      return { ok: false, code: 'bool' };
    case 'int': {
      if (!/^\d{1,16}$/.test(v)) return { ok: false, code: 'int', min: spec.min, max: spec.max };
      const n = Number(v);
      if (n < spec.min || n > spec.max) return { ok: false, code: 'range', min: spec.min, max: spec.max };
      return { ok: true, value: n };
    }
    case 'float': {
      if (!FLOAT.test(v)) return { ok: false, code: 'number', min: spec.min, max: spec.max };
      const x = Number(v);
      if (!Number.isFinite(x) || x < spec.min || x > spec.max) return { ok: false, code: 'range', min: spec.min, max: spec.max };
      return { ok: true, value: Object.is(x, -0) ? 0 : x };
    }
    case 'code': {
      const c = v.toUpperCase();
      return c === 'NEW' ? { ok: true, value: 'new' } : CLASS_CODE.test(c) ? { ok: true, value: c } : { ok: false, code: 'class_code' };
    }
    case 'list': {
      const items = v === '' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = items.filter((s) => !spec.values.includes(s));
      const value = spec.values.filter((s) => items.includes(s)); // canonical order, no duplicates
      return unknown.length ? { ok: 'partial', value, code: 'list', unknown, allowed: spec.values } : { ok: true, value };
    }
    default:
      return { ok: false, code: 'choice', allowed: [] };
  }
}

const clip = (s) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

// Read the address's query string. Never throws; every problem becomes a notice and the default
// (or, for run settings, the preset's value) is used instead.
export function parseState(search) {
  const state = defaultState();
  const notices = [];
  let pairs;
  try {
    pairs = [...new URLSearchParams(typeof search === 'string' ? search : '')];
  } catch (_) {
    return { state, notices: [{ code: 'unreadable' }] };
  }
  if (pairs.length > MAX_PARAMS) {
    notices.push({ code: 'too-many', count: pairs.length, max: MAX_PARAMS });
    pairs = pairs.slice(0, MAX_PARAMS);
  }
  const seen = new Set();
  for (const [rawKey, rawValue] of pairs) {
    const key = rawKey.trim();
    const value = rawValue.length > MAX_VALUE ? null : rawValue;
    if (seen.has(key)) notices.push({ code: 'repeated', key: clip(key) });
    seen.add(key);
    let spec = PAGE.get(key);
    let run = null;
    let name = key;
    const dot = key.indexOf('.');
    if (!spec && dot > 0) {
      run = key.slice(0, dot);
      name = key.slice(dot + 1);
      spec = RUNS.includes(run) ? RUN.get(name) : undefined;
    } else if (!spec && key === 'seed') {
      // The old single seed: both runs.
      spec = RUN.get('seed');
      run = '*';
    }
    if (!spec) {
      notices.push({ code: 'unknown', key: clip(key) });
      continue;
    }
    if (value === null) {
      notices.push({ code: 'too-long', key, max: MAX_VALUE, ...(run ? { run } : { fallback: spec.def }) });
      continue;
    }
    const r = parseValue(spec, value);
    const base = { key, value: clip(value.trim()), ...(run && run !== '*' ? { run, setting: name } : {}) };
    if (r.ok === false) {
      notices.push({ ...base, code: r.code, min: r.min, max: r.max, allowed: r.allowed,
        ...(run ? { fallback: undefined } : { fallback: spec.def }) });
      continue;
    }
    if (r.ok === 'partial') notices.push({ ...base, code: 'list', unknown: r.unknown.map(clip), allowed: r.allowed });
    if (run === '*') for (const id of RUNS) state.runs[id].seed = r.value;
    else if (run) state.runs[run][name] = r.value;
    else state[key] = r.value;
  }
  return { state, notices };
}

const enc = (v) => encodeURIComponent(v).replace(/%2C/g, ',');

function show(spec, v) {
  if (spec.type === 'bool') return v ? '1' : '0';
  if (spec.type === 'list') return v.join(',');
  return String(v);
}

function isDefault(spec, v) {
  if (spec.type === 'list') return v.length === 0;
  return v === spec.def;
}

// "?k=v&..." with the non-default values in the table's order; "" when everything is default.
export function serializeState(state) {
  const parts = [];
  for (const spec of PAGE_KEYS) {
    const v = state[spec.key];
    if (v == null || isDefault(spec, v)) continue;
    parts.push(`${spec.key}=${enc(show(spec, v))}`);
  }
  for (const id of RUNS) {
    for (const spec of runKeysFor(id)) {
      const v = state.runs && state.runs[id] ? state.runs[id][spec.key] : undefined;
      if (v == null) continue;
      parts.push(`${id}.${spec.key}=${enc(show(spec, v))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

// True when `state` is within the table's bounds (used by the tests and before applying a state).
export function validState(state) {
  const ok = (spec, v) => {
    if (spec.type === 'enum') return spec.values.includes(v);
    if (spec.type === 'bool') return typeof v === 'boolean';
    if (spec.type === 'list') return Array.isArray(v) && v.every((x) => spec.values.includes(x)) && new Set(v).size === v.length;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < spec.min || v > spec.max) return false;
    return spec.type !== 'int' || Number.isInteger(v);
  };
  for (const spec of PAGE_KEYS) {
    const v = state[spec.key];
    if (!(v === null && spec.def === null) && !ok(spec, v)) return false;
  }
  for (const id of RUNS) {
    for (const [k, v] of Object.entries(state.runs[id])) {
      const spec = RUN.get(k);
      if (!spec || !ok(spec, v)) return false;
    }
  }
  return true;
}

// A run's overrides from its settings pairs: the values that differ from the preset's (the
// preset of the run's own objective), and its objective where that is not the run's usual one.
export function overrides(id, pairs, defaults) {
  const d = new Map(defaults);
  const out = {};
  for (const [k, raw] of pairs) {
    const spec = RUN.get(k);
    if (!spec) continue;
    const r = parseValue(spec, raw);
    if (k === 'objective') {
      if (r.ok === true && r.value !== id) out[k] = r.value;
      continue;
    }
    const def = d.has(k) ? parseValue(spec, d.get(k)) : null;
    if (r.ok !== true) continue;
    if (def && def.ok === true && def.value === r.value) continue;
    out[k] = r.value;
  }
  return out;
}
