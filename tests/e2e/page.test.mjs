// End-to-end tests of the calculator page against the optimised dist/
// (`./build.sh build` first; JEUGDHULP_DIST=… to point elsewhere).
// Run: node --test tests/e2e/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, inPage, siteUnderTest } from './helpers.mjs';

const site = siteUnderTest();
const WIJK = 'WK001404'; // Oosterparkwijk, Groningen (observed use published)


/** Open the page and wait until the first expected value is on screen. */
async function open(pathAndQuery = '/') {
  const o = await openPage(site.browser, site.origin, pathAndQuery);
  await o.page.waitForFunction(() => window.__firstResultAt !== undefined, null, { timeout: 20_000 });
  return o;
}

/** Wait until the result panel shows this title (selection can wait for wijkwaarden.bin.gz). */
async function waitTitle(page, title) {
  await page.waitForFunction((t) => document.querySelector('[data-testid="title"]').textContent === t, title, { timeout: 10_000 });
}

const dataValue = (page, id) => page.getAttribute(`[data-testid="${id}"]`, 'data-value');
const expectedValue = async (page) => Number(await dataValue(page, 'expected'));


async function betaOf(page, name) {
  return inPage(page, (jw, n) => jw.determinants().find((d) => d.name === n).beta, name);
}

/** Wait until the what-if has been written to the URL (it is debounced). */
async function waitForUrlParam(page, name) {
  await page.waitForFunction((n) => new URLSearchParams(location.search).has(n), name, { timeout: 5_000 });
}

test('page loads without console errors or requests leaving the origin', async () => {
  const { page, consoleErrors, foreignRequests } = await open('/');
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  assert.match(await page.textContent('h1'), /Jeugdhulp in de wijk: verwacht en werkelijk gebruik \(2017\)/);
  const e = await expectedValue(page);
  assert.ok(Number.isFinite(e) && e > 0 && e < 100, `expected ${e}`);
  // CSP present and strict.
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp, /default-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|https?:/);
  // Interval attributes are consistent: CI inside PI around the expected value.
  const iv = await page.$eval('[data-testid="interval"]', (el) => ({ ...el.dataset }));
  const [pl, ph] = iv.value.split(';').map(Number);
  assert.equal(pl, Number(iv.piLow));
  assert.equal(ph, Number(iv.piHigh));
  assert.ok(pl < Number(iv.ciLow) && Number(iv.ciLow) < e && e < Number(iv.ciHigh) && Number(iv.ciHigh) < ph);
  // Verantwoording filled from modelInfo(); let the map finish loading too.
  await page.waitForFunction(() => document.querySelectorAll('#coef-tabel tbody tr').length > 20);
  await page.waitForTimeout(1500);
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(foreignRequests, []);
  await page.close();
});

test('search selects a wijk by typing and keyboard', async () => {
  const { page } = await open('/');
  const box = page.getByRole('combobox', { name: 'Zoek een wijk' });
  await box.click();
  await box.fill('oosterparkbuurt');
  await page.waitForSelector('#zoek-lijst [role="option"]');
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('ArrowDown');
  const active = await box.getAttribute('aria-activedescendant');
  assert.ok(active, 'an option is active');
  assert.equal(await page.getAttribute(`#${active}`, 'aria-selected'), 'true');
  assert.match(await page.textContent(`#${active}`), /Amsterdam/); // gemeente shown in the option
  await page.keyboard.press('Enter');
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  await waitTitle(page, 'Oosterparkbuurt');
  const want = await inPage(page, (jw) => {
    const p = jw.wijkProfile('WK036328');
    return jw.expected({ gemeente: p.gemeente, values: p.imputed }).expected;
  });
  assert.equal(await expectedValue(page), want);

  // By code, diacritics-insensitive gemeente search, Escape closes.
  await box.fill('wk001404');
  await page.waitForSelector('#zoek-lijst [role="option"][data-code="WK001404"]');
  await page.keyboard.press('Escape');
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  await box.fill('sudwest fryslan');
  await page.waitForSelector('#zoek-lijst [role="option"][data-kind="gemeente"]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter'); // the gemeente: now its wijken are listed
  const kinds = await page.$$eval('#zoek-lijst [role="option"]', (els) => [...new Set(els.map((e) => e.dataset.kind))]);
  assert.deepEqual(kinds, ['wijk']);
  const n = await page.$$eval('#zoek-lijst [role="option"]', (els) => els.length);
  const want2 = await inPage(page, (jw) => jw.wijken().filter((w) => w.gemeente_name === 'Súdwest-Fryslân').length);
  assert.equal(n, want2);
  assert.ok(await page.isVisible('.search-chip'));
  await page.close();
});

test('raising eenouderhuishoudens by 10 changes expected by 10·β', async () => {
  const { page } = await open(`/?wijk=${WIJK}`);
  const beta = await betaOf(page, 'perc_1ouder');
  const num = page.getByLabel(/eenouderhuishoudens.*getal/i);
  const text = await num.inputValue();
  const exact = Number(await page.getAttribute('[data-testid="control-perc_1ouder"]', 'data-value'));
  const shown = Number(text.replace(',', '.'));
  assert.ok(Math.abs(shown - exact) <= 0.05 + 1e-12, `${shown} vs ${exact}`);
  const e0 = await expectedValue(page);
  const next = shown + 10;
  await num.fill(String(next).replace('.', ','));
  await page.waitForFunction((v) => document.querySelector('[data-testid="expected"]').dataset.value !== v, String(e0));
  const e1 = await expectedValue(page);
  // Exactly β·(new − old) …
  assert.ok(Math.abs((e1 - e0) - beta * (next - exact)) < 1e-9, `${e1 - e0} vs ${beta * (next - exact)}`);
  // … which is 10·β up to the rounding of the shown input value (±0.05).
  assert.ok(Math.abs((e1 - e0) - 10 * beta) <= Math.abs(beta) * 0.05 + 1e-9);
  // Also against the coefficient table in the Verantwoording.
  await page.waitForSelector('#coef-tabel tr[data-term="perc_1ouder"]');
  const tableBeta = Number(await page.getAttribute('#coef-tabel tr[data-term="perc_1ouder"] td.num', 'data-value'));
  assert.equal(tableBeta, beta);
  await page.close();
});

test('a typed invalid value shows an error and keeps the last valid result', async () => {
  const { page } = await open(`/?wijk=${WIJK}`);
  const num = page.locator('#wi-perc_hhbijs-num');
  await num.fill('12,5');
  await page.waitForFunction(() => document.querySelector('[data-testid="control-perc_hhbijs"]').dataset.value === '12.5');
  const e0 = await dataValue(page, 'expected');
  const d0 = await dataValue(page, 'difference');
  for (const bad of ['abc', '', '9999', '1.000,5']) {
    await num.fill(bad);
    const err = page.locator('#wi-perc_hhbijs-err');
    await err.waitFor({ state: 'visible' });
    assert.equal(await err.getAttribute('role'), 'alert');
    assert.ok((await err.textContent()).length > 10);
    assert.equal(await num.getAttribute('aria-invalid'), 'true');
    assert.match(await num.getAttribute('aria-describedby'), /wi-perc_hhbijs-err/);
    assert.equal(await dataValue(page, 'expected'), e0, `after "${bad}"`);
    assert.equal(await dataValue(page, 'difference'), d0);
  }
  await num.fill('12,5');
  await page.locator('#wi-perc_hhbijs-err').waitFor({ state: 'hidden' });
  assert.equal(await num.getAttribute('aria-invalid'), 'false');
  assert.equal(await dataValue(page, 'expected'), e0);
  await page.close();
});

test('URL state round-trips: same wijk, same inputs, identical expected value', async () => {
  const { page } = await open('/');
  const box = page.getByRole('combobox', { name: 'Zoek een wijk' });
  await box.fill('WK036328');
  await page.waitForSelector('#zoek-lijst [role="option"]');
  await page.keyboard.press('Enter');
  await waitTitle(page, 'Oosterparkbuurt');
  await page.locator('#wi-perc_1ouder-num').fill('33,3');
  const slider = page.locator('#wi-perc_hhbijs-range');
  await slider.focus();
  for (let i = 0; i < 7; i += 1) await page.keyboard.press('ArrowRight');
  await waitForUrlParam(page, 'perc_hhbijs');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('perc_hhbijs') === document.querySelector('[data-testid="control-perc_hhbijs"]').dataset.value);
  const url = page.url();
  const q = new URL(url).searchParams;
  assert.equal(q.get('wijk'), 'WK036328');
  assert.equal(q.get('perc_1ouder'), '33.3');
  assert.equal([...q.keys()].length, 3, `only changed inputs: ${url}`);
  const e = await dataValue(page, 'expected');
  const iv = await dataValue(page, 'interval');

  const { page: p2 } = await open(url.slice(site.origin.length));
  await waitTitle(p2, 'Oosterparkbuurt');
  assert.equal(await dataValue(p2, 'expected'), e);
  assert.equal(await dataValue(p2, 'interval'), iv);
  assert.equal(await p2.locator('#wi-perc_1ouder-num').inputValue(), '33,3');
  assert.equal(await p2.getAttribute('[data-testid="control-perc_hhbijs"]', 'data-value'), q.get('perc_hhbijs'));
  await page.close();
  await p2.close();
});

test('eigen wijk: national profile, gemeente or none, and URL round-trip', async () => {
  const { page } = await open(`/?wijk=${WIJK}`);
  await page.click('#eigen-land');
  assert.equal(await page.textContent('[data-testid="title"]'), 'Eigen wijk');
  assert.equal(await dataValue(page, 'observed'), '');
  assert.equal(await dataValue(page, 'difference'), '');
  const width = async () => {
    const d = await page.$eval('[data-testid="interval"]', (el) => ({ ...el.dataset }));
    return Number(d.piHigh) - Number(d.piLow);
  };
  const wNone = await width();
  await page.selectOption('#eigen-gemeente', 'GM0363');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('gemeente') === 'GM0363');
  const wGem = await width();
  assert.ok(wNone > wGem, `geen gemeente (${wNone}) wider than with gemeente (${wGem})`);
  await page.locator('#wi-perc_1ouder-num').fill('30');
  await waitForUrlParam(page, 'perc_1ouder');
  const url = page.url();
  const q = new URL(url).searchParams;
  assert.equal(q.get('eigen'), 'land');
  const e = await dataValue(page, 'expected');
  const want = await inPage(page, (jw) => {
    const v = { ...jw.nationalProfile().values, perc_1ouder: 30 };
    return jw.expected({ gemeente: 'GM0363', values: v }).expected;
  });
  assert.equal(Number(e), want);
  const { page: p2 } = await open(url.slice(site.origin.length));
  assert.equal(await dataValue(p2, 'expected'), e);
  assert.equal(await p2.inputValue('#eigen-gemeente'), 'GM0363');
  await page.close();
  await p2.close();
});

test('keyboard only: Tab to search, type, Enter, Tab to a slider, ArrowRight', async () => {
  const { page } = await open('/');
  const focusedId = () => page.evaluate(() => document.activeElement?.id || '');
  let id = '';
  for (let i = 0; i < 15 && id !== 'zoek'; i += 1) {
    await page.keyboard.press('Tab');
    id = await focusedId();
  }
  assert.equal(id, 'zoek');
  await page.keyboard.type('Oosterparkbuurt');
  await page.waitForSelector('#zoek-lijst [role="option"]');
  await page.keyboard.press('Enter');
  await waitTitle(page, 'Oosterparkbuurt');
  for (let i = 0; i < 40 && !id.endsWith('-range'); i += 1) {
    await page.keyboard.press('Tab');
    id = await focusedId();
  }
  assert.match(id, /^wi-.*-range$/);
  const name = id.slice(3, -6);
  // The focus ring is visible.
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  const before = Number(await page.inputValue(`#${id}`));
  const e0 = await expectedValue(page);
  await page.keyboard.press('ArrowRight');
  const afterV = Number(await page.inputValue(`#${id}`));
  const e1 = await expectedValue(page);
  assert.ok(afterV > before);
  assert.notEqual(e1, e0);
  const beta = await betaOf(page, name);
  const exact0 = await inPage(page, (jw, n) => jw.wijkProfile('WK036328').imputed[n], name);
  assert.ok(Math.abs((e1 - e0) - beta * (afterV - exact0)) < 1e-9);
  await page.close();
});

test('imputed values are marked, unpublished observed use is not invented', async () => {
  const { page } = await open(`/?wijk=${WIJK}`);
  // Where each missing value comes from is the core's rule (wijkProfile().sources).
  const found = await inPage(page, (jw) => {
    const kinds = { gemeente_mean: 'gemeente', national_mean: 'land', zero: 'nul' };
    const out = { gemeente: null, land: null, nul: null, unpublished: jw.wijken().find((w) => w.observed === null).code };
    for (const w of jw.wijken()) {
      const p = jw.wijkProfile(w.code);
      for (const [name, source] of Object.entries(p.sources)) {
        if (p.values[name] !== null) throw new Error(`${w.code} ${name}: a given value has a source`);
        out[kinds[source]] ??= [w.code, name, p.imputed[name]];
      }
      if (out.gemeente && out.land && out.nul) break;
    }
    return out;
  });
  assert.equal(found.nul[2], 0, 'a zero-rule value is 0');
  for (const [kind, text] of [['gemeente', 'geschat: gemeentegemiddelde'], ['land', 'geschat: landelijk gemiddelde'], ['nul', 'ontbreekt: 0 (zoals het SCP)']]) {
    const [code, name] = found[kind];
    await page.goto(`${site.origin}/?wijk=${code}`);
    await page.waitForFunction(() => window.__wijkResultAt !== undefined);
    const flag = page.locator(`#wi-${name}-imp`);
    assert.equal((await flag.textContent()).trim(), text, `${code} ${name}`);
    assert.ok(await page.locator(`[data-testid="control-${name}"]`).evaluate((e) => e.classList.contains('imputed')));
  }
  await page.goto(`${site.origin}/?wijk=${found.unpublished}`);
  await page.waitForFunction(() => window.__wijkResultAt !== undefined);
  assert.equal((await page.textContent('[data-testid="observed"]')).trim(), 'niet gepubliceerd (minder dan 10 jongeren)');
  assert.equal(await dataValue(page, 'observed'), '');
  assert.equal(await dataValue(page, 'difference'), '');
  assert.ok(Number.isFinite(await expectedValue(page)));
  await page.close();
});

test('the verdict and the youth count come from the core; an eigen wijk takes its number of youths', async () => {
  const { page } = await open(`/?wijk=${WIJK}`);
  await waitTitle(page, 'Oosterparkwijk');
  // The page shows the core's verdict for this wijk, and the map's all-wijken
  // call agrees with the single call.
  const core = await inPage(page, (jw, code) => {
    const i = jw.wijken().findIndex((w) => w.code === code);
    const p = jw.wijkProfile(code);
    const r = jw.expected({ gemeente: p.gemeente, wijk: code, values: p.imputed });
    const all = jw.verdictsAll(new Float64Array(jw.determinants().length), 'land', '');
    return { r, all: jw.verdicts()[all[i]] ?? null, n: p.n_jeugd };
  }, WIJK);
  assert.ok(core.r.verdict, 'a published wijk has a verdict');
  assert.deepEqual(core.all, core.r.verdict);
  assert.equal(await dataValue(page, 'verdict'), core.r.verdict.value);
  assert.match(await page.textContent('[data-testid="verdict"]'), new RegExp(core.r.verdict.label));
  assert.equal(Number(await dataValue(page, 'n-jeugd')), core.n);
  assert.equal(core.r.n_jeugd, core.n);

  // Eigen wijk: the default number of youths, then fewer youths give a wider PI.
  await page.click('#eigen-land');
  const input = page.getByLabel('Aantal jeugdigen in de wijk');
  assert.ok(await input.isVisible());
  const def = await inPage(page, (jw) => jw.modelInfo().default_n_jeugd);
  assert.equal(await input.getAttribute('placeholder'), String(Math.round(def)));
  const width = async () => {
    const d = await page.$eval('[data-testid="interval"]', (el) => ({ ...el.dataset }));
    return Number(d.piHigh) - Number(d.piLow);
  };
  const wDefault = await width();
  await input.fill('150');
  await waitForUrlParam(page, 'n_jeugd');
  const wSmall = await width();
  assert.ok(wSmall > wDefault, `150 youths (${wSmall}) wider than ${def} (${wDefault})`);
  assert.equal(new URL(page.url()).searchParams.get('n_jeugd'), '150');
  // A bad number: a Dutch message naming the field; the last result stays.
  await input.fill('-5');
  await page.waitForSelector('#fatal:not([hidden])');
  assert.match(await page.textContent('#fatal'), /n_jeugd/);
  assert.equal(await width(), wSmall);
  await input.fill('150');
  // The link brings the same number back.
  const { page: p2 } = await open(`/?eigen=land&n_jeugd=150`);
  assert.equal(await p2.inputValue('#eigen-njeugd'), '150');
  const d2 = await p2.$eval('[data-testid="interval"]', (el) => ({ ...el.dataset }));
  assert.equal(Number(d2.piHigh) - Number(d2.piLow), wSmall);
  await page.close();
  await p2.close();
});

test('the Verantwoording states the agreement with SCP and the coverage before and after, from the site data', async () => {
  const { page } = await open('/');
  await page.waitForFunction(() => document.querySelectorAll('#vw-coverage tbody tr').length === 5);
  const f = await inPage(page, (jw) => jw.modelInfo().fidelity);
  const agree = await page.$eval('#vw-scp-rmse', (el) => ({ ...el.dataset, text: el.textContent }));
  assert.equal(Number(agree.all), f.rmse_all.rmse);
  assert.ok(f.rmse_all.rmse <= 0.25, `RMSE ${f.rmse_all.rmse}`);
  assert.match(agree.text, new RegExp(f.rmse_all.rmse.toFixed(2).replace('.', ',')));
  const cells = await page.$$eval('#vw-coverage tbody td', (els) => els.map((e) => Number(e.dataset.value)));
  assert.deepEqual(cells, f.coverage_before.flatMap((b, q) => [b, f.coverage_after[q]]));
  for (const c of f.coverage_after) assert.ok(c >= 93 && c <= 97, `after: ${c}`);
  assert.equal(Number(await page.getAttribute('#vw-verdict-changes', 'data-value')), f.verdict_changes);
  assert.ok(f.verdict_changes > 0);
  assert.match(await page.textContent('#vw-zero'), /inkomen/);
  await page.close();
});

test('the calculator works when the map fails to load, and the map goes above the panel on narrow screens', async () => {
  const page = await site.browser.newPage({ viewport: { width: 390, height: 800 } });
  await page.route('**/map.js', (route) => route.abort());
  await page.goto(`${site.origin}/?wijk=${WIJK}`);
  await page.waitForFunction(() => window.__firstResultAt !== undefined);
  await page.waitForSelector('.map-notice');
  const e0 = await expectedValue(page);
  await page.locator('#wi-perc_1ouder-num').fill('20');
  await page.waitForFunction((v) => document.querySelector('[data-testid="expected"]').dataset.value !== v, String(e0));
  const map = await page.locator('#kaart').boundingBox();
  const panel = await page.locator('#rekenhulp').boundingBox();
  assert.ok(map.y < panel.y, 'map above panel');
  const scrollW = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollW <= 390, `no horizontal scrolling (${scrollW})`);
  await page.close();
});
