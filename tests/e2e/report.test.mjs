// End-to-end tests of issue 12 on the optimised dist/ (`./build.sh build` first): the
// gemeenterapport (?rapport=), its PDF, Vergelijk gemeenten (?vergelijk=) and the map's
// income-class filter (?ses=).
// Run: node --test tests/e2e/report.test.mjs
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openPage, inPage, assetFile, readGeometry, siteUnderTest, serveDist, mapReady } from './helpers.mjs';

const site = siteUnderTest();
// A G4 city, a middle-sized gemeente, a gemeente with suppressed wijken.
const GEMEENTEN = [
  { code: 'GM0344', name: 'Utrecht (gemeente)', suppressed: 0 },
  { code: 'GM0150', name: 'Deventer', suppressed: 0 },
  { code: 'GM0119', name: 'Meppel', suppressed: 3 },
];
const G4 = ['GM0363', 'GM0599', 'GM0518', 'GM0344'];
const Z95 = 1.959963984540054;
let model;
let pdfjs;

before(async () => {
  model = JSON.parse(await readFile(assetFile('model.json'), 'utf8'));
  pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
});

async function openReady(pathAndQuery) {
  const o = await openPage(site.browser, site.origin, pathAndQuery);
  await o.page.waitForFunction(() => document.documentElement.dataset.reportReady, null, { timeout: 30_000 });
  assert.equal(await o.page.evaluate(() => document.documentElement.dataset.reportReady), 'true',
    await o.page.evaluate(() => document.querySelector('[data-testid="report-error"]')?.textContent ?? ''));
  return o;
}

/** Page count, page sizes and all text of a PDF (pdfjs-dist, pinned in package.json). */
async function readPdf(bytes) {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const sizes = [];
  let text = '';
  for (let p = 1; p <= doc.numPages; p += 1) {
    const page = await doc.getPage(p);
    sizes.push(page.view.slice(2).map(Math.round));
    text += (await page.getTextContent()).items.map((i) => i.str).join('');
  }
  await doc.destroy();
  return { pages: doc.numPages, sizes, text };
}
const squash = (s) => s.replace(/\s+/g, '');

for (const g of GEMEENTEN) {
  test(`rapport ${g.code} (${g.name}): the calculator's figures, and an A4 PDF with every wijk`, async () => {
    const { page, consoleErrors, foreignRequests } = await openReady(`/?rapport=${g.code}`);
    assert.equal(await page.textContent('[data-testid="report-title"]'), `Gemeenterapport ${g.name}`);
    const rows = await page.$$eval('[data-testid="report-wijken"] tbody tr', (trs) => trs.map((tr) => ({
      code: tr.dataset.code, name: tr.querySelector('th').textContent, expected: Number(tr.dataset.expected),
      pi_low: Number(tr.dataset.piLow), pi_high: Number(tr.dataset.piHigh), observed: tr.dataset.observed,
      verdict: tr.dataset.verdict, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
    })));
    // What the calculator computes for each wijk: its own call, with the profile it uses.
    const calc = await inPage(page, (jw, codes) => codes.map((code) => {
      const p = jw.wijkProfile(code);
      const r = jw.expected({ wijk: code, gemeente: p.gemeente, values: p.imputed });
      return { code, expected: r.expected, pi_low: r.pi_low, pi_high: r.pi_high, verdict: r.verdict?.value ?? '' };
    }), rows.map((r) => r.code));
    const wijkCount = await inPage(page, (jw, code) => jw.wijken().filter((w) => w.gemeente_code === code).length, g.code);
    assert.equal(rows.length, wijkCount);
    assert.equal(Number(await page.getAttribute('[data-testid="report-nwijken"]', 'data-value')), wijkCount);
    for (const [k, r] of rows.entries()) {
      const c = calc[k];
      assert.equal(r.expected, c.expected, `${r.code} expected`);
      assert.equal(r.pi_low, c.pi_low, `${r.code} pi_low`);
      assert.equal(r.pi_high, c.pi_high, `${r.code} pi_high`);
      assert.equal(r.verdict, c.verdict, `${r.code} verdict`);
    }
    const unpublished = rows.filter((r) => r.observed === '');
    assert.equal(unpublished.length, g.suppressed);
    for (const r of unpublished) {
      assert.equal(r.cells[0], 'niet gepubliceerd');
      assert.equal(r.cells[3], '–');
      assert.equal(r.cells[4], 'geen oordeel');
    }
    // One wijk as the calculator page itself shows it.
    const first = rows.find((r) => r.observed !== '');
    const calcPage = await openPage(site.browser, site.origin, `/?wijk=${first.code}`);
    await calcPage.page.waitForFunction((name) => document.querySelector('[data-testid="title"]').textContent === name, first.name);
    assert.equal(Number(await calcPage.page.getAttribute('[data-testid="expected"]', 'data-value')), first.expected);
    assert.equal(await calcPage.page.getAttribute('[data-testid="interval"]', 'data-value'), `${first.pi_low};${first.pi_high}`);
    await calcPage.page.close();
    // The funnel highlights the gemeente's published wijken; the map has every wijk.
    assert.equal(Number(await page.getAttribute('[data-testid="funnel-mine"]', 'data-count')), rows.length - g.suppressed);
    const mapCodes = await page.$$eval('[data-testid="report-map-svg"] path[data-code]', (ps) => ps.map((p) => p.dataset.code));
    for (const r of rows) assert.ok(mapCodes.includes(r.code), `${r.code} on the map`);

    // Printing: A4 portrait, a sane number of pages, the name and every wijk in the text.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('[data-testid="report-print"]'), false, 'no controls on paper');
    const pdf = await readPdf(await page.pdf({ format: 'A4', printBackground: true }));
    assert.ok(pdf.pages >= 2 && pdf.pages <= 6, `${pdf.pages} pages`);
    for (const [w, h] of pdf.sizes) assert.deepEqual([w, h], [596, 843], 'A4 portrait');
    const text = squash(pdf.text);
    assert.ok(text.includes(squash(`Gemeenterapport ${g.name}`)), 'the gemeente in the PDF');
    for (const r of rows) assert.ok(text.includes(squash(r.name)), `${r.name} in the PDF`);
    if (g.suppressed) assert.ok(text.includes('nietgepubliceerd'), 'unpublished marked on paper');
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);
    await page.close();
  });
}

test('rapport: the effect sentences carry the model file\'s BLUPs; an unknown code says so', async () => {
  const { page } = await openReady('/?rapport=GM0363');
  const eff = await page.$eval('[data-testid="report-effect"]', (s) => ({ ...s.dataset }));
  const ug = model.random_effects.gemeente.find((e) => e.code === 'GM0363');
  const ur = model.random_effects.regio.find((e) => e.code === model.gemeente_regio.GM0363);
  assert.equal(Number(eff.gemeente), ug.value);
  assert.equal(Number(eff.regio), ur.value);
  assert.equal(Number(eff.total), ug.value + ur.value);
  // The way to the comparison: this gemeente first, then the rest of its regio.
  const href = await page.getAttribute('[data-testid="report-compare"]', 'href');
  const regio = Object.entries(model.gemeente_regio).filter(([, r]) => r === model.gemeente_regio.GM0363).map(([c]) => c);
  const listed = href.replace('?vergelijk=', '').split(',');
  assert.equal(listed[0], 'GM0363');
  assert.deepEqual([...listed].sort(), [...regio].sort());
  await page.close();
  const bad = await openPage(site.browser, site.origin, '/?rapport=GM9999');
  await bad.page.waitForFunction(() => document.documentElement.dataset.reportReady === 'error');
  assert.match(await bad.page.textContent('[data-testid="report-error"]'), /Onbekende gemeente 'GM9999'/);
  await bad.page.close();
});

test('rapport: the wijken table sorts from the keyboard, unpublished last', async () => {
  const { page } = await openReady('/?rapport=GM0119');
  const diffs = () => page.$$eval('[data-testid="report-wijken"] tbody tr', (trs) => trs.map((tr) => tr.dataset.difference));
  await page.focus('[data-testid="report-wijken"] button[data-col="4"]');
  await page.keyboard.press('Enter');
  let d = await diffs();
  const shown = d.filter((x) => x !== '').map(Number);
  assert.deepEqual(shown, [...shown].sort((a, b) => a - b));
  assert.deepEqual(d.slice(shown.length), ['', '', '']);
  assert.equal(await page.getAttribute('[data-testid="report-wijken"] th:has(button[data-col="4"])', 'aria-sort'), 'ascending');
  await page.keyboard.press('Enter');
  d = await diffs();
  const down = d.filter((x) => x !== '').map(Number);
  assert.deepEqual(down, [...down].sort((a, b) => b - a));
  assert.deepEqual(d.slice(down.length), ['', '', '']);
  await page.close();
});

test('calculator → rapport: the link names the selected wijk\'s gemeente and opens its report', async () => {
  const { page } = await openPage(site.browser, site.origin, '/?wijk=WK001404');
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Oosterparkwijk');
  const link = page.locator('[data-testid="rapport-link"]');
  assert.equal(await link.getAttribute('href'), '?rapport=GM0014');
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', null, { timeout: 30_000 });
  assert.match(await page.textContent('[data-testid="report-title"]'), /Groningen/);
  assert.match(page.url(), /\?rapport=GM0014$/);
  await page.close();
});

test('vergelijk: the G4 by default, with the model file\'s BLUPs and conditional SDs', async () => {
  const { page, consoleErrors } = await openReady('/?vergelijk=');
  const rows = await page.$$eval('[data-testid="compare-table"] tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
  assert.deepEqual(rows.map((r) => r.code).sort(), [...G4].sort());
  for (const r of rows) {
    const g = model.random_effects.gemeente.find((e) => e.code === r.code);
    const reg = model.random_effects.regio.find((e) => e.code === model.gemeente_regio[r.code]);
    const value = g.value + reg.value;
    const sd = Math.sqrt(g.cond_sd ** 2 + reg.cond_sd ** 2);
    assert.equal(Number(r.value), value, r.code);
    assert.ok(Math.abs(Number(r.sd) - sd) < 1e-12, r.code);
    assert.ok(Math.abs(Number(r.low) - (value - Z95 * sd)) < 1e-12, r.code);
    assert.ok(Math.abs(Number(r.high) - (value + Z95 * sd)) < 1e-12, r.code);
  }
  // Sorted by effect, and the chart has one interval per gemeente.
  const values = rows.map((r) => Number(r.value));
  assert.deepEqual(values, [...values].sort((a, b) => a - b));
  assert.equal(await page.locator('[data-testid="compare-chart"] circle.pt').count(), 4);
  assert.match(page.url(), /\?vergelijk=GM0363,GM0599,GM0518,GM0344$/);
  // CSV: Dutch Excel (';', decimal comma) with the same figures.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="compare-csv"]')]);
  const csv = (await readFile(await dl.path(), 'utf8')).replace(/^\ufeff/, '').trim().split('\r\n').map((l) => l.split(';'));
  assert.equal(csv[0][0], 'gemeentecode');
  assert.equal(csv.length, 5);
  for (const line of csv.slice(1)) {
    const r = rows.find((x) => x.code === line[0]);
    assert.match(line[8], /^−?-?\d+,\d{4}$/);
    assert.ok(Math.abs(Number(line[8].replace(',', '.')) - Number(r.value)) < 1e-4);
  }
  for (const [id, type] of [['compare-svg', /<svg/], ['compare-png', /PNG/]]) {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${id}"]`)]);
    assert.match((await readFile(await d.path())).subarray(0, 400).toString('latin1'), type);
  }
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('vergelijk: search and regio by keyboard, the URL keeps the selection, a reload restores it', async () => {
  const { page } = await openReady('/?vergelijk=GM0363,GM0599');
  const codes = () => page.$$eval('[data-testid="compare-table"] tbody tr', (trs) => trs.map((tr) => tr.dataset.code).sort());
  assert.deepEqual(await codes(), ['GM0363', 'GM0599']);
  await page.focus('[data-testid="compare-search"]');
  await page.keyboard.type('Meppel');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-table"] tbody tr').length === 3);
  assert.match(page.url(), /\?vergelijk=GM0363,GM0599,GM0119$/);
  // Remove Rotterdam with its chip button, from the keyboard.
  await page.focus('[data-testid="compare-chips"] li[data-code="GM0599"] button');
  await page.keyboard.press('Enter');
  assert.deepEqual(await codes(), ['GM0119', 'GM0363']);
  const url = page.url();
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true');
  assert.deepEqual(await codes(), ['GM0119', 'GM0363']);
  // All gemeenten of one regio.
  const regio = model.gemeente_regio.GM0344;
  const members = Object.entries(model.gemeente_regio).filter(([, r]) => r === regio).map(([g]) => g).sort();
  await page.selectOption('[data-testid="compare-regio"]', regio);
  await page.focus('[data-testid="compare-regio-add"]');
  await page.keyboard.press('Enter');
  assert.deepEqual(await codes(), members);
  assert.equal(new URL(page.url()).searchParams.get('vergelijk').split(',').sort().join(','), members.join(','));
  // An unknown code in a link is named and skipped.
  await page.goto(`${site.origin}/?vergelijk=GM0363,GM9999`);
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true');
  assert.deepEqual(await codes(), ['GM0363']);
  assert.match(await page.textContent('[data-testid="compare-message"]'), /GM9999/);
  await page.close();
});

test('map: the income-class filter greys out the other wijken and lives in the URL', async () => {
  const geo = await readGeometry();
  const { page } = await openPage(site.browser, site.origin, '/?wijk=WK001404&ses=laag');
  await mapReady(page, 30_000);
  assert.equal(await page.inputValue('[data-testid="map-ses"]'), 'laag');
  assert.equal(await page.getAttribute('#kaart', 'data-ses'), 'laag');
  const classes = await inPage(page, (jw) => {
    const k = jw.incomeClasses();
    return { codes: jw.wijken().map((w) => w.code), class: Array.from(k.class) };
  });
  const inGeo = new Set(geo.wijken.map((w) => w.code));
  const expectGrey = (c) => classes.codes.filter((code, i) => inGeo.has(code) && classes.class[i] !== c).length;
  const greyInSvg = async () => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="map-export-svg"]')]);
    const svg = await readFile(await d.path(), 'utf8');
    const group = svg.match(/<g fill="#cfcfcf">(.*?)<\/g>/s);
    return group ? (group[1].match(/<path /g) || []).length : 0;
  };
  assert.equal(await greyInSvg(), expectGrey(0));
  assert.match(await page.textContent('[data-testid="map-legend"]'), /andere inkomensklasse/);
  // Keyboard: choose "hoog"; the URL follows, and survives choosing another wijk.
  await page.focus('[data-testid="map-ses"]');
  await page.selectOption('[data-testid="map-ses"]', 'hoog');
  assert.equal(new URL(page.url()).searchParams.get('ses'), 'hoog');
  assert.equal(await greyInSvg(), expectGrey(2));
  await page.evaluate(() => document.querySelector('#kaart').mapDebug.api.setSelected(null));
  await page.locator('#zoek').fill('WK036300');
  await page.waitForSelector('#zoek-lijst [role="option"]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /wijk=WK036300/.test(location.search));
  assert.equal(new URL(page.url()).searchParams.get('ses'), 'hoog');
  // "alle wijken" removes the filter and the parameter.
  await page.selectOption('[data-testid="map-ses"]', '');
  assert.equal(new URL(page.url()).searchParams.get('ses'), null);
  assert.equal(await greyInSvg(), 0);
  await page.close();
});

test('offline: after a first visit to a report, another report and the comparison work without a network', async () => {
  const server = await serveDist();
  const origin = server.url.replace(/\/$/, '');
  const { page } = await openPage(site.browser, origin, '/?rapport=GM0344', { serviceWorkers: 'allow' });
  const context = page.context();
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', null, { timeout: 30_000 });
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await context.setOffline(true);
  await server.close();
  await page.goto(`${origin}/?rapport=GM0119`);
  await page.waitForFunction(() => document.documentElement.dataset.reportReady, null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.reportReady), 'true');
  assert.equal(await page.textContent('[data-testid="report-title"]'), 'Gemeenterapport Meppel');
  assert.equal(await page.locator('[data-testid="report-map-svg"] path[data-code]').count() > 0, true, 'the map from the cache');
  await page.goto(`${origin}/?vergelijk=`);
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', null, { timeout: 30_000 });
  assert.equal(await page.locator('[data-testid="compare-table"] tbody tr').count(), 4);
  await context.close();
});
