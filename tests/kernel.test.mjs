// The two CPU builds of the wasm (issue 19): www/pkg, whose matrix kernel multiplies and adds in
// plain SIMD, and www/pkg-fma, whose kernel uses relaxed SIMD's f32x4.relaxed_madd (an FMA where the
// CPU has one). Each build's kernel is checked against a triple loop in Chromium (the wasm's
// `checkMatmul`, src/cpu/sgemm/check.rs), and the page must train with the FMA build where relaxed
// SIMD validates. tests/firefox.test.mjs does the same in Firefox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useBrowser, openPage } from './browser.mjs';

const b = useBrowser();
const wasm = (dir) => readFileSync(new URL(`../www/${dir}/earthmover_bg.wasm`, import.meta.url));
// f32x4.relaxed_madd's opcode bytes (0xfd, then 0x105 as LEB128).
const count = (bytes, pattern) => {
  let n = 0;
  for (let i = bytes.indexOf(pattern[0]); i >= 0; i = bytes.indexOf(pattern[0], i + 1)) {
    if (pattern.every((x, k) => bytes[i + k] === x)) n++;
  }
  return n;
};

test('the FMA build holds relaxed multiply-adds that the plain build does not', () => {
  const madd = [0xfd, 0x85, 0x02];
  const [plain, fma] = [count(wasm('pkg'), madd), count(wasm('pkg-fma'), madd)];
  console.log(`f32x4.relaxed_madd opcodes: www/pkg ${plain}, www/pkg-fma ${fma}`);
  // The builds differ in the kernel only (the same data): the difference is its multiply-adds.
  assert.ok(fma >= plain + 8, `the 4 x 8 kernel's eight accumulators: ${fma} against ${plain}`);
});

test('boot.js and sw.js ask relaxed SIMD with wasm-feature-detect\'s own test module', () => {
  const text = (path) => readFileSync(new URL(path, import.meta.url), 'utf8');
  const bytes = (src, re) => {
    const m = src.match(re);
    assert.ok(m, `${re} found`);
    return m[1].split(',').map(Number);
  };
  const library = bytes(text('../www/vendor/wasm-feature-detect.js'), /relaxedSimd=async\(\)=>WebAssembly\.validate\(new Uint8Array\(\[([\d,]+)\]\)\)/);
  assert.ok(library.length > 20, 'the library\'s module');
  for (const file of ['../www/page/boot.js', '../sw.js']) {
    assert.deepEqual(bytes(text(file).replace(/ /g, ''), /constRELAXED_SIMD=\[([\d,]+)\];/), library, file);
  }
});

test('both CPU builds multiply matrices right in Chromium, and the page trains with the FMA build', { timeout: 180_000 }, async () => {
  // A same-origin document without the page's scripts, to import each build into.
  const { page, context, problems } = await openPage(b.browser, b.base, 'www/style.css');
  const checks = await page.evaluate(async () => {
    const out = {};
    for (const [build, dir] of [['simd', 'pkg'], ['fma', 'pkg-fma']]) {
      // One module instance per build (wasm-bindgen's glue holds one instance): a query apiece.
      const m = await import(`/www/pkg/earthmover.js?${build}`);
      await m.default({ module_or_path: `/www/${dir}/earthmover_bg.wasm` });
      out[build] = m.checkMatmul() ?? 'ok';
    }
    return out;
  });
  console.log(`checkMatmul in Chromium: ${JSON.stringify(checks)}`);
  assert.deepEqual(checks, { simd: 'ok', fma: 'ok' });

  // Every wasm the page and its workers fetch.
  const fetched = [];
  page.on('request', (req) => {
    if (req.url().endsWith('.wasm')) fetched.push(new URL(req.url()).pathname);
  });
  await page.goto(`${b.base}?backend=cpu&autoplay=1&seed=2`);
  await page.waitForFunction(() => window.earthmover && window.earthmover.snapshot().runs.every((r) => r.step >= 5),
    null, { timeout: 120_000, polling: 250 });
  const runs = await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => ({ id: r.id, cpuBuild: r.cpuBuild, step: r.step })));
  // The lab's worker instantiates the same module: no second wasm (offline only this one is cached).
  await page.locator('#tab-lines').click();
  await page.waitForFunction(() => document.querySelector('#l-jshat').textContent !== '–', null, { timeout: 60_000 });
  console.log(JSON.stringify({ runs, fetched }));
  assert.deepEqual(runs.map((r) => r.cpuBuild), ['fma', 'fma']);
  assert.deepEqual(fetched, ['/www/pkg-fma/earthmover_bg.wasm'], 'one CPU wasm, the FMA build, for the runs and the lab');
  assert.deepEqual(problems, { console: [], offOrigin: [], failed: [] });
  await context.close();
});
