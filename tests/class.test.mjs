// A class on the real server (server/, `./build.sh serve`): a teacher creates a class, three
// students join from their own browser contexts and train (CPU), and the teacher's dashboard shows
// their curves, samples and table. One student is cut off from the server for a while: it trains
// on, catches up, and the server ends with exactly its points. On a plain static host the Class
// button says what it needs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, openPage, useBrowser } from './browser.mjs';
import { startClassServer } from './class-server.mjs';

const b = useBrowser(); // the static host, for the last test
const c = {};
before(async () => {
  c.server = await startClassServer();
  c.browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
after(async () => {
  await c.browser?.close();
  c.server?.close();
});

const noProblems = (who, p) => {
  assert.deepEqual(p.console, [], `${who}: console errors`);
  assert.deepEqual(p.offOrigin, [], `${who}: requests off the origin`);
};

test('a teacher and three students: within 60 s the dashboard shows every student\'s curves, samples and table', { timeout: 300_000 }, async () => {
  const base = c.server.url;
  // The teacher: ?class=new opens the Class dialog with the sweeps; the class starts on one.
  const teacher = await openPage(c.browser, base, '?class=new&backend=cpu', {}, { viewport: { width: 1280, height: 720 } });
  await teacher.page.waitForSelector('#class-dialog[open] .class-sweep', { timeout: 60_000 });
  const sweeps = await teacher.page.$$eval('#class-sweeps input', (xs) => xs.map((x) => x.value));
  assert.deepEqual(sweeps, ['seeds', 'clip', 'lr', 'n_critic', 'gan_loss']);
  await teacher.page.check('#class-sweeps input[value="gan_loss"]');
  await Promise.all([teacher.page.waitForURL(/\/www\/class\/\?code=/), teacher.page.click('#class-start')]);
  await teacher.page.waitForFunction(() => window.earthmoverClass && window.earthmoverClass.snapshot().live, null, { timeout: 30_000 });
  const join = await teacher.page.textContent('#dash-link');
  const code = new URL(join).searchParams.get('class');
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{13}$/);
  assert.ok(await teacher.page.$eval('#dash-qr', (q) => !q.hidden), 'the join link as a QR code');

  // Three students, each in a browser of its own; the first loses the server for 12 s.
  const t0 = Date.now();
  const students = [];
  for (let k = 0; k < 3; k++) {
    students.push(await openPage(c.browser, base, `?class=${code}&backend=cpu`, {}, { viewport: { width: 1280, height: 720 } }));
  }
  for (const s of students) {
    await s.page.waitForFunction(() => /seed/.test(document.querySelector('#class-banner-text').textContent), null, { timeout: 60_000 });
  }
  const cut = students[0];
  await cut.context.route('**/api/**', (route) => route.abort());
  const back = new Promise((ok) => { setTimeout(() => cut.context.unroute('**/api/**').then(ok), 12_000); });
  const banner = await students[1].page.textContent('#class-banner-text');
  assert.match(banner, /this laptop trains/);

  await teacher.page.waitForFunction(() => {
    const s = window.earthmoverClass.snapshot();
    const students = new Set(s.series.filter((x) => x.points > 0).map((x) => x.student));
    return students.size === 3 && s.thumbnails >= 3 && s.table.reduce((n, r) => n + r.students, 0) === 3;
  }, null, { timeout: 90_000, polling: 500 });
  const seconds = (Date.now() - t0) / 1000;
  const snap = await teacher.page.evaluate(() => window.earthmoverClass.snapshot());
  console.log(`dashboard: 3 students' curves, ${snap.thumbnails} thumbnails and the table after ${seconds.toFixed(0)} s`);
  assert.ok(seconds <= 60, `the dashboard took ${seconds} s`);
  const rows = Object.fromEntries(snap.table.map((r) => [r.variant, r.students]));
  assert.deepEqual(rows, { saturating: 2, nonsaturating: 1 }, 'balanced: two variants, counted per variant');
  // Lines are drawn: the charts hold a series per student once their judged points arrive.
  await teacher.page.waitForFunction(() => document.querySelectorAll('.dash-chart canvas').length === 3, null, { timeout: 60_000 });
  const imgs = await teacher.page.$$eval('#dash-thumbs img', (xs) => xs.filter((x) => x.complete && x.naturalWidth > 0).length);
  assert.ok(imgs >= 3, `${imgs} thumbnails drawn`);

  // The student that was offline caught up: once it is back and its run is paused, the server
  // comes to hold exactly the points its page logged (sent every 5 s), none lost and none twice.
  await back;
  await cut.page.evaluate(() => window.earthmover.pause());
  const history = await cut.page.evaluate(() => window.earthmover.history('gan').length);
  const storedNow = () => teacher.page.evaluate(async () => {
    const url = new URL('../../api/classes/', location.href);
    const code = new URLSearchParams(location.search).get('code');
    const key = JSON.parse(localStorage.getItem('earthmover.classes'))[code].token;
    const res = await fetch(`${url}${code}`, { headers: { Authorization: `Bearer ${key}` } });
    return (await res.json()).students.find((s) => s.student_id === 's1').points;
  });
  let stored = await storedNow();
  for (let i = 0; i < 30 && stored !== history; i++) {
    await cut.page.waitForTimeout(500);
    stored = await storedNow();
  }
  assert.equal(stored, history, 'the offline student\'s points: all stored, once');
  await cut.page.waitForTimeout(6_000); // another send: nothing more, nothing twice
  assert.equal(await storedNow(), history);

  // The table and exports in both languages work; nothing failed on any page.
  await teacher.page.click('.lang-btn[data-lang="zh"]');
  assert.match(await teacher.page.textContent('#dash-count'), /名学生/);
  await teacher.page.click('.lang-btn[data-lang="en"]');
  const [download] = await Promise.all([teacher.page.waitForEvent('download'), teacher.page.click('#dash-csv')]);
  assert.match(download.suggestedFilename(), /earthmover-class-.*\.csv/);
  if (process.env.CLASS_SHOT) await teacher.page.screenshot({ path: process.env.CLASS_SHOT });
  noProblems('teacher', teacher.problems);
  for (const [k, s] of students.entries()) {
    // The cut-off student's aborted requests are the test's own doing.
    noProblems(`student ${k + 1}`, { ...s.problems, console: s.problems.console.filter((m) => !/Failed to load resource|ERR_FAILED/.test(m)) });
    await s.context.close();
  }
  await teacher.context.close();
});

test('on a plain static host the Class button says what class rooms need, and nothing breaks', { timeout: 120_000 }, async () => {
  const { page, context, problems } = await openPage(b.browser, b.base, '?backend=cpu');
  await page.waitForFunction(() => window.earthmover, null, { timeout: 60_000 });
  await page.click('#class-btn');
  await page.waitForFunction(() => /build\.sh serve/.test(document.querySelector('#notices').textContent), null, { timeout: 10_000 });
  assert.equal(await page.$eval('#class-dialog', (d) => d.open), false);
  // A join link there says the same, and the page still trains.
  await page.goto(`${b.base}?class=0123456789ABC&backend=cpu&autoplay=1`);
  await page.waitForFunction(() => /build\.sh serve/.test(document.querySelector('#class-banner-text').textContent), null, { timeout: 60_000 });
  await page.waitForFunction(() => window.earthmover.snapshot().runs[0].step > 0, null, { timeout: 120_000 });
  assert.deepEqual(problems.console.filter((m) => !/404/.test(m)), []);
  await context.close();
});
