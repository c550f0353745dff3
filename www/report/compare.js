// Vergelijk gemeenten (?vergelijk=GM0363,GM0599,…): a caterpillar plot of gemeente
// effects (u_gemeente + u_regio) with 95 % intervals, a table with the same figures,
// and CSV / SVG / PNG downloads. The effects and intervals come from
// jw.gemeenteEffects() (src/report.rs, the model file's BLUPs and conditional SDs).
// The selection lives in the URL.

import { el, download } from '../dom.js';
import { fmtNum, collator, normalise, csvDialect } from '../format.js';
import { intervalChart, svgText } from './plots.js';
import { messages, withLang } from '../i18n.js';

const G4 = ['GM0363', 'GM0599', 'GM0518', 'GM0344'];

const M = messages('compare');

// CSV for Excel in the page's language (format.js csvDialect: nl ';' and a decimal comma,
// en ',' and a point), no grouping, 4 decimals, BOM, CRLF.
const CSV = csvDialect();
const csvNum = (x) => CSV.num(x, 4);
const csvText = CSV.text;

/** The codes in `?vergelijk=`; an empty list is the G4. */
export function parseSelection(param, known) {
  const codes = String(param ?? '').split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
  const unknown = codes.filter((c) => !known.has(c));
  const good = [...new Set(codes.filter((c) => known.has(c)))];
  return { codes: codes.length ? good : [...G4], unknown };
}

export function renderCompare(root, jw, param) {
  const gemeenten = jw.gemeenten();
  const byCode = new Map(gemeenten.map((g) => [g.code, g]));
  const sorted = [...gemeenten].sort((a, b) => collator.compare(a.name, b.name));
  const regios = [...new Map(gemeenten.map((g) => [g.regio_code, g.regio_name])).entries()]
    .sort((a, b) => collator.compare(a[1], b[1]));
  const start = parseSelection(param, byCode);
  let selection = start.codes;
  document.title = M.pageTitle(M.title);

  // --- controls ------------------------------------------------------------
  const listId = 'vg-gemeenten';
  const datalist = el('datalist', { id: listId }, ...sorted.map((g) => el('option', { value: `${g.name} (${g.code})` })));
  const input = el('input', { id: 'vg-zoek', type: 'text', list: listId, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'vg-zoek-hint', 'data-testid': 'compare-search' });
  const addBtn = el('button', { type: 'button', 'data-testid': 'compare-add' }, M.add);
  const regioSel = el('select', { id: 'vg-regio', 'data-testid': 'compare-regio' }, el('option', { value: '' }, M.regioPick),
    ...regios.map(([code, name]) => el('option', { value: code }, name)));
  const regioBtn = el('button', { type: 'button', 'data-testid': 'compare-regio-add' }, M.regioAdd);
  const g4Btn = el('button', { type: 'button', class: 'secondary', 'data-testid': 'compare-g4' }, M.g4);
  const clearBtn = el('button', { type: 'button', class: 'secondary' }, M.clear);
  const message = el('p', { class: 'compare-message', role: 'status', 'aria-live': 'polite', 'data-testid': 'compare-message' });
  const chips = el('ul', { class: 'compare-chips', 'aria-label': M.selected, 'data-testid': 'compare-chips' });
  const controls = el('div', { class: 'compare-controls no-print', role: 'group', 'aria-labelledby': 'vg-choose' },
    el('h3', { id: 'vg-choose' }, M.choose),
    el('div', { class: 'compare-row' }, el('label', { for: 'vg-zoek' }, M.search), input, datalist, addBtn),
    el('p', { class: 'hint', id: 'vg-zoek-hint' }, M.searchHint),
    el('div', { class: 'compare-row' }, el('label', { for: 'vg-regio' }, M.regio), regioSel, regioBtn),
    el('div', { class: 'compare-row' }, g4Btn, clearBtn),
    chips, message);

  const figure = el('figure', { class: 'report-figure compare-figure', 'data-testid': 'compare-chart' });
  const tableBox = el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': M.caption });
  const btnCsv = el('button', { type: 'button', 'data-testid': 'compare-csv' }, M.csv);
  const btnSvg = el('button', { type: 'button', 'data-testid': 'compare-svg' }, M.svg);
  const btnPng = el('button', { type: 'button', 'data-testid': 'compare-png' }, M.png);
  root.append(el('article', { class: 'report compare', 'aria-labelledby': 'vg-title', 'data-testid': 'compare' },
    el('h2', { id: 'vg-title' }, M.title),
    el('p', {}, M.intro), el('p', { class: 'hint' }, M.sdNote),
    controls,
    el('div', { class: 'compare-body' }, figure, tableBox),
    el('div', { class: 'map-export no-print', role: 'group', 'aria-label': M.downloads }, btnCsv, btnSvg, btnPng)));

  if (start.unknown.length) message.textContent = M.unknownCodes(start.unknown);

  let effects = [];
  function render() {
    effects = jw.gemeenteEffects(selection);
    const order = [...effects].sort((a, b) => a.total.value - b.total.value);
    figure.replaceChildren(order.length ? intervalChart(order.map((e) => ({
      label: e.name, value: e.total.value, low: e.total.low, high: e.total.high, kind: 'mine',
    })), { id: 'compare-svg', title: M.chartTitle, desc: M.chartDesc, axisLabel: M.axis, width: 560, labelWidth: 190 })
      : el('p', {}, M.none));
    const tbody = el('tbody', {}, ...order.map((e) => el('tr', {
      'data-code': e.code, 'data-value': e.total.value, 'data-sd': e.total.sd, 'data-low': e.total.low, 'data-high': e.total.high,
    },
    el('th', { scope: 'row' }, el('a', { href: withLang(`?rapport=${e.code}`), title: M.reportOf(e.name) }, e.name),
      el('span', { class: 'cell-sub' }, e.regio_name)),
    el('td', { class: 'num' }, fmtNum(e.gemeente.value, 2, { signed: true })),
    el('td', { class: 'num' }, fmtNum(e.regio.value, 2, { signed: true })),
    el('td', { class: 'num strong' }, fmtNum(e.total.value, 2, { signed: true })),
    el('td', { class: 'num nowrap' }, M.range(fmtNum(e.total.low, 2), fmtNum(e.total.high, 2))),
    el('td', { class: 'num' }, fmtNum(e.total.sd, 2)))));
    tableBox.replaceChildren(el('table', { class: 'report-table', 'data-testid': 'compare-table' },
      el('caption', {}, M.caption),
      el('thead', {}, el('tr', {}, ...M.cols.map((c, k) => el('th', { scope: 'col', class: k >= 2 ? 'num' : '' }, c)))), tbody));
    chips.replaceChildren(...selection.map((code) => {
      const g = byCode.get(code);
      const b = el('button', { type: 'button', class: 'chip-clear', 'aria-label': M.remove(g.name) }, '×');
      b.addEventListener('click', () => { setSelection(selection.filter((c) => c !== code)); input.focus(); });
      return el('li', { class: 'search-chip', 'data-code': code }, el('span', {}, g.name), b);
    }));
    for (const b of [btnCsv, btnSvg, btnPng]) b.disabled = !effects.length;
    const q = new URLSearchParams(location.search);
    q.delete('rapport');
    q.set('vergelijk', selection.join(','));
    const url = `${location.pathname}?${q.toString().replace(/%2C/g, ',')}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
  }
  function setSelection(codes, note = '') {
    selection = [...new Set(codes)];
    render();
    message.textContent = note || M.status(selection.length);
  }

  function findGemeente(text) {
    const t = text.trim();
    if (!t) return null;
    const code = /\((GM\d{4})\)\s*$/i.exec(t)?.[1] ?? (/^GM\d{4}$/i.test(t) ? t : null);
    if (code && byCode.has(code.toUpperCase())) return byCode.get(code.toUpperCase());
    const n = normalise(t);
    return sorted.find((g) => normalise(g.name) === n) ?? sorted.find((g) => normalise(g.name).startsWith(n)) ?? null;
  }
  function addFromInput() {
    const g = findGemeente(input.value);
    if (!g) { message.textContent = M.notFound(input.value); return; }
    input.value = '';
    setSelection([...selection, g.code]);
  }
  addBtn.addEventListener('click', addFromInput);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addFromInput(); } });
  regioBtn.addEventListener('click', () => {
    if (!regioSel.value) return;
    setSelection(sorted.filter((g) => g.regio_code === regioSel.value).map((g) => g.code));
  });
  g4Btn.addEventListener('click', () => setSelection([...G4]));
  clearBtn.addEventListener('click', () => setSelection([]));

  // --- downloads -----------------------------------------------------------
  btnCsv.addEventListener('click', () => {
    const lines = [M.csvHeader.join(CSV.sep)];
    for (const e of effects) {
      lines.push([csvText(e.code), csvText(e.name), csvText(e.regio_code), csvText(e.regio_name),
        csvNum(e.gemeente.value), csvNum(e.gemeente.sd), csvNum(e.regio.value), csvNum(e.regio.sd),
        csvNum(e.total.value), csvNum(e.total.sd), csvNum(e.total.low), csvNum(e.total.high)].join(CSV.sep));
    }
    download(new Blob([`\ufeff${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' }), `${M.file}.csv`);
  });
  btnSvg.addEventListener('click', () => {
    const svg = figure.querySelector('svg');
    if (svg) download(new Blob([svgText(svg)], { type: 'image/svg+xml' }), `${M.file}.svg`);
  });
  btnPng.addEventListener('click', () => {
    const svg = figure.querySelector('svg');
    if (!svg) return;
    const w = Number(svg.getAttribute('width')), h = Number(svg.getAttribute('height'));
    const img = new Image();
    const url = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
    img.onload = () => {
      const c = document.createElement('canvas');
      c.width = w * 2; c.height = h * 2;
      const g = c.getContext('2d');
      g.fillStyle = '#fff'; g.fillRect(0, 0, c.width, c.height);
      g.drawImage(img, 0, 0, c.width, c.height);
      URL.revokeObjectURL(url);
      c.toBlob((b) => download(b, `${M.file}.png`), 'image/png');
    };
    img.src = url;
  });

  render();
}
