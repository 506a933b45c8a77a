// The Rust server (server/, `./build.sh serve`) for the tests: built by `./build.sh test`'s native
// half (`cargo test --workspace` builds its binaries), started here on a free port with a fresh
// class database of its own.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_BIN = join(process.env.CARGO_TARGET_DIR || join(homedir(), '.cache/earthmover-target'), 'release/earthmover-server');

// Start the server: resolves to {proc, url (this machine's), out (everything it printed so far),
// close()}. `env` adds to its environment (HOST, CLASS_HOURS...).
export async function startClassServer(env = {}) {
  if (!existsSync(SERVER_BIN)) throw new Error(`${SERVER_BIN} is missing: build it with cargo build --release -p earthmover-server`);
  const dir = mkdtempSync(join(tmpdir(), 'earthmover-class-'));
  const proc = spawn(SERVER_BIN, ['0', '--root', ROOT, '--db', join(dir, 'classes.sqlite3')], { env: { ...process.env, HOST: '127.0.0.1', ...env } });
  const state = { out: '' };
  proc.stderr.on('data', (d) => { state.out += d; });
  const url = await new Promise((ok, fail) => {
    proc.stdout.on('data', (d) => {
      state.out += d;
      const m = /served at (https?:\/\/[^ ]+\/)/.exec(state.out);
      if (m && /HTTPS|only this machine|HOST=0/.test(state.out)) ok(m[1]);
    });
    proc.on('exit', (code) => fail(new Error(`the server exited (${code}): ${state.out}`)));
  });
  return {
    proc, url, get out() { return state.out; },
    close: () => { proc.kill(); rmSync(dir, { recursive: true, force: true }); },
  };
}
