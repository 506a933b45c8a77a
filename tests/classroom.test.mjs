// End-to-end tests of the classroom features (issue 4), in headless Chromium on the built page:
// links, lesson links, languages, presenter mode and shortcuts, exports and recorded runs, a
// diverging run, a lost WebGPU device, broken files and browsers, subpaths, and the origin rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { STRINGS } from '../www/page/i18n.js';
import { CONTROLS } from '../www/page/state.js';
import { inkFraction, openPage, startBrowser, useBrowser, waitReady } from './browser.mjs';

const b = useBrowser();
const open = (query, routes, opts) => openPage(b.browser, b.base, query, routes, opts);
const clean = async (problems) => {
  assert.deepEqual(problems.offOrigin, [], 'no request leaves the origin');
  assert.deepEqual(problems.console, [], 'no console errors');
};

test('a copied link reproduces the exact setup', { timeout: 240_000 }, async () => {
  const q = '?lang=zh&panel=gaussians&preset=classroom&backend=cpu&presenter=1&mu_r=-2&mu_g=1.5&opt_k=300'
    + '&gan.gan_loss=saturating&gan.lr_d=0.001&gan.seed=5&wgan.clip=0.02&wgan.batch=32&wgan.seed=9';
  const { page, context, problems } = await open(q);
  await waitReady(page);
  const state = await page.evaluate(() => window.earthmover.state());
  assert.equal(state.lang, 'zh');
  assert.equal(state.panel, 'gaussians');
  assert.deepEqual(state.runs, { gan: { gan_loss: 'saturating', lr_d: 0.001, seed: 5 }, wgan: { clip: 0.02, batch: 32, seed: 9 } });
  // What the runs actually use, as their settings forms show it.
  assert.equal(await page.inputValue('#settings-gan [name=lr_d]'), '0.001');
  assert.equal(await page.inputValue('#settings-wgan [name=clip]'), '0.02');
  assert.equal(await page.inputValue('#settings-gan [name=gan_loss]'), 'saturating');
  // Change things through the page itself; the address follows.
  await page.locator('.lang-btn[data-lang=en]').click();
  await page.locator('#tab-live').click();
  await page.locator('#run-wgan details.settings summary').click();
  await page.fill('#settings-wgan [name=n_critic]', '3');
  await page.locator('#settings-wgan button[type=submit]').click();
  await page.waitForFunction(() => window.earthmover.state().runs.wgan.n_critic === 3);
  await page.locator('#run-gan .loss-btn[data-loss=nonsaturating]').click();
  await page.waitForFunction(() => window.earthmover.state().runs.gan.gan_loss === undefined);
  await page.locator('#tab-optimality').click();
  // The share dialog's link is the state; opening it gives the same state and the same runs.
  await page.locator('#share-btn').click();
  const link = await page.inputValue('#share-url');
  console.log('copied link:', link);
  assert.ok(link.startsWith(b.base), link);
  const expected = await page.evaluate(() => window.earthmover.state());
  const settings = await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.objective));
  await page.locator('#share-close').click();
  const again = await context.newPage();
  await again.goto(link);
  await waitReady(again);
  assert.deepEqual(await again.evaluate(() => window.earthmover.state()), expected);
  assert.deepEqual(await again.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.objective)), settings);
  assert.equal(await again.inputValue('#settings-wgan [name=n_critic]'), '3');
  assert.equal(await again.inputValue('#settings-wgan [name=batch]'), '32');
  assert.ok(await again.locator('#panel-optimality').isVisible());
  assert.ok(await again.evaluate(() => document.body.classList.contains('presenter')));
  assert.equal(await again.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await again.inputValue('#mu-r'), '-2');
  assert.equal(await again.inputValue('#opt-form [name=steps]'), '300');
  await clean(problems);
  await context.close();
});

test('malformed parameters give specific notices and the page still works', { timeout: 120_000 }, async () => {
  const { page, context, problems } = await open('?backend=cpu&gan.lr_d=abc&wgan.clip=7&panel=nowhere&hide=settings,bogus&x=1');
  await waitReady(page);
  await page.waitForFunction(() => document.querySelector('#notices').innerText.includes('gan.lr_d'));
  const text = await page.locator('#notices').innerText();
  console.log(text);
  assert.match(text, /gan\.lr_d=abc is not a number; using 0\.0005\./);
  assert.match(text, /wgan\.clip=7 is out of range \(0\.0001 to 1\); using 0\.05\./);
  assert.match(text, /panel=nowhere is not one of live, lines, gaussians, optimality, energy; using live\./);
  assert.match(text, /hide: bogus not recognised/);
  assert.match(text, /Unknown URL parameter "x" ignored/);
  assert.deepEqual(await page.evaluate(() => window.earthmover.state().hide), ['settings']);
  await page.evaluate(() => window.earthmover.step(undefined, 2));
  assert.deepEqual(await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.step)), [2, 2]);
  await clean(problems);
  await context.close();
});

test('a lesson link hides the chosen controls, and they stay hidden', { timeout: 180_000 }, async () => {
  const hide = ['settings', 'preset', 'loss', 'export', 'backend', 'reset'];
  const { page, context, problems } = await open(`?backend=cpu&hide=${hide.join(',')}`);
  await waitReady(page);
  const check = async (when) => {
    for (const c of CONTROLS) {
      const els = page.locator(`[data-control="${c}"]`);
      const n = await els.count();
      for (let i = 0; i < n; i++) {
        const visible = await els.nth(i).isVisible();
        if (hide.includes(c)) assert.equal(visible, false, `${c} #${i} hidden ${when}`);
      }
    }
  };
  await check('at start');
  assert.match(await page.locator('#notices').innerText(), /Lesson link/);
  await page.keyboard.press('l'); // language
  await page.keyboard.press('p'); // presenter
  await page.keyboard.press('2'); // a lab panel (its charts and their export buttons appear now)
  await page.waitForFunction(() => document.querySelector('#l-jshat').textContent !== '–', null, { timeout: 60_000 });
  await page.keyboard.press('4');
  await page.keyboard.press('1');
  await page.keyboard.press('r'); // reset is hidden: its shortcut does nothing
  await page.evaluate(() => window.earthmover.step('gan', 2));
  assert.equal(await page.evaluate(() => window.earthmover.snapshot().runs[0].step), 2);
  await check('after switching language, presenter mode and panels');
  // Space on a focused button presses that button; it does not also toggle play.
  const presenter = await page.evaluate(() => window.earthmover.state().presenter);
  await page.locator('#presenter-btn').focus();
  await page.keyboard.press(' ');
  assert.equal(await page.evaluate(() => window.earthmover.state().presenter), !presenter);
  assert.equal(await page.evaluate(() => window.earthmover.snapshot().runs.some((r) => r.playing)), false);
  await page.locator('#presenter-btn').press(' '); // back as it was
  await page.evaluate(() => document.activeElement.blur());
  // Play is not hidden: space toggles both runs.
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.earthmover.snapshot().runs.every((r) => r.playing));
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.earthmover.snapshot().runs.every((r) => !r.playing));
  await check('after playing');
  await clean(problems);
  await context.close();
});

// Fragments of the English table that must not be on the page once it speaks Chinese.
function englishFragments() {
  const out = new Set();
  for (const [k, v] of Object.entries(STRINGS.en)) {
    if (/^sym\./.test(k)) continue;
    // Text between markup, formulas and placeholders, with runs of white space collapsed.
    const text = v.replace(/<math[\s\S]*?<\/math>/g, '\u0001').replace(/<[^>]*>/g, '\u0001').replace(/&amp;/g, '&');
    for (const part of text.split(/\{\w+\}|\u0001/)) {
      const p = part.replace(/\s+/g, ' ').trim();
      if (p.length >= 12 && /[a-z]{4}/.test(p) && !/^[\x20-\x7e]*[=/]/.test(p)) out.add(p);
    }
  }
  return [...out];
}

test('switching the language changes every visible string', { timeout: 180_000 }, async () => {
  const { page, context, problems } = await open('?backend=cpu&gan.seed=abc', {}, { locale: 'en-US' });
  await waitReady(page);
  await page.evaluate(() => window.earthmover.step(undefined, 3));
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  const english = await page.evaluate(() => document.body.innerText);
  assert.match(english, /Live training/);
  const visit = async () => {
    const texts = [];
    for (const panel of ['live', 'lines', 'gaussians', 'optimality']) {
      await page.evaluate((p) => window.earthmover.showPanel(p), panel);
      if (panel === 'lines' || panel === 'gaussians') {
        await page.waitForFunction((p) => document.querySelector(p === 'lines' ? '#l-jshat' : '#g-jshat').textContent !== '–', panel, { timeout: 60_000 });
      }
      texts.push(await page.evaluate(() => document.body.innerText));
    }
    await page.keyboard.press('?');
    texts.push(await page.evaluate(() => document.querySelector('#help').innerText));
    await page.keyboard.press('Escape');
    await page.locator('#share-btn').click();
    texts.push(await page.evaluate(() => document.querySelector('#share').innerText));
    await page.locator('#share-close').click();
    return texts.join('\n').replace(/\s+/g, ' ');
  };
  const en = await visit();
  await page.locator('.lang-btn[data-lang=zh]').click();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  const zh = await visit();
  const fragments = englishFragments();
  const left = fragments.filter((f) => zh.includes(f));
  const shown = fragments.filter((f) => en.includes(f)).length;
  console.log(`${fragments.length} English fragments, ${shown} seen on the English page, ${left.length} on the Chinese one`);
  assert.ok(shown > 100, 'the English page shows the English table');
  assert.deepEqual(left, [], 'English strings left on the Chinese page');
  for (const s of ['实时训练', '判别器', '生成器', '推土机距离', 'JS 散度', '键盘快捷键', '复制链接']) assert.ok(zh.includes(s), s);
  // The notice about gan.seed=abc and the chart titles are reworded too.
  assert.match(zh, /gan\.seed=abc 不是 0 到 4294967295 之间的整数/);
  assert.ok(await page.locator('#chart-emd .u-title').innerText().then((x) => x.includes('标尺')));
  // A Chinese browser opens in Chinese.
  const other = await open('?backend=cpu', {}, { locale: 'zh-CN' });
  await waitReady(other.page);
  assert.equal(await other.page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await other.context.close();
  await clean(problems);
  await context.close();
});

test('presenter mode and the shortcuts; readable at 1280x720', { timeout: 120_000 }, async () => {
  const { page, context, problems } = await open('?backend=cpu', {}, { viewport: { width: 1280, height: 720 } });
  await waitReady(page);
  const width = () => page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(await width() <= 1280, 'no horizontal scrolling at 1280x720');
  await page.keyboard.press('p');
  assert.ok(await page.evaluate(() => document.body.classList.contains('presenter')));
  assert.match(await page.evaluate(() => location.search), /presenter=1/);
  const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.ok(fontSize >= 20, `presenter font ${fontSize}px`);
  assert.ok(await width() <= 1280, 'presenter mode fits 1280 px too');
  const series = await page.evaluate(() => document.querySelector('#chart-emd .uplot') !== null);
  assert.ok(series);
  await page.keyboard.press('?');
  assert.ok(await page.locator('#help').isVisible());
  assert.match(await page.locator('#help').innerText(), /Play \/ pause both runs/);
  await page.keyboard.press('Escape');
  assert.ok(!(await page.locator('#help').isVisible()));
  await page.keyboard.press('3');
  assert.ok(await page.locator('#panel-gaussians').isVisible());
  await page.keyboard.press('1');
  await page.keyboard.press('s');
  await page.waitForFunction(() => window.earthmover.snapshot().runs.every((r) => r.step === 1));
  // Typing in a field is not a shortcut.
  await page.locator('#run-gan details.settings summary').click();
  await page.locator('#settings-gan [name=lr_d]').focus();
  await page.keyboard.press('s');
  assert.equal(await page.evaluate(() => window.earthmover.snapshot().runs[0].step), 1);
  // Every button and field has a name for a screen reader.
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, select, input')]
    .filter((el) => el.offsetParent !== null && !(el.getAttribute('aria-label') || el.labels?.length || el.textContent.trim()))
    .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, []);
  await clean(problems);
  await context.close();
});

const isPNG = (b) => b.length > 100 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
async function saved(page, click) {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: d.suggestedFilename(), bytes: await readFile(await d.path()) };
}

test('exports: charts as PNG and CSV, samples as PNG, the run as JSON that loads back', { timeout: 180_000 }, async () => {
  const { page, context, problems } = await open('?backend=cpu&seed=4');
  await waitReady(page);
  await page.evaluate(() => window.earthmover.step(undefined, 45));
  const png = await saved(page, () => page.locator('#chart-emd .export-png').click());
  assert.equal(png.name, 'earthmover-emd.png');
  assert.ok(isPNG(png.bytes), 'chart PNG');
  const csv = await saved(page, () => page.locator('#chart-emd .export-csv').click());
  const rows = csv.bytes.toString().trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(rows[0], ['generator step', 'GAN EMD', 'WGAN EMD', 'real vs real (reference)']);
  const hist = await page.evaluate(() => window.earthmover.history('wgan'));
  assert.equal(rows.length - 1, new Set([...hist.map((p) => p.step), ...(await page.evaluate(() => window.earthmover.history('gan'))).map((p) => p.step)]).size);
  const last = rows.find((r) => Number(r[0]) === hist[hist.length - 1].step);
  assert.equal(Number(last[2]), hist[hist.length - 1].emd, 'CSV holds the measured values');
  const grid = await saved(page, () => page.locator('#run-gan .grid-png').click());
  assert.match(grid.name, /^earthmover-gan-samples-step45\.png$/);
  assert.ok(isPNG(grid.bytes), 'grid PNG');
  const json = await saved(page, () => page.locator('#export-run').click());
  const run = JSON.parse(json.bytes.toString());
  assert.equal(run.format, 'earthmover-run');
  assert.equal(run.runs.wgan.history.length, hist.length);
  assert.equal(run.runs.gan.step, 45);
  const samplesBefore = await page.evaluate(() => Array.from(window.earthmover.samples('gan').pixels));

  // Train on, then load the recording: the page shows the recorded run, nothing trains.
  await page.evaluate(() => window.earthmover.step(undefined, 20));
  await page.setInputFiles('#load-run', { name: 'lesson.json', mimeType: 'application/json', buffer: json.bytes });
  await page.waitForFunction(() => window.earthmover.snapshot().replay !== null);
  const snap = await page.evaluate(() => window.earthmover.snapshot());
  assert.deepEqual(snap.runs.map((r) => r.step), [45, 45]);
  assert.deepEqual(await page.evaluate(() => JSON.stringify(window.earthmover.history('wgan'))), JSON.stringify(hist));
  assert.deepEqual(await page.evaluate(() => Array.from(window.earthmover.samples('gan').pixels)), samplesBefore);
  assert.match(await page.locator('#replay').innerText(), /lesson\.json/);
  assert.ok(await page.locator('#run-gan .play').isDisabled());
  // Back to live: the live runs are where they were (step 65).
  await page.locator('#replay-back').click();
  assert.deepEqual(await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.step)), [65, 65]);

  // A broken file changes nothing and says why.
  const broken = JSON.stringify({ ...run, runs: { ...run.runs, gan: { ...run.runs.gan, history: 'x' } } });
  await page.setInputFiles('#load-run', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(broken) });
  await page.waitForFunction(() => document.querySelector('#notices').innerText.includes('not an Earthmover run export'));
  assert.match(await page.locator('#notices').innerText(), /runs\.gan\.history is not a list of points\. Nothing was changed\./);
  assert.equal(await page.evaluate(() => window.earthmover.snapshot().replay), null);
  await clean(problems);
  await context.close();
});

test('a diverging run pauses with an explanation, keeps its curves and samples; the other trains on', { timeout: 180_000 }, async () => {
  const { page, context, problems } = await open('?backend=cpu&autoplay=1&gan.lr_d=1e15&gan.lr_g=1e15');
  await waitReady(page);
  await page.waitForFunction(() => window.earthmover.snapshot().runs[0].diverged !== null, null, { timeout: 60_000 });
  const at = await page.evaluate(() => window.earthmover.snapshot());
  console.log('diverged', JSON.stringify(at.runs[0].diverged));
  assert.match(at.runs[0].diverged.detail, /not finite|non-finite/);
  assert.ok(!at.runs[0].playing);
  const msg = await page.locator('#run-gan .run-msg').innerText();
  assert.match(msg, /diverged at step \d+/);
  assert.match(msg, /Lower the learning rates/);
  assert.ok(await page.locator('#run-gan .play').isDisabled());
  assert.ok((await page.evaluate(() => window.earthmover.history('gan'))).length >= 1, 'the curve so far stays');
  assert.ok(await inkFraction(page, '#run-gan canvas.grid') > 0.05, 'the last good samples stay');
  const wgan = at.runs[1].step;
  await page.waitForFunction((s) => window.earthmover.snapshot().runs[1].step > s + 10, wgan, { timeout: 60_000 });
  assert.ok(await page.evaluate(() => window.earthmover.snapshot().runs[1].playing), 'the WGAN keeps training');
  // Fixing the rate (a reset) brings it back.
  await page.locator('#run-gan details.settings summary').click();
  await page.fill('#settings-gan [name=lr_d]', '0.0005');
  await page.fill('#settings-gan [name=lr_g]', '0.0005');
  await page.locator('#settings-gan button[type=submit]').click();
  await page.waitForFunction(() => window.earthmover.snapshot().runs[0].diverged === null);
  assert.ok(!(await page.locator('#run-gan .play').isDisabled()));
  await clean(problems);
  await context.close();
});

test('a lost WebGPU device: the run continues on the CPU from its last weights', { timeout: 420_000 }, async (t) => {
  // Small nets, batch 16 and one critic update per step, no probe, a small EMD yardstick and no
  // classifier (no mode meter or feature distance): SwiftShader (software WebGPU) compiles and runs
  // every kernel on the CPU, the page checks one step on it before it trains there (issue 34), and
  // the test is about the device loss, not the training.
  const { page, context, problems } = await open('?backend=webgpu&gan.net=small&wgan.net=small&gan.batch=16&wgan.batch=16'
    + '&wgan.critic_boost=0&wgan.n_critic=1&gan.probe=off&wgan.probe=off&gan.emd_n=8&wgan.emd_n=8',
  { 'classifier.bpk': { status: 404, body: 'left out by the test' } });
  await waitReady(page, 300_000);
  const snap = await page.evaluate(() => window.earthmover.snapshot());
  if (!/WebGPU/.test(snap.backend || '')) {
    console.log(`skipped: no WebGPU adapter (${snap.backendReason})`);
    t.skip('no WebGPU adapter');
    await context.close();
    return;
  }
  console.log(`WebGPU: ${snap.backend}`);
  const t0 = Date.now();
  await page.evaluate(() => window.earthmover.step(undefined, 1));
  console.log(`ready and one step on WebGPU: ${Date.now() - t0} ms after ready`);
  await page.waitForFunction(() => window.earthmover.snapshot().runs.every((r) => r.checkpointStep === 1), null, { timeout: 120_000 });
  const before = await page.evaluate(() => ({ gan: window.earthmover.history('gan'), wgan: window.earthmover.history('wgan') }));
  // Destroy the GPU devices the workers use, as a driver reset would.
  let destroyed = 0;
  for (const w of page.workers()) {
    destroyed += await w.evaluate(() => {
      const d = self.__earthmoverGpuDevices || [];
      d.forEach((x) => x.destroy());
      return d.length;
    });
  }
  assert.ok(destroyed >= 2, `destroyed ${destroyed} devices`);
  await page.waitForFunction(() => window.earthmover.snapshot().runs.every((r) => r.backend === 'CPU'), null, { timeout: 120_000 });
  const after = await page.evaluate(() => window.earthmover.snapshot());
  assert.deepEqual(after.runs.map((r) => r.step), [1, 1], 'continues from the saved step');
  assert.match(await page.locator('#notices').innerText(), /GPU device was lost \(destroyed\)/);
  for (const id of ['gan', 'wgan']) {
    const h = await page.evaluate((i) => window.earthmover.history(i), id);
    assert.deepEqual(JSON.stringify(h.slice(0, before[id].length)), JSON.stringify(before[id]), `${id}: no curve lost`);
    assert.equal(h[h.length - 1].step, 1, `${id}: measured again where it continues`);
  }
  await page.evaluate(() => window.earthmover.step(undefined, 3));
  assert.deepEqual(await page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.step)), [4, 4]);
  assert.deepEqual(problems.offOrigin, []);
  await context.close();
});

test('broken downloads and old browsers get a message, not a blank page', { timeout: 180_000 }, async () => {
  // The wasm module is missing.
  let o = await open('?backend=cpu', { 'earthmover_bg.wasm': { status: 404, body: 'nope' } });
  await o.page.waitForFunction(() => document.querySelector('#notices').innerText.includes('WebAssembly'), null, { timeout: 60_000 });
  assert.match(await o.page.locator('#notices').innerText(), /Could not load the WebAssembly module/);
  assert.match(await o.page.locator('#run-gan .run-msg').innerText(), /Rebuild with \.\/build\.sh/);
  await o.context.close();
  // The digit classifier is corrupt: training still works, the meter says it is off.
  o = await open('?backend=cpu', { 'classifier.bpk': { status: 200, body: 'garbage' } });
  await waitReady(o.page);
  await o.page.waitForFunction(() => document.querySelector('#notices').innerText.includes('mode-collapse meter is off'));
  await o.page.evaluate(() => window.earthmover.step(undefined, 2));
  assert.deepEqual(await o.page.evaluate(() => window.earthmover.snapshot().runs.map((r) => r.step)), [2, 2]);
  await o.context.close();
  // A browser without WebAssembly.
  o = await open('?backend=cpu', {}, { init: () => { delete globalThis.WebAssembly; } });
  await o.page.waitForFunction(() => !document.querySelector('#fatal').hidden);
  assert.match(await o.page.locator('#fatal').innerText(), /no WebAssembly/);
  await o.context.close();
  // A browser whose WebAssembly has no SIMD (the check validates a tiny SIMD module).
  o = await open('?backend=cpu', {}, { init: () => { WebAssembly.validate = () => false; } });
  await o.page.waitForFunction(() => !document.querySelector('#fatal').hidden);
  assert.match(await o.page.locator('#fatal').innerText(), /WebAssembly without SIMD/);
  await o.context.close();
});

test('served from a subpath, nothing is requested from another origin', { timeout: 120_000 }, async () => {
  const sub = await startBrowser({ prefix: '/lessons/earthmover' });
  try {
    assert.match(sub.base, /\/lessons\/earthmover\/$/);
    const { page, context, problems } = await openPage(sub.browser, sub.base, '?backend=cpu&panel=lines');
    await waitReady(page);
    await page.waitForFunction(() => document.querySelector('#l-jshat').textContent !== '–', null, { timeout: 60_000 });
    await page.evaluate(() => window.earthmover.showPanel('live'));
    await page.evaluate(() => window.earthmover.step(undefined, 3));
    assert.deepEqual(problems.failed, [], 'every request succeeds under the subpath');
    await clean(problems);
    const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    await context.close();
  } finally {
    await sub.browser.close();
    sub.server.close();
  }
});
