// Drawing: the class of every wijk in the current view, the whole map on a 2D
// context (the screen canvas and the PNG export share it), and the legend. Canvas
// with cached Path2D objects, because recolouring SVG paths took 35–60 ms and
// redrawing the canvas takes ~2 ms.

import { el } from '../dom.js';
import { FILTERED_FILL } from './ses.js';
import { messages } from '../i18n.js';

const M = messages('map');
import {
  SEQ, DIV, NO_DATA, SUPPRESSED, FILTERED, BG,
  sequentialBreaks, divergingBreaks, classify, classLabels, hatchTile, makePatterns,
} from './style.js';

export function createDraw(m) {
  const { geo, state, shapes, nGeo, geoToData, observed, gemeenten, nData } = m;
  const { wijkPaths, gemPaths, wijkMesh, gemMesh, regioMesh, gemShapeIndex } = m;

  // Breaks from the data without what-if, so a slider moves colours, not classes.
  // Werkelijk and verwacht share the classes of the published observed use (in the
  // wijken, site.bin.gz): so map.js's first view, drawn before the wijk values and so before any
  // expected value, has the very classes of the full map (an e2e test compares pixels).
  const base = m.scope.baseExpected; // null in that first view, which draws only "werkelijk"
  const seqBreaks = sequentialBreaks(observed);
  const baseDiff = [];
  for (let i = 0; base && i < nData; i++) if (Number.isFinite(observed[i])) baseDiff.push(observed[i] - base[i]);
  const divBreaks = divergingBreaks(baseDiff);
  const gemBreaks = divergingBreaks(gemeenten.map((g) => (g.effect == null ? NaN : g.effect)));

  const cls = new Int8Array(nGeo); // klasse per wijk in de huidige weergave
  const gemCls = new Int8Array(geo.gemeenten.length);
  let outsideMesh = null; // randen van d.outside als één Path2D, lui gebouwd
  const g2d = m.canvas.getContext('2d');
  const patterns = makePatterns(g2d);
  const legend = el('div', { class: 'map-legend', 'data-testid': 'map-legend', 'aria-live': 'polite' });

  // --- kleuren --------------------------------------------------------------
  function computeClasses() {
    const view = state.view;
    const outside = [];
    d.outside = outside;
    outsideMesh = null;
    if (view === 'gemeente-effect') {
      geo.gemeenten.forEach((s, i) => {
        const e = m.effectOfGem(s.code);
        gemCls[i] = Number.isFinite(e) ? classify(e, gemBreaks) : NO_DATA;
      });
      for (let g = 0; g < nGeo; g++) {
        const e = m.effectOfGem(m.gemOfGeo(g));
        cls[g] = Number.isFinite(e) ? classify(e, gemBreaks) : NO_DATA;
        if (geoToData[g] >= 0 && m.ses?.hides(geoToData[g])) cls[g] = FILTERED;
      }
      return;
    }
    const expected = m.scope.expected;
    for (let g = 0; g < nGeo; g++) {
      const i = geoToData[g];
      if (i < 0) { cls[g] = NO_DATA; continue; }
      if (m.ses?.hides(i)) { cls[g] = FILTERED; continue; }
      const o = observed[i];
      if (view === 'verwacht') { cls[g] = classify(expected[i], seqBreaks); continue; }
      if (!Number.isFinite(o)) { cls[g] = SUPPRESSED; continue; }
      if (view === 'werkelijk') { cls[g] = classify(o, seqBreaks); continue; }
      cls[g] = classify(o - expected[i], divBreaks);
      const v = m.scope.verdict(i);
      if (v && v.value !== 'binnen') outside.push(g);
    }
  }

  function palette() {
    return state.view === 'werkelijk' || state.view === 'verwacht' ? SEQ : DIV;
  }

  // --- tekenen ------------------------------------------------------------
  /**
   * Draw the whole map on a 2D context. t = {k, x, y} maps map units to CSS px;
   * scale = device pixels per CSS px.
   */
  function drawMap(c, W, H, t, scale, pats, { highlights = true } = {}) {
    c.setTransform(scale, 0, 0, scale, 0, 0);
    c.fillStyle = BG;
    c.fillRect(0, 0, W, H);
    c.setTransform(scale * t.k, 0, 0, scale * t.k, scale * t.x, scale * t.y);
    const px = 1 / t.k; // one CSS pixel in map units
    const mx = new DOMMatrix([px, 0, 0, px, 0, 0]);
    pats.geen.setTransform(mx);
    pats.nietgep.setTransform(mx);
    const pal = palette();
    let drawn = 0;
    if (state.view === 'gemeente-effect') {
      for (let i = 0; i < gemPaths.length; i++) {
        c.fillStyle = gemCls[i] >= 0 ? pal[gemCls[i]] : pats.geen;
        c.fill(gemPaths[i], 'evenodd');
      }
      if (m.ses?.active()) {
        // the income-class filter greys out the other wijken here too
        c.fillStyle = FILTERED_FILL;
        for (let g = 0; g < nGeo; g++) if (cls[g] === FILTERED) c.fill(wijkPaths[g], 'evenodd');
      }
      drawn = nGeo; // alle wijken liggen in een gekleurde gemeente
      c.lineWidth = 0.35 * px;
      c.strokeStyle = 'rgba(255,255,255,0.55)';
      c.stroke(wijkMesh);
    } else {
      // per klasse één fillStyle
      const buckets = Array.from({ length: pal.length + 3 }, () => []);
      for (let g = 0; g < nGeo; g++) buckets[cls[g] + 3].push(g);
      for (let b = 0; b < buckets.length; b++) {
        const list = buckets[b];
        if (!list.length) continue;
        c.fillStyle = b === 0 ? FILTERED_FILL : b === 1 ? pats.nietgep : b === 2 ? pats.geen : pal[b - 3];
        for (const g of list) c.fill(wijkPaths[g], 'evenodd');
        drawn += list.length;
      }
      c.lineWidth = (t.k > state.fitK * 4 ? 0.8 : 0.35) * px;
      c.strokeStyle = 'rgba(255,255,255,0.75)';
      c.stroke(wijkMesh);
    }
    c.lineWidth = (t.k > state.fitK * 3 ? 1.2 : 0.6) * px;
    c.strokeStyle = 'rgba(40,40,40,0.55)';
    c.stroke(gemMesh);
    c.lineWidth = 1.4 * px;
    c.strokeStyle = '#222';
    c.stroke(regioMesh);

    const outside = d.outside;
    if (state.view === 'verschil' && outside.length) {
      // buiten het 95%-voorspellingsinterval: donkere rand en een stip
      c.lineWidth = 1.3 * px;
      c.strokeStyle = '#000';
      // één pad voor alle randen (per recolour gebouwd) en één voor de stippen
      if (!outsideMesh) { outsideMesh = new Path2D(); for (const g of outside) outsideMesh.addPath(wijkPaths[g]); }
      c.stroke(outsideMesh);
      const dots = new Path2D();
      const r = 2.3 * px;
      for (const g of outside) {
        const [lx, ly] = shapes[g].label;
        dots.moveTo(lx + r, ly);
        dots.arc(lx, ly, r, 0, 2 * Math.PI);
      }
      c.fillStyle = '#000';
      c.fill(dots);
      c.lineWidth = 0.8 * px;
      c.strokeStyle = '#fff';
      c.stroke(dots);
    }
    if (highlights) {
      if (state.gemeente != null && gemShapeIndex.has(state.gemeente)) {
        const p = gemPaths[gemShapeIndex.get(state.gemeente)];
        c.lineWidth = 4 * px; c.strokeStyle = '#fff'; c.stroke(p);
        c.lineWidth = 2 * px; c.strokeStyle = '#000'; c.stroke(p);
      }
      for (const [g, w, colour] of [[state.hover, 2, '#000'], [state.focus, 2.5, '#6a00a8'], [state.selected, 3, '#000']]) {
        if (g == null || g < 0) continue;
        c.lineWidth = (w + 2.5) * px; c.strokeStyle = '#fff'; c.stroke(wijkPaths[g]);
        c.lineWidth = w * px; c.strokeStyle = colour; c.stroke(wijkPaths[g]);
      }
    }
    return drawn;
  }

  function redraw() {
    if (!state.W) return;
    const n = drawMap(g2d, state.W, state.H, state, state.dpr, patterns);
    m.container.dataset.renderedShapes = String(n);
  }

  let frame = 0;
  function scheduleRedraw() {
    if (frame) return;
    frame = requestAnimationFrame(() => { frame = 0; redraw(); });
  }

  // --- legenda ------------------------------------------------------------
  /** A legend swatch: a colour, {hatch: 'geen'|'nietgep'}, or 'dot' (outside the interval). */
  function swatch(fill) {
    const c = el('canvas', { class: 'map-swatch', width: '36', height: '24', 'aria-hidden': 'true' });
    const x = c.getContext('2d');
    if (fill === 'dot') {
      x.fillStyle = '#f7f7f7'; x.fillRect(0, 0, 36, 24);
      x.strokeStyle = '#000'; x.lineWidth = 2; x.strokeRect(1, 1, 34, 22);
      x.beginPath(); x.arc(18, 12, 5, 0, 2 * Math.PI); x.fillStyle = '#000'; x.fill();
      x.lineWidth = 1.5; x.strokeStyle = '#fff'; x.stroke();
      return c;
    }
    x.fillStyle = typeof fill === 'string' ? fill : x.createPattern(hatchTile(fill.hatch, 2), 'repeat');
    x.fillRect(0, 0, 36, 24);
    x.strokeStyle = '#999'; x.lineWidth = 1; x.strokeRect(0.5, 0.5, 35, 23);
    return c;
  }

  /** [fill, text] per legend line of the current view (fill as in swatch()). */
  function legendItems() {
    const v = state.view;
    const items = [];
    if (v === 'werkelijk' || v === 'verwacht') {
      classLabels(seqBreaks, '\u00a0%', false).forEach((t, c) => items.push([SEQ[c], t]));
    } else {
      const b = v === 'verschil' ? divBreaks : gemBreaks;
      const labels = classLabels(b, '', true);
      labels.forEach((t, c) => items.push([DIV[c], t]));
    }
    if (v === 'verschil') items.push(['dot', M.outsidePi]);
    if (v === 'werkelijk' || v === 'verschil') items.push([{ hatch: 'nietgep' }, M.notPublished]);
    items.push([{ hatch: 'geen' }, v === 'gemeente-effect' ? M.noData : M.noDataScp]);
    const ses = m.ses?.legendItem();
    if (ses) items.push(ses);
    return items;
  }

  function legendTitle() {
    const v = state.view;
    if (v === 'verschil') return M.legendVerschil;
    if (v === 'gemeente-effect') return M.legendEffect;
    return M.legendUse(v);
  }

  function renderLegend() {
    const ul = el('ul', { class: 'map-legend-items' });
    for (const [fill, text] of legendItems()) ul.append(el('li', {}, swatch(fill), el('span', {}, text)));
    legend.replaceChildren(el('p', { class: 'map-legend-title' }, legendTitle()), ul);
    legend.dataset.view = state.view;
  }

  const d = {
    legend, cls, gemCls,
    outside: [], // geo indexen buiten het 95%-voorspellingsinterval (weergave verschil)
    computeClasses, palette, drawMap, redraw, scheduleRedraw, swatch, legendItems, renderLegend,
  };
  return d;
}
