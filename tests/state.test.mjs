// Property and fuzz tests of the address parser (www/state.js) and of the i18n tables: thousands
// of random and adversarial query strings; nothing may throw, every accepted state must be within
// the table's bounds and survive serialise -> parse unchanged. Pure Node, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTROLS, PAGE_KEYS, RUN_KEYS, RUNS, defaultState, parseState, serializeState, validState, overrides,
} from '../www/page/state.js';
import { STRINGS, format, noticeText } from '../www/page/i18n.js';

// A small seeded generator so a failure can be replayed (the seed is printed).
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = ['', ' ', 'NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x10', '1_000', '١٢٣', '1e-400', '+1', '.5', '5.',
  '1e20', '1e21', '4294967295', '4294967296', '99999999999999999999', '-1', 'abc', '%', '%E0%A4%A', '%00', '&', '=', '==',
  '?', '#', '\u0000', '\uFFFF', '😀', '<script>alert(1)</script>', 'a'.repeat(500), ',', ',,,', 'play,play', 'settings,nope',
  'true', 'false', 'on', 'off', 'yes', '2', '1.0', ' 0.001 ', '0.0002', '1e-7', '9.99e-8', 'constructor', '__proto__',
  'toString', 'zh', 'en', 'fr', 'live', 'gaussians', 'paper', 'webgpu'];
const KEYS = [...PAGE_KEYS.map((k) => k.key), ...RUNS.flatMap((id) => RUN_KEYS.map((k) => `${id}.${k.key}`)),
  'seed', 'gan.', '.lr_d', 'wgan.gan_loss', 'gan.clip', 'x.lr_d', 'gan.lr_d.x', '__proto__', 'constructor', 'hasOwnProperty',
  'runs', 'lang ', ' panel', 'LANG', '', '😀'];

function randomValue(r, spec) {
  const pick = (a) => a[Math.floor(r() * a.length)];
  const k = r();
  if (k < 0.3) return pick(NASTY);
  if (spec && spec.values && k < 0.6) {
    if (spec.type === 'list') return Array.from({ length: Math.floor(r() * 4) }, () => pick([...spec.values, 'bogus'])).join(',');
    return pick(spec.values);
  }
  if (spec && spec.type !== 'enum' && spec.type !== 'list' && k < 0.8) {
    const span = (spec.max ?? 1) - (spec.min ?? 0);
    const x = (spec.min ?? 0) + (r() * 1.4 - 0.2) * span;
    return spec.type === 'int' ? String(Math.round(x)) : String(x);
  }
  return Array.from({ length: Math.floor(r() * 12) }, () => String.fromCharCode(Math.floor(r() * 0x3000))).join('');
}

function randomQuery(r) {
  const specs = new Map([...PAGE_KEYS.map((k) => [k.key, k]), ...RUNS.flatMap((id) => RUN_KEYS.map((k) => [`${id}.${k.key}`, k]))]);
  const n = Math.floor(r() * 8);
  const parts = [];
  for (let i = 0; i < n; i++) {
    const key = KEYS[Math.floor(r() * KEYS.length)];
    const v = randomValue(r, specs.get(key));
    const enc = r() < 0.7 ? encodeURIComponent : (s) => s; // raw strings too: broken escapes, stray & and =
    parts.push(`${enc(key)}=${enc(v)}`);
  }
  const q = parts.join(r() < 0.9 ? '&' : '&&');
  return r() < 0.8 ? `?${q}` : q;
}

test('the URL-state parser survives 20,000 random and adversarial inputs; accepted states round-trip', () => {
  const seed = Number(process.env.FUZZ_SEED || 20261123);
  const r = rng(seed);
  let accepted = 0;
  let withNotices = 0;
  for (let i = 0; i < 20000; i++) {
    const q = randomQuery(r);
    let out;
    try {
      out = parseState(q);
    } catch (e) {
      assert.fail(`parseState threw on ${JSON.stringify(q)} (FUZZ_SEED=${seed}): ${e.stack}`);
    }
    const { state, notices } = out;
    assert.ok(validState(state), `out of bounds state from ${JSON.stringify(q)}: ${JSON.stringify(state)}`);
    if (notices.length) withNotices++;
    for (const n of notices) {
      for (const l of ['en', 'zh']) {
        // What the notice adds around the user's own text: no hole left unfilled, nothing undefined.
        const text = noticeText(n, l).split(n.value ?? '\u0000').join('').split(n.key ?? '\u0000').join('');
        assert.ok(text.length > 10 && !/undefined|NaN|\{\w+\}/.test(text), `${l} notice ${JSON.stringify(n)} -> ${text}`);
      }
    }
    const s = serializeState(state);
    const back = parseState(s);
    assert.deepEqual(back.notices, [], `serialised state ${s} reads back without notices`);
    assert.deepEqual(back.state, state, `round trip of ${JSON.stringify(q)} via ${s}`);
    assert.equal(serializeState(back.state), s);
    accepted++;
  }
  console.log(`fuzz: ${accepted} inputs parsed, ${withNotices} with notices (FUZZ_SEED=${seed})`);
  assert.ok(withNotices > 5000 && withNotices < 19900, 'the generator exercises both paths');
});

test('specific notices name the parameter, the problem and the value used', () => {
  const { state, notices } = parseState('?gan.lr_d=abc&panel=nowhere&colour=red&hide=settings,bogus&theta=7&seed=12');
  assert.equal(state.panel, 'live');
  assert.deepEqual(state.hide, ['settings']);
  assert.equal(state.theta, 0.5);
  assert.deepEqual(state.runs, { gan: { seed: 12 }, wgan: { seed: 12 } });
  const texts = notices.map((n) => noticeText({ ...n, fallback: n.run ? '0.0002' : n.fallback }, 'en'));
  assert.ok(texts.includes('gan.lr_d=abc is not a number; using 0.0002.'), texts.join('\n'));
  assert.ok(texts.some((t) => t.startsWith('panel=nowhere is not one of live, lines, gaussians, optimality, energy; using live')), texts.join('\n'));
  assert.ok(texts.some((t) => t.includes('"colour"')), texts.join('\n'));
  assert.ok(texts.some((t) => t.includes('bogus')), texts.join('\n'));
  assert.ok(texts.some((t) => t.startsWith('theta=7 is out of range')), texts.join('\n'));
  assert.equal(serializeState(state), '?hide=settings&gan.seed=12&wgan.seed=12');
  assert.deepEqual(parseState('').state, defaultState());
  assert.equal(serializeState(defaultState()), '');
});

test('overrides keep only what differs from the preset', () => {
  const defaults = [['lr_d', '0.0005'], ['batch', '64'], ['gan_loss', 'nonsaturating'], ['clip', '0.05']];
  assert.deepEqual(overrides('gan', [['lr_d', '5e-4'], ['batch', '32'], ['gan_loss', 'saturating'], ['clip', '0.05']], defaults),
    { batch: 32, gan_loss: 'saturating' });
  // Every key belongs to either run now (the objective is a setting); the objective is kept
  // whenever it is not the run's own name, whatever the preset (its defaults are that objective's).
  assert.deepEqual(overrides('wgan', [['objective', 'wgan'], ['clip', '0.1']], defaults), { clip: 0.1 });
  assert.deepEqual(overrides('wgan', [['objective', 'wgan_gp'], ['lambda', '10'], ['clip', '0.05']], [...defaults, ['objective', 'wgan_gp'], ['lambda', '10']]),
    { objective: 'wgan_gp' });
  assert.deepEqual(overrides('gan', [['objective', 'energy'], ['lambda2', '0.5']], [['objective', 'energy'], ['lambda2', '0.1']]),
    { objective: 'energy', lambda2: 0.5 });
});

test('both languages have every string, with the same placeholders', () => {
  const en = STRINGS.en;
  const zh = STRINGS.zh;
  const holes = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort(), 'same keys');
  for (const k of Object.keys(en)) {
    assert.equal(holes(zh[k]), holes(en[k]), `placeholders of ${k}`);
    assert.ok(String(zh[k]).trim().length > 0, `zh ${k} is not empty`);
    if (!/^(unit\.|sym\.)/.test(k) && /[a-z]{4}/.test(en[k].replace(/<[^>]*>|\{\w+\}/g, ''))) {
      assert.ok(/[\u4e00-\u9fff]/.test(zh[k]), `zh ${k} is translated: ${zh[k]}`);
    }
  }
  for (const c of CONTROLS) assert.ok(en[`control.${c}`], `control.${c} has a name`);
  assert.equal(format('{a} and {b}', { a: 1, b: 'x' }), '1 and x');
});

// Firefox (tests/firefox.test.mjs) reports MathML with the wrong number of children as an error,
// where Chromium draws it silently wrong: every script, fraction and accent has its arity.
test('every MathML formula in both languages is well formed', () => {
  const ARITY = { msup: 2, msub: 2, mover: 2, munder: 2, mfrac: 2, mroot: 2, msubsup: 3, munderover: 3 };
  let formulas = 0;
  for (const [lang, table] of Object.entries(STRINGS)) {
    for (const [key, text] of Object.entries(table)) {
      if (typeof text !== 'string' || !text.includes('<math')) continue;
      const stack = [];
      for (const m of text.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
        const [, close, name] = m;
        if (!close) {
          if (stack.length) stack[stack.length - 1].children++;
          if (name === 'math') formulas++;
          stack.push({ name, children: 0 });
          continue;
        }
        const open = stack.pop();
        assert.equal(open && open.name, name, `${lang}.${key}: </${name}> closes <${open && open.name}>`);
        if (ARITY[name]) assert.equal(open.children, ARITY[name], `${lang}.${key}: <${name}> has ${open.children} children, not ${ARITY[name]}`);
      }
      assert.equal(stack.length, 0, `${lang}.${key}: unclosed ${stack.map((s) => s.name)}`);
    }
  }
  assert.ok(formulas > 20, `${formulas} formulas checked`);
});

// index.html's own controls carry the schema's bounds (www/common/schema.js LIMITS, generated from
// src/config/schema.rs): the static page a browser shows before any script runs agrees with Rust.
test('index.html sliders, number fields and the sampler list agree with Rust\'s LIMITS', async () => {
  const { LIMITS } = await import('../www/common/schema.js');
  const { readFileSync } = await import('node:fs');
  const html = readFileSync(new URL('../index.html', import.meta.url), 'utf8');
  const input = (form, pattern) => {
    const scope = form ? html.slice(html.indexOf(`id="${form}"`), html.indexOf('</form>', html.indexOf(`id="${form}"`))) : html;
    const tag = scope.match(new RegExp(`<input[^>]*${pattern}[^>]*>`));
    assert.ok(tag, `no input ${pattern} in ${form || 'index.html'}`);
    const attr = (a) => Number(tag[0].match(new RegExp(`\\b${a}="([^"]*)"`))[1]);
    return { min: attr('min'), max: attr('max') };
  };
  assert.deepEqual(input(null, 'id="theta"'), LIMITS.theta);
  assert.deepEqual(input(null, 'id="mu-r"'), LIMITS.mu);
  assert.deepEqual(input(null, 'id="mu-g"'), LIMITS.mu);
  assert.deepEqual(input('opt-form', 'name="steps"'), LIMITS.opt_steps);
  assert.deepEqual(input('opt-form', 'name="every"'), LIMITS.opt_steps);
  assert.deepEqual(input('mcmc-form', 'name="eps"'), LIMITS.mcmc_eps);
  assert.deepEqual(input('mcmc-form', 'name="steps"'), LIMITS.mcmc_steps);
  const sampler = html.match(/<select name="sampler">(.*?)<\/select>/)[1];
  assert.deepEqual([...sampler.matchAll(/value="([^"]+)"/g)].map((m) => m[1]), LIMITS.mcmc_samplers);
  assert.deepEqual(PAGE_KEYS.find((k) => k.key === 'mcmc_sampler').values, LIMITS.mcmc_samplers);
});
