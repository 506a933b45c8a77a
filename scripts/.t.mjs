import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';
const { server, url } = await startServer(0);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
for (let i=0;i<2;i++){
const context = await browser.newContext(); const page = await context.newPage();
const logs=[];
page.on('worker', (w) => w.on('console', (m) => logs.push(m.text())));
page.on('console', (m) => logs.push(m.text()));
await page.goto(`${url}?backend=cpu&autoplay=1`);
const t0 = await page.evaluate(() => performance.timeOrigin);
await page.waitForFunction(() => performance.getEntriesByName('earthmover:first-step').length, null, {polling: 20});
const m = await page.evaluate(() => [performance.getEntriesByType('mark').map(x=>x.name+' '+Math.round(x.startTime)).join(' | '), performance.getEntriesByName('earthmover:first-step')[0].startTime, performance.getEntriesByType('resource').map(r=>`${r.name.split('/').pop()} ${Math.round(r.startTime)}-${Math.round(r.responseEnd)}`)]);
await page.waitForTimeout(500);
console.log(m[0]);
for (const l of logs) { const x = /^T (\S+) (\d+)/.exec(l); if (x) console.log(x[1], +x[2]-Math.round(t0)); }
console.log(m[1].join('\n'));
await context.close();}
await browser.close(); server.close();
