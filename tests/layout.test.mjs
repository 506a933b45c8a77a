// A page that stands still while it loads, and a page for tablets (issue 35), in headless Chromium:
// the cumulative layout shift of a cold load over its first 5 s, measured by the page's own
// PerformanceObserver, at a laptop's and a phone's size; on iPad-sized touch screens the sample
// grids and the first chart row on the first screen, every explanation opening on a tap, and no
// control smaller than 24x24 CSS px (WCAG 2.2's target size).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { openPage, useBrowser, waitReady } from './browser.mjs';

const b = useBrowser();

// Installed before the page's first script: every layout shift not caused by input, with the
// elements that moved.
const watchShifts = () => {
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      const what = (e.sources || []).map((s) => {
        const n = s.node;
        if (!n || !n.nodeName) return '?';
        const el = n.nodeType === 1 ? n : n.parentElement;
        return el ? `${el.nodeName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}` : n.nodeName;
      });
      window.__shifts.push({ t: Math.round(e.startTime), value: e.value, what });
    }
  }).observe({ type: 'layout-shift', buffered: true });
};

for (const [width, height] of [[1280, 720], [390, 844]]) {
  test(`layout shift of a cold load at ${width}x${height} stays under 0.1`, { timeout: 120_000 }, async () => {
    const values = [];
    for (const q of ['', '?autoplay=1']) {
      // A new context each time: an empty cache, as on a student's first visit.
      const { page, context } = await openPage(b.browser, b.base, q, {}, { viewport: { width, height }, init: watchShifts });
      await page.waitForTimeout(5000);
      const shifts = await page.evaluate(() => window.__shifts);
      const cls = shifts.reduce((s, e) => s + e.value, 0);
      values.push(cls);
      const worst = [...shifts].sort((a, b2) => b2.value - a.value).slice(0, 5);
      console.log(`CLS ${width}x${height} '${q}': ${cls.toFixed(4)} over ${shifts.length} shifts; largest: ${JSON.stringify(worst)}`);
      assert.ok(cls < 0.1, `cumulative layout shift ${cls.toFixed(3)} at ${width}x${height}${q} (largest: ${JSON.stringify(worst)})`);
      await context.close();
    }
  });
}

// Every control a finger must hit, as rendered: buttons, fields, selects, summaries, focusable
// tiles; links inside running text are exempt (WCAG 2.5.8's inline exception).
const smallControls = (page) => page.evaluate(() => {
  const sel = 'button, select, input:not([type=hidden]), textarea, summary, [role=button], [tabindex="0"], a[href]';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue; // not shown
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden') continue;
    if (el.matches('a[href]') && el.closest('p, li, dd, .lesson-text, .tooltip')) continue;
    if (r.width < 24 || r.height < 24) out.push(`${el.nodeName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${(el.textContent || el.value || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return out;
});
const box = (page, sel) => page.evaluate((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, vw: innerWidth, vh: innerHeight };
}, sel);

for (const [width, height] of [[1024, 768], [768, 1024]]) {
  test(`an iPad-sized touch screen (${width}x${height}): grids and the first charts in view, taps explain, targets >= 24 px`, { timeout: 180_000 }, async () => {
    const { page, context, problems } = await openPage(b.browser, b.base, '', {}, { viewport: { width, height }, hasTouch: true });
    await waitReady(page);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(tmpdir(), `earthmover-tablet-${width}x${height}.png`) });
    // The first screen: both sample grids and the first row of charts, whole.
    const first = await page.evaluate(() => {
      const charts = [...document.querySelectorAll('#panel-live .chart')].filter((c) => c.getBoundingClientRect().height > 0);
      const top = Math.min(...charts.map((c) => Math.round(c.getBoundingClientRect().top)));
      return charts.filter((c) => Math.abs(c.getBoundingClientRect().top - top) < 8).map((c) => `#${c.id}`);
    });
    assert.ok(first.length >= 1, 'there is a chart row');
    for (const sel of ['#run-gan canvas.grid', '#run-wgan canvas.grid', ...first]) {
      const r = await box(page, sel);
      assert.ok(r.width > 0 && r.top >= 0 && r.bottom <= r.vh + 0.5 && r.left >= 0 && r.right <= r.vw + 0.5,
        `${width}x${height}: ${sel} is whole on the first screen (${JSON.stringify(r)})`);
    }
    // No control smaller than 24x24 CSS px.
    assert.deepEqual(await smallControls(page), [], `${width}x${height}: controls under 24x24 px`);
    // A tap on every explained element on the first screen opens its explanation; a tap elsewhere closes it.
    const tips = await page.evaluate(() => [...document.querySelectorAll('#panel-live .has-tip')].map((el, i) => {
      el.dataset.tapTest = String(i);
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight ? i : -1;
    }).filter((i) => i >= 0));
    assert.ok(tips.length >= 6, `explained elements on the first screen: ${tips.length}`);
    const tooltip = page.locator('.tooltip');
    for (const i of tips) {
      const sel = `[data-tap-test="${i}"]`;
      await page.tap(sel);
      assert.ok(await tooltip.isVisible(), `a tap on ${sel} (${await page.locator(sel).innerText()}) opens its explanation`);
      const [shown, want] = await page.evaluate((s) => {
        const el = document.querySelector(s);
        return [document.querySelector('.tooltip').textContent, document.getElementById(el.getAttribute('aria-describedby')).textContent];
      }, sel);
      assert.equal(shown, want);
    }
    await page.tap('header h1');
    assert.equal(await tooltip.isVisible(), false, 'a tap elsewhere closes it');
    assert.deepEqual(problems.console, [], 'no console errors');
    await context.close();
  });
}
