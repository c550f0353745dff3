// Accessibility audits with axe-core (npm axe-core, served from node_modules, never a CDN)
// in every state of the page a person reaches: each map view, a selected wijk, the
// eigen-wijk panel. Any serious or critical violation fails; the others are listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { openPage, siteUnderTest, mapReady } from './helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const VIEWS = ['werkelijk', 'verwacht', 'verschil', 'gemeente-effect'];
const site = siteUnderTest();


/** Run axe on the page as it is; return serious/critical violations and a summary of the rest. */
async function audit(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ content: axeSource }); // the test context bypasses the CSP for this
  }
  // Only what the test reads crosses back: the full result (every passing node) is large.
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }).then((r) => ({
    passes: r.passes.length,
    violations: r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.map(String) })),
    })),
  })));
  const describe = (v) => `${label}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`;
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = result.violations.filter((v) => !bad.includes(v));
  if (minor.length) console.log(`# axe, minor: ${minor.map(describe).join('; ')}`);
  assert.ok(result.passes > 20, `${label}: axe ran (${result.passes} rules passed)`);
  return bad.map(describe);
}

async function open(pathAndQuery) {
  const o = await openPage(site.browser, site.origin, pathAndQuery, { bypassCSP: true });
  await mapReady(o.page, 30_000);
  return o;
}

test('axe: no serious or critical violation in any map view, with a wijk selected', async () => {
  const { page } = await open('/?wijk=WK001404');
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Oosterparkwijk');
  const bad = [];
  for (const v of VIEWS) {
    await page.click(`[data-testid="map-view-${v}"]`);
    bad.push(...await audit(page, `view ${v}`));
  }
  // The map's list with a tooltip open (keyboard walk).
  await page.focus('[data-testid="map-list"]');
  await page.keyboard.press('ArrowDown');
  bad.push(...await audit(page, 'map list with tooltip'));
  assert.deepEqual(bad, []);
  await page.close();
});

test('axe: no serious or critical violation in the map\'s first view, before the wijk values', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block', bypassCSP: true });
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route('**/wijkwaarden.bin.gz', async (route) => { await gate; await route.continue(); });
  await page.goto(`${site.origin}/`);
  await page.waitForSelector('#kaart[data-drawn-at]', { timeout: 30_000 });
  assert.notEqual(await page.getAttribute('#kaart', 'data-ready'), 'true', 'still the first view');
  const bad = await audit(page, 'map before the values');
  release();
  await mapReady(page, 30_000);
  assert.deepEqual(bad, []);
  await page.close();
});

test('axe: no serious or critical violation in the eigen-wijk panel and the search', async () => {
  const { page } = await open('/');
  await page.click('#eigen-land');
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Eigen wijk');
  await page.selectOption('#eigen-gemeente', { index: 1 });
  const bad = await audit(page, 'eigen wijk');
  const box = page.getByRole('combobox', { name: 'Zoek een wijk' });
  await box.fill('oosterpark');
  await page.waitForSelector('#zoek-lijst [role="option"]');
  bad.push(...await audit(page, 'search with options open'));
  // An invalid typed value shows its error state.
  const num = page.locator('#wi-perc_hhbijs-num');
  await num.fill('500');
  await num.press('Enter');
  await page.waitForSelector('#wi-perc_hhbijs-num[aria-invalid="true"]');
  bad.push(...await audit(page, 'invalid input'));
  assert.deepEqual(bad, []);
  await page.close();
});

// Issue 12: the gemeenterapport, Vergelijk gemeenten and the map's income-class filter.
async function openReport(pathAndQuery) {
  const o = await openPage(site.browser, site.origin, pathAndQuery, { bypassCSP: true });
  await o.page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', null, { timeout: 30_000 });
  return o;
}

test('axe: no serious or critical violation in the gemeenterapport and the comparison', async () => {
  const bad = [];
  const { page } = await openReport('/?rapport=GM0119');
  bad.push(...await audit(page, 'rapport'));
  await page.click('[data-testid="report-wijken"] button[data-col="4"]');
  bad.push(...await audit(page, 'rapport, sorted'));
  await page.goto(`${site.origin}/?vergelijk=`);
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true');
  bad.push(...await audit(page, 'vergelijk G4'));
  await page.fill('[data-testid="compare-search"]', 'nonsens');
  await page.click('[data-testid="compare-add"]');
  bad.push(...await audit(page, 'vergelijk with a message'));
  assert.deepEqual(bad, []);
  await page.close();
});

test('axe: no serious or critical violation with the map filtered to one income class', async () => {
  const { page } = await open('/?wijk=WK001404&ses=laag');
  const bad = await audit(page, 'map filtered on income');
  assert.deepEqual(bad, []);
  await page.close();
});

// Issue 12, point 4: the same in English (?lang=en): the page with a wijk and a map view,
// the gemeenterapport and the comparison.
test('axe: no serious or critical violation in English (page, report, comparison)', async () => {
  const bad = [];
  const { page } = await open('/?lang=en&wijk=WK001404');
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Oosterparkwijk');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  bad.push(...await audit(page, 'English page'));
  await page.click('[data-testid="map-view-verschil"]');
  await page.click('#eigen-land');
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Custom district');
  bad.push(...await audit(page, 'English page, custom district, map difference'));
  await page.goto(`${site.origin}/?lang=en&rapport=GM0119`);
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', null, { timeout: 30_000 });
  bad.push(...await audit(page, 'English rapport'));
  await page.goto(`${site.origin}/?lang=en&vergelijk=`);
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true');
  bad.push(...await audit(page, 'English vergelijk'));
  assert.deepEqual(bad, []);
  await page.close();
});

// Issue 10: "Aanvullen met eigen wijkkenmerken" with an uploaded file (its problems), a
// result (tables, scatter plots, one opened as a table) and the map showing the extension;
// in Dutch and in English.
async function extendWithResults(page) {
  await page.click('[data-testid="ext-open"]');
  await page.waitForSelector('#aanvullen[data-ready="true"]', { timeout: 30_000 });
  await page.setInputFiles('[data-testid="ext-upload"]', new URL('../fixtures/extend/haaglanden_excel_nl.csv', import.meta.url).pathname);
  await page.waitForSelector('#aanvullen[data-state="inspected"]');
  const bad = await audit(page, 'aanvullen, file inspected');
  await page.click('[data-testid="ext-regios-none"]');
  await page.check('[data-testid="ext-regio-JZ24"]');
  await page.click('[data-testid="ext-run"]');
  await page.waitForSelector('#aanvullen[data-state="done"]');
  await page.click('#aanvullen .ext-scatter summary');
  bad.push(...await audit(page, 'aanvullen, results'));
  await page.click('[data-testid="ext-show-map"]');
  await page.waitForSelector('#kaart[data-override]');
  bad.push(...await audit(page, 'aanvullen, on the map'));
  return bad;
}

test('axe: no serious or critical violation in Aanvullen met eigen wijkkenmerken (nl and en)', async () => {
  const bad = [];
  for (const q of ['/', '/?lang=en']) {
    const { page } = await open(q);
    bad.push(...(await extendWithResults(page)).map((b) => `${q} ${b}`));
    await page.close();
  }
  assert.deepEqual(bad, []);
});

// Issue 10, point 4: the "Eigen model" panel with a result (a link with ?model= opens and
// runs it), in Dutch and in English.
test('axe: no serious or critical violation in the Eigen model panel with a result (nl, en)', async () => {
  const bad = [];
  for (const lang of ['', 'lang=en&']) {
    const { page } = await open(`/?${lang}wijk=WK001404&model=-perc_1ouder,-perc_hhbijs`);
    await page.waitForSelector('[data-testid="model-changes-default"]', { timeout: 30_000 });
    if (await page.$('#eigen-model details summary')) await page.click('#eigen-model details summary');
    bad.push(...await audit(page, `Eigen model ${lang || 'nl'}`));
    await page.close();
  }
  assert.deepEqual(bad, []);
});
