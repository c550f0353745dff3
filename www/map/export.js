// Downloads of what the map shows: SVG and PNG of the current view (with legend,
// what-if note and source) and a CSV of every wijk with its figures and the
// what-if. The CSV is for Excel in the page's language (format.js csvDialect: nl ';' and
// a decimal comma, en ',' and a point), with a BOM and CRLF; headers and titles in that language.

import { el, download } from '../dom.js';
import { NO_DATA, SUPPRESSED, FILTERED, HATCH_SVG, makePatterns } from './style.js';
import { FILTERED_FILL } from './ses.js';
import { messages } from '../i18n.js';
import { csvDialect, fmtValue } from '../format.js';

const M = messages('map');
const VIEW_TITLE = M.exportTitle;
const CSV = csvDialect();

const xmlEsc = (s) => String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]));

const csvNum = CSV.num;
const csvText = CSV.text;

export function createExport(m) {
  const { state, geo, shapes, nGeo, wijken, determinants, nData, nDet, observed, source } = m;
  const { scenario } = m.scope;

  const btnSvg = el('button', { type: 'button', 'data-testid': 'map-export-svg' }, M.exportSvg);
  const btnPng = el('button', { type: 'button', 'data-testid': 'map-export-png' }, M.exportPng);
  const btnCsv = el('button', { type: 'button', 'data-testid': 'map-export-csv' }, M.exportCsv);
  const box = el('div', { class: 'map-export', role: 'group', 'aria-label': M.exportGroup }, btnSvg, btnPng, btnCsv);

  const stamp = () => `${state.view}${scenario.active ? `-${M.fileWhatif}` : ''}`;
  /** Title and, with a what-if, the line saying where it applies. */
  function titleLines() {
    const lines = [VIEW_TITLE[state.view]];
    if (scenario.active) lines.push(M.exportWhatif(m.scope.scopeText(scenario.usedScope, scenario.scopeCode)));
    return lines;
  }

  function exportSvg() {
    const u = geo.width / 800; // map units per "pixel" bij 800 px breed
    const { cls, gemCls, outside } = m.draw;
    const pal = m.draw.palette();
    const parts = [];
    const groups = new Map();
    const add = (fill, d) => { if (!groups.has(fill)) groups.set(fill, []); groups.get(fill).push(d); };
    if (state.view === 'gemeente-effect') {
      geo.gemeenten.forEach((s, i) => add(gemCls[i] >= 0 ? pal[gemCls[i]] : 'url(#hatch-geen)', `<path d="${s.d}"><title>${xmlEsc(s.name)}</title></path>`));
    } else {
      for (let g = 0; g < nGeo; g++) {
        const c = cls[g];
        const fill = c === NO_DATA ? 'url(#hatch-geen)' : c === SUPPRESSED ? 'url(#hatch-nietgep)' : c === FILTERED ? FILTERED_FILL : pal[c];
        add(fill, `<path id="${shapes[g].code}" d="${shapes[g].d}"><title>${xmlEsc(`${m.wijkName(g)}, ${m.gemName(g)}`)}</title></path>`);
      }
    }
    parts.push(`<?xml version="1.0" encoding="UTF-8"?>`);
    parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="800" height="${Math.round(geo.height / u)}" viewBox="0 0 ${geo.width} ${geo.height}">`);
    parts.push(`<title>${xmlEsc(VIEW_TITLE[state.view])}</title>`);
    parts.push(`<defs>${HATCH_SVG.geen(u)}${HATCH_SVG.nietgep(u)}</defs>`);
    parts.push(`<rect width="${geo.width}" height="${geo.height}" fill="#fff"/>`);
    parts.push(`<g fill-rule="evenodd" stroke="#fff" stroke-opacity="0.75" stroke-width="${0.35 * u}">`);
    for (const [fill, paths] of groups) parts.push(`<g fill="${fill}">${paths.join('')}</g>`);
    parts.push('</g>');
    parts.push(`<g fill="none" stroke="#282828" stroke-opacity="0.55" stroke-width="${0.6 * u}">${geo.gemeenten.map((s) => `<path d="${s.d}"/>`).join('')}</g>`);
    parts.push(`<g fill="none" stroke="#222" stroke-width="${1.4 * u}">${geo.regios.map((s) => `<path d="${s.d}"/>`).join('')}</g>`);
    if (state.view === 'verschil' && outside.length) {
      parts.push(`<g fill="none" stroke="#000" stroke-width="${1.3 * u}">${outside.map((g) => `<use href="#${shapes[g].code}"/>`).join('')}</g>`);
      parts.push(`<g fill="#000" stroke="#fff" stroke-width="${0.8 * u}">`);
      for (const g of outside) parts.push(`<circle cx="${shapes[g].label[0]}" cy="${shapes[g].label[1]}" r="${2.3 * u}"/>`);
      parts.push('</g>');
    }
    // legenda linksboven (Noordzee)
    const fs = 11 * u;
    const items = m.draw.legendItems();
    const lines = titleLines();
    parts.push(`<g font-family="sans-serif" font-size="${fs}" fill="#000">`);
    lines.forEach((t, k) => parts.push(`<text x="${8 * u}" y="${(16 + k * 15) * u}" font-weight="${k ? 'normal' : 'bold'}">${xmlEsc(t)}</text>`));
    let y = (22 + lines.length * 15) * u;
    for (const [fill, text] of items) {
      const f = fill === 'dot' ? '#f7f7f7' : typeof fill === 'string' ? fill : `url(#hatch-${fill.hatch})`;
      parts.push(`<rect x="${8 * u}" y="${y}" width="${18 * u}" height="${12 * u}" fill="${f}" stroke="${fill === 'dot' ? '#000' : '#999'}" stroke-width="${0.6 * u}"/>`);
      if (fill === 'dot') parts.push(`<circle cx="${17 * u}" cy="${y + 6 * u}" r="${3 * u}" fill="#000"/>`);
      parts.push(`<text x="${32 * u}" y="${y + 10 * u}">${xmlEsc(text)}</text>`);
      y += 16 * u;
    }
    parts.push(`<text x="${8 * u}" y="${geo.height - 8 * u}" font-size="${9 * u}">${xmlEsc(source.textContent)}</text>`);
    parts.push('</g></svg>');
    return parts.join('\n');
  }

  function drawLegendOnCanvas(c, scale) {
    c.setTransform(scale, 0, 0, scale, 0, 0);
    const items = m.draw.legendItems();
    const lines = titleLines();
    c.font = 'bold 13px sans-serif';
    c.fillStyle = '#000';
    c.textBaseline = 'alphabetic';
    lines.forEach((t, k) => { c.font = `${k ? '' : 'bold '}13px sans-serif`; c.fillText(t, 10, 20 + k * 17); });
    let y = 26 + lines.length * 17;
    c.font = '12px sans-serif';
    for (const [fill, text] of items) {
      const sw = m.draw.swatch(fill);
      c.drawImage(sw, 10, y, 24, 16);
      c.fillStyle = '#000';
      c.fillText(text, 42, y + 12);
      y += 20;
    }
  }

  function exportPng() {
    const W = 1000, H = Math.round((geo.height / geo.width) * W);
    const scale = 1.5; // 1500 px breed
    const off = el('canvas', { width: String(W * scale), height: String(H * scale) });
    const c = off.getContext('2d');
    const k = Math.min(W / geo.width, H / geo.height);
    m.draw.drawMap(c, W, H, { k, x: (W - geo.width * k) / 2, y: (H - geo.height * k) / 2 }, scale, makePatterns(c), { highlights: false });
    drawLegendOnCanvas(c, scale);
    c.fillStyle = '#333';
    c.font = '11px sans-serif';
    c.fillText(source.textContent, 10, H - 10);
    return new Promise((resolve) => off.toBlob(resolve, 'image/png'));
  }

  function exportCsv() {
    const iv = m.scope.currentIntervals();
    const expected = m.scope.expected;
    const changed = [];
    for (let j = 0; j < nDet; j++) if (scenario.active && scenario.deltas[j] !== 0 && Number.isFinite(scenario.deltas[j])) changed.push(j);
    const header = [...M.csvHeader, ...changed.map((j) => M.csvChange(determinants[j].name))];
    const rows = [header.join(CSV.sep)];
    const scopeLabel = scenario.active ? m.scope.scopeText(scenario.usedScope, scenario.scopeCode) : M.csvNoChange;
    for (let i = 0; i < nData; i++) {
      const w = wijken[i];
      const o = observed[i], e = expected[i];
      const v = m.scope.verdict(i);
      const out = v ? (v.value === 'binnen' ? M.csvInside : M.csvOutside[v.value]) : '';
      const applied = m.scope.applies(i);
      rows.push([
        w.code, csvText(w.name), w.gemeente_code, csvText(w.gemeente_name), w.regio_code, csvText(w.regio_name),
        csvNum(o), csvNum(e), csvNum(iv[i]), csvNum(iv[nData + i]), csvNum(iv[2 * nData + i]), csvNum(iv[3 * nData + i]),
        Number.isFinite(o) ? csvNum(o - e) : '', out, csvNum(m.effectOfGem(w.gemeente_code)),
        csvText(scopeLabel), fmtValue(applied ? 1 : 0, { unit_kind: 'yes_no' }),
        ...changed.map((j) => (applied ? csvNum(scenario.deltas[j], 4) : '')),
      ].join(CSV.sep));
    }
    return `\ufeff${rows.join('\r\n')}\r\n`;
  }

  btnSvg.addEventListener('click', () => download(new Blob([exportSvg()], { type: 'image/svg+xml' }), `${M.fileStem}-${stamp()}.svg`));
  btnPng.addEventListener('click', async () => download(await exportPng(), `${M.fileStem}-${stamp()}.png`));
  btnCsv.addEventListener('click', () => download(new Blob([exportCsv()], { type: 'text/csv;charset=utf-8' }), `jeugdhulp-wijk-${scenario.active ? M.fileWhatif : M.fileWijken}.csv`));

  return { box };
}
