// The system's Firefox ESR (apt) under geckodriver (crates.io), through selenium-webdriver, with
// WebDriver BiDi on: playwright-core drives only its own Firefox builds. Used by
// tests/firefox.test.mjs and scripts/webgpu-probe.mjs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Builder } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const which = (name) => { try { return execFileSync('which', [name], { encoding: 'utf8' }).trim(); } catch { return ''; } };
export const GECKODRIVER = process.env.GECKODRIVER || which('geckodriver');

export async function firefoxDriver() {
  // ./build.sh test installs both, so a missing one is a broken set-up, never a skip.
  if (!existsSync(FIREFOX)) throw new Error(`Firefox is missing at ${FIREFOX}: apt-get install firefox-esr (or ./build.sh setup)`);
  if (!GECKODRIVER) throw new Error('geckodriver is missing: cargo install geckodriver --locked (or ./build.sh setup)');
  const options = new firefox.Options().setBinary(FIREFOX).addArguments('-headless').enableBidi()
    .windowSize({ width: 1280, height: 900 })
    // geckodriver makes a fresh profile; this one asks for English pages and never updates itself.
    .setPreference('intl.accept_languages', 'en-US')
    .setPreference('app.update.enabled', false)
    .setPreference('browser.shell.checkDefaultBrowser', false);
  // An explicit geckodriver path: selenium-webdriver then never runs Selenium Manager (a download).
  return new Builder().forBrowser('firefox').setFirefoxOptions(options)
    .setFirefoxService(new firefox.ServiceBuilder(GECKODRIVER)).build();
}
