// The gemeenterapport (?rapport=GM0344): one printable page per gemeente. Every figure
// comes from jw.gemeenteReport() and jw.funnel() (src/report.rs), which make each wijk's
// expected use, intervals and verdict with the calculator's own call; nothing is
// recomputed here. Numbers are formatted with Intl in the page's language (www/format.js);
// the texts are the catalogs' `report` messages (www/i18n/).

import { el } from '../dom.js';
import { fmtNum, fmtPct, fmtPp, collator } from '../format.js';
import { funnelPlot, intervalChart } from './plots.js';
import { miniMap } from './minimap.js';
import { messages, tr, withLang } from '../i18n.js';

const M = messages('report');

/** A table that sorts on a click on its column buttons (keyboard: Tab, Enter). */
function sortableTable(caption, cols, rows, keyOf, testid) {
  const tbody = el('tbody');
  const ths = cols.map((c, k) => {
    const b = el('button', { type: 'button', class: 'sort-btn', 'data-col': k }, c.label, el('span', { class: 'visually-hidden' }, M.sortHint));
    const th = el('th', { scope: 'col', class: c.num ? 'num' : '' }, b);
    b.addEventListener('click', () => sortBy(k, th.getAttribute('aria-sort') === 'ascending' ? -1 : 1));
    return th;
  });
  const table = el('table', { class: 'report-table', 'data-testid': testid },
    el('caption', {}, caption), el('thead', {}, el('tr', {}, ...ths)), tbody);
  function sortBy(k, dir) {
    const sorted = [...rows].sort((a, b) => {
      const x = keyOf(a, k), y = keyOf(b, k);
      if (x === null && y === null) return 0;
      if (x === null) return 1; // unpublished last, either way
      if (y === null) return -1;
      return dir * (typeof x === 'string' ? collator.compare(x, y) : x - y);
    });
    ths.forEach((th, j) => { if (j === k) th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending'); else th.removeAttribute('aria-sort'); });
    tbody.replaceChildren(...sorted.map((r) => r.tr));
    table.dataset.sort = `${k}:${dir > 0 ? 'asc' : 'desc'}`;
  }
  sortBy(0, 1);
  return table;
}

function td(text, attrs = {}) { return el('td', attrs, text); }

function wijkRows(r, verdictLabel) {
  return r.wijken.map((w) => {
    const pub = w.observed !== null;
    const verdict = w.verdict ? verdictLabel.get(w.verdict) : M.noVerdict;
    const tr = el('tr', {
      'data-code': w.code, 'data-expected': w.expected, 'data-pi-low': w.pi_low, 'data-pi-high': w.pi_high,
      'data-observed': pub ? w.observed : '', 'data-difference': pub ? w.difference : '', 'data-verdict': w.verdict ?? '',
    },
    el('th', { scope: 'row' }, w.name),
    pub ? td(fmtPct(w.observed), { class: 'num' })
      : td(el('span', { class: 'unpublished', title: M.notPublishedTitle }, M.notPublished), { class: 'num' }),
    td(fmtPct(w.expected), { class: 'num' }),
    td(`${fmtNum(w.pi_low, 1)}–${fmtNum(w.pi_high, 1)}\u00a0%`, { class: 'num nowrap' }),
    td(pub ? fmtPp(w.difference, 1, { short: true }) : '–', { class: 'num nowrap' }),
    td(verdict, { class: `verdict-cell verdict-${w.verdict ?? 'geen'}` }),
    td(w.income_class === null ? M.unknown : M.incomeShort[w.income_class]));
    return { w, tr };
  });
}

function sortKey({ w }, k) {
  switch (k) {
    case 0: return w.name;
    case 1: return w.observed;
    case 2: return w.expected;
    case 3: return w.pi_low;
    case 4: return w.difference;
    case 5: return w.verdict;
    default: return w.income_class;
  }
}

function sesSection(r, inc) {
  const rows = [];
  const tbody = el('tbody');
  for (const c of r.ses) {
    for (const [area, m, kind] of [[r.name, c.gemeente, 'mine'], [M.land, c.land, 'land']]) {
      rows.push({ group: c.class, label: `${tr(c, 'label')}: ${area}`, value: m.mean ?? NaN, low: m.low ?? NaN, high: m.high ?? NaN, kind });
      tbody.append(el('tr', { 'data-class': c.class, 'data-area': kind, 'data-mean': m.mean ?? '', 'data-n': m.n },
        el('th', { scope: 'row' }, tr(c, 'label')), td(area), td(fmtNum(m.n, 0), { class: 'num' }),
        td(m.mean === null ? M.noneInClass : fmtPp(m.mean, 2, { short: true }), { class: 'num nowrap' }),
        td(m.mean === null ? '–' : M.range(fmtNum(m.low, 2), fmtNum(m.high, 2)), { class: 'num nowrap' })));
    }
  }
  const chart = intervalChart(rows, {
    id: 'ses-svg', title: M.sesTitle, desc: M.sesDesc, axisLabel: M.sesAxis, labelWidth: 230, rowHeight: 22, groupGap: 10,
  });
  const table = el('table', { class: 'report-table', 'data-testid': 'ses-table' },
    el('caption', {}, M.sesCaption),
    el('thead', {}, el('tr', {}, ...M.sesCols.map((c, k) => el('th', { scope: 'col', class: k >= 2 ? 'num' : '' }, c)))), tbody);
  return el('section', { class: 'report-section', 'aria-labelledby': 'r-ses' },
    el('h3', { id: 'r-ses' }, M.sesHead), el('p', {}, M.sesExplain(inc)),
    el('figure', { class: 'report-figure' }, chart), table);
}

function legendLine(cls, text) {
  return el('li', {}, el('span', { class: `key ${cls}`, 'aria-hidden': 'true' }), text);
}

/** Render the report of gemeente `code`; `geometry` is a promise of the decoded geometry (geo.json's object, www/geobin.js). */
export async function renderReport(root, jw, code, geometry) {
  const gemeenten = jw.gemeenten();
  const g = gemeenten.find((x) => x.code === code.trim().toUpperCase());
  if (!g) throw new Error(M.unknownGemeente(code));
  const r = jw.gemeenteReport(g.code);
  const f = jw.funnel(60);
  const verdictLabel = new Map(jw.verdicts().map((v) => [v.value, tr(v, 'label')]));
  const inc = { ...r.income, label: tr(r.income, 'label') };
  document.title = M.pageTitle(M.title(r.name));

  const printBtn = el('button', { type: 'button', class: 'secondary no-print', 'data-testid': 'report-print' }, M.print);
  printBtn.addEventListener('click', () => window.print());
  // The comparison with the other gemeenten of its regio.
  const regio = gemeenten.filter((x) => x.regio_code === g.regio_code).map((x) => x.code);
  const compare = el('a', { class: 'no-print', href: withLang(`?vergelijk=${[g.code, ...regio.filter((c) => c !== g.code)].join(',')}`), 'data-testid': 'report-compare' }, M.compare);

  const e = r.effect;
  const effectPs = [M.effectSentence(r.name, e.gemeente), M.regioSentence(r.regio_name, e.regio), M.totalSentence(e.total)];
  if (e.gemeente.low <= 0 && e.gemeente.high >= 0) effectPs.push(M.zeroNote);

  const rows = wijkRows(r, verdictLabel);
  const table = sortableTable(M.tableCaption, M.cols.map((label, k) => ({ label, num: k >= 1 && k <= 4 })), rows, sortKey, 'report-wijken');

  const mapBox = el('div', { class: 'report-map', 'data-testid': 'report-map' });
  const vwDisclaimer = document.querySelector('#verantwoording .disclaimer')?.cloneNode(true);
  if (vwDisclaimer) { vwDisclaimer.querySelectorAll('[id]').forEach((n) => n.removeAttribute('id')); vwDisclaimer.removeAttribute('aria-labelledby'); }
  const credits = document.getElementById('vw-bronnen')?.cloneNode(true);
  credits?.removeAttribute('id');

  root.append(el('article', { class: 'report', 'aria-labelledby': 'r-title', 'data-testid': 'report', 'data-code': r.code },
    el('header', { class: 'report-head' },
      el('h2', { id: 'r-title', 'data-testid': 'report-title' }, M.title(r.name)),
      el('p', { class: 'report-sub' }, M.subtitle),
      el('div', { class: 'report-actions no-print' }, printBtn, compare),
      el('dl', { class: 'report-facts' },
        el('div', {}, el('dt', {}, M.regio), el('dd', { 'data-testid': 'report-regio' }, r.regio_name)),
        el('div', {}, el('dt', {}, M.wijken), el('dd', { 'data-testid': 'report-nwijken', 'data-value': r.n_wijken }, M.wijkenValue(r.n_wijken, r.n_published))),
        r.youth_total === null ? '' : el('div', {}, el('dt', {}, M.youth),
          el('dd', { 'data-testid': 'report-youth', 'data-value': r.youth_total, title: M.youthNote }, M.youthValue(r.youth_total))))),
    el('section', { class: 'report-section', 'aria-labelledby': 'r-effect', 'data-testid': 'report-effect',
      'data-gemeente': e.gemeente.value, 'data-regio': e.regio.value, 'data-total': e.total.value,
      'data-total-low': e.total.low, 'data-total-high': e.total.high },
    el('h3', { id: 'r-effect' }, M.effectHead),
    ...effectPs.map((t) => el('p', {}, t)), el('p', { class: 'hint' }, M.effectExplain)),
    el('section', { class: 'report-section', 'aria-labelledby': 'r-table' },
      el('h3', { id: 'r-table' }, M.tableHead), el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': M.tableRegion }, table)),
    el('section', { class: 'report-section report-funnel', 'aria-labelledby': 'r-funnel' },
      el('h3', { id: 'r-funnel' }, M.funnelHead),
      el('figure', { class: 'report-figure' }, funnelPlot(f, r.wijken.map((w) => w.index), M),
        el('figcaption', {}, el('ul', { class: 'chart-legend' },
          legendLine('key-mine', M.legendMine), legendLine('key-land', M.legendLand),
          legendLine('key-95', M.legend95), legendLine('key-998', M.legend998)))),
      el('p', { class: 'hint' }, M.funnelExplain(f.expected_ref))),
    sesSection(r, inc),
    el('section', { class: 'report-section report-map-section', 'aria-labelledby': 'r-map' },
      el('h3', { id: 'r-map' }, M.mapHead), mapBox),
    el('section', { class: 'report-section report-vw', 'aria-labelledby': 'r-vw' },
      el('h3', { id: 'r-vw' }, M.vwHead), vwDisclaimer ?? '', el('p', {}, M.vwModel), credits ?? ''),
  ));

  try {
    mapBox.append(miniMap(await geometry, r, verdictLabel, M.mapTitle(r.name)));
  } catch (err) {
    mapBox.append(el('p', { class: 'notice' }, M.mapFailed(err.message)));
  }
}
