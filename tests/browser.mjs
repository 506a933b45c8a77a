// Shared by the end-to-end tests: a static server for the built page, headless Chromium (the
// system's /usr/bin/chromium through playwright-core) and a page that records console errors,
// failed responses and every request that tries to leave the origin.
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/static-host.mjs';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu',
  // scripts/device-check.sh adds the flags a GPU machine's Chromium needs for a hardware adapter.
  ...(process.env.EARTHMOVER_CHROMIUM_EXTRA || '').split(' ').filter(Boolean)];

export async function startBrowser(serverOptions = {}) {
  const { server, url: base } = await startServer(0, '127.0.0.1', serverOptions);
  // playwright-core gives every launch a fresh, empty user-data-dir of its own.
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return { server, base, browser };
}

// One server and browser for a test file: `const b = useBrowser();` then b.base, b.browser.
export function useBrowser() {
  const b = {};
  before(async () => {
    Object.assign(b, await startBrowser());
  });
  after(async () => {
    await b.browser?.close();
    b.server?.close();
  });
  return b;
}

// Service workers are blocked unless asked for: page.route() does not see what one fetches.
// `hasTouch`: a touch screen (taps), as on a tablet.
export async function openPage(browser, base, query, routes = {}, { locale = 'en-US', viewport = { width: 1280, height: 900 }, init, serviceWorkers = 'block', hasTouch = false } = {}) {
  const context = await browser.newContext({ viewport, locale, acceptDownloads: true, serviceWorkers, hasTouch });
  const page = await context.newPage();
  const problems = { console: [], offOrigin: [], failed: [] };
  page.on('console', (m) => { if (m.type() === 'error') problems.console.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) problems.failed.push(`${r.status()} ${r.url()}`); });
  page.on('pageerror', (e) => problems.console.push(String(e)));
  const origin = new URL(base).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) {
      problems.offOrigin.push(url);
      return route.abort();
    }
    for (const [suffix, fulfil] of Object.entries(routes)) if (url.split('?')[0].endsWith(suffix)) return route.fulfill(fulfil);
    return route.continue();
  });
  // `init`: a function, or [function, argument] (Playwright passes the argument as JSON).
  if (init) await page.addInitScript(...(Array.isArray(init) ? init : [init]));
  await page.goto(`${base}${query}`);
  return { page, context, problems };
}

export const waitReady = (page, timeout = 120_000) => page.waitForFunction(
  () => window.earthmover && window.earthmover.ready.then(() => true), null, { timeout });

// Fraction of pixels in a canvas that are not (near) the background colour.
export const inkFraction = (page, selector) => page.evaluate((sel) => {
  const c = document.querySelector(sel);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const bg = [d[0], d[1], d[2]];
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 30) n++;
  return n / (d.length / 4);
}, selector);
