// A static server for the page: index.html and www/ only, on 127.0.0.1 (HOST=0.0.0.0: every
// address of this machine, for students on the same network). Used by `./build.sh serve`, the
// end-to-end tests and the benchmark. `startServer(port)` resolves to {server, url}.
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json',
  '.gz': 'application/octet-stream', '.md': 'text/markdown; charset=utf-8', '.png': 'image/png',
};

// `prefix` serves the page under a subpath only (e.g. "/lessons/earthmover"): the tests use it to
// show that the page works from any static host and subpath.
// `tls` ({cert, key}, PEM) serves HTTPS: browsers offer WebGPU to other machines only over HTTPS.
export function startServer(port = 0, host = '127.0.0.1', { prefix = '', tls = null } = {}) {
  const handler = async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (prefix) {
        if (!path.startsWith(`${prefix}/`)) throw new Error('not found');
        path = path.slice(prefix.length);
      }
      if (path === '/') path = '/index.html';
      const file = normalize(join(ROOT, path));
      const allowed = file === join(ROOT, 'index.html') || file === join(ROOT, 'sw.js') || file.startsWith(join(ROOT, 'www') + '/');
      if (!allowed || !(await stat(file)).isFile()) throw new Error('not found');
      // Like a static host: validators so that a second worker's fetch of the wasm is a 304, and a
      // precompressed `file.gz` (written by build.sh) when the client takes gzip.
      const info = await stat(file);
      const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      const headers = { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache', ETag: etag };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      const gz = await stat(`${file}.gz`).catch(() => null);
      if (gz && gz.mtimeMs >= info.mtimeMs && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
        res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
        res.end(await readFile(`${file}.gz`));
        return;
      }
      res.writeHead(200, headers);
      res.end(await readFile(file));
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  };
  const server = tls ? createTlsServer(tls, handler) : createServer(handler);
  const scheme = tls ? 'https' : 'http';
  return new Promise((ok) => server.listen(port, host, () => ok({ server, url: `${scheme}://${host}:${server.address().port}${prefix}/` })));
}

// This machine's IPv4 addresses that other machines can reach (not loopback).
export function lanAddresses() {
  return Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a.address);
}

// `text` as a QR code in the terminal: two rows of modules per line, in Unicode half blocks, dark
// on a light quiet zone (qrcode-generator, the library the page's Copy-link dialog uses too).
export async function terminalQr(text) {
  const { default: qrcode } = await import('../node_modules/qrcode-generator/dist/qrcode.mjs');
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const dark = (r, c) => r >= 0 && c >= 0 && r < n && c < n && qr.isDark(r, c);
  const lines = [];
  for (let r = -2; r < n + 2; r += 2) {
    let line = '';
    for (let c = -2; c < n + 2; c++) {
      const [top, bottom] = [dark(r, c), dark(r + 1, c)];
      line += top && bottom ? ' ' : top ? '▄' : bottom ? '▀' : '█';
    }
    lines.push(line);
  }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const host = process.env.HOST || '127.0.0.1';
  // TLS_CERT and TLS_KEY (PEM files, e.g. a self-signed pair from openssl): serve over HTTPS.
  const tls = process.env.TLS_CERT && process.env.TLS_KEY
    ? { cert: readFileSync(process.env.TLS_CERT), key: readFileSync(process.env.TLS_KEY) } : null;
  const scheme = tls ? 'https' : 'http';
  const { server } = await startServer(Number(process.argv[2] || 8080), host, { tls });
  const port = server.address().port;
  const everywhere = host === '0.0.0.0' || host === '::';
  console.log(`Earthmover is served at ${scheme}://${everywhere ? '127.0.0.1' : host}:${port}/ (this machine)`);
  if (everywhere) {
    const lan = lanAddresses();
    if (!lan.length) console.log('No network address found: only this machine can open the page.');
    for (const a of lan) console.log(`  students on the same network: ${scheme}://${a}:${port}/`);
    if (lan.length) {
      console.log(`\n${await terminalQr(`${scheme}://${lan[0]}:${port}/`)}\n`);
      if (!tls) {
        console.log('Over plain http:// on a LAN address browsers hide WebGPU: the page trains on the CPU there.');
        console.log('For WebGPU on students\' machines serve it over HTTPS: TLS_CERT=cert.pem TLS_KEY=key.pem (README, "For teachers").');
      }
    }
  } else {
    console.log('HOST=0.0.0.0 ./build.sh serve lets students on the same network open it too.');
  }
}
