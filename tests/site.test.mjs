// The site as a teacher hosts it (issue 18): dist/ from a plain static server under a subpath,
// offline after the first visit, a QR code for the link, and never a blank page (opened from the
// file system, a module that does not load).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import https from 'node:https';
import { existsSync, mkdtempSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBrowser, openPage, waitReady } from './browser.mjs';
import { startClassServer } from './class-server.mjs';

const b = useBrowser();
const DIST = fileURLToPath(new URL('../dist', import.meta.url));

// python3 -m http.server in a folder that holds dist/ at lessons/earthmover: a static host that
// knows nothing about the page. Resolves to {url, stop}.
async function pythonServer() {
  const root = mkdtempSync(join(tmpdir(), 'em-site-'));
  mkdirSync(join(root, 'lessons'));
  symlinkSync(DIST, join(root, 'lessons', 'earthmover'));
  const proc = spawn('python3', ['-m', 'http.server', '0', '--bind', '127.0.0.1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((ok, fail) => {
    proc.stdout.on('data', (d) => { const m = /port (\d+)/.exec(String(d)); if (m) ok(Number(m[1])); });
    proc.on('exit', (c) => fail(new Error(`python3 -m http.server exited with ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}/lessons/earthmover/`, stop: () => proc.kill() };
}

test('dist/ works from a plain static server under a subpath, and offline after the first visit', { timeout: 240_000 }, async (t) => {
  if (!existsSync(join(DIST, 'index.html'))) assert.fail('dist/ is missing: ./build.sh test writes it with ./build.sh dist before these tests');
  for (const absent of ['www/bench', 'www/data/mnist-train-10k.bin.gz']) assert.ok(!existsSync(join(DIST, absent)), `${absent} is not part of the site`);
  for (const present of ['LICENSE', 'THIRD-PARTY-NOTICES.md', 'sw.js', 'www/pkg/earthmover_bg.wasm.gz', 'www/pkg-fma/earthmover_bg.wasm.gz', 'www/pkg-gpu/earthmover_bg.wasm', 'www/vendor/uPlot.LICENSE.txt']) {
    assert.ok(existsSync(join(DIST, present)), `${present} is in dist/`);
  }
  const server = await pythonServer();
  t.after(() => server.stop());
  const { page, context, problems } = await openPage(b.browser, server.url, '?backend=cpu', {}, { serviceWorkers: 'allow' });
  await waitReady(page);
  await page.evaluate(() => window.earthmover.step(undefined, 3));
  assert.deepEqual(await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.step)), [3, 3]);
  // The service worker has cached the site (its version is the hash ./build.sh dist wrote).
  await page.waitForFunction(async () => {
    const reg = await navigator.serviceWorker.ready;
    const keys = await caches.keys();
    return reg.active && keys.some((k) => /^earthmover-[0-9a-f]{12}$/.test(k)) && (await (await caches.open(keys[0])).keys()).length > 20;
  }, null, { timeout: 60_000 });
  // Of the two CPU builds, the cache holds the one this browser runs (Chromium: the FMA build).
  const cached = await page.evaluate(async () => (await (await caches.open((await caches.keys())[0])).keys())
    .map((r) => new URL(r.url).pathname).filter((p) => p.endsWith('.wasm')));
  const build = await page.evaluate(() => window.earthmover.snapshot().runs[0].cpuBuild);
  assert.equal(build, 'fma');
  assert.deepEqual(cached.map((p) => p.replace(/.*\/www\//, 'www/')), ['www/pkg-fma/earthmover_bg.wasm']);
  // The server is gone: the page still loads and trains, and the lab's worker starts.
  server.stop();
  await page.waitForTimeout(500);
  await page.reload();
  await waitReady(page);
  await page.evaluate(() => window.earthmover.step(undefined, 2));
  assert.deepEqual(await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.step)), [2, 2]);
  await page.locator('#tab-lines').click();
  await page.waitForFunction(() => document.querySelector('#l-jshat').textContent !== '–', null, { timeout: 60_000 });
  assert.deepEqual(problems.offOrigin, []);
  await context.close();
});

test('the Copy-link dialog shows the link as a QR code', { timeout: 120_000 }, async () => {
  const { page, context } = await openPage(b.browser, b.base, '?lang=zh');
  await waitReady(page);
  await page.click('#share-btn');
  await page.waitForFunction(() => Number(document.querySelector('#share-qr').dataset.modules) >= 21);
  const dark = await page.evaluate(() => {
    const c = document.querySelector('#share-qr');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++;
    return n / (d.length / 4);
  });
  assert.ok(dark > 0.2 && dark < 0.7, `a QR code is drawn (${(dark * 100).toFixed(0)}% dark)`);
  assert.match(await page.getAttribute('#share-qr', 'aria-label'), /二维码/);
  await context.close();
});

test('never a blank page: opened from the file system, or a module that does not load', { timeout: 120_000 }, async () => {
  // From the file system.
  const ctx = await b.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(new URL('../index.html', import.meta.url).href);
  await page.waitForFunction(() => !document.querySelector('#fatal').hidden, null, { timeout: 10_000 });
  assert.match(await page.textContent('#fatal'), /web server.*\.\/build\.sh serve/);
  await ctx.close();
  // A module of the page is missing on the server: the watchdog names it, in the page's language.
  const o = await openPage(b.browser, b.base, '?lang=zh', { 'www/page/runs.js': { status: 404, body: 'gone' } });
  await o.page.waitForFunction(() => !document.querySelector('#fatal').hidden, null, { timeout: 30_000 });
  assert.match(await o.page.textContent('#fatal'), /页面无法启动.*\.\/build\.sh/);
  await o.context.close();
  // The chart library is missing.
  const v = await openPage(b.browser, b.base, '', { 'uPlot.iife.min.js': { status: 404, body: 'gone' } });
  await v.page.waitForFunction(() => !document.querySelector('#fatal').hidden, null, { timeout: 30_000 });
  assert.match(await v.page.textContent('#fatal'), /could not start/);
  await v.context.close();
});

test('HOST=0.0.0.0 serves the LAN and prints the addresses students can use, with a QR code', { timeout: 60_000 }, async (t) => {
  const server = await startClassServer({ HOST: '0.0.0.0' });
  t.after(() => server.close());
  const out = server.out;
  if (/only this machine/.test(out)) {
    t.skip('skipped: this machine has no network address besides loopback');
    return;
  }
  const m = /students on the same network: (http:\/\/[\d.]+:\d+\/)/.exec(out);
  assert.ok(m, out);
  assert.match(out, /[█▀▄]{20}/, 'a QR code is printed');
  const res = await fetch(m[1]);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<title>Earthmover/);
  // The class rooms are served there too, and join links use the address students reach.
  const made = await (await fetch(`${m[1]}api/classes`, { method: 'POST', body: JSON.stringify({ sweep: 'seeds' }) })).json();
  assert.ok(made.join_url.startsWith(`${m[1]}?class=`), made.join_url);
});

test('TLS_CERT and TLS_KEY serve the page and the class API over HTTPS', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'earthmover-tls-'));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  if (made.status !== 0) {
    t.skip('skipped: no openssl to make a certificate');
    return;
  }
  const server = await startClassServer({ TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem') });
  t.after(() => server.close());
  assert.match(server.url, /^https:\/\//);
  const get = (path) => new Promise((ok, fail) => {
    https.get(`${server.url}${path}`, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => ok({ status: res.statusCode, body }));
    }).on('error', fail);
  });
  const page = await get('');
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>Earthmover/);
  const sweeps = await get('api/sweeps');
  assert.equal(JSON.parse(sweeps.body).sweeps.length, 5);
});
