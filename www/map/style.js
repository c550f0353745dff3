// How the map looks, as plain functions: the colour scales, the class breaks and
// labels, and the two hatchings for wijken without a value. No state here, so the
// canvas, the legend and the SVG export all colour the same way.

import { fmtNum } from '../format.js';
import { messages } from '../i18n.js';

const M = messages('map');

// ColorBrewer, kleurenblindveilig. YlGnBu (7) voor gebruik, RdBu (7) omgekeerd
// voor verschillen: hoger dan verwacht = rood, lager = blauw, rond 0 = wit.
export const SEQ = ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'];
export const DIV = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b'];
export const NO_DATA = -1; // wijk niet in het SCP-bestand: "geen gegevens"
export const SUPPRESSED = -2; // werkelijk gebruik door CBS onderdrukt: "niet gepubliceerd"
export const FILTERED = -3; // buiten de gekozen inkomensklasse (map/ses.js)
export const BG = '#ffffff';

// ---------------------------------------------------------------------------
// Klassen
// ---------------------------------------------------------------------------

function quantile(sorted, p) {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[i];
}

/** Six rounded breaks at sevenths of the distribution of `values` (7 classes). */
export function sequentialBreaks(values) {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  const step = quantile(s, 0.9) - quantile(s, 0.1) > 8 ? 1 : 0.5;
  const out = [];
  for (let k = 1; k <= 6; k++) {
    const b = Math.round(quantile(s, k / 7) / step) * step;
    if (!out.length || b > out[out.length - 1]) out.push(b);
  }
  return out;
}

/** Symmetric breaks ±b1, ±b2, ±b3 from |values| (7 classes, middle one around 0). */
export function divergingBreaks(values) {
  const s = values.filter(Number.isFinite).map(Math.abs).sort((a, b) => a - b);
  const nice = (x) => (x >= 2 ? Math.round(x) : Math.max(0.1, Math.round(x * 10) / 10));
  const b = [];
  for (const p of [0.5, 0.8, 0.95]) {
    let v = nice(quantile(s, p));
    if (b.length && v <= b[b.length - 1]) v = nice(b[b.length - 1] * 1.6 + 0.1);
    b.push(v);
  }
  return [-b[2], -b[1], -b[0], b[0], b[1], b[2]];
}

export function classify(v, breaks) {
  let c = 0;
  while (c < breaks.length && v >= breaks[c]) c++;
  return c;
}

export function classLabels(breaks, unit, diverging) {
  const f = (x) => fmtNum(x, Number.isInteger(x) ? 0 : 1);
  const labels = [];
  for (let c = 0; c <= breaks.length; c++) {
    if (c === 0) labels.push(`${M.classBelow(f(breaks[0]))}${unit}`);
    else if (c === breaks.length) labels.push(`${M.classFrom(f(breaks[c - 1]))}${unit}`);
    else if (diverging && breaks[c - 1] < 0 && breaks[c] > 0) labels.push(`${M.classRange(f(breaks[c - 1]), f(breaks[c]))}${unit}`);
    else labels.push(`${M.classRange(f(breaks[c - 1]), f(breaks[c]))}${unit}`);
  }
  return labels;
}

// ---------------------------------------------------------------------------
// Arceringen (altijd even groot op het scherm)
// ---------------------------------------------------------------------------

export function hatchTile(kind, scale = 1) {
  const n = Math.round(8 * scale);
  const c = document.createElement('canvas');
  c.width = n;
  c.height = n;
  const g = c.getContext('2d');
  g.fillStyle = kind === 'geen' ? '#e4e4e4' : '#f3f3f3';
  g.fillRect(0, 0, n, n);
  g.strokeStyle = kind === 'geen' ? '#8c8c8c' : '#7a7a7a';
  g.fillStyle = g.strokeStyle;
  g.lineWidth = 1.1 * scale;
  if (kind === 'geen') {
    // diagonale lijnen ////
    g.beginPath();
    g.moveTo(-1, n + 1);
    g.lineTo(n + 1, -1);
    g.moveTo(-1, 1);
    g.lineTo(1, -1);
    g.moveTo(n - 1, n + 1);
    g.lineTo(n + 1, n - 1);
    g.stroke();
  } else {
    // stippen
    g.beginPath();
    g.arc(n / 4, n / 4, 1.1 * scale, 0, 2 * Math.PI);
    g.arc((3 * n) / 4, (3 * n) / 4, 1.1 * scale, 0, 2 * Math.PI);
    g.fill();
  }
  return c;
}

/** Both hatchings as canvas patterns for one 2D context. */
export function makePatterns(target) {
  return {
    geen: target.createPattern(hatchTile('geen'), 'repeat'),
    nietgep: target.createPattern(hatchTile('nietgep'), 'repeat'),
  };
}

// The same two hatchings for the SVG export; u = map units per pixel.
export const HATCH_SVG = {
  geen: (u) => `<pattern id="hatch-geen" patternUnits="userSpaceOnUse" width="${8 * u}" height="${8 * u}">` +
    `<rect width="${8 * u}" height="${8 * u}" fill="#e4e4e4"/>` +
    `<path d="M0 ${8 * u}L${8 * u} 0" stroke="#8c8c8c" stroke-width="${1.1 * u}"/></pattern>`,
  nietgep: (u) => `<pattern id="hatch-nietgep" patternUnits="userSpaceOnUse" width="${8 * u}" height="${8 * u}">` +
    `<rect width="${8 * u}" height="${8 * u}" fill="#f3f3f3"/>` +
    `<circle cx="${2 * u}" cy="${2 * u}" r="${1.1 * u}" fill="#7a7a7a"/>` +
    `<circle cx="${6 * u}" cy="${6 * u}" r="${1.1 * u}" fill="#7a7a7a"/></pattern>`,
};
