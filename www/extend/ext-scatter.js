// The scatter plot of "Aanvullen met eigen wijkkenmerken": per chosen column, each wijk's
// difference from the national model (residual_national, y) against its value in the
// column (x). An SVG with role="img" and a label, plus the same numbers as a table in a
// <details>, so the chart is never the only way to read them. One colour (Okabe–Ito blue),
// so colour carries no meaning.

import { el } from '../dom.js';
import { fmtNum } from '../format.js';
import { s as svg, ticks } from '../report/plots.js';

const W = 420, H = 300;
const PAD = { left: 56, right: 12, top: 12, bottom: 40 };

/** Decimals the ticks need: those of their step (2,5 → 1; 0,25 → 2). */
const decimalsFor = (vals) => {
  const step = vals.length > 1 ? Math.abs(vals[1] - vals[0]) : 1;
  for (let d = 0; d < 6; d++) if (Math.abs(step * 10 ** d - Math.round(step * 10 ** d)) < 1e-6) return d;
  return 6;
};

/** The figure for column k of extendRun's result `r`. */
export function scatterPlot(r, k, col, M) {
  const pts = r.predictions.map((p) => ({ x: p.z[k], y: p.residual_national, p })).filter((d) => Number.isFinite(d.x) && Number.isFinite(d.y));
  const xs = pts.map((d) => d.x), ys = pts.map((d) => d.y);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys, 0), Math.max(...ys, 0)];
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= 1; y1 += 1; }
  const padX = (x1 - x0) * 0.04, padY = (y1 - y0) * 0.06;
  x0 -= padX; x1 += padX; y0 -= padY; y1 += padY;
  const sx = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);

  const label = M.scatterLabel(col, fmtNum(pts.length, 0));
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'ext-scatter-svg',
    'data-testid': `ext-scatter-${col}`, 'data-points': pts.length,
  });
  const axes = svg('g', { class: 'ext-axes', 'font-size': 11, fill: '#333' });
  const xt = ticks(x0, x1), yt = ticks(y0, y1);
  const xd = decimalsFor(xt), yd = decimalsFor(yt);
  for (const v of yt) {
    const y = sy(v);
    axes.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, stroke: v === 0 ? '#444' : '#e1e4e7', 'stroke-width': v === 0 ? 1.2 : 1 }));
    axes.append(svg('text', { x: PAD.left - 4, y: y + 4, 'text-anchor': 'end' }, fmtNum(v, yd)));
  }
  for (const v of xt) {
    const x = sx(v);
    axes.append(svg('line', { x1: x, x2: x, y1: H - PAD.bottom, y2: H - PAD.bottom + 4, stroke: '#444' }));
    axes.append(svg('text', { x, y: H - PAD.bottom + 16, 'text-anchor': 'middle' }, fmtNum(v, xd)));
  }
  axes.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, stroke: '#444' }));
  axes.append(svg('text', { x: (PAD.left + W - PAD.right) / 2, y: H - 4, 'text-anchor': 'middle' }, col));
  axes.append(svg('text', { x: 12, y: (PAD.top + H - PAD.bottom) / 2, 'text-anchor': 'middle', 'font-size': 10, transform: `rotate(-90 12 ${(PAD.top + H - PAD.bottom) / 2})` }, M.scatterY));
  root.append(axes);
  const dots = svg('g', { fill: '#0072b2', 'fill-opacity': 0.75, stroke: '#fff', 'stroke-width': 0.6 });
  for (const d of pts) dots.append(svg('circle', { cx: sx(d.x).toFixed(1), cy: sy(d.y).toFixed(1), r: 3.2 }));
  root.append(dots);

  const gemName = new Map(r.random_effects.gemeente.map((g) => [g.code, g.naam]));
  const table = el('table', { class: 'coef' },
    el('thead', {}, el('tr', {}, ...M.scatterHead(col).map((h, j) => el('th', { scope: 'col', class: j > 1 ? 'num' : '' }, h)))),
    el('tbody', {}, ...pts.map((d) => el('tr', {},
      el('th', { scope: 'row' }, `${d.p.naam} (${d.p.wijkcode})`),
      el('td', {}, gemName.get(d.p.gemeentecode) ?? d.p.gemeentecode),
      el('td', { class: 'num' }, fmtNum(d.x, Math.max(0, Math.min(4, decimalsOf(d.x))))),
      el('td', { class: 'num' }, fmtNum(d.y, 2, { signed: true }))))));
  return el('figure', { class: 'ext-scatter' }, root,
    el('figcaption', { class: 'hint' }, label),
    el('details', {}, el('summary', {}, M.scatterTable(col)),
      el('div', { class: 'table-scroll ext-scroll', tabindex: '0', role: 'region', 'aria-label': M.scatterTable(col) }, table)));
}

/** Decimals a file's value was given with (up to 4), so the table shows it as uploaded. */
function decimalsOf(x) {
  for (let d = 0; d <= 4; d++) if (Math.abs(x - Number(x.toFixed(d))) < 1e-9) return d;
  return 4;
}
