// Issue 12, point 4: the page in English (?lang=en). Every visible text of the calculator,
// the four map views, the gemeenterapport and Vergelijk gemeenten is checked for Dutch
// left over (a list of tell-tale Dutch words, after taking out the data's own names),
// numbers must use the decimal point, and the language must survive every link and URL
// the page writes. The Dutch page is checked too: its static HTML equals the Dutch catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, siteUnderTest, mapReady } from './helpers.mjs';

const site = siteUnderTest();

// Words that only a Dutch sentence has (none is an English word or part of the
// catalogs' kept Dutch terms). Matched as whole words, case-insensitive.
const DUTCH = ['gemeente', 'gemeenten', 'gebruik', 'verwacht', 'verwachte', 'werkelijk', 'werkelijke', 'verschil',
  'procentpunt', 'kenmerk', 'kenmerken', 'jeugdigen', 'niet', 'geen', 'gegevens', 'landelijk', 'oordeel', 'hoger',
  'lager', 'binnen', 'tot', 'van', 'het', 'een', 'met', 'zonder', 'voor', 'bron', 'kaart', 'zoek', 'toon',
  'gemiddeld', 'gemiddelde', 'schatting', 'inkomen', 'laag', 'midden', 'hoog', 'rapport', 'vergelijk', 'wijken',
  'gepubliceerd', 'waarde', 'bereik', 'eigen', 'alle', 'naar', 'uit', 'bij', 'wat', 'als', 'ja', 'nee', 'regio',
  'jeugdzorgregio', 'grens', 'inwoners', 'huishoudens', 'kinderen', 'verantwoording', 'downloaden',
  'grafiek', 'tabel', 'afdrukken', 'terug', 'kies', 'toevoegen', 'weghalen', 'coëfficiënt', 'eenheid', 'startwaarde',
  'geschat', 'ontbreekt', 'bijdrage', 'verhoogt', 'verlaagt', 'zoomen', 'inzoomen', 'uitzoomen', 'wijziging'];
const DUTCH_RE = new RegExp(`(^|[^\\p{L}])(${DUTCH.join('|')})(?=[^\\p{L}]|$)`, 'iu');
// Kept on purpose: the title of SCP's publication (a source), variable names in formulas.
const KEPT = [/Jeugdhulp in de wijk/g, /\b[uv]_(gemeente|regio)\b/g, /σ²<sub>/g];

/**
 * Every visible text node and the accessible text attributes of the page, trimmed.
 * `markedDutch: false` leaves out text inside an element marked lang="nl" (the core's text
 * that has no English yet, shown as Dutch on purpose, issue 10).
 */
async function visibleTexts(page, { markedDutch = true } = {}) {
  return page.evaluate((markedDutch) => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.textContent.trim();
      const p = n.parentElement;
      if (!t || !p || p.closest('script, style, noscript, datalist')) continue;
      if (!markedDutch && p.closest('body [lang="nl"]')) continue;
      if (!p.checkVisibility({ visibilityProperty: true }) && !p.closest('.visually-hidden, [role="status"], svg')) continue;
      out.push(t);
    }
    for (const e of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (e.closest('[hidden]')) continue;
      if (!markedDutch && e.closest('body [lang="nl"]')) continue;
      for (const a of ['aria-label', 'title', 'placeholder']) if (e.getAttribute(a)) out.push(e.getAttribute(a).trim());
    }
    out.push(document.title);
    return out;
  }, markedDutch);
}

/** The data's names (wijken, gemeenten, regio's), longest first: they are Dutch and stay so. */
async function dataNames(page) {
  return page.evaluate(async () => {
    const jw = await import(new URL('pkg/jeugdhulp_wijk.js', document.querySelector('script[type="module"]').src).href);
    const names = new Set();
    for (const w of jw.wijken()) { names.add(w.name); names.add(w.gemeente_name); names.add(w.regio_name); }
    // the map also draws wijken that are not in SCP's file (geo.bin.gz, "no data")
    const src = document.querySelector('script[type="module"]').src;
    const { fetchGeometry, decodeGeometry, knownNames } = await import(new URL('geobin.js', src).href);
    const geo = decodeGeometry(await fetchGeometry(new URL('geo.bin.gz', src)), knownNames(jw.wijken(), jw.gemeenten()));
    for (const s of [...geo.wijken, ...geo.gemeenten]) if (s.name) names.add(s.name);
    return [...names].filter((n) => n.length > 1).sort((a, b) => b.length - a.length);
  });
}

/** Texts with Dutch left over, and texts with a decimal comma. */
function problems(texts, names) {
  const dutch = [];
  const commas = [];
  for (const raw of texts) {
    let t = raw;
    for (const re of KEPT) t = t.replace(re, ' ');
    if (DUTCH_RE.test(t)) {
      // a tell-tale word may be part of a name ("Hoog Catharijne"): take the names out
      for (const n of names) if (t.includes(n)) t = t.split(n).join(' ');
      const m = DUTCH_RE.exec(t);
      if (m) dutch.push(`"${m[2]}" in: ${raw.slice(0, 160)}`);
    }
    // a decimal comma: a digit, a comma, one or two digits, no more digits (thousands have three)
    let c = raw;
    for (const n of names) if (/\d,\d/.test(n) && c.includes(n)) c = c.split(n).join(' ');
    if (/\d,\d{1,2}(?!\d)/.test(c)) commas.push(raw.slice(0, 160));
  }
  return { dutch: [...new Set(dutch)], commas: [...new Set(commas)] };
}

async function assertEnglish(page, label, names, options = {}) {
  let texts = await visibleTexts(page, options);
  for (const re of options.keep ?? []) texts = texts.map((t) => t.replace(re, ' '));
  const { dutch, commas } = problems(texts, names);
  assert.deepEqual(dutch, [], `${label}: Dutch left in the English page`);
  assert.deepEqual(commas, [], `${label}: decimal commas in the English page`);
}

const wijkTitle = (page, name) => page.waitForFunction((n) => document.querySelector('[data-testid="title"]').textContent === n, name);

test('English calculator and map: no Dutch left, decimal points, <html lang="en">', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin, '/?lang=en&wijk=WK001404');
  await mapReady(page, 30_000);
  await wijkTitle(page, 'Oosterparkwijk');
  const names = await dataNames(page);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.textContent('#lang-switch'), 'Nederlands');
  // the figures: '.' decimals, English words
  const expected = await page.textContent('[data-testid="expected"]');
  assert.match(expected, /^\d+\.\d\u00a0%$/);
  assert.match(await page.textContent('[data-testid="difference"]'), /^[+\u2212]\d+\.\d\u00a0percentage points$/);
  assert.match(await page.textContent('[data-testid="verdict"]'), /(higher than expected|lower than expected|as expected)$/);
  // a determinant label from the core, in English
  assert.match(await page.textContent('[data-testid="control-perc_1ouder"] label'), /^Single-parent households \(%\)$/);
  // open every what-if group and the explanation, so their text is visible too
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  await page.click('.contrib-toggle');
  await assertEnglish(page, 'calculator with a wijk', names);
  for (const v of ['werkelijk', 'verwacht', 'verschil', 'gemeente-effect']) {
    await page.click(`[data-testid="map-view-${v}"]`);
    await page.focus('[data-testid="map-list"]');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('[data-testid="map-tooltip"]:not([hidden])');
    await assertEnglish(page, `map view ${v}`, names);
  }
  // an invalid value, the income filter and a custom district
  await page.fill('#wi-perc_hhbijs-num', '500');
  await page.waitForSelector('#wi-perc_hhbijs-num[aria-invalid="true"]');
  await page.selectOption('[data-testid="map-ses"]', 'laag');
  await assertEnglish(page, 'invalid value, income filter', names);
  await page.click('#eigen-land');
  await wijkTitle(page, 'Custom district');
  await page.selectOption('#eigen-gemeente', 'GM0363');
  await assertEnglish(page, 'custom district', names);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('English report and comparison: no Dutch left, decimal points', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin, '/?lang=en&rapport=GM0344');
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', null, { timeout: 30_000 });
  const names = await dataNames(page);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.match(await page.textContent('[data-testid="report-title"]'), /^Municipality report Utrecht/);
  await assertEnglish(page, 'report', names);
  // verdicts and income classes from the core, in English
  const verdicts = await page.$$eval('[data-testid="report-wijken"] .verdict-cell', (c) => [...new Set(c.map((x) => x.textContent))]);
  for (const v of verdicts) assert.ok(['higher than expected', 'lower than expected', 'as expected', 'no verdict'].includes(v), v);
  assert.match(await page.textContent('[data-testid="ses-table"] tbody th'), /^low income$/);
  await page.goto(`${site.origin}/?lang=en&vergelijk=`);
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true');
  await assertEnglish(page, 'comparison', names);
  await page.fill('[data-testid="compare-search"]', 'nonsens');
  await page.click('[data-testid="compare-add"]');
  await assertEnglish(page, 'comparison with a message', names);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('the language stays in the URL: wijk choice, report link, comparison, back', async () => {
  const { page } = await openPage(site.browser, site.origin, '/?lang=en');
  await mapReady(page, 30_000);
  const lang = () => new URL(page.url()).searchParams.get('lang');
  // choose a wijk by search: the URL the page writes keeps lang
  await page.getByRole('combobox', { name: 'Find a district' }).fill('oosterparkwijk');
  await page.waitForSelector('#zoek-lijst [role="option"]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await wijkTitle(page, 'Oosterparkwijk');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('wijk') === 'WK001404');
  assert.equal(lang(), 'en');
  // a what-if edit rewrites the URL: lang stays
  await page.fill('#wi-perc_hhbijs-num', '10');
  await page.waitForFunction(() => new URLSearchParams(location.search).has('perc_hhbijs'));
  assert.equal(lang(), 'en');
  // the nav link and the report link
  assert.equal(new URL(await page.$eval('[data-testid="nav-vergelijk"]', (a) => a.href)).searchParams.get('lang'), 'en');
  await page.click('[data-testid="rapport-link"]');
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', null, { timeout: 30_000 });
  assert.equal(new URL(page.url()).searchParams.get('rapport'), 'GM0014');
  assert.equal(lang(), 'en');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  // the report's link to the comparison, the comparison's selection and its links
  await page.click('[data-testid="report-compare"]');
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true' && document.querySelector('[data-testid="compare"]'));
  assert.equal(lang(), 'en');
  await page.click('[data-testid="compare-g4"]');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('vergelijk') === 'GM0363,GM0599,GM0518,GM0344');
  assert.equal(lang(), 'en');
  for (const href of await page.$$eval('[data-testid="compare-table"] a, .report-back a', (as) => as.map((a) => a.href))) {
    assert.equal(new URL(href).searchParams.get('lang'), 'en', href);
  }
  // the switch leads to the same view in Dutch, and back
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true');
  assert.equal(lang(), null);
  assert.equal(new URL(page.url()).searchParams.get('vergelijk'), 'GM0363,GM0599,GM0518,GM0344');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  assert.equal(await page.textContent('#vg-title'), 'Vergelijk gemeenten');
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true');
  assert.equal(lang(), 'en');
  assert.equal(await page.textContent('#vg-title'), 'Compare municipalities');
  await page.close();
});

test('Dutch stays the default: lang="nl", the static HTML equals the Dutch catalog, decimal commas', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin, '/?wijk=WK001404');
  await wijkTitle(page, 'Oosterparkwijk');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  assert.match(await page.textContent('[data-testid="expected"]'), /^\d+,\d\u00a0%$/);
  assert.equal(await page.textContent('#lang-switch'), 'English');
  assert.equal(new URL(await page.$eval('#lang-switch', (a) => a.href)).searchParams.get('lang'), 'en');
  // Every element marked for translation holds, in the HTML as served, its Dutch catalog text.
  const drift = await page.evaluate(async () => {
    const S = (await import(new URL('i18n/static.nl.js', document.querySelector('script[type="module"]').src).href)).default;
    const html = await (await fetch(location.href)).text();
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const norm = (h) => { const t = document.createElement('template'); t.innerHTML = h; return t.innerHTML; };
    const out = [];
    const seen = new Set();
    for (const e of doc.querySelectorAll('[data-i18n]')) {
      seen.add(e.dataset.i18n);
      if (e.textContent !== S[e.dataset.i18n]) out.push(`${e.dataset.i18n}: ${e.textContent.slice(0, 60)}`);
    }
    for (const e of doc.querySelectorAll('[data-i18n-html]')) {
      seen.add(e.dataset.i18nHtml);
      if (norm(e.innerHTML) !== norm(S[e.dataset.i18nHtml] ?? '')) out.push(`${e.dataset.i18nHtml}: ${e.innerHTML.slice(0, 60)}`);
    }
    for (const e of doc.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of e.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split('=');
        seen.add(key);
        if (e.getAttribute(attr) !== S[key]) out.push(`${key}: ${e.getAttribute(attr)}`);
      }
    }
    for (const k of Object.keys(S)) if (!seen.has(k)) out.push(`${k}: not used in index.html`);
    return out;
  });
  assert.deepEqual(drift, []);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

/** Click a download button and return the file's name and text (BOM removed). */
async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
  const { readFile } = await import('node:fs/promises');
  return { name: dl.suggestedFilename(), text: (await readFile(await dl.path(), 'utf8')).replace(/^\ufeff/, '') };
}

test('English exports: CSV headers and SVG titles in English, English Excel CSV (",", decimal point)', async () => {
  const { page } = await openPage(site.browser, site.origin, '/?lang=en&wijk=WK001404');
  await mapReady(page, 30_000);
  const csv = await download(page, 'map-export-csv');
  assert.equal(csv.name, 'jeugdhulp-wijk-districts.csv');
  const [header, ...rows] = csv.text.trim().split('\r\n');
  assert.ok(header.startsWith('district_code,district_name,municipality_code,municipality_name,region_code,region_name,actual_pct,expected_pct'), header);
  const row = rows.find((r) => r.startsWith('WK001404,'));
  // Oosterparkwijk's expected use as on the page, with a decimal point
  const expected = await page.$eval('[data-testid="expected"]', (e) => Number(e.dataset.value));
  assert.equal(Number(row.split(',')[7]), Number(expected.toFixed(3)));
  assert.match(row, /,(no|higher|lower),/);
  await page.click('[data-testid="map-view-verschil"]');
  const svg = await download(page, 'map-export-svg');
  assert.match(svg.text, /<title>Difference actual − expected \(percentage points\)<\/title>/);
  assert.match(svg.text, /outside the 95% prediction interval/);
  await page.goto(`${site.origin}/?lang=en&vergelijk=`);
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true');
  const c = await download(page, 'compare-csv');
  assert.equal(c.name, 'municipality-effects.csv');
  const lines = c.text.trim().split('\r\n').map((l) => l.split(','));
  assert.deepEqual(lines[0].slice(0, 4), ['municipality_code', 'municipality', 'youth_care_region_code', 'youth_care_region']);
  assert.equal(lines.length, 5);
  for (const l of lines.slice(1)) assert.match(l[8], /^-?\d+\.\d{4}$/);
  const cs = await download(page, 'compare-svg');
  assert.match(cs.text, /Municipality effect \(municipality \+ youth care region\) with 95 % interval/);
  await page.close();
});

// Issue 10: "Aanvullen met eigen wijkkenmerken" in English: the panel, a file's problems,
// a result with its cautions, a scatter plot's table and the map's note. The core's texts
// come in English (message_en, cautions_en); a text it had no English for would be shown
// in Dutch marked lang="nl", which the checks leave out, so the test also asserts that
// nothing is marked. The uploaded file's own column names stay as they are.
test('English Aanvullen panel: no Dutch left outside the core\'s marked text, decimal points', async () => {
  const { page, consoleErrors } = await openPage(site.browser, site.origin, '/?lang=en');
  await mapReady(page, 30_000);
  const names = await dataNames(page);
  // The core's English for a value that is no number describes the file's own (Dutch)
  // dialect with an example, "as in 1.234,5": that comma is the file's, on purpose.
  const opts = { markedDutch: false, keep: [/\bas in 1\.234,5\b/g] };
  await page.click('[data-testid="ext-open"]');
  await page.waitForSelector('#aanvullen[data-ready="true"]', { timeout: 30_000 });
  assert.equal(await page.textContent('#aanvullen-titel'), 'Add your own district characteristics');
  await assertEnglish(page, 'aanvullen, opened', names);
  await page.setInputFiles('[data-testid="ext-upload"]', new URL('../fixtures/extend/haaglanden_excel_nl.csv', import.meta.url).pathname);
  await page.waitForSelector('#aanvullen[data-state="inspected"]');
  assert.equal(await page.textContent('[data-testid="ext-det-decimal"]'), 'comma');
  assert.match(await page.textContent('[data-testid="ext-problems"] li.ext-problem'), /^(✖ Error|⚠ Warning): (line \d+|column )/);
  await assertEnglish(page, 'aanvullen, problems', names, opts);
  await page.click('[data-testid="ext-regios-none"]');
  await page.check('[data-testid="ext-regio-JZ24"]');
  await page.click('[data-testid="ext-run"]');
  await page.waitForSelector('#aanvullen[data-state="done"]');
  assert.match(await page.textContent('[data-testid="ext-explained"]'), /This explains \d+\.\d\u00a0% of the remaining differences between districts/);
  await page.evaluate(() => document.querySelectorAll('#aanvullen details').forEach((d) => { d.open = true; }));
  await page.click('[data-testid="ext-show-map"]');
  await page.waitForSelector('#kaart[data-override]');
  await assertEnglish(page, 'aanvullen, results and map', names, opts);
  // Dutch is marked only where the core gave no English for that very text
  const marked = await page.evaluate(() => {
    const r = document.querySelector('#aanvullen').extDebug.result;
    return {
      cautionsEn: Array.isArray(r.cautions_en),
      problemsEn: r.problems.filter((p) => p.message_en != null).length,
      markedCautions: document.querySelectorAll('[data-testid="ext-cautions"] [lang="nl"]').length,
      markedProblems: document.querySelectorAll('[data-testid="ext-run-problems"] [lang="nl"]').length,
      problems: r.problems.length,
    };
  });
  // (the core now gives English for all of them, so nothing is marked)
  assert.deepEqual(marked, { cautionsEn: true, problemsEn: marked.problems, markedCautions: 0, markedProblems: 0, problems: marked.problems });
  assert.ok(marked.problems > 5);
  assert.match(await page.textContent('[data-testid="ext-cautions"]'), /Association is not causation/);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});
