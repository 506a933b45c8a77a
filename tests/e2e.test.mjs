// End-to-end: serve the built page, open it in headless Chromium (system /usr/bin/chromium via
// playwright-core) and drive it through window.earthmover. Run by `./build.sh test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inkFraction, openPage, useBrowser } from './browser.mjs';
import { startServer } from '../scripts/static-host.mjs';

const LN2 = Math.log(2);
const b = useBrowser(); // tests/browser.mjs: the server, the browser, open()
const open = (query, routes) => openPage(b.browser, b.base, query, routes);

test('both runs train live on the CPU backend, with finite metrics, charts and samples', { timeout: 240_000 }, async () => {
  const { page, context, problems } = await open('?autoplay=1&backend=cpu&seed=3');
  const t0 = Date.now();
  await page.waitForFunction(() => window.earthmover && window.earthmover.ready.then(() => true), null, { timeout: 120_000 });
  console.log(`ready after ${Date.now() - t0} ms`);
  await page.waitForFunction(() => {
    const s = window.earthmover.snapshot();
    return s.runs.every((r) => window.earthmover.history(r.id).length >= 4);
  }, null, { timeout: 180_000, polling: 500 });
  const snap = await page.evaluate(() => window.earthmover.snapshot());
  console.log(JSON.stringify(snap));
  assert.equal(snap.backend, 'CPU');
  assert.equal(snap.backendCode, 'cpu-asked'); // a code, not Rust's English text (issue 36)
  assert.deepEqual(snap.runs.map((r) => r.id), ['gan', 'wgan']);
  for (const r of snap.runs) {
    assert.ok(r.playing, `${r.id} is playing`);
    assert.ok(r.step > 0 && r.stepsPerSec > 0, `${r.id} advances`);
    for (const k of ['emd', 'loss_d', 'loss_g', 'grad_norm_g']) assert.ok(Number.isFinite(r.metrics[k]), `${r.id}.${k}`);
  }
  assert.ok(snap.runs[0].metrics.js_hat <= LN2, 'JS_hat <= log 2');
  assert.ok(Number.isFinite(snap.runs[1].metrics.w_hat));
  for (const id of ['gan', 'wgan']) {
    const h = await page.evaluate((i) => window.earthmover.history(i), id);
    assert.equal(h[0].step, 0, 'the first logged point is step 0');
    assert.ok(h.every((p, i) => i === 0 || p.step > h[i - 1].step), 'history is ordered');
    const s = await page.evaluate((i) => { const x = window.earthmover.samples(i); return { ...x, pixels: Array.from(x.pixels) }; }, id);
    assert.deepEqual([s.width, s.height, s.count, s.pixels.length], [28, 28, 64, 64 * 784]);
    assert.ok(new Set(s.pixels).size > 10, 'samples are not blank');
    assert.ok(await inkFraction(page, `#run-${id} canvas.grid`) > 0.05, `${id} sample grid is drawn`);
  }
  for (const chart of ['#chart-estimates', '#chart-emd', '#chart-signals']) {
    assert.ok(await inkFraction(page, `${chart} canvas`) > 0.002, `${chart} has curves`);
  }
  // Pause stops both; step advances a paused run by exactly n.
  await page.evaluate(() => window.earthmover.pause());
  assert.ok(await page.evaluate(() => window.earthmover.snapshot().runs.every((r) => !r.playing)));
  const before1 = await page.evaluate(() => window.earthmover.snapshot().runs[0].step);
  await page.evaluate(() => window.earthmover.step('gan', 3));
  assert.equal(await page.evaluate(() => window.earthmover.snapshot().runs[0].step), before1 + 3);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 1280, `the page fits a 1280 px window (scrollWidth ${width})`);
  await page.screenshot({ path: join(tmpdir(), 'earthmover-e2e.png'), fullPage: true });
  assert.deepEqual(problems.failed, [], 'every request succeeds');
  assert.deepEqual(problems.console, [], 'no console errors');
  assert.deepEqual(problems.offOrigin, [], 'no request leaves the origin');
  await context.close();
});

test('theory lab: toy cases, D to optimality, probe, rank correlation, mode meter, -log D toggle', { timeout: 300_000 }, async () => {
  const { page, context, problems } = await open('?backend=cpu&seed=2');
  await page.waitForFunction(() => window.earthmover && window.earthmover.ready.then(() => true), null, { timeout: 120_000 });
  const em = (name, p) => page.evaluate(([n, q]) => window.earthmover.experiment(n, q), [name, p]);

  // Parallel lines: JS_hat -> log 2 and the normalised critic -> |theta|, on a fresh seeded lab.
  const lines = await em('parallel-lines', { theta: 0.5, steps: 600 });
  console.log('parallel-lines', JSON.stringify(lines));
  assert.equal(lines.exact.js, LN2);
  assert.equal(lines.exact.w, 0.5);
  assert.ok(lines.point.js_hat > 0.95 * LN2 && lines.point.js_hat <= LN2, 'JS_hat near log 2');
  assert.ok(Math.abs(lines.point.w_hat - 0.5) < 0.05, 'W_hat within 10% of |theta|');
  // Two Gaussians: D saturates on the generated side, the critic keeps a slope there.
  const g = await em('two-gaussians', { mu_r: -1, mu_g: 2, steps: 600 });
  assert.ok(Math.abs(g.point.js_hat - g.exact.js) < 0.05 * g.exact.js, `JS_hat ${g.point.js_hat} vs ${g.exact.js}`);
  const i = g.profile.x.findIndex((x) => x >= 3); // one unit beyond the generated mean
  assert.ok(g.profile.d_grad[i] < 1e-3 && g.profile.f_grad[i] > 0.2, `|dD/dx| ${g.profile.d_grad[i]}, |df/dx|/K ${g.profile.f_grad[i]}`);

  // The panels: tabs switch, the live lab fills in its readout, the fragment names the panel.
  await page.locator('#tab-lines').click();
  assert.match(await page.evaluate(() => location.search), /panel=lines/);
  assert.ok(await page.locator('#panel-live').isHidden());
  await page.waitForFunction(() => document.querySelector('#l-jshat').textContent !== '–', null, { timeout: 60_000 });
  assert.ok(await inkFraction(page, '#chart-lines canvas') > 0.002, 'the divergence chart is drawn');
  await page.locator('#tab-gaussians').click();
  await page.waitForFunction(() => document.querySelector('#g-jshat').textContent !== '–', null, { timeout: 60_000 });
  await page.locator('#tab-live').click();

  // Train both runs a little; the probe gives the WGAN a JS estimate (the classroom GAN has its
  // own discriminator's, and no probe), rho appears from 3 points on (the clipped WGAN's W_hat is
  // measured at every fifth logged point: steps 50, 100, 150).
  await page.evaluate(() => window.earthmover.step(undefined, 160));
  const snap = await page.evaluate(() => window.earthmover.snapshot());
  for (const r of snap.runs) {
    const js = r.id === 'gan' ? r.metrics.js_hat : r.metrics.js_probe;
    assert.ok(Number.isFinite(js) && js <= LN2, `${r.id} JS_hat ${js}`);
    if (r.id === 'gan') assert.equal(r.metrics.js_probe, undefined, 'the classroom GAN trains no probe');
    assert.equal(r.modes.counts.reduce((a, b) => a + b, 0), 1000, `${r.id} mode meter`);
  }
  const rho = await em('rank-correlation');
  for (const id of ['gan', 'wgan']) assert.ok(Number.isFinite(rho[id].rho_est) && rho[id].rho_est >= -1 && rho[id].rho_est <= 1, `${id} rho ${rho[id].rho_est}`);
  assert.match(await page.locator('#rho-wgan-est').innerText(), /^-?\d\.\d\d$/);
  const modes = await em('mode-collapse');
  for (const id of ['gan', 'wgan']) assert.ok(modes[id].covered >= 1 && modes[id].entropy >= 0, id);
  assert.ok(await inkFraction(page, '#modes-gan') > 0.01, 'the GAN histogram is drawn');

  // -log D toggle: switches the loss of the running run, no reset.
  const stepBefore = await page.evaluate(() => window.earthmover.snapshot().runs[0].step);
  assert.deepEqual(await em('neglogd', { on: false }), { gan_loss: 'saturating' });
  const after = await page.evaluate(() => window.earthmover.snapshot().runs[0]);
  assert.equal(after.step, stepBefore, 'switching the loss does not reset the run');
  assert.equal(after.objective, 'GAN (minimax)');
  assert.equal(await page.locator('#run-gan .loss-btn[data-loss=saturating]').getAttribute('aria-pressed'), 'true');
  await page.evaluate(() => window.earthmover.step('gan', 1));

  // D to optimality on the GAN's frozen generator: the saturating gradient collapses, JS_hat -> log 2.
  await page.locator('#tab-optimality').click();
  const opt = await em('optimality', { run: 'gan', steps: 400, logEvery: 100 });
  console.log('optimality', JSON.stringify(opt.summary));
  assert.equal(opt.points.length, 5);
  assert.ok(opt.summary.grad_saturating_drop > 10, `saturating gradient fell ${opt.summary.grad_saturating_drop}x`);
  assert.ok(opt.summary.js_hat_end > 0.9 * LN2);
  assert.match(await page.locator('#opt-summary').innerText(), /Saturating ‖∇G‖ fell \d+×/);
  assert.equal(await page.evaluate(() => window.earthmover.snapshot().runs[0].step), stepBefore + 1, 'the run is unchanged');
  await assert.rejects(em('optimality', { run: 'gan', steps: 0 }), /out of range/);
  await assert.rejects(em('nonsense'), /unknown experiment/);
  await page.screenshot({ path: join(tmpdir(), 'earthmover-e2e-lab.png'), fullPage: true });
  assert.deepEqual(problems.failed, [], 'every request succeeds');
  assert.deepEqual(problems.console, [], 'no console errors');
  assert.deepEqual(problems.offOrigin, [], 'no request leaves the origin');
  await context.close();
});

// Students open the teacher's machine by its LAN address over plain HTTP, where the browser hides
// navigator.gpu (WebGPU needs a secure context): the note must say that, not "no WebGPU".
test('over plain HTTP on a LAN address the backend note names HTTPS, not a missing WebGPU', { timeout: 180_000 }, async (t) => {
  const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  if (!lan) {
    t.skip('skipped: this machine has no non-loopback IPv4 address to serve on');
    return;
  }
  const { server, url } = await startServer(0, lan.address);
  try {
    const { page, context, problems } = await openPage(b.browser, url, '?backend=auto');
    await page.waitForFunction(() => window.earthmover && window.earthmover.ready.then(() => true), null, { timeout: 120_000 });
    assert.equal(await page.evaluate(() => window.isSecureContext), false, `${url} is not a secure context`);
    const snap = await page.evaluate(() => window.earthmover.snapshot());
    assert.equal(snap.backend, 'CPU');
    assert.match(snap.backendReason, /WebGPU needs HTTPS or localhost; this page was opened over plain HTTP/);
    assert.match(await page.locator('#backend').innerText(), /Training on CPU — WebGPU needs HTTPS or localhost/);
    assert.deepEqual(problems.console, [], 'no console errors');
    await context.close();
  } finally {
    server.close();
  }
});

test('auto backend explains its choice; bad URL parameters give notices, not crashes', { timeout: 180_000 }, async () => {
  const { page, context, problems } = await open('?seed=abc&colour=red&backend=auto');
  await page.waitForFunction(() => window.earthmover && window.earthmover.ready.then(() => true), null, { timeout: 120_000 });
  const snap = await page.evaluate(() => window.earthmover.snapshot());
  const notices = await page.locator('#notices').innerText();
  assert.match(notices, /seed=abc is not a whole number/);
  assert.match(notices, /Unknown URL parameter "colour"/);
  // Headless Chromium here exposes only SwiftShader (software) or no adapter: either way the CPU
  // trains and the page says why.
  assert.equal(snap.backend, 'CPU');
  assert.match(snap.backendReason, /software emulation|no WebGPU|no adapter/);
  assert.match(await page.locator('#backend').innerText(), /Training on CPU — /);
  // A rejected setting keeps the run and says what to do.
  await page.locator('#run-gan details.settings summary').click();
  await page.fill('#settings-gan input[name=lr_d]', 'abc');
  await page.locator('#settings-gan button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('#run-gan .run-msg').textContent.includes('not a number'));
  // Scripted, the refusal rejects with Rust's code (it used to resolve as if applied), and so does
  // a comparison whose reset is refused; the run is still there and still steps.
  const refused = await page.evaluate(() => window.earthmover.apply('gan', [['batch', '9999']])
    .then(() => 'resolved', (e) => `${e.code}: ${e.message}`));
  assert.match(refused, /^settings: batch=9999 is out of range/);
  // A valid one resets the run with a visible note.
  await page.evaluate(() => window.earthmover.step('gan', 2));
  await page.fill('#settings-gan input[name=lr_d]', '0.0003');
  await page.locator('#settings-gan button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('#run-gan .run-msg').textContent.includes('restarted from step 0'));
  assert.equal(await page.evaluate(() => window.earthmover.snapshot().runs[0].step), 0);
  assert.deepEqual(problems.offOrigin, []);
  await context.close();
});

test('a missing or corrupt data file gives a specific message', { timeout: 120_000 }, async () => {
  for (const [routes, pattern] of [
    [{ 'mnist-train-2k.bin.gz': { status: 404, body: 'nope' } }, /Could not download the MNIST data .*HTTP 404/],
    [{ 'mnist-train-2k.bin.gz': { status: 200, body: 'MNISTSUB-but-truncated' } }, /MNIST data file is unusable/],
  ]) {
    const { page, context } = await open('?backend=cpu', routes);
    await page.waitForFunction(() => [...document.querySelectorAll('.run-msg')].every((m) => !m.textContent.startsWith('Loading')),
      null, { timeout: 60_000 });
    assert.match(await page.locator('#notices').innerText(), pattern);
    assert.match(await page.locator('#run-gan .run-msg').innerText(), pattern);
    await context.close();
  }
});
