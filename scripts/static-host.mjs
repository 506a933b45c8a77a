// A plain static host for the page, as any web server would serve it: index.html and www/ only,
// with ETags and the precompressed .gz copies. The end-to-end tests, benchmarks and screenshots use
// it (the page must work from any static host, where it has no class rooms); `./build.sh serve`
// runs the Rust server in server/ instead. `startServer(port)` resolves to {server, url}.
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
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
