// The backend trial in headless Chromium on SwiftShader (software WebGPU): the known-answer check
// and the race (?backend=race), a fault injected into the WebGPU path, the remembered choice and
// Measure again, and the guard that moves a slowed WebGPU run to the CPU (issue 34). A browser
// without a WebGPU adapter skips, and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, useBrowser, waitReady } from './browser.mjs';

const b = useBrowser();
// Small nets, batch 16, one critic update per step: SwiftShader runs every kernel on the CPU, and
// these tests are about the trial, not the training.
const SMALL = '&gan.net=small&wgan.net=small&gan.batch=16&wgan.batch=16&wgan.critic_boost=0&wgan.n_critic=1';
const trialOf = (page) => page.evaluate(() => window.earthmover.snapshot().backendTrial);
const badge = (page) => page.locator('#backend').getAttribute('title');

// Opens `query`; null (and a visible skip) where this browser has no WebGPU adapter at all.
async function openRace(t, query, routes = {}) {
  const o = await openPage(b.browser, b.base, query, routes);
  o.gpuFetches = [];
  o.page.on('request', (r) => { if (r.url().includes('/pkg-gpu/')) o.gpuFetches.push(r.url()); });
  await waitReady(o.page, 300_000);
  const snap = await o.page.evaluate(() => window.earthmover.snapshot());
  if (!snap.backendTrial && /no-webgpu|no-adapter|navigator\.gpu|no adapter/i.test(snap.backendReason || '')) {
    console.log(`skipped: no WebGPU adapter (${snap.backendReason})`);
    t.skip('no WebGPU adapter');
    await o.context.close();
    return null;
  }
  return o;
}

test('?backend=race on SwiftShader: both checked and timed, the CPU wins, both runs train; remembered on reload; Measure again measures', { timeout: 600_000 }, async (t) => {
  const o = await openRace(t, `?backend=race${SMALL}`);
  if (!o) return;
  const { page, context, problems } = o;
  const trial = await trialOf(page);
  console.log(`race: ${JSON.stringify(trial.runs)}`);
  for (const id of ['gan', 'wgan']) {
    const tr = trial.runs[id];
    assert.equal(tr.chosen, 'cpu', `${id}: the CPU wins on a software adapter`);
    assert.equal(tr.reason, 'faster');
    assert.equal(tr.remembered, false);
    const [gpu, cpu] = ['webgpu', 'cpu'].map((k) => tr.candidates.find((c) => c.backend === k));
    assert.equal(gpu.check, 'ok', `${id}: SwiftShader computes the same step (error ${gpu.maxRelError})`);
    assert.ok(gpu.maxRelError < gpu.tolerance, `${id}: ${gpu.maxRelError}`);
    assert.match(gpu.adapter, /swiftshader/i);
    assert.ok(gpu.stepsPerSec > 0 && cpu.stepsPerSec > gpu.stepsPerSec, `${id}: ${gpu.stepsPerSec} vs ${cpu.stepsPerSec}`);
  }
  const text = await badge(page);
  assert.match(text, /^Training on CPU — the CPU trains faster here than WebGPU/);
  assert.match(text, /GAN: WebGPU [\d.]+ · CPU [\d.]+ steps\/s; WGAN: WebGPU/);
  await page.evaluate(() => window.earthmover.step(undefined, 3));
  assert.deepEqual(await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => [r.backend, r.step])), [['CPU', 3], ['CPU', 3]]);

  // Reload: the remembered winner is used at once, and the WebGPU build is not even fetched.
  o.gpuFetches.length = 0;
  await page.reload();
  await waitReady(page);
  const again = await trialOf(page);
  for (const id of ['gan', 'wgan']) {
    assert.equal(again.runs[id].remembered, true, `${id}: remembered`);
    assert.equal(again.runs[id].chosen, 'cpu');
  }
  assert.deepEqual(o.gpuFetches, [], 'a browser that remembers the CPU won fetches no WebGPU build');
  assert.match(await badge(page), /the CPU won the last measurement on this browser and GPU/);
  assert.match(await badge(page), /GAN: WebGPU [\d.]+ · CPU [\d.]+ steps\/s/, 'the remembered figures are shown');

  // Measure again: forgotten, checked and timed again; the runs keep their steps.
  await page.evaluate(() => window.earthmover.step(undefined, 2));
  await page.locator('#measure-again').click();
  await page.waitForFunction(() => {
    const s = window.earthmover.snapshot();
    return s.backendTrial && s.runs.every((r) => r.backend === 'CPU') && Object.values(s.backendTrial.runs).every((x) => x && !x.remembered);
  }, null, { timeout: 300_000 });
  assert.deepEqual(await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.step)), [2, 2]);
  assert.ok(o.gpuFetches.length > 0, 'measuring again fetches the WebGPU build');
  assert.deepEqual(problems.offOrigin, []);
  assert.deepEqual(problems.console.filter((m) => !/WebGPU|wgpu|powerPreference/i.test(m)), []);
  await context.close();
});

test('a fault injected into the WebGPU step fails the known-answer check: the CPU trains, and the badge says why', { timeout: 600_000 }, async (t) => {
  const o = await openRace(t, `?backend=race&fault=check${SMALL}`);
  if (!o) return;
  const { page, context } = o;
  const trial = await trialOf(page);
  for (const id of ['gan', 'wgan']) {
    const tr = trial.runs[id];
    const gpu = tr.candidates.find((c) => c.backend === 'webgpu');
    assert.equal(gpu.check, 'mismatch', id);
    assert.ok(gpu.maxRelError > 10 * gpu.tolerance, `${id}: ${gpu.maxRelError}`);
    assert.deepEqual([tr.chosen, tr.reason], ['cpu', 'check-mismatch']);
    assert.equal(gpu.stepsPerSec, null, `${id}: no race after a failed check`);
  }
  assert.match(await badge(page), /WebGPU \([^)]*\) gave different numbers here \(max\. relative error 0\.\d+\); training on the CPU/);
  await page.evaluate(() => window.earthmover.step(undefined, 2));
  assert.deepEqual(await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => [r.backend, r.step])), [['CPU', 2], ['CPU', 2]]);
  // The same in Chinese.
  await page.evaluate(() => window.earthmover.setLanguage('zh'));
  assert.match(await badge(page), /算出的数字不同（最大相对误差 0\.\d+）；改在 CPU 上训练/);
  await context.close();
});

test('the guard: a WebGPU run slowed below half the CPU figure for 20 s moves to the CPU with its steps and curves', { timeout: 600_000 }, async (t) => {
  // prefer-webgpu: the run trains on WebGPU although the CPU won (SwiftShader never wins);
  // slow-webgpu: it idles 0.5 s after every slice. Only the GAN run is watched.
  // Lighter still: no probe, a small EMD yardstick, a logged point every 1,000 steps, and no
  // classifier (its meter and feature distance are off), so that SwiftShader reaches the loop soon.
  const light = ['probe=off', 'emd_n=8', 'log_every=1000'].flatMap((kv) => [`&gan.${kv}`, `&wgan.${kv}`]).join('');
  const o = await openRace(t, `?backend=race&fault=prefer-webgpu,slow-webgpu&autoplay=1${SMALL}${light}`,
    { 'classifier.bpk': { status: 404, body: 'left out by the test' } });
  if (!o) return;
  const { page, context } = o;
  const snap = await page.evaluate(() => window.earthmover.snapshot());
  assert.match(snap.runs[0].backend, /^WebGPU/, 'trains on WebGPU first');
  assert.equal(snap.backendTrial.reason, 'test');
  const t0 = Date.now();
  // SwiftShader: the first step, step 0's point (the judges, the feature distance) and the mode
  // meter take minutes; the guard acts at the first status 20 s after the run went below half.
  await page.waitForFunction(() => window.earthmover.snapshot().runs[0].backend === 'CPU', null, { timeout: 480_000 });
  const moved = (Date.now() - t0) / 1000;
  console.log(`the guard moved the GAN run after ${moved.toFixed(1)} s`);
  assert.ok(moved >= 20, 'not before 20 s below half');
  await page.waitForFunction(() => document.querySelector('#notices').innerText.includes('moved to the CPU'), null, { timeout: 30_000 });
  const notices = await page.locator('#notices').innerText();
  assert.match(notices, /WebGPU slowed to [\d.]+ steps\/s, below half of what the CPU managed here \([\d.]+\), for 20 s: the GAN run moved to the CPU at step \d+/);
  const step = Number(notices.match(/the GAN run moved to the CPU at step (\d+)/)[1]);
  assert.ok(step >= 1, `it had trained on WebGPU (${step})`);
  const h = await page.evaluate(() => window.earthmover.history('gan'));
  assert.equal(h[0].step, 0, 'the curve still starts at step 0');
  assert.ok(h.every((p, i) => i === 0 || p.step > h[i - 1].step), 'no point doubled');
  assert.ok(h[h.length - 1].step >= step, 'measured again where it continues');
  await page.waitForFunction((s) => window.earthmover.snapshot().runs[0].step > s, step, { timeout: 60_000 });
  assert.match(await badge(page), /WebGPU fell to [\d.]+ steps\/s, below half the CPU's [\d.]+; moved to the CPU/);
  // Remembered: the next load of this browser starts the GAN on the CPU at once.
  const memo = await page.evaluate(() => JSON.parse(localStorage.getItem('earthmover.backendTrial.v1')));
  assert.equal(Object.values(memo)[0].gan.chosen, 'cpu');
  await context.close();
});
