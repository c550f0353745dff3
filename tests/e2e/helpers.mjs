// Shared plumbing for the end-to-end tests: a static server for dist/ on 127.0.0.1 that
// behaves like GitHub Pages for a project site (under /REPO/, gzip, max-age=600 with
// ETags), and Debian's headless chromium driven by playwright-core.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const distDir = process.env.JEUGDHULP_DIST || path.resolve(here, '../../dist');
/** GitHub Pages serves a project at https://USER.github.io/REPO/: so do the tests. */
export const BASE_PATH = '/jeugdhulp-wijk/';

/**
 * The build's versioned folder, `v/<version>/` (tools/assemble.mjs), read from dir.
 */
export function assetBase(dir = distDir) {
  const versions = readdirSync(path.join(dir, 'v'));
  if (versions.length !== 1) throw new Error(`${dir}/v holds ${versions.length} builds, expected 1`);
  return `v/${versions[0]}/`;
}

/** A file of the build, e.g. assetFile('geo.bin.gz'). */
export const assetFile = (rel, dir = distDir) => path.join(dir, assetBase(dir), rel);

/**
 * The build's map geometry, geo.json's object, decoded from geo.bin.gz as the page does,
 * with the wijk and gemeente names of the build's site data (generated/site/site.json,
 * the same as site.bin, which the page loads into the wasm).
 */
export async function readGeometry(dir = distDir) {
  const { decodeGeometry, siteNames } = await import('../../tools/geobin.mjs');
  const site = JSON.parse(await readFile(path.resolve(here, '../../generated/site/site.json'), 'utf8'));
  return decodeGeometry(zlib.gunzipSync(await readFile(assetFile('geo.bin.gz', dir))), siteNames(site));
}

/**
 * In the page: the wasm module instance the page itself uses (same URL as app.js's
 * import). Pass to page.evaluate or use as an expression.
 */
export const IMPORT_WASM = "import(new URL('pkg/jeugdhulp_wijk.js', document.querySelector('script[type=\"module\"]').src).href)";

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8', '.png': 'image/png', '.ico': 'image/x-icon',
};
const compressible = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.json', '.svg', '.csv']);

/**
 * Serve `dir` like GitHub Pages serves a project site: only under BASE_PATH (anything
 * else is 404, so an absolute URL in the page fails), index.html for folders, gzip when
 * the browser accepts it, `cache-control: max-age=600` and ETags (304 on a match).
 * Options: `headers` (extra response headers), `basePath`. The returned `setDir`
 * swaps the folder served (a new deploy), `stop` closes every connection (offline).
 */
export async function serveDist(dir = distDir, { headers = {}, basePath = BASE_PATH } = {}) {
  let root = dir;
  const gzipped = new Map(); // file + mtime -> gzip bytes
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (!url.pathname.startsWith(basePath)) { res.writeHead(404).end('not found'); return; }
      let file = path.join(root, decodeURIComponent(url.pathname.slice(basePath.length)));
      if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
      let st = await stat(file);
      if (st.isDirectory()) { file = path.join(file, 'index.html'); st = await stat(file); }
      const ext = path.extname(file);
      let body = await readFile(file);
      const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
      const head = {
        'content-type': types[ext] || 'application/octet-stream',
        'cache-control': 'max-age=600', etag, vary: 'Accept-Encoding', ...headers,
      };
      if (req.headers['if-none-match'] === etag) { res.writeHead(304, head).end(); return; }
      if (compressible.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
        const key = `${file}:${st.mtimeMs}`;
        if (!gzipped.has(key)) gzipped.set(key, zlib.gzipSync(body, { level: 6 }));
        body = gzipped.get(key);
        head['content-encoding'] = 'gzip';
      }
      head['content-length'] = body.length;
      res.writeHead(200, head);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    setDir: (d) => { root = d; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A new page that records console errors and page errors (`consoleErrors`), page errors
 * alone (`pageErrors`), and every request that leaves the site (origin and project path),
 * so a test can assert there were none. It has not navigated yet: a test can set up
 * page.route() first.
 */
export async function watchPage(browser, origin, { serviceWorkers = 'block', ...contextOptions } = {}) {
  // No service worker unless a test asks for one: page.route() does not see requests a
  // worker answers, and each test should start as a first visit.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, serviceWorkers, ...contextOptions });
  const consoleErrors = [];
  const pageErrors = [];
  const foreignRequests = [];
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => { consoleErrors.push(String(err)); pageErrors.push(String(err)); });
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreignRequests.push(u);
  });
  return { page, consoleErrors, pageErrors, foreignRequests };
}

/** watchPage(), then open the site at `pathAndQuery`. */
export async function openPage(browser, origin, pathAndQuery = '', options = {}) {
  const watched = await watchPage(browser, origin, options);
  await watched.page.goto(origin + pathAndQuery);
  return watched;
}

/**
 * The whole map. It draws its first view at once but loads the wijk values and the rest
 * only when it is first used (www/map.js), so this uses it: a pointer enters it (a
 * dispatched event: the mouse itself stays put, no tooltip opens). Then waits until it
 * is complete.
 */
export async function mapReady(page, timeout = 30_000) {
  await page.waitForSelector('#kaart .map-canvas', { timeout });
  await page.dispatchEvent('#kaart', 'pointerover');
  await page.waitForSelector('#kaart[data-ready="true"]', { timeout });
}

/**
 * The panels below the map (www/extend/): they mount once the wijk values are in, which the
 * page asks for when the user scrolls near them (or uses the map), so this scrolls there.
 */
export async function panelsReady(page, timeout = 30_000) {
  await page.waitForSelector('#kaart .map-canvas', { timeout });
  await page.locator('#verantwoording').scrollIntoViewIfNeeded();
  await page.waitForSelector('#aanvullen:not([hidden]), #eigen-model:not([hidden])', { timeout });
}

/**
 * Run fn(jw, arg) in the page with the wasm module instance the page itself uses: the
 * import resolves against app.js, so it is the same URL (v/<version>/pkg/…).
 */
export async function inPage(page, fn, arg) {
  const jw = await page.evaluateHandle(() => import(
    new URL('pkg/jeugdhulp_wijk.js', document.querySelector('script[type="module"]').src).href));
  try { return await jw.evaluate(fn, arg); } finally { await jw.dispose(); }
}

/**
 * One server for dist/ and one browser for a test file: registers before/after hooks
 * and returns {origin, browser}, filled in once the hooks have run.
 */
export function siteUnderTest() {
  const site = { origin: '', browser: null, server: null };
  before(async () => {
    site.server = await serveDist();
    site.origin = site.server.url.replace(/\/$/, '');
    site.browser = await launchBrowser();
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}
