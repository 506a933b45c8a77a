// The end-to-end smoke subset in WebKitGTK, Safari's engine (issue 35): the page loads and both
// runs train, lesson mode walks, a recorded run plays, the language switch, and a browser whose
// locale is "C". Plain WebDriver has no console or network events, so the page is served through a
// small proxy that puts one test script before the page's first: it records every error and failed
// request of the page, and for one test replaces navigator.language. Run alone with
// `node --test tests/webkit.test.mjs` after `./build.sh` (needs webkit2gtk-driver and xvfb).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer } from '../scripts/static-host.mjs';
import { webkitDriver } from './webkit.mjs';

let server;
let proxy;
let base;
let wk;
const run = (fn, ...args) => wk.driver.executeScript(fn, ...args);

// What the test script does before the page's own scripts run: collect errors; with
// ?__lang=<tag>, answer navigator.language(s) with that tag as a minimal locale does.
const PROBE = `(function () {
  window.__problems = [];
  window.addEventListener('error', function (e) {
    var t = e.target;
    // Not an error of the page: the spec's notice that a ResizeObserver callback (uPlot's resize as
    // the lesson shows and hides charts) changed the layout, whose notifications come next frame.
    // WebKit reports it as an error event; Chromium and Firefox do not report it to the console.
    if (/^ResizeObserver loop/.test(e.message || '')) return;
    window.__problems.push(t && t !== window && (t.src || t.href) ? 'failed to load ' + (t.src || t.href) : 'uncaught: ' + e.message);
  }, true);
  window.addEventListener('unhandledrejection', function (e) { window.__problems.push('unhandled rejection: ' + (e.reason && e.reason.message || e.reason)); });
  var m = /[?&]__lang=([^&]*)/.exec(location.search);
  if (m) {
    var tag = decodeURIComponent(m[1]);
    Object.defineProperty(Navigator.prototype, 'language', { configurable: true, get: function () { return tag; } });
    Object.defineProperty(Navigator.prototype, 'languages', { configurable: true, get: function () { return [tag]; } });
  }
})();`;

before(async () => {
  ({ server, url: base } = await startServer(0, '127.0.0.1'));
  proxy = createServer(async (req, res) => {
    if (req.url.startsWith('/__test/probe.js')) {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(PROBE);
      return;
    }
    const r = await fetch(new URL(req.url.slice(1), base));
    let body = Buffer.from(await r.arrayBuffer());
    const type = r.headers.get('content-type') || 'application/octet-stream';
    if (type.startsWith('text/html')) {
      body = Buffer.from(body.toString('utf8').replace('<script src="www/page/watchdog.js">',
        '<script src="__test/probe.js"></script>\n  <script src="www/page/watchdog.js">'));
    }
    if (r.status >= 400) console.log(`webkit proxy: ${r.status} ${req.url}`);
    res.writeHead(r.status, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
    res.end(body);
  });
  await new Promise((ok) => { proxy.listen(0, '127.0.0.1', ok); });
  wk = await webkitDriver();
  const caps = await wk.driver.getCapabilities();
  console.log(`WebKitGTK ${caps.getBrowserName()} ${caps.getBrowserVersion()} on Xvfb ${wk.display}`);
});

after(async () => {
  await wk?.close();
  proxy?.close();
  server?.close();
});

const url = (query) => `http://127.0.0.1:${proxy.address().port}/${query}`;
async function until(fn, timeout, what, ...args) {
  const t0 = Date.now();
  for (;;) {
    const v = await run(fn, ...args);
    if (v) return v;
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms: ${what} (page: ${await run(() => (document.querySelector('#fatal') || {}).innerText || '')})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
async function openAndWait(query) {
  const t0 = Date.now();
  await wk.driver.get(url(query));
  await wk.driver.manage().setTimeouts({ script: 120_000 });
  const ready = await wk.driver.executeAsyncScript(function (done) {
    const poll = () => (window.earthmover ? window.earthmover.ready.then(() => done(true), (e) => done(String(e)))
      : !document.querySelector('#fatal').hidden ? done(document.querySelector('#fatal').innerText) : setTimeout(poll, 100));
    poll();
  });
  assert.equal(ready, true, `the page did not start: ${ready}`);
  return Date.now() - t0;
}
const clean = async (what) => assert.deepEqual(await run(() => window.__problems), [], `${what}: no errors, nothing failed to load`);

test('WebKit: the page loads and both runs train on the CPU', { timeout: 300_000 }, async () => {
  const ms = await openAndWait('?autoplay=1&seed=4');
  console.log(`WebKit: ready after ${ms} ms`);
  const t0 = Date.now();
  await until(() => window.earthmover.snapshot().runs.every((r) => window.earthmover.history(r.id).length >= 3), 240_000, 'three logged points per run');
  await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - t0))));
  const snap = await run(() => window.earthmover.snapshot());
  const figures = { ready_ms: ms, backend: snap.backend, reason: snap.backendReason, runs: snap.runs.map((r) => ({ id: r.id, step: r.step, stepsPerSec: r.stepsPerSec, cpuBuild: r.cpuBuild })) };
  console.log(`WebKit figures: ${JSON.stringify(figures)}`);
  assert.equal(snap.backend, 'CPU');
  for (const r of snap.runs) {
    assert.ok(r.playing && r.step > 0 && r.stepsPerSec > 0, `${r.id} advances`);
    for (const k of ['emd', 'loss_d', 'loss_g']) assert.ok(Number.isFinite(r.metrics[k]), `${r.id}.${k} = ${r.metrics[k]}`);
  }
  const gpu = await run(() => 'gpu' in navigator);
  console.log(`WebKit: navigator.gpu ${gpu ? 'present' : 'missing'}; the page says: ${snap.backendReason}`);
  await clean('training');
});

test('WebKit: lesson mode walks its steps and a recorded run plays', { timeout: 240_000 }, async () => {
  await openAndWait('?lesson=1');
  assert.equal(await run(() => window.earthmover.state().lesson), 1);
  await wk.driver.findElement({ css: '#lesson-act' }).click();
  await until(() => window.earthmover.snapshot().runs.every((r) => r.playing), 30_000, 'the first step\'s action starts training');
  const titles = [];
  for (let k = 1; k <= 8; k++) {
    await run((i) => window.earthmover.lesson(i), k);
    titles.push(await run(() => [window.earthmover.state().lesson, document.querySelector('#lesson-count').textContent]));
  }
  assert.deepEqual(titles.map((x) => x[0]), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(titles[7][1], 'Step 8 of 8');
  await run(() => window.earthmover.lesson(2));
  await wk.driver.findElement({ css: '#rec-btn' }).click();
  await until(() => window.earthmover.snapshot().replay?.playing === true, 30_000, 'the recording plays');
  const a = await run(() => window.earthmover.snapshot().replay.clock);
  await new Promise((r) => setTimeout(r, 2500));
  const b = await run(() => window.earthmover.snapshot().replay.clock);
  assert.ok(b > a, `the recording's clock advances (${a} -> ${b})`);
  await clean('lesson and recording');
});

test('WebKit: the page in Chinese and the language switch', { timeout: 120_000 }, async () => {
  await openAndWait('?lang=zh');
  assert.equal(await run(() => document.documentElement.lang), 'zh-CN');
  assert.match(await run(() => document.body.innerText), /实时训练/);
  await wk.driver.findElement({ css: '.lang-btn[data-lang=en]' }).click();
  await until(() => document.documentElement.lang === 'en', 10_000, 'English after the switch');
  assert.match(await run(() => document.body.innerText), /Live training/);
  await clean('language switch');
});

test('WebKit: a browser whose locale is "C" gets the English page and trains', { timeout: 120_000 }, async () => {
  await openAndWait('?__lang=C&backend=cpu');
  const out = await run(() => ({ lang: document.documentElement.lang, used: window.earthmoverLocale.used, language: navigator.language }));
  console.log(`WebKit with navigator.language "C": ${JSON.stringify(out)}`);
  assert.deepEqual(out, { lang: 'en', used: ['en-US'], language: 'en-US' });
  await run(() => window.earthmover.step(undefined, 2));
  assert.deepEqual(await run(() => window.earthmover.snapshot().runs.map((r) => r.step)), [2, 2]);
  await clean('locale C');
});

test('WebKit with its preview WebGPU switched on: what the page finds, and it trains', { timeout: 180_000 }, async () => {
  // A second browser of its own: WebKitGTK's WebGPU is a preview feature, off by default.
  const gpuWk = await webkitDriver({ args: ['--features=+WebGPU'] });
  try {
    await gpuWk.driver.get(url('?backend=auto'));
    await gpuWk.driver.manage().setTimeouts({ script: 120_000 });
    const out = await gpuWk.driver.executeAsyncScript(function (done) {
      const poll = () => {
        const s = window.earthmover && window.earthmover.snapshot();
        if (s && s.backendReason) {
          const gpu = 'gpu' in navigator;
          (navigator.gpu ? navigator.gpu.requestAdapter().then((a) => (a ? (a.info && a.info.description) || 'an adapter' : 'null'), (e) => `error: ${e}`) : Promise.resolve('navigator.gpu is undefined'))
            .then((adapter) => done({ gpuInNavigator: gpu, adapter, backend: s.backend, reason: s.backendReason }));
        } else setTimeout(poll, 200);
      };
      poll();
    });
    console.log(`WebKit --features=+WebGPU: ${JSON.stringify(out)}`);
    assert.ok(out.reason.length > 10, 'the badge says why');
    const steps = await gpuWk.driver.executeAsyncScript(function (done) {
      window.earthmover.ready.then(() => window.earthmover.step(undefined, 2))
        .then(() => done(window.earthmover.snapshot().runs.map((r) => r.step)), (e) => done(String(e)));
    });
    assert.deepEqual(steps, [2, 2]);
  } finally {
    await gpuWk.close();
  }
});
