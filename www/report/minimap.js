// The report's small map: the gemeente's wijken from the map's geometry (src/geo.rs,
// sent as geo.bin.gz: www/geobin.js) as SVG, coloured by the core's verdict with the map's palette and
// hatchings (www/map/style.js), so it prints sharp.

import { el } from '../dom.js';
import { DIV, HATCH_SVG } from '../map/style.js';
import { s } from './plots.js';
import { messages } from '../i18n.js';

const M = messages('minimap');

const FILL = { hoger: DIV[6], lager: DIV[0], binnen: '#f2f2f2', nietgep: 'url(#r-hatch-nietgep)', geen: 'url(#r-hatch-geen)' };

export function miniMap(geo, report, verdictLabel, title) {
  const gm = report.code.slice(2, 6);
  const rows = new Map(report.wijken.map((w) => [w.code, w]));
  const shapes = geo.wijken.filter((w) => w.code.slice(2, 6) === gm);
  const outline = geo.gemeenten.find((g) => g.code === report.code);
  let [x0, y0, x1, y1] = outline?.bbox ?? [Infinity, Infinity, -Infinity, -Infinity];
  for (const sh of shapes) {
    x0 = Math.min(x0, sh.bbox[0]); y0 = Math.min(y0, sh.bbox[1]);
    x1 = Math.max(x1, sh.bbox[2]); y1 = Math.max(y1, sh.bbox[3]);
  }
  const pad = Math.max(x1 - x0, y1 - y0) * 0.03;
  x0 -= pad; y0 -= pad; x1 += pad; y1 += pad;
  const w = x1 - x0, h = y1 - y0;
  const widthPx = 460;
  const u = w / widthPx; // map units per pixel
  const heightPx = Math.round(h / u);
  const t = s('title', { id: 'r-map-title' }); t.textContent = title;
  const d = s('desc', { id: 'r-map-desc' }); d.textContent = M.desc;
  const defs = s('defs');
  defs.innerHTML = HATCH_SVG.geen(u).replace('id="hatch-geen"', 'id="r-hatch-geen"') + HATCH_SVG.nietgep(u).replace('id="hatch-nietgep"', 'id="r-hatch-nietgep"');
  const svg = s('svg', {
    viewBox: `${x0} ${y0} ${w} ${h}`, width: widthPx, height: heightPx, role: 'img', class: 'report-map-svg',
    'aria-labelledby': 'r-map-title r-map-desc', 'data-testid': 'report-map-svg',
  }, t, d, defs);
  const g = s('g', { 'fill-rule': 'evenodd', stroke: '#555', 'stroke-width': 0.8 * u });
  for (const sh of shapes) {
    const row = rows.get(sh.code);
    const kind = !row ? 'geen' : row.observed === null ? 'nietgep' : row.verdict ?? 'binnen';
    const p = s('path', { d: sh.d, fill: FILL[kind], 'data-code': sh.code, 'data-kind': kind });
    const pt = s('title');
    pt.textContent = `${row?.name ?? sh.name}: ${row ? (row.verdict ? verdictLabel.get(row.verdict) : M.notPublished) : M.noData}`;
    p.append(pt);
    g.append(p);
  }
  svg.append(g);
  if (outline) svg.append(s('path', { d: outline.d, fill: 'none', stroke: '#111', 'stroke-width': 2 * u }));
  const used = new Set(shapes.map((sh) => {
    const row = rows.get(sh.code);
    return !row ? 'geen' : row.observed === null ? 'nietgep' : row.verdict ?? 'binnen';
  }));
  const legend = el('ul', { class: 'chart-legend map-key' }, ...M.legend.filter(([k]) => used.has(k)).map(([k, text]) =>
    el('li', {}, el('span', { class: `key key-${k}`, 'aria-hidden': 'true' }), text)));
  return el('figure', { class: 'report-figure' }, svg, el('figcaption', {}, legend));
}
