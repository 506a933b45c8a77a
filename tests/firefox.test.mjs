// The end-to-end smoke subset in Firefox (issue 18): the system's Firefox ESR (apt) driven by
// geckodriver (crates.io) through selenium-webdriver, since playwright-core drives only its own
// Firefox builds. WebDriver BiDi reports every console error, uncaught exception, failed response
// and request of the page and its workers. `./build.sh test` installs both; run alone with
// `node --test tests/firefox.test.mjs` after `./build.sh`.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer } from '../scripts/static-host.mjs';
import { GECKODRIVER, firefoxDriver } from './firefox.mjs';

let server;
let base;
let driver;
const problems = { console: [], failed: [], offOrigin: [] };

before(async () => {
  ({ server, url: base } = await startServer(0, '127.0.0.1'));
  driver = await firefoxDriver();
  const caps = await driver.getCapabilities();
  console.log(`${caps.getBrowserName()} ${caps.getBrowserVersion()} through ${GECKODRIVER}`);
  // The raw BiDi events: selenium-webdriver's LogInspector and Network helpers drop events whose
  // shape they do not expect (a request without an initiator), so they would miss some.
  const bidi = await driver.getBidi();
  await bidi.subscribe(['log.entryAdded', 'network.beforeRequestSent', 'network.responseCompleted']);
  const origin = new URL(base).origin;
  bidi.on('log.entryAdded', (e) => {
    if (e.level === 'error') problems.console.push(e.type === 'javascript' ? `uncaught: ${e.text}` : e.text);
  });
  bidi.on('network.beforeRequestSent', (e) => {
    const url = e.request.url;
    if (!url.startsWith(`${origin}/`) && !/^(blob|data|about):/.test(url)) problems.offOrigin.push(url);
  });
  bidi.on('network.responseCompleted', (e) => {
    if (e.response.status >= 400) problems.failed.push(`${e.response.status} ${e.response.url}`);
  });
});

// Each test answers for its own page loads.
beforeEach(() => { for (const k of Object.keys(problems)) problems[k] = []; });

after(async () => {
  await driver?.quit();
  server?.close();
});

const run = (fn, ...args) => driver.executeScript(fn, ...args);
// Polls a page function until it returns something truthy (WebDriver has no waitForFunction).
async function until(fn, timeout, what, ...args) {
  const t0 = Date.now();
  for (;;) {
    const v = await run(fn, ...args);
    if (v) return v;
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
async function openAndWait(query) {
  await driver.get(`${base}${query}`);
  const t0 = Date.now();
  const ready = await driver.executeAsyncScript(function (done) {
    const poll = () => (window.earthmover ? window.earthmover.ready.then(() => done(true), (e) => done(String(e))) : setTimeout(poll, 100));
    poll();
  });
  assert.equal(ready, true, `window.earthmover.ready rejected: ${ready}`);
  return Date.now() - t0;
}
const clean = (what) => {
  assert.deepEqual(problems.failed, [], `${what}: every request succeeds`);
  assert.deepEqual(problems.console, [], `${what}: no console errors`);
  assert.deepEqual(problems.offOrigin, [], `${what}: no request leaves the origin`);
};

test('Firefox: the page loads in English and both runs train on the CPU', { timeout: 300_000 }, async () => {
  await driver.manage().setTimeouts({ script: 120_000 });
  const ms = await openAndWait('?autoplay=1&backend=cpu&seed=3');
  console.log(`ready after ${ms} ms`);
  assert.equal(await run(() => document.documentElement.lang), 'en');
  await until(() => window.earthmover.snapshot().runs.every((r) => window.earthmover.history(r.id).length >= 3),
    240_000, 'three logged points per run');
  const snap = await run(() => window.earthmover.snapshot());
  console.log(JSON.stringify({ backend: snap.backend, reason: snap.backendReason, steps: snap.runs.map((r) => [r.id, r.step, r.stepsPerSec]) }));
  assert.equal(snap.backend, 'CPU');
  assert.deepEqual(snap.runs.map((r) => r.id), ['gan', 'wgan']);
  for (const r of snap.runs) {
    assert.ok(r.playing && r.step > 0 && r.stepsPerSec > 0, `${r.id} advances`);
    for (const k of ['emd', 'loss_d', 'loss_g']) assert.ok(Number.isFinite(r.metrics[k]), `${r.id}.${k} = ${r.metrics[k]}`);
  }
  // The samples are real pixels, and the grid and a chart have ink on them.
  const ink = await run(() => {
    const frac = (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 30) n++;
      return n / (d.length / 4);
    };
    const s = window.earthmover.samples('wgan');
    return { distinct: new Set(Array.from(s.pixels)).size, grid: frac(document.querySelector('#run-gan canvas.grid')),
      chart: frac(document.querySelector('#chart-emd canvas')) };
  });
  console.log(JSON.stringify(ink));
  assert.ok(ink.distinct > 10 && ink.grid > 0.05 && ink.chart > 0.002, JSON.stringify(ink));
  // What this Firefox says about WebGPU, for the README's browser table (asserted only as "said").
  await driver.get(`${base}?backend=auto`);
  await until(() => window.earthmover && window.earthmover.snapshot().backendReason, 120_000, 'a backend reason');
  const auto = await run(() => ({ gpu: 'gpu' in navigator, ...(({ backend, backendReason }) => ({ backend, backendReason }))(window.earthmover.snapshot()) }));
  console.log(`backend=auto in Firefox: ${JSON.stringify(auto)}`);
  assert.ok(auto.backendReason.length > 10, auto.backendReason);
  clean('English page');
});

test('Firefox: both CPU builds multiply matrices right, and the page trains with the one it allows', { timeout: 240_000 }, async () => {
  await driver.manage().setTimeouts({ script: 120_000 });
  // A same-origin document without the page's scripts; one module instance per build (a query apiece).
  await driver.get(`${base}www/style.css`);
  const checks = await driver.executeAsyncScript(function (done) {
    (async () => {
      const out = {};
      for (const [build, dir] of [['simd', 'pkg'], ['fma', 'pkg-fma']]) {
        const m = await import(`/www/pkg/earthmover.js?${build}`);
        await m.default({ module_or_path: `/www/${dir}/earthmover_bg.wasm` });
        out[build] = m.checkMatmul() ?? 'ok';
      }
      // The library's verdict; boot.js inlines its test module (tests/kernel.test.mjs).
      out.relaxed = await (await import('/www/vendor/wasm-feature-detect.js')).relaxedSimd();
      return out;
    })().then(done, (e) => done({ error: String(e) }));
  });
  console.log(`checkMatmul in Firefox: ${JSON.stringify(checks)}`);
  assert.deepEqual({ simd: checks.simd, fma: checks.fma }, { simd: 'ok', fma: 'ok' }, JSON.stringify(checks));
  // Firefox asks the bare stylesheet document for /favicon.ico (a 404: the page's own icon is inline
  // data); the checks above would have thrown on any failed import or wasm fetch. The page itself
  // answers for the rest.
  problems.failed = problems.failed.filter((f) => !f.endsWith('/favicon.ico'));
  problems.console = problems.console.filter((m) => !m.includes('favicon.ico'));
  await openAndWait('?autoplay=1&backend=cpu&seed=2');
  await until(() => window.earthmover.snapshot().runs.every((r) => r.step >= 3), 120_000, 'three steps per run');
  const builds = await run(() => window.earthmover.snapshot().runs.map((r) => r.cpuBuild));
  console.log(`the page's CPU build in Firefox: ${JSON.stringify(builds)}`);
  const want = checks.relaxed ? 'fma' : 'simd';
  assert.deepEqual(builds, [want, want]);
  clean('both CPU builds');
});

test('Firefox: the page in Chinese, and the language switch', { timeout: 180_000 }, async () => {
  await openAndWait('?lang=zh&backend=cpu');
  const zh = await run(() => ({ lang: document.documentElement.lang, text: document.body.innerText }));
  assert.equal(zh.lang, 'zh-CN');
  for (const s of ['实时训练', '判别器', '生成器', '推土机距离']) assert.ok(zh.text.includes(s), s);
  await driver.findElement({ css: '.lang-btn[data-lang=en]' }).click();
  await until(() => document.documentElement.lang === 'en', 10_000, 'English after the switch');
  assert.match(await run(() => document.body.innerText), /Live training/);
  clean('Chinese page');
  // The watchers themselves see a console error and requests from a page and from its worker (on
  // a bare page: the real one's Content-Security-Policy stops such requests before they are sent),
  // so a clean run above means clean.
  const bare = createServer((req, res) => res.end('<!doctype html><title>watcher check</title>'));
  await new Promise((ok) => { bare.listen(0, '127.0.0.1', ok); });
  try {
    await driver.get(`http://127.0.0.1:${bare.address().port}/`);
    await run(() => {
      console.error('watcher check');
      fetch('http://127.0.0.2:59999/from-page').catch(() => {});
      new Worker(URL.createObjectURL(new Blob(["fetch('http://127.0.0.2:59999/from-worker').catch(() => {})"])));
    });
    const t0 = Date.now();
    const seen = () => problems.offOrigin.filter((u) => u.startsWith('http://127.0.0.2:59999/')).map((u) => new URL(u).pathname).sort();
    while (seen().length < 2 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 200));
    assert.ok(problems.console.some((m) => m.includes('watcher check')), JSON.stringify(problems.console));
    assert.deepEqual(seen(), ['/from-page', '/from-worker']);
  } finally {
    bare.close();
  }
});

test('Firefox: a copied link round-trips', { timeout: 240_000 }, async () => {
  await openAndWait('?backend=cpu&gan.lr_d=0.001&wgan.clip=0.02&wgan.seed=9');
  // Change a setting and the panel through the page, then take the share dialog's link.
  await driver.findElement({ css: '#run-wgan details.settings summary' }).click();
  const field = await driver.findElement({ css: '#settings-wgan [name=n_critic]' });
  await field.clear();
  await field.sendKeys('3');
  await driver.findElement({ css: '#settings-wgan button[type=submit]' }).click();
  await until(() => window.earthmover.state().runs.wgan.n_critic === 3, 60_000, 'n_critic=3 applied');
  await driver.findElement({ css: '#tab-gaussians' }).click();
  await driver.findElement({ css: '#share-btn' }).click();
  const link = await driver.findElement({ css: '#share-url' }).getProperty('value');
  console.log('copied link:', link);
  assert.ok(link.startsWith(base), link);
  const expected = await run(() => window.earthmover.state());
  assert.deepEqual(expected.runs, { gan: { lr_d: 0.001 }, wgan: { clip: 0.02, seed: 9, n_critic: 3 } });
  assert.equal(expected.panel, 'gaussians');
  await openAndWait(link.slice(base.length));
  assert.deepEqual(await run(() => window.earthmover.state()), expected);
  assert.ok(await driver.findElement({ css: '#panel-gaussians' }).isDisplayed(), 'the panel of the link is shown');
  await driver.findElement({ css: '#tab-live' }).click();
  // What the runs use, as their settings forms show it.
  assert.equal(await driver.findElement({ css: '#settings-wgan [name=n_critic]' }).getProperty('value'), '3');
  assert.equal(await driver.findElement({ css: '#settings-wgan [name=clip]' }).getProperty('value'), '0.02');
  assert.equal(await driver.findElement({ css: '#settings-gan [name=lr_d]' }).getProperty('value'), '0.001');
  await run(() => window.earthmover.step(undefined, 2));
  assert.deepEqual(await run(() => window.earthmover.snapshot().runs.map((r) => r.step)), [2, 2]);
  clean('copied link');
});
