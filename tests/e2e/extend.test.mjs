// End-to-end tests of "Aanvullen met eigen wijkkenmerken" (issue 10, point 3) on the
// optimised dist/ (`./build.sh build` first): the page's estimate equals the CLI's, both
// Dutch CSV dialects, every kind of problem named with row, column and value, no request
// after the upload (privacy), the keyboard, and the map's verschil view with the extension.
// Run: node --test tests/e2e/extend.test.mjs
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPage, assetFile, siteUnderTest, mapReady } from './helpers.mjs';

const site = siteUnderTest();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (f) => path.join(root, 'tests/fixtures/extend', f);
const EXAMPLE = () => assetFile('voorbeeld-kerncijfers-2017.csv');
const tmp = mkdtempSync(path.join(tmpdir(), 'jw-extend-'));

/** The CLI's `extend` on a covariate file (built here if build.sh has not built it). */
function cli(covariates, columns, regio) {
  const bin = path.join(root, 'target/release/jeugdhulp-wijk');
  if (!existsSync(bin)) execFileSync('cargo', ['build', '--release', '--quiet', '--bin', 'jeugdhulp-wijk'], { cwd: root, stdio: 'inherit' });
  const out = path.join(tmp, `cli-${columns.join('-')}-${regio}.json`);
  execFileSync(bin, ['extend', '--model', path.join(root, 'generated/model.json'), '--covariates', covariates,
    '--columns', columns.join(','), '--regio', regio, '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  return JSON.parse(readFileSync(out, 'utf8'));
}

before(() => {
  assert.ok(existsSync(path.join(root, 'generated/model.json')), 'generated/model.json: run ./build.sh build first');
});

/** The page with the panel opened and its Worker ready. */
async function openPanel(query = '/', options = {}) {
  const o = await openPage(site.browser, site.origin, query, options);
  await mapReady(o.page, 30_000);
  await o.page.waitForSelector('#aanvullen:not([hidden]) [data-testid="ext-open"]', { timeout: 30_000 });
  await o.page.click('[data-testid="ext-open"]');
  await o.page.waitForSelector('#aanvullen[data-ready="true"]', { timeout: 30_000 });
  return o;
}

const state = (page) => page.$eval('#aanvullen', (s) => s.dataset.state);
async function waitState(page, ...states) {
  await page.waitForFunction((want) => want.includes(document.querySelector('#aanvullen').dataset.state), states, { timeout: 30_000 });
  return state(page);
}

async function upload(page, file) {
  await page.setInputFiles('[data-testid="ext-upload"]', file);
  return waitState(page, 'inspected', 'failed');
}

/** Keep only these columns and regio's ticked. */
async function choose(page, columns, regios) {
  await page.$$eval('#aanvullen input[type="checkbox"]', (boxes, [cols, regs]) => {
    for (const b of boxes) {
      if (b.disabled) continue;
      const id = b.dataset.testid;
      const want = id.startsWith('ext-col-') ? cols.includes(b.value) : regs.includes(b.value);
      if (b.checked !== want) b.click();
    }
  }, [columns, regios]);
}

async function run(page) {
  await page.click('[data-testid="ext-run"]');
  return waitState(page, 'done', 'failed');
}

const errorText = (page) => page.$eval('[data-testid="ext-error"]', (e) => (e.hidden ? '' : e.textContent));

/** The problems shown in a list: {severity, row, column, value, text}. */
function problemsIn(page, testid) {
  return page.$$eval(`[data-testid="${testid}"] li.ext-problem`, (lis) => lis.map((li) => ({
    severity: li.dataset.severity, row: li.dataset.row, column: li.dataset.column, value: li.dataset.value, text: li.textContent,
  })));
}

const coef = (page, col) => page.$eval(`[data-testid="ext-coef-${col}"]`, (e) => ({ value: Number(e.dataset.value), se: Number(e.dataset.se) }));

test('the example file with one column for Haaglanden gives the CLI\'s estimate to 1e-9', async () => {
  const { page, consoleErrors } = await openPanel();
  await page.click('[data-testid="ext-example"]');
  assert.equal(await waitState(page, 'inspected', 'failed'), 'inspected', await errorText(page));
  // what was detected: the example is Excel-NL (UTF-8 with BOM, ';', decimal comma)
  assert.equal(await page.textContent('[data-testid="ext-det-delimiter"]'), 'puntkomma (;)');
  assert.equal(await page.textContent('[data-testid="ext-det-decimal"]'), 'komma');
  assert.equal(await page.textContent('[data-testid="ext-det-encoding"]'), 'UTF-8 met BOM');
  assert.equal(await page.textContent('[data-testid="ext-det-rows"]'), '2.918');
  // every numeric column checked by default, every regio of the file's wijken too
  const cols = await page.$$eval('#aanvullen input[data-testid^="ext-col-"]', (b) => b.map((x) => [x.value, x.checked, x.disabled]));
  assert.deepEqual(cols.map((c) => c[0]), ['pct_gescheiden', 'bevolkingsdichtheid', 'pct_eenpersoonshuishoudens', 'pct_65_plus', 'huishoudgrootte', 'stedelijkheid']);
  assert.ok(cols.every((c) => c[1] && !c[2]), JSON.stringify(cols));
  const regios = await page.$$eval('#aanvullen input[data-testid^="ext-regio-"]', (b) => b.filter((x) => x.checked).map((x) => x.value));
  assert.ok(regios.includes('JZ24') && regios.length > 30, regios.join());

  await choose(page, ['pct_gescheiden'], ['JZ24']);
  // while it runs the button is disabled and the live status says so
  await page.evaluate(() => {
    const s = document.querySelector('#aanvullen');
    window.__extStates = [];
    new MutationObserver(() => window.__extStates.push({
      state: s.dataset.state, disabled: document.querySelector('[data-testid="ext-run"]').disabled,
      status: document.querySelector('[data-testid="ext-status"]').textContent,
    })).observe(s, { attributes: true, attributeFilter: ['data-state'] });
  });
  assert.equal(await run(page), 'done', await errorText(page));
  const states = await page.evaluate(() => window.__extStates);
  assert.deepEqual(states.map((x) => x.state), ['running', 'done']);
  assert.deepEqual([states[0].disabled, states[0].status], [true, 'Bezig met rekenen…']);
  assert.match(await page.textContent('[data-testid="ext-status"]'), /^Klaar: berekend in [\d,]+ ms\.$/);
  assert.equal(await page.isDisabled('[data-testid="ext-run"]'), false);
  const ref = cli(EXAMPLE(), ['pct_gescheiden'], 'JZ24');
  const c = await coef(page, 'pct_gescheiden');
  const refCoef = ref.fixed_effects.find((f) => f.term === 'pct_gescheiden') ?? ref.fixed_effects[1];
  assert.ok(Math.abs(c.value - refCoef.estimate) <= 1e-9, `page ${c.value} vs CLI ${refCoef.estimate}`);
  assert.ok(Math.abs(c.se - refCoef.std_error) <= 1e-9, `SE page ${c.se} vs CLI ${refCoef.std_error}`);
  const n = Number(await page.getAttribute('[data-testid="ext-n"]', 'data-value'));
  assert.equal(n, ref.n);
  assert.equal(Number(await page.getAttribute('[data-testid="ext-n"]', 'data-gemeenten')), ref.n_gemeente);
  const lrP = Number(await page.getAttribute('[data-testid="ext-lr-p"]', 'data-value'));
  assert.ok(Math.abs(lrP - ref.lr_test.p_value) <= 1e-9 * Math.max(1, ref.lr_test.p_value), `LR p ${lrP} vs ${ref.lr_test.p_value}`);
  const explained = Number(await page.getAttribute('[data-testid="ext-explained"]', 'data-value'));
  assert.ok(Math.abs(explained - ref.residual_variance_reduction) <= 1e-9);
  const pct = (100 * ref.residual_variance_reduction).toFixed(1).replace('.', ',');
  assert.match(await page.textContent('[data-testid="ext-explained"]'), new RegExp(`verklaart ${pct}\u00a0% van de resterende verschillen tussen wijken`));
  // the cautions, one column: trying more columns, "samenhang is geen oorzaak"
  assert.match(await page.textContent('[data-testid="ext-cautions"]'), /Samenhang is geen oorzaak/);
  // gemeente effects before and after, and one scatter plot with one dot per wijk
  assert.equal(await page.$$eval('[data-testid="ext-gem"] tbody tr', (r) => r.length), ref.n_gemeente);
  assert.equal(Number(await page.getAttribute('[data-testid="ext-scatter-pct_gescheiden"]', 'data-points')), ref.n);
  assert.equal(await page.$$eval('[data-testid="ext-scatter-pct_gescheiden"] circle', (c) => c.length), ref.n);
  assert.equal(await page.getAttribute('[data-testid="ext-scatter-pct_gescheiden"]', 'role'), 'img');

  // the CSV: a header in Dutch, one row per wijk, the page's own numbers
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="ext-csv"]')]);
  const csv = readFileSync(await dl.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
  assert.equal(csv.length, ref.n + 1);
  const head = csv[0].split(';');
  assert.equal(head[0], 'wijkcode');
  assert.ok(head.includes('verwacht na aanvullen (%)') && head.at(-1) === 'pct_gescheiden', csv[0]);
  const first = ref.predictions[0];
  const row = csv.find((l) => l.startsWith(`${first.wijkcode};`)).split(';');
  assert.equal(row[6], first.expected.toFixed(3).replace('.', ','));
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('the map shows the verschil with the extension for the region\'s wijken, and goes back', async () => {
  const { page } = await openPanel();
  await upload(page, fixture('haaglanden_utf8.csv'));
  await choose(page, ['gescheiden', 'dichtheid'], ['JZ24']);
  assert.equal(await run(page), 'done', await errorText(page));
  const r = await page.$eval('#aanvullen', (s) => s.extDebug.result);
  const zoom0 = await page.$eval('#kaart', (k) => k.mapDebug.zoom());
  await page.click('[data-testid="ext-show-map"]');
  await page.waitForSelector('#kaart[data-override]');
  assert.equal(await page.$eval('#kaart', (k) => k.dataset.override), String(r.n));
  assert.equal(await page.$eval('#kaart', (k) => k.dataset.view), 'verschil');
  assert.ok(await page.$eval('#kaart', (k) => k.mapDebug.zoom()) > zoom0 * 3, 'zoomed to the region');
  assert.match(await page.textContent('[data-testid="map-override-note"]'), new RegExp(`${r.n} wijken in Haaglanden`));
  // the focus is on the note's button back; the tooltip of a wijk of the region gives the
  // expectation after adding, without the national interval
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'map-override-back');
  const p = r.predictions.find((x) => Number.isFinite(x.observed));
  await page.$eval('[data-testid="map-canvas"]', (c) => c.scrollIntoView({ block: 'center' }));
  const pt = await page.$eval('#kaart', (k, code) => k.mapDebug.screenPoint(code), p.wijkcode);
  await page.mouse.move(pt.x, pt.y);
  await page.waitForFunction((code) => {
    const t = document.querySelector('[data-testid="map-tooltip"]');
    return !t.hidden && t.dataset.code === code;
  }, p.wijkcode);
  const tip = await page.textContent('[data-testid="map-tooltip"]');
  assert.match(tip, /verwacht na aanvullen/, tip);
  assert.ok(tip.includes(`${p.expected.toFixed(1).replace('.', ',')}\u00a0%`), `${tip} / ${p.expected}`);
  await page.focus('[data-testid="map-override-back"]');
  // back: the national model again, the focus back on the panel's button
  await page.click('[data-testid="map-override-back"]');
  await page.waitForFunction(() => !('override' in document.querySelector('#kaart').dataset));
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'ext-show-map');
  assert.equal(await page.isHidden('[data-testid="map-override"]'), true);
  await page.close();
});

test('both Dutch CSV dialects give the same estimates', async () => {
  const { page } = await openPanel();
  const seen = [];
  for (const [f, det] of [['haaglanden_excel_nl.csv', ['puntkomma (;)', 'komma', 'Windows-1252']], ['haaglanden_utf8.csv', ['komma (,)', 'punt', 'UTF-8']]]) {
    assert.equal(await upload(page, fixture(f)), 'inspected', await errorText(page));
    assert.deepEqual(await Promise.all(['delimiter', 'decimal', 'encoding'].map((k) => page.textContent(`[data-testid="ext-det-${k}"]`))), det, f);
    // text columns cannot be chosen, and say why
    assert.equal(await page.$eval('[data-testid="ext-col-wijknaam"]', (b) => b.disabled && !b.checked), true);
    await choose(page, ['gescheiden', 'dichtheid', 'huishoudgrootte'], ['JZ24']);
    assert.equal(await run(page), 'done', `${f}: ${await errorText(page)}`);
    seen.push({
      coefs: await Promise.all(['gescheiden', 'dichtheid', 'huishoudgrootte'].map((c) => coef(page, c))),
      n: await page.getAttribute('[data-testid="ext-n"]', 'data-value'),
      problems: (await problemsIn(page, 'ext-run-problems')).map((p) => `${p.severity} ${p.row} ${p.column} ${p.value}`),
    });
  }
  assert.ok(Number(seen[0].n) > 50);
  seen[0].coefs.forEach((c, k) => {
    assert.ok(Number.isFinite(c.value) && c.se > 0);
    assert.ok(Math.abs(c.value - seen[1].coefs[k].value) <= 1e-12 * Math.max(1, Math.abs(c.value)), `${c.value} vs ${seen[1].coefs[k].value}`);
  });
  assert.equal(seen[0].n, seen[1].n);
  assert.deepEqual(seen[0].problems, seen[1].problems);
  await page.close();
});

test('every kind of problem is named with its row, column and value', async () => {
  const { page } = await openPanel();
  assert.equal(await upload(page, fixture('haaglanden_excel_nl.csv')), 'inspected');
  const found = await problemsIn(page, 'ext-problems');
  const count = Number(await page.getAttribute('[data-testid="ext-problems"]', 'data-count'));
  assert.equal(found.length, count, 'every problem is in the list');
  assert.match(await page.textContent('[data-testid="ext-problems"] h3'), new RegExp(`Meldingen bij het bestand: ${count} \\(`));
  const at = (row) => found.filter((p) => p.row === String(row));
  const expectAt = (row, severity, value, re) => {
    const hit = at(row).find((p) => p.severity === severity && (value == null || p.value === value) && re.test(p.text));
    assert.ok(hit, `line ${row}: no ${severity} for '${value}' matching ${re}: ${JSON.stringify(at(row))}`);
    // the place is written out: line, and column and value where there is one
    assert.match(hit.text, new RegExp(`regel ${row}`));
    if (hit.column) assert.match(hit.text, new RegExp(`kolom ${hit.column}`));
    if (value != null) assert.ok(hit.text.includes(`waarde '${value}'`), hit.text);
    assert.match(hit.text, severity === 'fout' ? /^✖ Fout:/ : /^⚠ Waarschuwing:/);
  };
  expectAt(9, 'fout', 'WK050311', /dubbele wijk/); // duplicate of line 2
  expectAt(5, 'fout', 'WK999999', /onbekende wijk/);
  expectAt(7, 'fout', 'WK12', /./); // malformed code
  expectAt(11, 'fout', 'n.v.t.', /./); // no number
  expectAt(15, 'waarschuwing', null, /./); // empty value
  expectAt(16, 'waarschuwing', null, /niet gepubliceerd/);
  expectAt(17, 'fout', null, /./); // a row with two fields
  expectAt(19, 'fout', null, /./); // no wijkcode
  // a wijk outside the chosen regio: with JZ24 only, line 13 (Amsterdam) is left out, and said
  await choose(page, ['gescheiden', 'dichtheid'], ['JZ24']);
  assert.equal(await run(page), 'done', await errorText(page));
  const dropped = await problemsIn(page, 'ext-run-problems');
  const outside = dropped.find((p) => p.row === '13');
  assert.ok(outside && outside.value === 'WK036300' && /regel 13/.test(outside.text) && /waarde 'WK036300'/.test(outside.text), JSON.stringify(outside));
  // nothing disappears: every line of the file with a wijk that does not take part is listed
  const rowsDropped = new Set(dropped.filter((p) => p.row).map((p) => p.row));
  for (const row of [5, 7, 9, 11, 13, 15, 16, 17, 19]) assert.ok(rowsDropped.has(String(row)), `line ${row} not in the run's list`);

  // a constant column and collinear columns: named, refused before fitting
  assert.equal(await upload(page, fixture('haaglanden_constant_collinear.csv')), 'inspected');
  const cc = await problemsIn(page, 'ext-problems');
  assert.ok(cc.some((p) => p.severity === 'fout' && p.column === 'constant' && /kolom constant/.test(p.text) && /waarde '5'/.test(p.text)), JSON.stringify(cc));
  assert.equal(await run(page), 'failed');
  assert.match(await errorText(page), /kolom constant, waarde '5'/);
  await choose(page, ['a', 'b', 'c'], ['JZ24']);
  assert.equal(await run(page), 'failed');
  assert.match(await errorText(page), /kolommen 'a', 'b' en 'c' zijn collineair/);
  assert.equal(await page.isHidden('[data-testid="ext-results"]'), true, 'no stale results after an error');
  await choose(page, ['a', 'b'], ['JZ24']);
  assert.equal(await run(page), 'done', await errorText(page));
  // without the constant column the inspection itself names the collinear ones
  const abc = path.join(tmp, 'collineair.csv');
  writeFileSync(abc, readFileSync(fixture('haaglanden_constant_collinear.csv'), 'utf8').replace(/^([^,\n]+),[^,\n]+/gm, '$1'));
  assert.equal(await upload(page, abc), 'inspected');
  const co = await problemsIn(page, 'ext-problems');
  assert.ok(co.some((p) => p.severity === 'fout' && /kolommen 'a', 'b' en 'c' zijn collineair/.test(p.text)), JSON.stringify(co));

  // too few wijken: five rows of Haaglanden
  const lines = readFileSync(fixture('haaglanden_constant_collinear.csv'), 'utf8').trim().split('\n');
  const few = path.join(tmp, 'te-weinig.csv');
  writeFileSync(few, `wijkcode,a\n${lines.slice(1, 6).map((l, k) => `${l.split(',')[0]},${k * 1.5}`).join('\n')}\n`);
  assert.equal(await upload(page, few), 'inspected');
  assert.ok((await problemsIn(page, 'ext-problems')).some((p) => p.severity === 'fout' && /te weinig wijken/.test(p.text)));
  assert.equal(await run(page), 'failed');
  assert.match(await errorText(page), /te weinig wijken: \d wijken in JZ24/);
  // a file that is no table: a message, no crash
  const bad = path.join(tmp, 'geen-wijkcode.csv');
  writeFileSync(bad, 'code;a\nWK050311;1\n');
  assert.equal(await upload(page, bad), 'failed');
  assert.match(await errorText(page), /wijkcode/);
  await page.close();
});

test('privacy: after the Worker is ready, uploading and running make no request at all', async () => {
  const { page } = await openPanel();
  const requests = [];
  page.context().on('request', (r) => requests.push(r.url()));
  page.on('request', (r) => requests.push(r.url()));
  page.on('worker', (w) => requests.push(`new worker ${w.url()}`));
  const worker = page.workers().find((w) => /extend\/worker\.js/.test(w.url()));
  assert.ok(worker, 'the panel\'s Worker runs');
  const resourcesBefore = await worker.evaluate(() => performance.getEntriesByType('resource').length);
  assert.equal(await upload(page, EXAMPLE()), 'inspected');
  await choose(page, ['pct_gescheiden', 'bevolkingsdichtheid'], ['JZ24']);
  assert.equal(await run(page), 'done', await errorText(page));
  await page.click('[data-testid="ext-show-map"]');
  await page.waitForSelector('#kaart[data-override]');
  await page.waitForTimeout(300);
  assert.deepEqual(requests, []);
  assert.equal(await worker.evaluate(() => performance.getEntriesByType('resource').length), resourcesBefore, 'the Worker fetched nothing');
  await page.close();
});

test('the whole flow works with the keyboard, every control focusable and labelled', async () => {
  const { page } = await openPage(site.browser, site.origin, '/');
  await mapReady(page, 30_000);
  await page.waitForSelector('#aanvullen:not([hidden]) [data-testid="ext-open"]');
  await page.focus('[data-testid="ext-open"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#aanvullen[data-ready="true"]', { timeout: 30_000 });
  const tabTo = async (testid, max = 400) => {
    for (let k = 0; k < max; k++) {
      if (await page.evaluate((id) => document.activeElement?.dataset?.testid === id, testid)) return;
      await page.keyboard.press('Tab');
    }
    assert.fail(`Tab never reached ${testid}`);
  };
  await tabTo('ext-upload');
  await tabTo('ext-example');
  await page.keyboard.press('Enter');
  assert.equal(await waitState(page, 'inspected', 'failed'), 'inspected');
  // untick all regio's but Haaglanden, and keep two columns, by Tab and Space
  await tabTo('ext-col-pct_eenpersoonshuishoudens');
  for (const c of ['pct_eenpersoonshuishoudens', 'pct_65_plus', 'huishoudgrootte', 'stedelijkheid']) {
    await tabTo(`ext-col-${c}`);
    await page.keyboard.press('Space');
  }
  await tabTo('ext-regios-none');
  await page.keyboard.press('Enter');
  await tabTo('ext-regio-JZ24');
  await page.keyboard.press('Space');
  await tabTo('ext-run');
  await page.keyboard.press('Enter');
  assert.equal(await waitState(page, 'done', 'failed'), 'done', await errorText(page));
  assert.equal(await page.$$eval('[data-testid^="ext-coef-"]', (r) => r.map((x) => x.dataset.testid).join()), 'ext-coef-pct_gescheiden,ext-coef-bevolkingsdichtheid');
  await tabTo('ext-show-map');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#kaart[data-override]');
  // the focus moves to the map's note, whose button goes back (and the focus with it)
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'map-override-back');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !('override' in document.querySelector('#kaart').dataset));
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'ext-show-map');

  // every control of the panel: reachable (not tabindex=-1) and with an accessible name
  const unnamed = await page.evaluate(() => {
    const out = [];
    for (const e of document.querySelectorAll('#aanvullen :is(button, input, select, summary, [tabindex="0"])')) {
      if (e.closest('[hidden]')) continue;
      const name = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')
        || (e.id && document.querySelector(`label[for="${e.id}"]`)?.textContent) || (e.tagName !== 'INPUT' && e.textContent.trim());
      if (!name || e.tabIndex < 0) out.push(e.outerHTML.slice(0, 120));
    }
    return out;
  });
  assert.deepEqual(unnamed, []);
  // the status is announced while running
  assert.equal(await page.getAttribute('[data-testid="ext-status"]', 'aria-live'), 'polite');
  await page.close();
});
