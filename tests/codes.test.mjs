// One error vocabulary (issue 36): www/common/codes.js is generated from Rust's `Code` (src/error.rs;
// tests/schema.rs holds the file to it). Here, in Node: every code has words in both languages, and
// every code a script raises (the workers, the page, the protocol) is one of them or one of the
// backend badge's reason codes, so that no failure reaches a reader only as English detail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../www/common/codes.js';
import { STRINGS, format } from '../www/page/i18n.js';

const root = new URL('..', import.meta.url).pathname;
const keyOf = (code) => `err.${code.replace(/-/g, '_')}`;

test('every error code has words in English and in Chinese, with the same placeholders', () => {
  assert.ok(ERROR_CODES.length >= 16, ERROR_CODES.join(', '));
  for (const code of ERROR_CODES) {
    for (const lang of ['en', 'zh']) {
      const s = STRINGS[lang][keyOf(code)];
      assert.equal(typeof s, 'string', `${lang}: no ${keyOf(code)} for code ${code}`);
      assert.ok(format(s, { detail: 'D', url: 'U', status: 404 }).includes('D') || !s.includes('{detail}'));
    }
    const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(holes(STRINGS.zh[keyOf(code)]), holes(STRINGS.en[keyOf(code)]), code);
  }
});

// The scripts' own code literals: coded('x', ...), `${what}-fetch` / -http (io.js: data and
// classifier), and error posts `{ type: EV.error, code: 'x' }` / `{ code: 'x', message }`.
function scripts(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!/^(pkg.*|vendor|recordings|data|i18n|bench)$/.test(name)) out.push(...scripts(p));
    } else if (name.endsWith('.js')) out.push(p);
  }
  return out;
}

test('every code a script raises is in the vocabulary (or is a backend reason the badge words)', () => {
  const reasons = new Set(Object.keys(STRINGS.en).filter((k) => k.startsWith('reason.')).map((k) => k.slice(7)));
  const seen = new Map();
  for (const file of scripts(join(root, 'www'))) {
    if (file.endsWith('/state.js')) continue; // the address parser's notice codes: their own table (notice.*)
    const src = readFileSync(file, 'utf8');
    const found = [
      ...[...src.matchAll(/coded\('([a-z-]+)'/g)].map((m) => m[1]),
      ...[...src.matchAll(/\bcode: '([a-z-]+)'/g)].map((m) => m[1]),
      ...[...src.matchAll(/\bcode === '([a-z-]+)'/g)].map((m) => m[1]),
    ];
    if (/coded\(`\$\{what\}-fetch`/.test(src)) {
      const whats = [...src.matchAll(/download\([^,]+, '([a-z]+)'\)/g)].map((m) => m[1]);
      for (const w of ['data', 'classifier', ...whats]) found.push(`${w}-fetch`, `${w}-http`);
    }
    for (const c of found) seen.set(c, file.slice(root.length));
  }
  // The worker's downloads name what they fetch; check run.js's calls too.
  const run = readFileSync(join(root, 'www/workers/run.js'), 'utf8');
  for (const m of run.matchAll(/download\([^,]+, '([a-z]+)'\)/g)) {
    seen.set(`${m[1]}-fetch`, 'www/workers/run.js');
    seen.set(`${m[1]}-http`, 'www/workers/run.js');
  }
  assert.ok(seen.size >= 10, [...seen.keys()].join(', '));
  for (const [code, file] of seen) {
    assert.ok(ERROR_CODES.includes(code) || reasons.has(code), `${file} raises code ${JSON.stringify(code)}, which is neither in www/common/codes.js (src/error.rs) nor a reason.* string`);
  }
});
