// End-to-end tests of the map (www/map.js) against the optimised dist/
// (`./build.sh build` first; JEUGDHULP_DIST=… to point elsewhere).
// Run: node --test tests/e2e/map.test.mjs
// Screenshots of the four views go to $MAP_SHOTS (default /tmp/jeugdhulp-map).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { openPage, inPage, readGeometry, siteUnderTest, watchPage, mapReady } from './helpers.mjs';

const SHOTS = process.env.MAP_SHOTS || '/tmp/jeugdhulp-map';
const WIJK = 'WK001404'; // Oosterparkwijk, Groningen
const VIEWS = ['werkelijk', 'verwacht', 'verschil', 'gemeente-effect'];

const site = siteUnderTest();
let geo;

before(async () => {
  geo = await readGeometry();
  await mkdir(SHOTS, { recursive: true });
});

/** Open the page and wait for the map to be drawn. */
async function open(pathAndQuery = '/') {
  const o = await openPage(site.browser, site.origin, pathAndQuery);
  await mapReady(o.page, 30_000);
  return o;
}


const recolours = (page) => page.$eval('#kaart', (el) => Number(el.dataset.recolours));
const screenPoint = (page, code) => page.$eval('#kaart', (el, c) => el.mapDebug.screenPoint(c), code);

async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
  return { name: dl.suggestedFilename(), body: await readFile(await dl.path()) };
}

/** Semicolon CSV with "…" quoting → rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = []; let cell = ''; let q = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ';') { row.push(cell); cell = ''; }
    else if (c === '\n') { row.push(cell.replace(/\r$/, '')); rows.push(row); row = []; cell = ''; }
    else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
const num = (s) => (s === '' ? null : Number(s.replace(',', '.')));

async function csvTable(page) {
  const { name, body } = await download(page, 'map-export-csv');
  assert.match(name, /\.csv$/);
  const text = body.toString('utf8').replace(/^\ufeff/, '');
  const [header, ...rows] = parseCsv(text);
  return { header, rows, col: (r, h) => r[header.indexOf(h)] };
}

/** A big wijk with published data, so that a click at its label point is unambiguous. */
async function bigWijk(page) {
  const withData = new Set(await inPage(page, (jw) => jw.wijken().filter((w) => w.observed != null).map((w) => w.code)));
  const area = (s) => (s.bbox[2] - s.bbox[0]) * (s.bbox[3] - s.bbox[1]);
  return geo.wijken.filter((s) => withData.has(s.code)).sort((a, b) => area(b) - area(a))[3].code;
}

test('the map draws all 3070 wijken in four views, with legend and list, without errors', async () => {
  const { page, consoleErrors, foreignRequests } = await open('/');
  assert.equal(geo.wijken.length, 3070);
  assert.equal(await page.getAttribute('#kaart', 'data-rendered-shapes'), '3070');
  await page.waitForSelector('#kaart[data-list-ready="true"]'); // built right after the first draw
  assert.equal(await page.locator('[data-testid="map-list"] [role="option"][data-code]').count(), 3070);
  await page.click('[data-testid="map-zoom-fit"]');
  for (const v of VIEWS) {
    await page.click(`[data-testid="map-view-${v}"]`);
    assert.equal(await page.getAttribute(`[data-testid="map-view-${v}"]`, 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('#kaart', 'data-rendered-shapes'), '3070');
    const legend = await page.textContent('[data-testid="map-legend"]');
    assert.match(legend, v === 'werkelijk' || v === 'verwacht' ? /\d,\d\s%|\d\s%/ : /procentpunt/);
    assert.match(legend, /geen gegevens/);
    if (v === 'werkelijk' || v === 'verschil') assert.match(legend, /niet gepubliceerd/);
    if (v === 'verschil') assert.match(legend, /95%-voorspellingsinterval/);
    await page.waitForTimeout(50);
    await page.locator('#kaart').screenshot({ path: path.join(SHOTS, `map-${v}.png`) });
  }
  // Same classes for werkelijk and verwacht.
  await page.click('[data-testid="map-view-werkelijk"]');
  const l1 = await page.$$eval('[data-testid="map-legend"] li', (li) => li.map((x) => x.textContent).slice(0, 7));
  await page.click('[data-testid="map-view-verwacht"]');
  const l2 = await page.$$eval('[data-testid="map-legend"] li', (li) => li.map((x) => x.textContent).slice(0, 7));
  assert.deepEqual(l1, l2);
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(foreignRequests, []);
  await page.close();
});

test('the map asks for the wijk values when it is used: a tap, the keyboard, or the page scrolled to the panels', async () => {
  for (const how of ['tap', 'focus', 'scroll']) {
    const { page, consoleErrors } = await watchPage(site.browser, site.origin, { hasTouch: how === 'tap' });
    const asked = [];
    page.on('request', (r) => { if (/wijkwaarden\.bin\.gz$/.test(r.url())) asked.push(r.url()); });
    await page.goto(`${site.origin}/`);
    await page.waitForSelector('#kaart[data-drawn-at]', { timeout: 30_000 });
    await page.waitForTimeout(1000);
    assert.deepEqual(asked, [], `${how}: nothing before`);
    assert.equal(await page.locator('#aanvullen:not([hidden])').count(), 0, `${how}: the panels wait as well`);
    if (how === 'tap') await page.tap('[data-testid="map-canvas"]');
    if (how === 'focus') await page.focus('[data-testid="map-canvas"]'); // as Tab does
    if (how === 'scroll') await page.locator('#verantwoording').scrollIntoViewIfNeeded();
    await page.waitForSelector('#kaart[data-ready="true"]', { timeout: 30_000 });
    await page.waitForSelector('#aanvullen:not([hidden])', { timeout: 30_000 });
    assert.equal(asked.length, 1, `${how}: asked for once`);
    assert.deepEqual(consoleErrors, []);
    await page.close();
  }
});

test('before the wijk values are in, the map already draws "werkelijk", exactly as the full map then does', async () => {
  const { page, consoleErrors } = await watchPage(site.browser, site.origin);
  let release;
  const gate = new Promise((r) => { release = r; });
  let valuesAsked = false;
  await page.route('**/wijkwaarden.bin.gz', async (route) => { valuesAsked = true; await gate; await route.continue(); });
  await page.goto(`${site.origin}/`);
  await page.waitForSelector('#kaart[data-drawn-at]', { timeout: 30_000 });
  // drawn from the wasm and the geometry alone: the values are held back
  assert.notEqual(await page.getAttribute('#kaart', 'data-ready'), 'true');
  assert.equal(await page.getAttribute('#kaart', 'aria-busy'), 'true');
  assert.equal(await page.getAttribute('#kaart', 'data-rendered-shapes'), '3070');
  assert.match(await page.textContent('#kaart .map-status'), /andere weergaven/);
  const legendBefore = await page.$$eval('[data-testid="map-legend"] li', (li) => li.map((x) => x.textContent));
  assert.match(legendBefore.join('|'), /\d\s%.*niet gepubliceerd.*geen gegevens/);
  const pixels = () => page.$eval('[data-testid="map-canvas"]', (c) => ({ w: c.width, h: c.height, png: c.toDataURL() }));
  const before = await pixels();
  // The view buttons are there already (disabled), so the map does not move when it is complete.
  const place = () => page.$eval('[data-testid="map-canvas"]', (c) => { const r = c.getBoundingClientRect(); return [r.left, r.top + scrollY]; });
  const placeBefore = await place();
  assert.equal(await page.locator('#kaart .map-toolbar button:disabled').count(), 7);
  // The values are not asked for until the map is used (issue 11: a first load that only
  // looks at the page stays under 400 KB); pointing at it asks for them.
  await page.waitForTimeout(1500);
  assert.equal(valuesAsked, false, 'no wijk values before the map is used');
  await page.hover('[data-testid="map-canvas"]');
  for (let i = 0; i < 100 && !valuesAsked; i += 1) await page.waitForTimeout(50);
  assert.ok(valuesAsked, 'pointing at the map asks for the wijk values');
  await page.mouse.move(0, 0); // no hover highlight in the pixels compared below
  release();
  await page.waitForSelector('#kaart[data-ready="true"]', { timeout: 30_000 });
  assert.equal(await page.getAttribute('#kaart', 'data-view'), 'werkelijk');
  const after = await pixels();
  assert.equal(after.w, before.w);
  assert.equal(after.h, before.h);
  assert.ok(after.png === before.png, 'the first view is the full map\'s werkelijk view, pixel for pixel');
  assert.deepEqual(await place(), placeBefore, 'the map stays where it was drawn first');
  assert.equal(await page.locator('#kaart .map-toolbar').count(), 1);
  assert.equal(await page.locator('#kaart .map-toolbar button:disabled').count(), 0);
  assert.deepEqual(await page.$$eval('[data-testid="map-legend"] li', (li) => li.map((x) => x.textContent)), legendBefore);
  assert.equal(await page.locator('[data-testid="map-legend"]').count(), 1);
  assert.equal(await page.locator('[data-testid="map-canvas"]').count(), 1);
  assert.equal(await page.textContent('#kaart .map-status'), '');
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('hover shows a tooltip; a click selects the wijk in the calculator', async () => {
  const { page } = await open('/');
  await page.click('[data-testid="map-zoom-fit"]');
  const code = await bigWijk(page);
  const w = await inPage(page, (jw, c) => jw.wijken().find((x) => x.code === c), code);
  const p = await screenPoint(page, code);
  await page.mouse.move(p.x, p.y);
  await page.waitForSelector('[data-testid="map-tooltip"]:not([hidden])');
  const tip = await page.textContent('[data-testid="map-tooltip"]');
  assert.ok(tip.includes(w.name) && tip.includes(w.gemeente_name), tip);
  assert.match(tip, /Werkelijk.*Verwacht.*procentpunt/s);
  await page.screenshot({ path: path.join(SHOTS, 'map-hover.png') });
  // no SCP data / suppressed observed use: said in words, never shown as a value
  const codes = await inPage(page, (jw) => {
    const ws = jw.wijken();
    return { all: ws.map((x) => x.code), suppressed: ws.filter((x) => x.observed == null).map((x) => x.code) };
  });
  const inData = new Set(codes.all);
  const area = (s) => (s.bbox[2] - s.bbox[0]) * (s.bbox[3] - s.bbox[1]);
  const byArea = [...geo.wijken].sort((a, b) => area(b) - area(a));
  const noData = byArea.find((s) => !inData.has(s.code)).code;
  const suppressed = byArea.find((s) => codes.suppressed.includes(s.code)).code;
  for (const [c, re] of [[noData, /geen gegevens/], [suppressed, /Werkelijk\s*niet gepubliceerd/]]) {
    const q = await screenPoint(page, c);
    await page.mouse.move(q.x, q.y);
    await page.waitForFunction((n) => {
      const t = document.querySelector('[data-testid="map-tooltip"]');
      return !t.hidden && t.textContent.length > 0 && t.dataset.code === n;
    }, c);
    assert.match(await page.textContent('[data-testid="map-tooltip"]'), re, c);
  }
  await page.mouse.click(p.x, p.y);
  await page.waitForFunction((n) => document.querySelector('[data-testid="title"]').textContent === n, w.name);
  assert.equal(Number(await page.getAttribute('[data-testid="observed"]', 'data-value')), w.observed);
  // the page writes the selection to the URL (debounced)
  await page.waitForFunction((c) => new URLSearchParams(location.search).get('wijk') === c, code, { timeout: 5_000 });
  await page.close();
});

test('keyboard: walk the wijk list with a tooltip, Enter selects; +/− and arrows move the map', async () => {
  const { page } = await open(`/?wijk=${WIJK}`);
  await page.locator('[data-testid="map-list"]').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const active = await page.getAttribute('[data-testid="map-list"]', 'aria-activedescendant');
  const code = await page.getAttribute(`#${active}`, 'data-code');
  assert.match(code, /^WK\d{6}$/);
  await page.waitForSelector('[data-testid="map-tooltip"]:not([hidden])');
  const name = await inPage(page, (jw, c) => jw.wijken().find((x) => x.code === c)?.name ?? null, code);
  const tip = await page.textContent('[data-testid="map-tooltip"]');
  assert.ok(name === null || tip.includes(name), `${name} / ${tip}`);
  // type-ahead to a gemeente, then Enter selects its first wijk with data
  await page.keyboard.type('Groningen', { delay: 20 });
  const c2 = await page.$eval('[data-testid="map-list"]', (l) => document.getElementById(l.getAttribute('aria-activedescendant')).dataset.code);
  assert.match(c2, /^WK0014/);
  const w2 = await inPage(page, (jw, c) => jw.wijken().find((x) => x.code === c), c2);
  assert.ok(w2, `${c2} has data`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelector('[data-testid="title"]').textContent === n, w2.name);
  // zoom and pan on the canvas
  await page.locator('[data-testid="map-canvas"]').focus();
  const box = await page.locator('[data-testid="map-canvas"]').boundingBox();
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const dist = (p) => Math.hypot(p.x - centre.x, p.y - centre.y);
  const a = await screenPoint(page, WIJK);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  const b = await screenPoint(page, WIJK);
  assert.ok(b.x > a.x + 30, `ArrowLeft moves the map right: ${a.x} → ${b.x}`);
  await page.keyboard.press('+');
  const c = await screenPoint(page, WIJK);
  assert.ok(dist(c) > dist(b) * 1.3, `+ zooms in around the centre: ${dist(b)} → ${dist(c)}`);
  await page.click('[data-testid="map-zoom-out"]');
  const d = await screenPoint(page, WIJK);
  assert.ok(dist(d) < dist(c) / 1.3, `− zooms out: ${dist(c)} → ${dist(d)}`);
  // mouse: the wheel alone scrolls the page past the map (with a hint); with
  // Ctrl it zooms around the pointer; drag pans
  const zoom = () => page.$eval('#kaart', (el) => el.mapDebug.zoom());
  const k0 = await zoom();
  const scrollY = await page.evaluate(() => window.scrollY);
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(0, -400);
  await page.waitForTimeout(50);
  assert.equal(await zoom(), k0, 'the wheel alone does not zoom');
  await page.evaluate((y) => window.scrollTo(0, y), scrollY); // the page may have scrolled
  await page.waitForTimeout(50);
  assert.equal(await page.$eval('.map-wheel-hint', (h) => h.hidden), false, 'the wheel alone shows the Ctrl hint');
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -400);
  await page.keyboard.up('Control');
  await page.waitForTimeout(50);
  const e = await screenPoint(page, WIJK);
  assert.ok(dist(e) > dist(d) * 1.3, `Ctrl + wheel zooms in: ${dist(d)} → ${dist(e)}`);
  await page.mouse.down();
  await page.mouse.move(centre.x + 80, centre.y + 40, { steps: 5 });
  await page.mouse.up();
  const f = await screenPoint(page, WIJK);
  assert.ok(Math.abs(f.x - e.x - 80) < 2 && Math.abs(f.y - e.y - 40) < 2, `drag pans: ${JSON.stringify([e, f])}`);
  // zoomToGemeente (the search calls it): the gemeente fills the view
  await page.$eval('#kaart', (el) => el.mapDebug.api.zoomToGemeente('GM0363'));
  const g = await screenPoint(page, 'WK036300');
  assert.ok(dist(g) < box.width / 3, `Amsterdam centred: ${dist(g)}`);
  await page.close();
});

test('a slider change recolours the map; the scope decides which wijken change', async () => {
  const { page } = await open(`/?wijk=${WIJK}`);
  await page.click('[data-testid="map-view-verwacht"]');
  const before = await csvTable(page);
  assert.equal(before.rows.length, 2918);
  const e0 = num(before.col(before.rows.find((r) => r[0] === WIJK), 'verwacht_pct'));
  const r0 = await recolours(page);
  const shot0 = await page.locator('[data-testid="map-canvas"]').screenshot();

  await page.locator('#wi-perc_1ouder-range').focus();
  for (let i = 0; i < 4; i += 1) await page.keyboard.press('PageUp');
  await page.waitForFunction((n) => Number(document.getElementById('kaart').dataset.recolours) > n, r0);
  assert.ok(await page.isChecked('[data-testid="map-scope-wijk"]'), 'default scope is deze wijk');
  const one = await csvTable(page);
  assert.ok(one.header.includes('wijziging_perc_1ouder'), one.header.join(';'));
  const applied = one.rows.filter((r) => one.col(r, 'wat_als_toegepast') === 'ja');
  assert.deepEqual(applied.map((r) => r[0]), [WIJK]);
  const e1 = num(one.col(applied[0], 'verwacht_pct'));
  assert.notEqual(e1, e0);
  // the page's own expected value agrees with the map's
  const pageExp = Number(await page.getAttribute('[data-testid="expected"]', 'data-value'));
  assert.ok(Math.abs(pageExp - e1) < 0.01, `${pageExp} vs ${e1}`);

  // heel Nederland: every wijk changes and the picture changes
  const r1 = await recolours(page);
  await page.check('[data-testid="map-scope-land"]');
  await page.waitForFunction((n) => Number(document.getElementById('kaart').dataset.recolours) > n, r1);
  const all = await csvTable(page);
  assert.equal(all.rows.filter((r) => all.col(r, 'wat_als_toegepast') === 'ja').length, 2918);
  const changed = all.rows.filter((r, i) => all.col(r, 'verwacht_pct') !== before.col(before.rows[i], 'verwacht_pct')).length;
  assert.ok(changed > 2800, `changed ${changed}`);
  const shot1 = await page.locator('[data-testid="map-canvas"]').screenshot();
  assert.ok(!shot0.equals(shot1), 'canvas pixels changed');
  assert.match(await page.textContent('[data-testid="map-scenario"]'), /heel Nederland/);
  await page.locator('#kaart').screenshot({ path: path.join(SHOTS, 'map-whatif-land.png') });

  // gemeente scope: only the wijken of Groningen
  const r2 = await recolours(page);
  await page.check('[data-testid="map-scope-gemeente"]');
  await page.waitForFunction((n) => Number(document.getElementById('kaart').dataset.recolours) > n, r2);
  const gm = await csvTable(page);
  const gmRows = gm.rows.filter((r) => gm.col(r, 'wat_als_toegepast') === 'ja');
  assert.ok(gmRows.length > 5 && gmRows.every((r) => gm.col(r, 'gemeentecode') === 'GM0014'), String(gmRows.length));
  await page.close();
});

test('exports: SVG parses, PNG has the PNG signature, CSV has 2918 rows and a fixed column count', async () => {
  const { page } = await open(`/?wijk=${WIJK}`);
  await page.click('[data-testid="map-view-verschil"]');
  const svg = await download(page, 'map-export-svg');
  assert.match(svg.name, /\.svg$/);
  const check = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.nodeName,
      wijken: doc.querySelectorAll('path[id^="WK"]').length,
      text: doc.documentElement.textContent,
    };
  }, svg.body.toString('utf8'));
  assert.equal(check.error, null);
  assert.equal(check.root, 'svg');
  assert.equal(check.wijken, 3070);
  assert.match(check.text, /procentpunt/);

  const png = await download(page, 'map-export-png');
  assert.match(png.name, /\.png$/);
  assert.deepEqual([...png.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.body.length > 50_000, `png ${png.body.length} bytes`);

  const { header, rows, col } = await csvTable(page);
  assert.equal(rows.length, 2918);
  for (const h of ['wijkcode', 'wijknaam', 'gemeentenaam', 'werkelijk_pct', 'verwacht_pct', 'ci95_laag', 'ci95_hoog', 'pi95_laag', 'pi95_hoog', 'verschil_pp', 'buiten_pi']) {
    assert.ok(header.includes(h), h);
  }
  for (const r of rows) assert.equal(r.length, header.length, r.join(';'));
  assert.equal(rows.filter((r) => col(r, 'werkelijk_pct') === '').length, 286);
  for (const r of rows.slice(0, 200)) {
    const [e, lo, hi, plo, phi] = ['verwacht_pct', 'ci95_laag', 'ci95_hoog', 'pi95_laag', 'pi95_hoog'].map((h) => num(col(r, h)));
    assert.ok(plo <= lo && lo <= e && e <= hi && hi <= phi, r.join(';'));
  }
  await page.close();
});
