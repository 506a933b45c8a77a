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
