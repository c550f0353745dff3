// Offline use and deploys (www/sw.js, tools/assemble.mjs), on the optimised dist/ served
// as GitHub Pages serves a project site (helpers.mjs: sub-path, gzip, max-age=600).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assetBase, distDir, launchBrowser, openPage, serveDist, mapReady } from './helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let browser;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'jw-deploy-'));

before(async () => { browser = await launchBrowser(); });
after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The v/<version>/ the page's app.js came from. */
const loadedVersion = (page) => page.evaluate(
  () => new URL(document.querySelector('script[type="module"]').src).pathname.match(/\/v\/([0-9a-f]+)\//)?.[1]);

/** Wait until a service worker controls the page and has cached its build. */
async function waitOffline(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  return page.evaluate(() => caches.keys());
}

async function waitResult(page, title) {
  await page.waitForFunction((t) => document.querySelector('[data-testid="title"]').textContent === t
    && document.querySelector('[data-testid="expected"]')?.dataset.value, title, { timeout: 20_000 });
}

const expectedValue = async (page) => Number(await page.getAttribute('[data-testid="expected"]', 'data-value'));

test('after one visit the page works with the network off: wijk, slider, every map view', async () => {
  const server = await serveDist();
  const origin = server.url.replace(/\/$/, '');
  const { page, consoleErrors } = await openPage(browser, origin, '/', { serviceWorkers: 'allow' });
  const context = page.context();
  await mapReady(page, 30_000);
  const caches = await waitOffline(page);
  assert.equal(caches.length, 1, `one cache for this build: ${caches}`);
  assert.ok(caches[0].endsWith(assetBase().slice(2, -1)), caches[0]);

  // Really offline: the browser's network is off and the server is gone.
  await context.setOffline(true);
  await server.close();
  const probe = await page.evaluate(() => fetch('./?probe').then(() => 'reached', () => 'failed'));
  assert.equal(probe, 'failed', 'a request for the page itself now needs the cache');
  await page.goto(`${origin}/?wijk=WK001404`);
  await waitResult(page, 'Oosterparkwijk');
  const e0 = await expectedValue(page);
  assert.ok(e0 > 0 && e0 < 100, `expected ${e0}`);

  // Pick another wijk with the search.
  const box = page.getByRole('combobox', { name: 'Zoek een wijk' });
  await box.fill('oosterparkbuurt');
  await page.waitForSelector('#zoek-lijst [role="option"]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await waitResult(page, 'Oosterparkbuurt');
  const e1 = await expectedValue(page);

  // Move a slider: the expected value follows.
  const slider = page.locator('#wi-perc_hhbijs-range');
  await slider.focus();
  for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowRight');
  await page.waitForFunction((v) => Number(document.querySelector('[data-testid="expected"]').dataset.value) !== v, e1);
  assert.notEqual(await expectedValue(page), e1);

  // Every map view draws all wijken from the cached geometry.
  await mapReady(page, 30_000);
  for (const v of ['werkelijk', 'verwacht', 'verschil', 'gemeente-effect']) {
    await page.click(`[data-testid="map-view-${v}"]`);
    assert.equal(await page.getAttribute(`[data-testid="map-view-${v}"]`, 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('#kaart', 'data-rendered-shapes'), '3070');
  }
  // The model file can still be downloaded.
  const model = await page.evaluate(async () => (await fetch(document.querySelector('a[href$="model.json"]').href)).ok);
  assert.ok(model, 'model.json from the cache');
  // The only errors allowed are the browser's own reports of the failed probe.
  assert.deepEqual(consoleErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
  await context.close();
});

test('a new deploy replaces the cached one, and the two never mix', async () => {
  // Deploy 1 is dist/. Deploy 2: the same build with one changed stylesheet, assembled
  // by the same script, so it gets another version.
  const www2 = path.join(tmp, 'www');
  cpSync(path.join(root, 'www'), www2, { recursive: true });
  writeFileSync(path.join(www2, 'style.css'), `${readFileSync(path.join(www2, 'style.css'), 'utf8')}\n/* deploy 2 */\n`);
  const dist2 = path.join(tmp, 'dist2');
  const gen = path.join(root, 'generated');
  execFileSync('node', [path.join(root, 'tools/assemble.mjs'), '--www', www2, '--pkg', path.join(gen, 'pkg'),
    '--site', path.join(gen, 'site'), '--model', path.join(gen, 'model.json'), '--out', dist2], { stdio: 'pipe' });
  const v1 = assetBase(distDir).slice(2, -1);
  const v2 = assetBase(dist2).slice(2, -1);
  assert.notEqual(v1, v2);

  const server = await serveDist(distDir);
  const origin = server.url.replace(/\/$/, '');
  const { page, consoleErrors } = await openPage(browser, origin, '/', { serviceWorkers: 'allow' });
  const context = page.context();
  await mapReady(page, 30_000);
  await waitOffline(page);
  assert.equal(await loadedVersion(page), v1);

  // Deploy 2 goes live: the old files are gone from the server, as on GitHub Pages.
  server.setDir(dist2);
  await page.reload();
  await page.waitForFunction(() => window.__firstResultAt !== undefined, null, { timeout: 20_000 });
  assert.equal(await loadedVersion(page), v2, 'the reload shows the new deploy');
  // Every file the page loaded belongs to deploy 2.
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name)
    .filter((u) => /\/v\/[0-9a-f]+\//.test(u)));
  assert.ok(loaded.length > 5);
  for (const u of loaded) assert.match(u, new RegExp(`/v/${v2}/`), `loaded from another deploy: ${u}`);
  // The new worker takes over and keeps only deploy 2's cache.
  let keys = [];
  for (let i = 0; i < 300; i += 1) {
    keys = await page.evaluate(() => caches.keys());
    if (keys.length === 1 && keys[0].endsWith(v2)) break;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(keys.map((k) => k.split(' ').pop()), [v2], 'only deploy 2 is cached');

  // Offline, the page is deploy 2.
  await mapReady(page, 30_000);
  await context.setOffline(true);
  await server.close();
  await page.reload();
  await page.waitForFunction(() => window.__firstResultAt !== undefined, null, { timeout: 20_000 });
  assert.equal(await loadedVersion(page), v2);
  assert.ok((await expectedValue(page)) > 0);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});
