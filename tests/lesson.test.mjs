// End-to-end tests of the lesson (issue 17) in headless Chromium on the built page: lesson mode
// (steps, keys, actions, progress, links), markers on the step axis, explanations on hover and
// focus, and accessibility checked by axe-core on every panel, the lesson and both dialogs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { useBrowser, openPage, waitReady } from './browser.mjs';

const b = useBrowser();
const open = (query, opts) => openPage(b.browser, b.base, query, {}, opts);
const lessonState = (page) => page.evaluate(() => ({
  k: window.earthmover.state().lesson, search: location.search, count: document.querySelector('#lesson-count').textContent,
  title: document.querySelector('#lesson-title').textContent, panel: window.earthmover.state().panel,
}));
// Is the element's box inside the viewport (nothing to scroll to)?
const onScreen = (page, sel) => page.evaluate((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return r.width > 0 && r.top >= -1 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
}, sel);

test('lesson mode: 8 steps with keys, actions, a progress bar and links, on one 1280x720 screen', { timeout: 300_000 }, async () => {
  const { page, problems } = await open('?lesson=1', { viewport: { width: 1280, height: 720 } });
  await waitReady(page);
  let s = await lessonState(page);
  assert.equal(s.k, 1);
  assert.equal(s.count, 'Step 1 of 8');
  assert.ok(s.title.length > 3, s.title);
  assert.ok(await page.locator('#lesson').isVisible());
  // Step 1 points at both runs; its action starts training.
  assert.ok(await page.evaluate(() => document.querySelector('#run-gan').classList.contains('lesson-focus')));
  await page.click('#lesson-act');
  await page.waitForFunction(() => window.earthmover.snapshot().runs.every((r) => r.playing));
  // Presenter clickers send PageDown / PageUp; arrows work too. The address follows.
  await page.keyboard.press('PageDown');
  s = await lessonState(page);
  assert.equal(s.k, 2);
  assert.match(s.search, /lesson=2/);
  // Step 2 waits for digits, with a progress bar that says what it waits for.
  assert.ok(await page.locator('#lesson-wait').isVisible());
  assert.match(await page.textContent('#lesson-wait-text'), /7/);
  // The card, both sample grids and the chart it points at are on the first screen.
  for (const sel of ['#lesson', '#run-gan canvas.grid', '#run-wgan canvas.grid', '#chart-feature', '#lesson-next']) {
    assert.ok(await onScreen(page, sel), `${sel} is visible without scrolling`);
  }
  // Charts the step does not point at are out of the way.
  assert.equal(await page.locator('#chart-signals').isVisible(), false);
  await page.keyboard.press('ArrowLeft');
  assert.equal((await lessonState(page)).k, 1);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('PageUp');
  assert.equal((await lessonState(page)).k, 1);
  // Back is disabled on the first step, Next on the last.
  assert.ok(await page.locator('#lesson-back').isDisabled());
  // Step 4: the action switches the GAN's loss; a marker on the step axis says so.
  await page.evaluate(() => window.earthmover.lesson(4));
  s = await lessonState(page);
  assert.equal(s.k, 4);
  assert.ok(await page.locator('#chart-signals').isVisible());
  await page.click('#lesson-act');
  await page.waitForFunction(() => window.earthmover.snapshot().runs[0].ganLoss === 'saturating');
  const marks = await page.evaluate(() => window.earthmover.marks());
  assert.ok(marks.some((m) => m.run === 'gan' && /loss/.test(m.text)), JSON.stringify(marks));
  assert.ok(marks.some((m) => /lesson 4/.test(m.text)), JSON.stringify(marks));
  // Step 5 opens the parallel lines; its action slides θ to 0.
  await page.keyboard.press('ArrowRight');
  s = await lessonState(page);
  assert.equal(s.panel, 'lines');
  await page.click('#lesson-act');
  await page.waitForFunction(() => !document.querySelector('#lesson-act').disabled, null, { timeout: 30_000 });
  assert.equal(Number(await page.inputValue('#theta')), 0);
  // The last step: Next is disabled; the lesson can be left.
  await page.evaluate(() => window.earthmover.lesson(8));
  s = await lessonState(page);
  assert.equal(s.count, 'Step 8 of 8');
  assert.equal(s.panel, 'energy');
  assert.ok(await page.locator('#lesson-next').isDisabled());
  // The Copy-link dialog offers a link to a step.
  await page.click('#share-btn');
  await page.selectOption('#share-lesson', '3');
  const link = await page.inputValue('#share-url');
  assert.match(link, /lesson=3/);
  await page.click('#share-close');
  await page.click('#lesson-close');
  assert.equal(await page.locator('#lesson').isVisible(), false);
  assert.equal((await lessonState(page)).k, 0);
  // The link opens the lesson at step 3, in Chinese when asked.
  const again = await open(`${new URL(link).search}&lang=zh`, { viewport: { width: 1280, height: 720 } });
  await waitReady(again.page);
  s = await lessonState(again.page);
  assert.equal(s.k, 3);
  assert.match(s.count, /第 3 步/);
  assert.match(s.title, /[\u4e00-\u9fff]/);
  await again.page.close();
  assert.deepEqual(problems.console, [], 'no console errors');
  await page.close();
});

test('every stat tile and chart title explains itself on hover and on keyboard focus', { timeout: 180_000 }, async () => {
  const { page, problems } = await open('', { viewport: { width: 1280, height: 720 } });
  await waitReady(page);
  // Each has a description a screen reader reads (aria-describedby) in the page's language.
  const missing = await page.evaluate(() => [...document.querySelectorAll('#panel-live .stats > div, #panel-live .u-title')]
    .filter((el) => {
      const d = document.getElementById(el.getAttribute('aria-describedby') || '');
      return !d || d.textContent.trim().length < 20 || el.tabIndex !== 0;
    }).map((el) => el.textContent));
  assert.deepEqual(missing, []);
  // Keyboard: focus shows the words; Escape hides them.
  const tile = '#run-wgan .stats > div:nth-child(3)';
  await page.focus(tile);
  const box = page.locator('.tooltip');
  assert.ok(await box.isVisible());
  const desc = await page.evaluate((s) => document.getElementById(document.querySelector(s).getAttribute('aria-describedby')).textContent, tile);
  assert.equal(await box.textContent(), desc);
  assert.match(desc, /Earth Mover/);
  await page.keyboard.press('Escape');
  assert.equal(await box.isVisible(), false);
  // Hover on a chart title; in Chinese after a language switch.
  await page.click('.lang-btn[data-lang=zh]');
  await page.hover('#chart-feature .u-title');
  assert.ok(await box.isVisible());
  assert.match(await box.textContent(), /Fréchet 距离/);
  assert.deepEqual(problems.console, [], 'no console errors');
  await page.close();
});

test('axe-core finds no serious or critical accessibility problem on any panel, the lesson or the dialogs', { timeout: 240_000 }, async () => {
  const axe = await readFile(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  const { page } = await open('', { viewport: { width: 1280, height: 720 } });
  await waitReady(page);
  await page.evaluate(axe);
  const check = async (what) => {
    const found = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    console.log(`axe, ${what}: ${found.length} serious/critical`);
    return found.map((f) => `${what}: ${f}`);
  };
  const all = [];
  all.push(...await check('live panel'));
  for (const panel of ['lines', 'gaussians', 'optimality', 'energy']) {
    await page.evaluate((p) => window.earthmover.showPanel(p), panel);
    all.push(...await check(`${panel} panel`));
  }
  await page.evaluate(() => window.earthmover.lesson(2));
  all.push(...await check('lesson mode'));
  await page.evaluate(() => window.earthmover.lesson(0));
  await page.click('#share-btn');
  all.push(...await check('copy-link dialog'));
  await page.click('#share-close');
  await page.click('#help-btn');
  all.push(...await check('shortcuts dialog'));
  await page.click('#help-close');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.earthmover.showPanel('live'));
  all.push(...await check('live panel at 390 px'));
  assert.deepEqual(all, []);
  await page.close();
});

test('the lesson walks all 8 steps with the keyboard alone, each action runs, in both languages', { timeout: 600_000 }, async () => {
  const { page, problems } = await open('?lesson=1&hide=play,step,reset,settings,tabs', { viewport: { width: 1280, height: 720 } });
  await waitReady(page);
  // Tab to the step's action and press Enter, as a keyboard user would.
  const pressAction = async () => {
    for (let i = 0; i < 60 && !(await page.evaluate(() => document.activeElement && document.activeElement.id === 'lesson-act')); i++) {
      await page.keyboard.press('Tab');
    }
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lesson-act', 'Tab reaches the action');
    await page.keyboard.press('Enter');
    // The button is disabled while its action runs, enabled when it is done.
    await page.waitForFunction(() => !document.querySelector('#lesson-act').disabled, null, { timeout: 240_000 });
    // Back to the page, so that the arrow keys move through the lesson.
    await page.evaluate(() => document.activeElement.blur());
  };
  const seen = [];
  for (let k = 1; k <= 8; k++) {
    const s = await lessonState(page);
    assert.equal(s.k, k);
    assert.equal(s.count, `Step ${k} of 8`);
    seen.push(s.title);
    const t0 = Date.now();
    await pressAction();
    console.log(`step ${k} (${s.title}): action done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (k === 1) assert.ok((await page.evaluate(() => window.earthmover.snapshot())).runs.every((r) => r.playing), 'training started although Play is hidden');
    if (k === 3) assert.match(await page.textContent('#opt-msg'), /1000/);
    if (k === 4) assert.equal((await page.evaluate(() => window.earthmover.snapshot())).runs[0].ganLoss, 'saturating');
    if (k === 5) assert.equal(Number(await page.inputValue('#theta')), 0);
    if (k === 7) assert.equal((await page.evaluate(() => window.earthmover.snapshot())).runs[1].objectiveKey, 'wgan_gp');
    if (k === 8) assert.ok((await page.textContent('#mcmc-summary')).length > 10, 'the MCMC summary is shown');
    if (k < 8) await page.keyboard.press(k % 2 ? 'ArrowRight' : 'PageDown');
  }
  assert.equal(new Set(seen).size, 8, 'eight different steps');
  // Back through the lesson in Chinese (L switches the language).
  await page.keyboard.press('l');
  for (let k = 8; k >= 1; k--) {
    const s = await lessonState(page);
    assert.equal(s.k, k);
    assert.equal(s.count, `第 ${k} 步，共 8 步`);
    assert.match(s.title, /[\u4e00-\u9fff]/);
    assert.match(await page.textContent('#lesson-text'), /[\u4e00-\u9fff]/);
    if (k > 1) await page.keyboard.press(k % 2 ? 'ArrowLeft' : 'PageUp');
  }
  await page.keyboard.press('PageUp');
  assert.equal((await lessonState(page)).k, 1, 'the first step stays the first');
  // Forward again in Chinese, then back in English: both directions in both languages.
  for (let k = 1; k < 8; k++) await page.keyboard.press('PageDown');
  assert.equal((await lessonState(page)).count, '第 8 步，共 8 步');
  await page.keyboard.press('l');
  for (let k = 8; k > 1; k--) {
    assert.equal((await lessonState(page)).title, seen[k - 1], `step ${k} in English again`);
    await page.keyboard.press('ArrowLeft');
  }
  assert.equal((await lessonState(page)).k, 1);
  assert.deepEqual(problems.console, [], 'no console errors');
  await page.close();
});

test('the dashboard fits 1280x720 and 1920x1080 (presenter too); phones and tablets stack without sideways scrolling', { timeout: 240_000 }, async () => {
  const inView = ['#run-gan canvas.grid', '#run-wgan canvas.grid', '#chart-probe', '#chart-wopt', '#chart-feature', '#run-gan .v-step', '#run-wgan .v-rate'];
  for (const [width, height, q] of [[1280, 720, ''], [1280, 720, '?presenter=1'], [1920, 1080, ''], [1920, 1080, '?presenter=1']]) {
    const { page } = await open(q, { viewport: { width, height } });
    await waitReady(page);
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => scrollY), 0);
    for (const sel of inView) assert.ok(await onScreen(page, sel), `${width}x${height}${q}: ${sel} is on the first screen`);
    await page.close();
  }
  for (const [width, height] of [[390, 844], [768, 1024]]) {
    for (const q of ['', '?lesson=2']) {
      const { page } = await open(q, { viewport: { width, height } });
      await waitReady(page);
      await page.waitForTimeout(500);
      const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
      assert.ok(sw <= iw, `${width}x${height}${q}: no sideways scrolling (${sw} > ${iw})`);
      await page.close();
    }
  }
});

test('single-key shortcuts can be turned off, and charts carry a text summary of their latest values', { timeout: 180_000 }, async () => {
  const { page } = await open('', { viewport: { width: 1280, height: 720 } });
  await waitReady(page);
  await page.keyboard.press('p');
  assert.ok(await page.evaluate(() => document.body.classList.contains('presenter')));
  await page.click('#help-btn');
  await page.uncheck('#single-keys');
  await page.click('#help-close');
  await page.keyboard.press('p');
  assert.ok(await page.evaluate(() => document.body.classList.contains('presenter')), 'P does nothing once turned off');
  await page.keyboard.press('s');
  assert.equal((await page.evaluate(() => window.earthmover.snapshot())).runs[0].step, 0, 'S does nothing either');
  // Remembered in this browser.
  await page.reload();
  await waitReady(page);
  assert.equal(await page.isChecked('#single-keys'), false);
  await page.waitForFunction(() => /Latest values/.test(document.querySelector('#chart-emd .chart-summary').textContent), null, { timeout: 60_000 });
  const summary = await page.textContent('#chart-emd .chart-summary');
  assert.match(summary, /Latest values: .*EMD [0-9.]+ at /, summary);
  await page.close();
});

test('a recorded run loads from its button, plays back with its curves growing, and the lesson runs on it', { timeout: 180_000 }, async () => {
  const { page, problems } = await open('?lesson=2', { viewport: { width: 1280, height: 720 } });
  await waitReady(page);
  // One click: the recording of the pair the runs train (GAN vs WGAN by default).
  await page.click('#rec-btn');
  await page.waitForFunction(() => window.earthmover.snapshot().replay?.playing === true, null, { timeout: 30_000 });
  const at = () => page.evaluate(() => {
    const s = window.earthmover.snapshot();
    return { clock: s.replay.clock, seconds: s.replay.seconds, gan: s.runs[0].points, wgan: s.runs[1].points, step: s.runs[1].step };
  });
  const a = await at();
  assert.ok(a.seconds >= 590, `about 10 minutes recorded (${a.seconds} s)`);
  await page.selectOption('#replay-speed', '64');
  await page.waitForTimeout(3000);
  const b2 = await at();
  assert.ok(b2.clock > a.clock && b2.wgan > a.wgan && b2.step > a.step, `the curves grow: ${JSON.stringify([a, b2])}`);
  // Live training is paused meanwhile; the banner says what is shown.
  assert.ok((await page.evaluate(() => window.earthmover.snapshot())).runs.every((r) => !r.playing));
  assert.match(await page.textContent('#replay-text'), /Recorded run/);
  // The lesson's wait (digits on the mode meter) follows the recording.
  await page.waitForFunction(() => document.querySelector('#lesson-progress').value >= 1, null, { timeout: 60_000 });
  assert.match(await page.textContent('#lesson-wait-text'), /draw digits/);
  // To the end, then back to the live runs.
  await page.waitForFunction(() => window.earthmover.snapshot().replay.playing === false, null, { timeout: 60_000 });
  const end = await at();
  assert.equal(end.clock, end.seconds);
  await page.click('#replay-back');
  assert.equal(await page.evaluate(() => window.earthmover.snapshot().replay), null);
  // Another pair: the button offers both recordings; the WGAN vs WGAN-GP one plays.
  await page.evaluate(() => window.earthmover.compare('gan', 'wgan_gp'));
  await page.click('#rec-btn');
  assert.ok(await page.locator('#recordings').isVisible());
  await page.click('[data-recording=wgan-wgan_gp]');
  await page.waitForFunction(() => window.earthmover.snapshot().replay?.file === 'wgan-wgan_gp', null, { timeout: 30_000 });
  assert.match(await page.textContent('#replay-text'), /WGAN-GP/);
  assert.match(await page.textContent('#run-wgan .name'), /WGAN-GP/);
  assert.deepEqual(problems.console, [], 'no console errors');
  await page.close();
});
