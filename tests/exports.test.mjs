// The wasm's JS surface holds only what is used (issue 36: `spearman`, `linesDivergences` and
// `gaussianDivergences` were exported and called by nothing): every function the built module
// exports is called by the page, its workers, the benchmark page, a test or a script. Classes are
// left out: the module hands them out from its functions and methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
// wasm-bindgen's own: `start` runs when the module is instantiated.
const BINDGEN = new Set(['start', 'default', 'initSync']);

function files(dir) {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(join(ROOT, p)).isDirectory()) return ['pkg', 'pkg-fma', 'pkg-gpu', 'vendor', 'data', 'recordings'].includes(f) ? [] : files(p);
    return /\.m?js$/.test(f) ? [p] : [];
  });
}

test('every function the wasm module exports is called somewhere', () => {
  const glue = readFileSync(join(ROOT, 'www/pkg/earthmover.js'), 'utf8');
  const exported = [...glue.matchAll(/^export function ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]).filter((n) => !BINDGEN.has(n));
  assert.ok(exported.length >= 4, `the glue exports functions: ${exported}`);
  const users = [...files('www'), ...files('tests'), ...files('scripts')].filter((f) => !f.endsWith('exports.test.mjs'))
    .map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  const unused = exported.filter((n) => !new RegExp(`\\b${n}\\b`).test(users));
  assert.deepEqual(unused, [], 'exported and called by nothing');
});
