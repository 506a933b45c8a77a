// Any locale, any browser setting, never a dead page (issue 35): the page starts in headless
// Chromium whatever navigator.language(s) says, and a browser API that fails at start-up costs
// only its own feature. Each case replaces one browser answer before the page's first script runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage, useBrowser, waitReady } from './browser.mjs';

const b = useBrowser();

// Opens the page with `init` run first, waits until it is ready and trains two steps; returns what
// the page says. Fails with the fatal banner's text if the page did not start.
async function startsWith(what, init, arg, { routes = {}, query = '?backend=cpu' } = {}) {
  const { page, context, problems } = await openPage(b.browser, b.base, query, routes, { init: [init, arg] });
  try {
    await Promise.race([
      waitReady(page, 90_000),
      page.waitForFunction(() => !document.querySelector('#fatal').hidden, null, { timeout: 90_000 })
        .then(async () => { throw new Error(`${what}: the page did not start: ${await page.locator('#fatal').innerText()}`); }),
    ]);
    await page.evaluate(() => window.earthmover.step(undefined, 2));
    const out = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      locale: window.earthmoverLocale,
      steps: window.earthmover.snapshot().runs.map((r) => r.step),
      fatal: !document.querySelector('#fatal').hidden,
      charts: document.querySelectorAll('.uplot').length,
      notices: document.querySelector('#notices').innerText,
      // The page's one width query at this 1280 px window, and its opposite.
      media: [matchMedia('(min-width: 700px)').matches, matchMedia('(max-width: 699px)').matches],
    }));
    assert.deepEqual(out.steps, [2, 2], `${what}: both runs step`);
    assert.equal(out.fatal, false, `${what}: no fatal banner`);
    assert.ok(out.charts >= 3, `${what}: the charts are built (${out.charts})`);
    assert.deepEqual(problems.console, [], `${what}: no console errors`);
    return out;
  } finally {
    await context.close();
  }
}

// The browser's language answers, as a minimal locale, a kiosk or a broken setting gives them.
const setLanguages = ([language, languages]) => {
  Object.defineProperty(Navigator.prototype, 'language', { configurable: true, get: () => language });
  Object.defineProperty(Navigator.prototype, 'languages', { configurable: true, get: () => languages });
};
const JUNK = `x${'-_.@!0'.repeat(50)}`; // 301 characters no Intl accepts
const CASES = [
  ['empty', '', [], 'en', ['en-US']],
  ['C', 'C', ['C'], 'en', ['en-US']],
  ['POSIX', 'POSIX', ['POSIX'], 'en', ['en-US']],
  ['en_US.UTF-8', 'en_US.UTF-8', ['en_US.UTF-8'], 'en', ['en-US']],
  ['zh-Hans-CN', 'zh-Hans-CN', ['zh-Hans-CN', 'en'], 'zh-CN', ['zh-Hans-CN', 'en']],
  ['zh_CN.UTF-8 behind C', 'C', ['C', 'zh_CN.UTF-8'], 'zh-CN', ['zh-CN']],
  ['300 characters of junk', JUNK, [JUNK], 'en', ['en-US']],
  ['undefined', undefined, undefined, 'en', ['en-US']],
];

test('the page starts with any navigator.language(s) and picks a language it has', { timeout: 300_000 }, async () => {
  // The bare failure first: Intl itself rejects these tags (uPlot's `new Intl.NumberFormat(
  // navigator.language)` threw "invalid language tag: C" in WebKit, and does so in Chromium).
  const { page, context } = await openPage(b.browser, b.base, 'www/style.css');
  const rejected = await page.evaluate((tags) => tags.map((t) => { try { new Intl.NumberFormat(t); return null; } catch (e) { return `${t.slice(0, 12)}: ${e.name}`; } }), ['C', 'POSIX', 'en_US.UTF-8', JUNK]);
  console.log(`Intl.NumberFormat rejects: ${JSON.stringify(rejected)}`);
  assert.ok(rejected.filter(Boolean).length >= 3, 'the cases below are real failures without the guard');
  await context.close();
  for (const [what, language, languages, lang, used] of CASES) {
    const out = await startsWith(`navigator.language ${what}`, setLanguages, [language, languages]);
    console.log(`${what}: page ${out.lang}, languages used ${JSON.stringify(out.locale.used)}`);
    assert.equal(out.lang, lang, `${what}: the page's language`);
    assert.deepEqual(out.locale.used, used, `${what}: the tags the page uses`);
  }
});

test('one failing browser API costs only its own feature', { timeout: 300_000 }, async () => {
  // Storage that throws (blocked cookies, some private modes): the shortcut choice is not kept.
  await startsWith('localStorage throws', () => {
    Object.defineProperty(window, 'localStorage', { configurable: true, get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
  });
  // matchMedia that throws: its stand-in answers width queries from the window's width.
  const mm = await startsWith('matchMedia throws', () => { window.matchMedia = () => { throw new TypeError('matchMedia is not available'); }; });
  assert.deepEqual(mm.media, [true, false], 'the stand-in matchMedia answers the width query');
  // WebAssembly.validate that throws: the SIMD check cannot tell, the page tries (and trains).
  await startsWith('WebAssembly.validate throws', () => { WebAssembly.validate = () => { throw new Error('validate is blocked'); }; });
  // Intl with no locale data for the browser's language at all.
  await startsWith('Intl.getCanonicalLocales missing', () => {
    delete Intl.getCanonicalLocales;
    Object.defineProperty(Navigator.prototype, 'language', { configurable: true, get: () => 'C' });
  });
  // navigator.gpu that throws when a worker reads it: those workers train on the CPU and say why.
  const io = readFileSync(new URL('../www/workers/io.js', import.meta.url), 'utf8');
  const out = await startsWith('navigator.gpu throws in the workers', () => {}, null, {
    query: '?backend=auto',
    routes: {
      'www/workers/io.js': {
        status: 200, contentType: 'text/javascript',
        body: `Object.defineProperty(WorkerNavigator.prototype, 'gpu', { configurable: true, get() { throw new Error('gpu is blocked'); } });\n${io}`,
      },
    },
  });
  assert.doesNotMatch(out.notices, /could not start/i);
});

test('a script that throws while the page starts is named, and the site is not blamed', { timeout: 120_000 }, async () => {
  // app.js itself throws as it starts (a test-only copy whose first statement throws; its imports
  // are hoisted and load first), as it did with uPlot's RangeError before the language guard.
  const app = readFileSync(new URL('../www/page/app.js', import.meta.url), 'utf8');
  const o = await openPage(b.browser, b.base, '?backend=cpu', {
    'www/page/app.js': { status: 200, contentType: 'text/javascript', body: `throw new RangeError('invalid language tag: C');\n${app}` },
  });
  await o.page.waitForFunction(() => !document.querySelector('#fatal').hidden, null, { timeout: 60_000 });
  const text = await o.page.locator('#fatal').innerText();
  console.log(`the watchdog says: ${text}`);
  assert.match(text, /invalid language tag: C/);
  assert.match(text, /The site is complete/);
  assert.doesNotMatch(text, /site is incomplete/);
  await o.context.close();
});
