// A link with something the page cannot use: a wijk that does not exist, a value that is
// no number, a name the model does not know, an unknown gemeente. The page shows a result
// and names in Dutch what it did not take over (docs/input-errors.md); nothing is dropped
// without a word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, siteUnderTest, mapReady } from './helpers.mjs';

const site = siteUnderTest();

/** Wait until a result is on screen; return the page's notice (empty when hidden). */
async function settledNotice(page) {
  await page.waitForFunction(() => {
    const t = document.querySelector('[data-testid="title"]').textContent;
    return !['Bezig met laden…', 'Gegevens laden…'].includes(t) && !t.endsWith('gegevens laden…')
      && Number.isFinite(Number(document.querySelector('[data-testid="expected"]').dataset.value || NaN));
  }, null, { timeout: 20_000 });
  return (await page.isVisible('#fatal')) ? page.textContent('#fatal') : '';
}

test('a ?wijk= that does not exist is named; the national profile is shown', async () => {
  for (const code of ['WK999999', 'rommel', '<b>x</b>']) {
    const { page, consoleErrors } = await openPage(site.browser, site.origin, `/?wijk=${encodeURIComponent(code)}`);
    const notice = await settledNotice(page);
    assert.match(notice, /bestaat niet/, code);
    assert.ok(notice.includes(`'${code}'`), `${code}: ${notice}`);
    assert.equal(await page.textContent('[data-testid="title"]'), 'Eigen wijk');
    assert.equal(await page.$('#fatal b'), null, 'the code is text, not markup');
    assert.deepEqual(consoleErrors, []);
    await page.close();
  }
});

test('a link value that is no number is named with its value, not dropped silently', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin,
    '/?eigen=land&perc_1ouder=12%2C5&perc_hhwan=NaN&grijzedruk=Infinity&perc_jong04=&perc_hhbijs=12');
  const notice = await settledNotice(page);
  assert.match(notice, /Niet overgenomen uit de link/);
  for (const part of ["perc_1ouder: '12,5' is geen getal", "perc_hhwan: 'NaN' is geen getal",
    "grijzedruk: 'Infinity' is geen getal", "perc_jong04: '' is geen getal"]) {
    assert.ok(notice.includes(part), `${part} in ${notice}`);
  }
  assert.doesNotMatch(notice, /perc_hhbijs/, 'the valid value is taken over');
  assert.equal(Number(await page.inputValue('#wi-perc_hhbijs-range')), 12);
  // The address keeps what was taken over and drops what was refused.
  const q = new URL(page.url()).searchParams;
  assert.deepEqual([...q.keys()].sort(), ['eigen', 'perc_hhbijs']);
  assert.equal(q.get('perc_hhbijs'), '12');
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('a parameter the page does not know is named as ignored', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin,
    '/?wijk=WK036300&perc_eenouder=30&perc_hhbijs=12&ses=laag');
  const notice = await settledNotice(page);
  assert.equal(await page.textContent('[data-testid="title"]'), 'Burgwallen-Oude Zijde');
  assert.match(notice, /onbekende parameter 'perc_eenouder'/);
  assert.doesNotMatch(notice, /perc_hhbijs|ses/, 'known parameters are not named');
  assert.equal(Number(await page.inputValue('#wi-perc_hhbijs-range')), 12);
  const q = new URL(page.url()).searchParams;
  assert.equal(q.has('perc_eenouder'), false, 'the ignored parameter leaves the address');
  assert.equal(q.get('perc_hhbijs'), '12');
  assert.equal(q.get('wijk'), 'WK036300');
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('an unknown gemeente in an eigen-wijk link is named; the profile has no gemeente', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin, '/?eigen=land&gemeente=GM9999');
  const notice = await settledNotice(page);
  assert.match(notice, /gemeente: onbekende gemeentecode 'GM9999'/);
  assert.equal(await page.inputValue('#eigen-gemeente'), '');
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('a youth count in a link that the core refuses is named with its value', async () => {
  for (const [raw, want] of [['abc', /n_jeugd: .*'abc'/], ['-5', /n_jeugd: .*minstens 1.*'-5'/], ['1e308', /n_jeugd: 1e308 jeugdigen/]]) {
    const { page, consoleErrors } = await openPage(site.browser, site.origin, `/?eigen=land&n_jeugd=${raw}&perc_hhbijs=12`);
    const notice = await settledNotice(page);
    assert.equal(await page.textContent('[data-testid="title"]'), 'Eigen wijk', raw);
    assert.match(notice, want, raw);
    assert.doesNotMatch(notice, /bestaat niet/, raw);
    assert.equal(await page.inputValue('#eigen-njeugd'), '', `${raw}: the default youth count`);
    assert.equal(Number(await page.inputValue('#wi-perc_hhbijs-range')), 12, `${raw}: the rest of the link is kept`);
    assert.deepEqual(consoleErrors, []);
    await page.close();
  }
});

test('an income class in a link that does not exist is named beside the filter and left out of the URL', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin, '/?wijk=WK036300&ses=arm');
  await mapReady(page, 60_000);
  const note = page.locator('[data-testid="map-ses-link"]');
  assert.ok(await note.isVisible());
  assert.match(await note.textContent(), /inkomensklasse 'arm'; die bestaat niet/);
  assert.equal(await page.getAttribute('#kaart', 'data-ses'), '', 'every wijk is shown');
  await page.waitForFunction(() => !new URLSearchParams(location.search).has('ses'));
  assert.equal(new URL(page.url()).searchParams.get('wijk'), 'WK036300', 'the rest of the link stays');
  // A valid class in a link is taken over without a note.
  await page.goto(`${site.origin}/?wijk=WK036300&ses=laag`);
  await mapReady(page, 60_000);
  assert.equal(await page.getAttribute('#kaart', 'data-ses'), 'laag');
  assert.ok(await page.locator('[data-testid="map-ses-link"]').isHidden());
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('in English the core\'s refusal of a link value is English too', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin, '/?lang=en&eigen=land&n_jeugd=-5&perc_1ouder=500');
  await page.waitForFunction(() => document.getElementById('fatal')?.textContent.includes('n_jeugd'), null, { timeout: 20_000 });
  const notice = await page.textContent('#fatal');
  assert.match(notice, /n_jeugd: -5 is not a valid number of youths/);
  assert.match(notice, /perc_1ouder: 500 lies outside 0–100 %/);
  assert.doesNotMatch(notice, /geen geldig|ligt buiten/);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});
