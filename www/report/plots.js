// Small SVG charts for the report and the comparison: scales, axes, the funnel plot,
// the interval ("caterpillar") chart and the SES chart. SVG rather than canvas so a
// printed report stays sharp and the comparison can be downloaded as SVG. The scatter plots
// of "Aanvullen met eigen wijkkenmerken" (www/extend/ext-scatter.js) use `s` and `ticks` too.

import { fmtNum } from '../format.js';

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes. */
export function s(tag, attrs = {}, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  e.append(...children);
  return e;
}

export const linear = (d0, d1, r0, r1) => (x) => r0 + ((x - d0) / (d1 - d0 || 1)) * (r1 - r0);
export const logScale = (d0, d1, r0, r1) => {
  const f = linear(Math.log(d0), Math.log(d1), r0, r1);
  return (x) => f(Math.log(x));
};

/** About n round ticks between lo and hi. */
export function ticks(lo, hi, n = 5) {
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0 || 1));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((k) => k >= step0) ?? step0;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v);
  return out;
}

const decimalsOf = (values) => (values.some((v) => Math.abs(v - Math.round(v)) > 1e-9) ? 1 : 0);

/** An svg root with a title and description for screen readers (the tables hold the data). */
export function svgRoot(width, height, title, desc, id) {
  const t = s('title', { id: `${id}-title` }); t.textContent = title;
  const d = s('desc', { id: `${id}-desc` }); d.textContent = desc;
  return s('svg', {
    xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'chart',
    'aria-labelledby': `${id}-title ${id}-desc`, id,
  }, t, d);
}

function text(x, y, str, attrs = {}) {
  const t = s('text', { x, y, ...attrs });
  t.textContent = str;
  return t;
}

function xAxis(g, scale, values, y, x0, x1, label, fmt) {
  g.append(s('line', { x1: x0, x2: x1, y1: y, y2: y, class: 'axis' }));
  for (const v of values) {
    const x = scale(v);
    g.append(s('line', { x1: x, x2: x, y1: y, y2: y + 4, class: 'axis' }));
    g.append(text(x, y + 16, fmt(v), { 'text-anchor': 'middle', class: 'tick' }));
  }
  g.append(text((x0 + x1) / 2, y + 34, label, { 'text-anchor': 'middle', class: 'axis-label' }));
}

function yAxis(g, scale, values, x, y0, y1, label, fmt) {
  g.append(s('line', { x1: x, x2: x, y1: y0, y2: y1, class: 'axis' }));
  for (const v of values) {
    const y = scale(v);
    g.append(s('line', { x1: x - 4, x2: x, y1: y, y2: y, class: 'axis' }));
    g.append(text(x - 7, y + 4, fmt(v), { 'text-anchor': 'end', class: 'tick' }));
  }
  g.append(text(14, (y0 + y1) / 2, label, { 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${(y0 + y1) / 2})` }));
}

/** Many dots as one path (thousands of <circle>s cost more to draw and print). */
function dotsPath(points, r) {
  let d = '';
  for (const [x, y] of points) d += `M${(x - r).toFixed(1)} ${y.toFixed(1)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
  return d;
}

/**
 * The funnel plot. f = jw.funnel(): grid, low/high95, low/high998, n_jeugd,
 * difference (all wijken). `mine`: indices of the gemeente's wijken. M: texts.
 */
export function funnelPlot(f, mine, M) {
  const W = 640, H = 380, L = 58, R = 14, T = 12, B = 50;
  const mineSet = new Set(mine);
  let nMin = Infinity, nMax = 0, dMax = 0;
  for (let i = 0; i < f.n_jeugd.length; i++) {
    const n = f.n_jeugd[i], d = f.difference[i];
    if (!Number.isFinite(n)) continue;
    nMin = Math.min(nMin, n); nMax = Math.max(nMax, n);
    if (Number.isFinite(d)) dMax = Math.max(dMax, Math.abs(d));
  }
  dMax *= 1.06; // the data's range: the limits of the very smallest wijken run off the plot (clipped)
  const x = logScale(nMin * 0.9, nMax * 1.1, L, W - R);
  const y = linear(-dMax, dMax, H - B, T);
  const svg = svgRoot(W, H, M.funnelTitle, M.funnelDesc, 'funnel-svg');
  const g = s('g');
  svg.append(g);
  const xt = [10, 30, 100, 300, 1000, 3000, 10000, 30000].filter((v) => v >= nMin * 0.9 && v <= nMax * 1.1);
  const yt = ticks(-dMax, dMax, 6);
  xAxis(g, x, xt, H - B, L, W - R, M.funnelX, (v) => fmtNum(v, 0));
  yAxis(g, y, yt, L, T, H - B, M.funnelY, (v) => fmtNum(v, decimalsOf(yt)));
  g.append(s('line', { x1: L, x2: W - R, y1: y(0), y2: y(0), class: 'zero' }));
  const clip = s('clipPath', { id: 'funnel-clip' }, s('rect', { x: L, y: T, width: W - R - L, height: H - B - T }));
  svg.append(s('defs', {}, clip));
  const lines = s('g', { 'clip-path': 'url(#funnel-clip)' });
  g.append(lines);
  const line = (ys) => Array.from(f.grid, (n, k) => `${k ? 'L' : 'M'}${x(n).toFixed(1)} ${y(ys[k]).toFixed(1)}`).join('');
  lines.append(s('path', { d: line(f.high998) + line(f.low998), class: 'limit limit-998' }));
  lines.append(s('path', { d: line(f.high95) + line(f.low95), class: 'limit limit-95' }));
  const grey = [], own = [];
  for (let i = 0; i < f.n_jeugd.length; i++) {
    const n = f.n_jeugd[i], d = f.difference[i];
    if (!Number.isFinite(n) || !Number.isFinite(d)) continue;
    (mineSet.has(i) ? own : grey).push([x(n), y(d)]);
  }
  g.append(s('path', { d: dotsPath(grey, 1.6), class: 'dots-land' }));
  g.append(s('path', { d: dotsPath(own, 4.2), class: 'dots-mine', 'data-testid': 'funnel-mine', 'data-count': own.length }));
  return svg;
}

/**
 * Horizontal intervals with a point each: rows [{label, value, low, high, kind}],
 * kind → CSS class. Used for the caterpillar (one row per gemeente) and the SES
 * view (two rows per class).
 */
export function intervalChart(rows, { id, title, desc, axisLabel, width = 640, labelWidth = 200, rowHeight = 26, groupGap = 0 }) {
  const T = 10, B = 44, R = 16;
  const groups = rows.reduce((k, r, i) => k + (i > 0 && r.group !== rows[i - 1].group ? 1 : 0), 0);
  const H = T + B + rows.length * rowHeight + groups * groupGap;
  const finite = rows.flatMap((r) => [r.low, r.high, r.value]).filter(Number.isFinite);
  let lo = Math.min(0, ...finite), hi = Math.max(0, ...finite);
  const pad = (hi - lo) * 0.06 || 0.5;
  lo -= pad; hi += pad;
  const x = linear(lo, hi, labelWidth, width - R);
  const svg = svgRoot(width, H, title, desc, id);
  const g = s('g');
  svg.append(g);
  const xt = ticks(lo, hi, 6);
  xAxis(g, x, xt, H - B, labelWidth, width - R, axisLabel, (v) => fmtNum(v, decimalsOf(xt)));
  g.append(s('line', { x1: x(0), x2: x(0), y1: T, y2: H - B, class: 'zero' }));
  let yy = T;
  rows.forEach((r, i) => {
    if (i > 0 && r.group !== rows[i - 1].group) yy += groupGap;
    const cy = yy + rowHeight / 2;
    g.append(text(labelWidth - 8, cy + 4, r.label, { 'text-anchor': 'end', class: `row-label ${r.kind ?? ''}` }));
    if (Number.isFinite(r.low) && Number.isFinite(r.high)) {
      g.append(s('line', { x1: x(r.low), x2: x(r.high), y1: cy, y2: cy, class: `ci ${r.kind ?? ''}` }));
      for (const v of [r.low, r.high]) g.append(s('line', { x1: x(v), x2: x(v), y1: cy - 4, y2: cy + 4, class: `ci ${r.kind ?? ''}` }));
    }
    if (Number.isFinite(r.value)) g.append(s(r.kind === 'land' ? 'rect' : 'circle', r.kind === 'land'
      ? { x: x(r.value) - 4, y: cy - 4, width: 8, height: 8, class: `pt ${r.kind}` }
      : { cx: x(r.value), cy, r: 4.5, class: `pt ${r.kind ?? ''}` }));
    yy += rowHeight;
  });
  return svg;
}

/** The chart as a standalone SVG file (styles inlined, so it looks the same outside the page). */
export function svgText(svg) {
  const copy = svg.cloneNode(true);
  const style = document.createElementNS(NS, 'style');
  style.textContent = SVG_STYLE;
  copy.insertBefore(style, copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

// The same look as report.css gives the charts in the page.
export const SVG_STYLE = `
text { font-family: system-ui, sans-serif; font-size: 12px; fill: #1a1a1a; }
.axis { stroke: #555; stroke-width: 1; }
.zero { stroke: #888; stroke-dasharray: 3 3; }
.ci { stroke: #1f4e79; stroke-width: 2; }
.pt { fill: #1f4e79; }
.ci.land { stroke: #767676; } .pt.land { fill: #767676; }
.row-label { font-size: 12px; }
`;
