// Bad links and impatient people: out-of-range values in the URL, choices made while the
// wijk values are still loading, and random query strings. The page always ends with a
// usable calculator and says what it did not take over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, siteUnderTest, watchPage, mapReady } from './helpers.mjs';

const site = siteUnderTest();

const LOADING = ['Bezig met laden…', 'Gegevens laden…'];
const title = (page) => page.textContent('[data-testid="title"]');

/** Wait until the page shows a result (not a loading title) and return the expected value. */
async function settled(page) {
  await page.waitForFunction((loading) => {
    const t = document.querySelector('[data-testid="title"]').textContent;
    return !loading.includes(t) && !t.endsWith('gegevens laden…')
      && Number.isFinite(Number(document.querySelector('[data-testid="expected"]').dataset.value || NaN));
  }, LOADING, { timeout: 20_000 });
  return Number(await page.getAttribute('[data-testid="expected"]', 'data-value'));
}

/** Hold wijkwaarden.bin.gz back until release() is called. */
async function holdValues(page) {
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route('**/wijkwaarden.bin.gz', async (route) => { await gate; await route.continue(); });
  return release;
}

test('an out-of-range value in a ?wijk= link is refused by name; the wijk is shown', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin, '/?wijk=WK036300&perc_1ouder=500');
  const e = await settled(page);
  assert.equal(await title(page), 'Burgwallen-Oude Zijde');
  assert.ok(e > 0 && e < 100);
  const notice = await page.textContent('#fatal');
  assert.ok(await page.isVisible('#fatal'));
  assert.match(notice, /Niet overgenomen uit de link/);
  assert.match(notice, /perc_1ouder|eenouder/i);
  assert.match(notice, /500/);
  // The slider holds the wijk's own value, not 500.
  assert.notEqual(Number(await page.inputValue('#wi-perc_1ouder-range')), 500);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('an out-of-range value in an ?eigen=land link is refused by name; the eigen wijk is shown', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin, '/?eigen=land&perc_1ouder=-5&perc_hhbijs=12');
  await settled(page);
  assert.equal(await title(page), 'Eigen wijk');
  const notice = await page.textContent('#fatal');
  assert.match(notice, /-5/);
  assert.doesNotMatch(notice, /perc_hhbijs/, 'the valid value is taken over');
  assert.equal(Number(await page.inputValue('#wi-perc_hhbijs-range')), 12);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('a value far outside the wijken of 2017 gets the core\'s caution beside the result, in the page\'s language', async () => {
  for (const [lang, word] of [['', /grijze druk|grijzedruk/i], ['lang=en&', /grey|grijzedruk/i]]) {
    const { page, consoleErrors } = await openPage(site.browser, site.origin, `/?${lang}eigen=land&grijzedruk=999`);
    await settled(page);
    await page.waitForSelector('[data-testid="caution"]:not([hidden])');
    const caution = await page.textContent('[data-testid="caution"]');
    assert.match(caution, word, caution);
    assert.match(caution, /999/, caution);
    // Back to the national profile: no caution.
    await page.click('#reset-alles');
    await page.waitForSelector('[data-testid="caution"][hidden]', { state: 'attached' });
    assert.deepEqual(consoleErrors, []);
    await page.close();
  }
  // A wijk of the data, as it is: none.
  const { page } = await openPage(site.browser, site.origin, '/?wijk=WK036300');
  await settled(page);
  assert.equal(await page.isVisible('[data-testid="caution"]'), false);
  await page.close();
});

test('while a ?wijk= link loads, the controls wait; a later eigen-wijk choice is kept', async () => {
  const { page, consoleErrors: errors } = await watchPage(site.browser, site.origin);
  const release = await holdValues(page);
  await page.goto(`${site.origin}/?wijk=WK036300`);
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Gegevens laden…');
  assert.equal(await page.$eval('#whatif-controls', (e) => e.inert), true, 'no edits while the values load');
  // A slider cannot take focus or keys now.
  await page.focus('#wi-perc_hhbijs-range').catch(() => {});
  await page.keyboard.press('ArrowRight');
  // The person chooses an eigen wijk before the link's wijk arrives.
  await page.click('#eigen-land');
  assert.equal(await title(page), 'Eigen wijk');
  assert.equal(await page.$eval('#whatif-controls', (e) => e.inert), false);
  release();
  await mapReady(page, 30_000); // drawn after the values arrive
  await page.waitForTimeout(200);
  assert.equal(await title(page), 'Eigen wijk', 'the later choice is not overwritten');
  assert.deepEqual(errors, []);
  await page.close();
});

test('while a ?wijk= link loads, the controls are inert (an edit is not taken); the wijk then arrives with its own values', async () => {
  const { page, pageErrors: errors } = await watchPage(site.browser, site.origin);
  const release = await holdValues(page);
  await page.goto(`${site.origin}/?wijk=WK036300`);
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Gegevens laden…');
  // Typing into a number field while loading: the panel is inert, so nothing happens.
  await page.fill('#wi-perc_hhbijs-num', '33', { force: true, timeout: 1000 }).catch(() => {});
  release();
  await settled(page);
  assert.equal(await title(page), 'Burgwallen-Oude Zijde');
  assert.equal(await page.$eval('#whatif-controls', (e) => e.inert), false);
  assert.equal(new URL(page.url()).searchParams.get('perc_hhbijs'), null);
  // its own value, not the 33 typed while it loaded
  assert.notEqual(Number(await page.inputValue('#wi-perc_hhbijs-num').then((t) => t.replace(',', '.'))), 33);
  assert.deepEqual(errors, []);
  await page.close();
});

// A small seeded generator, so a failure can be replayed from its seed.
function rng(seed) {
  let x = seed >>> 0;
  return () => { x = (x * 1664525 + 1013904223) >>> 0; return x / 2 ** 32; };
}

test('random query strings: no console error, and a usable calculator every time', async () => {
  const seed = Number(process.env.SEED || 20261204);
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const keys = ['wijk', 'eigen', 'gemeente', 'perc_1ouder', 'perc_hhbijs', 'grijzedruk', 'gem_gestink',
    'samenw', 'kleinewijk', 'onbekend', '', 'wijk[]', '%E2%82%AC'];
  const values = ['WK036300', 'WK001404', 'land', 'GM0363', 'GM9999', 'WK999999', 'wk036300', '', ' ',
    '500', '-5', '1e308', '-0', '0', '1', '0.5', '12,5', '1.234,5', 'NaN', 'Infinity', '-inf', 'null',
    '%', '%25', '<script>', 'ë', '1'.repeat(400)];
  const { page, consoleErrors: errors } = await watchPage(site.browser, site.origin);
  for (let i = 0; i < 30; i += 1) {
    // Mostly a valid start (a wijk or an eigen wijk) with random values after it, so the
    // values themselves are exercised, not just a broken start.
    const n = 1 + Math.floor(r() * 4);
    const start = pick(['wijk=WK036300', 'eigen=land', 'eigen=WK001404', '']);
    const q = [start, ...Array.from({ length: n }, () => `${pick(keys)}=${encodeURIComponent(pick(values))}`)]
      .filter(Boolean).join('&');
    const where = `seed ${seed}, case ${i}: ?${q}`;
    await page.goto(`${site.origin}/?${q}`);
    const e = await settled(page).catch((err) => assert.fail(`${where}: no result (${err.message})`));
    assert.ok(e > -50 && e < 150, `${where}: expected ${e}`);
    // Usable: a slider moves the expected value or keeps it valid.
    await page.focus('#wi-perc_hhbijs-range');
    await page.keyboard.press('ArrowRight');
    const e2 = Number(await page.getAttribute('[data-testid="expected"]', 'data-value'));
    assert.ok(Number.isFinite(e2), `${where}: after an edit ${e2}`);
    assert.deepEqual(errors, [], where);
  }
  await page.close();
});

/** Hold site.bin.gz (the wijken) back until release() is called. */
async function holdSite(page) {
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route('**/site.bin.gz', async (route) => { await gate; await route.continue(); });
  return release;
}

test('the first result needs only the wasm: it shows before the wijken, which then bring search and map', async () => {
  const { page, consoleErrors: errors } = await watchPage(site.browser, site.origin);
  const release = await holdSite(page);
  await page.goto(`${site.origin}/`);
  const e = await settled(page);
  assert.equal(await title(page), 'Eigen wijk');
  assert.ok(e > 5 && e < 20, `${e}`);
  // The calculator works before the wijken: a slider moves the result.
  await page.focus('#wi-perc_hhbijs-range');
  await page.keyboard.press('PageUp');
  await page.waitForFunction((before) => Number(document.querySelector('[data-testid="expected"]').dataset.value) !== before, e);
  // Typed before the wijken are in: searched as soon as they are.
  await page.fill('#zoek', 'Burgwallen');
  assert.equal(await page.isVisible('#zoek-lijst'), false);
  release();
  await page.waitForSelector('#zoek-lijst [role="option"]', { timeout: 20_000 });
  assert.match(await page.textContent('#zoek-lijst'), /Burgwallen-Oude Zijde/);
  assert.ok(await page.$$eval('#eigen-gemeente option', (o) => o.length) > 300, 'the gemeente list is filled');
  await mapReady(page, 30_000);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a ?wijk= link waits for the wijken; an eigen wijk chosen meanwhile is kept', async () => {
  const { page, consoleErrors: errors } = await watchPage(site.browser, site.origin);
  const release = await holdSite(page);
  await page.goto(`${site.origin}/?wijk=WK036300`);
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').textContent === 'Gegevens laden…');
  // "Alles terugzetten" has nothing to reset yet: no error, nothing changes.
  await page.$eval('#reset-alles', (b) => b.click());
  assert.equal(await title(page), 'Gegevens laden…');
  await page.click('#eigen-land');
  assert.equal(await title(page), 'Eigen wijk');
  release();
  await mapReady(page, 30_000);
  await page.waitForTimeout(200);
  assert.equal(await title(page), 'Eigen wijk', 'the later choice is not overwritten by the link');
  assert.doesNotMatch(new URL(page.url()).search, /wijk=WK036300/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('without the wijken (site.bin.gz fails) the page says so by name and still calculates', async () => {
  const { page, pageErrors: errors } = await watchPage(site.browser, site.origin);
  await page.route('**/site.bin.gz', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(`${site.origin}/?wijk=WK036300`);
  const e = await settled(page);
  assert.ok(e > 0 && e < 100);
  assert.equal(await title(page), 'Eigen wijk');
  await page.waitForSelector('#data-notice:not([hidden])');
  assert.match(await page.textContent('#data-notice'), /site\.bin\.gz: HTTP 404/);
  // The link's wijk is named as not shown, and why.
  assert.match(await page.textContent('#fatal'), /WK036300.*konden niet worden geladen/);
  // The Verantwoording still has what the model alone tells.
  await page.waitForFunction(() => document.querySelectorAll('#coef-tabel tbody tr').length > 0);
  assert.match(await page.textContent('#vw-nfit'), /^\d[\d.]*$/);
  assert.notEqual(await page.textContent('#vw-reml'), '–');
  // A later result does not hide the data notice.
  await page.focus('#wi-perc_hhbijs-range');
  await page.keyboard.press('PageUp');
  await page.waitForFunction((before) => Number(document.querySelector('[data-testid="expected"]').dataset.value) !== before, e);
  assert.equal(await page.isVisible('#data-notice'), true);
  // A link's gemeente is not called unknown when the wijken could not be loaded.
  await page.goto(`${site.origin}/?eigen=land&gemeente=GM0363`);
  await settled(page);
  await page.waitForSelector('#data-notice:not([hidden])');
  const notice = await page.textContent('#fatal');
  assert.match(notice, /GM0363.*gegevens per wijk konden niet worden geladen/);
  assert.doesNotMatch(notice, /onbekende gemeentecode/);
  await page.waitForSelector('#kaart .map-notice');
  assert.deepEqual(errors, []);
  await page.close();
});
