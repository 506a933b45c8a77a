// scratch: not committed
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';
const { server, url } = await startServer(0);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, locale: process.env.LOC || 'en-US' });
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', String(e)));
await page.goto(url + (process.argv[2] || '?backend=cpu'));
await page.waitForFunction(() => window.earthmover && window.earthmover.ready.then(() => true), null, { timeout: 120000 }).catch((e) => console.log('not ready', e.message));
await page.evaluate(() => window.earthmover.step(undefined, 25)).catch((e) => console.log(e.message));
console.log(JSON.stringify(await page.evaluate(() => window.earthmover.snapshot())).slice(0, 1500));
console.log(await page.evaluate(() => location.href));
console.log((await page.locator('#notices').innerText()).slice(0, 800));
await page.screenshot({ path: '/tmp/smoke.png', fullPage: false });
await browser.close(); server.close();
