// WebKitGTK, the engine Safari runs, driven over plain WebDriver: Debian's webkit2gtk-driver
// (WebKitWebDriver and MiniBrowser) under Xvfb (WebKitGTK draws into an X display; xvfb's package
// gives one without a screen). `./build.sh test` installs both. Used by tests/webkit.test.mjs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder } from 'selenium-webdriver';

export const MINIBROWSER = process.env.MINIBROWSER
  || ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/libexec/webkit2gtk-4.1/MiniBrowser'].find((p) => existsSync(p));
export const WEBKITDRIVER = process.env.WEBKITDRIVER || '/usr/bin/WebKitWebDriver';
const XVFB = '/usr/bin/Xvfb';

const freePort = () => new Promise((ok, fail) => {
  const s = createServer();
  s.once('error', fail);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts Xvfb and WebKitWebDriver and opens a MiniBrowser session; `close()` ends all three.
// `env`: the browser's environment on top of this process's (e.g. { LANG: '' }).
// `args`: MiniBrowser's own, e.g. --features=+WebGPU (a WebKit feature flag).
export async function webkitDriver({ env = {}, width = 1280, height = 900, args = [] } = {}) {
  // ./build.sh test installs them, so a missing one is a broken set-up, never a skip.
  for (const [what, path, pkg] of [['MiniBrowser', MINIBROWSER, 'webkit2gtk-driver'], ['WebKitWebDriver', WEBKITDRIVER, 'webkit2gtk-driver'], ['Xvfb', XVFB, 'xvfb']]) {
    if (!path || !existsSync(path)) throw new Error(`${what} is missing: apt-get install ${pkg} (or ./build.sh setup)`);
  }
  // A display number nobody uses: Xvfb writes it to the fd we give it (-displayfd).
  const xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', `${width}x${height + 100}x24`, '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const display = await new Promise((ok, fail) => {
    let out = '';
    xvfb.stdio[3].on('data', (d) => { out += d; if (out.includes('\n')) ok(`:${out.trim()}`); });
    xvfb.once('exit', (code) => fail(new Error(`Xvfb exited (${code})`)));
    setTimeout(() => fail(new Error('Xvfb did not start in 10 s')), 10_000);
  });
  const port = await freePort();
  const childEnv = { ...process.env, DISPLAY: display, XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'earthmover-webkit-')), ...env };
  const driverProc = spawn(WEBKITDRIVER, [`--port=${port}`], { stdio: 'ignore', env: childEnv });
  const close = async (driver) => {
    try { await driver?.quit(); } catch { /* already gone */ }
    driverProc.kill();
    xvfb.kill();
  };
  let driver;
  try {
    for (let i = 0; ; i++) { // the driver's port opens within a second or two
      try {
        const caps = {
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', ...args] },
        };
        driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities(caps).build();
        break;
      } catch (e) {
        if (i >= 20) throw e;
        await sleep(500);
      }
    }
    await driver.manage().window().setRect({ width, height });
    return { driver, display, close: () => close(driver) };
  } catch (e) {
    await close(driver);
    throw e;
  }
}
