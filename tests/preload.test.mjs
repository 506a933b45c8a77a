// index.html preloads every module of the page's static import graph (from www/page/app.js and
// www/page/boot.js), so that the browser fetches them in one round instead of discovering them
// level by level: a module missing from the list delayed the first step (issue 34: tips.js,
// live-charts.js, trial.js and experiment.js arrived ~200 ms after the rest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function graph(entries) {
  const seen = new Set();
  const stack = [...entries];
  while (stack.length) {
    const f = stack.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    const src = readFileSync(join(root, f), 'utf8');
    for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1] || m[2];
      if (spec.startsWith('.')) stack.push(normalize(join(dirname(f), spec)));
    }
  }
  return seen;
}

test('index.html preloads every module the page imports statically', () => {
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(entries.sort(), ['www/page/app.js', 'www/page/boot.js']);
  const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]));
  const modules = [...graph(entries)].filter((f) => !entries.includes(f));
  assert.ok(modules.length > 20, modules.join(' '));
  const missing = modules.filter((f) => !preloaded.has(f));
  assert.deepEqual(missing, [], `add <link rel="modulepreload"> for: ${missing.join(', ')}`);
  const stale = [...preloaded].filter((f) => !modules.includes(f));
  assert.deepEqual(stale, [], `preloaded but not imported: ${stale.join(', ')}`);
});
