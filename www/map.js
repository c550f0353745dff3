// De kaart: 3070 wijken op een canvas met gecachte Path2D-objecten (SVG-paden
// opnieuw kleuren kost 35–60 ms, canvas hertekenen ~2 ms), vier weergaven,
// zoomen/schuiven, tooltip, een toegankelijke lijst van alle wijken, "wat als"
// op de kaart en export naar SVG, PNG en CSV.
//
// Interface met de pagina (app.js):
//   const map = await mountMap(section, { jw, wijken, determinants, gemeenten, geometryUrl, onSelectWijk });
//   map.setSelected(code | null); map.zoomToGemeente(code); map.update({ deltas, wijk, gemeente });
//
// Geometrie (geo.json, gemaakt door src/geo.rs): RD New in eenheden van unit_m meter,
// y naar beneden; per vorm een SVG-pad (even-odd), bbox en labelpunt.

import { fmtNum, fmtPct, fmtPp } from './format.js';
import { el } from './dom.js';

// ColorBrewer, kleurenblindveilig. YlGnBu (7) voor gebruik, RdBu (7) omgekeerd
// voor verschillen: hoger dan verwacht = rood, lager = blauw, rond 0 = wit.
const SEQ = ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'];
const DIV = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b'];
const NO_DATA = -1; // wijk niet in het SCP-bestand: "geen gegevens"
const SUPPRESSED = -2; // werkelijk gebruik door CBS onderdrukt: "niet gepubliceerd"
const BG = '#ffffff';

const VIEWS = [
  { id: 'werkelijk', label: 'Werkelijk' },
  { id: 'verwacht', label: 'Verwacht' },
  { id: 'verschil', label: 'Verschil' },
  { id: 'gemeente-effect', label: 'Gemeente-effect' },
];
const SCOPES = [
  { id: 'wijk', label: 'deze wijk' },
  { id: 'gemeente', label: 'gemeente' },
  { id: 'regio', label: 'regio' },
  { id: 'land', label: 'heel Nederland' },
];
const VIEW_TITLE = {
  werkelijk: 'Werkelijk gebruik van jeugdhulp zonder verblijf (% van de jeugd)',
  verwacht: 'Verwacht gebruik volgens het model (% van de jeugd)',
  verschil: 'Verschil werkelijk − verwacht (procentpunt)',
  'gemeente-effect': 'Gemeente-effect: gemeente + jeugdzorgregio (procentpunt)',
};

const codeOf = (v) => (v == null ? null : typeof v === 'string' ? v : v.code ?? null);

// ---------------------------------------------------------------------------
// Klassen
// ---------------------------------------------------------------------------

function quantile(sorted, p) {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[i];
}

/** Six rounded breaks at sevenths of the pooled distribution (7 classes). */
function sequentialBreaks(values) {
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
function divergingBreaks(values) {
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

function classify(v, breaks) {
  let c = 0;
  while (c < breaks.length && v >= breaks[c]) c++;
  return c;
}

function classLabels(breaks, unit, diverging) {
  const f = (x) => fmtNum(x, Number.isInteger(x) ? 0 : 1);
  const labels = [];
  for (let c = 0; c <= breaks.length; c++) {
    if (c === 0) labels.push(`< ${f(breaks[0])}${unit}`);
    else if (c === breaks.length) labels.push(`≥ ${f(breaks[c - 1])}${unit}`);
    else if (diverging && breaks[c - 1] < 0 && breaks[c] > 0) labels.push(`${f(breaks[c - 1])} tot ${f(breaks[c])}${unit}`);
    else labels.push(`${f(breaks[c - 1])} tot ${f(breaks[c])}${unit}`);
  }
  return labels;
}

// ---------------------------------------------------------------------------
// Arceringen (altijd even groot op het scherm)
// ---------------------------------------------------------------------------

function hatchTile(kind, scale = 1) {
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

const HATCH_SVG = {
  geen: (u) => `<pattern id="hatch-geen" patternUnits="userSpaceOnUse" width="${8 * u}" height="${8 * u}">` +
    `<rect width="${8 * u}" height="${8 * u}" fill="#e4e4e4"/>` +
    `<path d="M0 ${8 * u}L${8 * u} 0" stroke="#8c8c8c" stroke-width="${1.1 * u}"/></pattern>`,
  nietgep: (u) => `<pattern id="hatch-nietgep" patternUnits="userSpaceOnUse" width="${8 * u}" height="${8 * u}">` +
    `<rect width="${8 * u}" height="${8 * u}" fill="#f3f3f3"/>` +
    `<circle cx="${2 * u}" cy="${2 * u}" r="${1.1 * u}" fill="#7a7a7a"/>` +
    `<circle cx="${6 * u}" cy="${6 * u}" r="${1.1 * u}" fill="#7a7a7a"/></pattern>`,
};

// ---------------------------------------------------------------------------
// mountMap
// ---------------------------------------------------------------------------

export async function mountMap(container, ctx) {
  const tMount = performance.now();
  const phases = {}; // ms since mountMap started, for bench/map.mjs
  const mark = (name) => { phases[name] = Math.round((performance.now() - tMount) * 10) / 10; };
  const { jw, onSelectWijk = () => {} } = ctx;
  const wijken = ctx.wijken ?? jw.wijken();
  const determinants = ctx.determinants ?? jw.determinants();
  const gemeenten = ctx.gemeenten ?? jw.gemeenten();
  const nData = wijken.length;
  const nDet = determinants.length;

  container.classList.add('map');
  container.setAttribute('aria-busy', 'true');
  container.dataset.recolours = '0';
  container.dataset.renderedShapes = '0';
  const status = el('p', { class: 'map-status', role: 'status' }, 'Kaart laden…');
  container.append(status);

  let geo;
  try {
    // Beside this module (v/<version>/ in dist/), not beside the page.
    const res = await fetch(ctx.geometryUrl ?? new URL('geo.json', import.meta.url));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    geo = await res.json();
  } catch (e) {
    status.textContent = `De kaart kon niet worden geladen (geo.json: ${e.message}).`;
    container.removeAttribute('aria-busy');
    throw e;
  }
  status.textContent = '';
  mark('geometry');

  // --- indexen ------------------------------------------------------------
  const shapes = geo.wijken;
  const nGeo = shapes.length;
  const dataIndex = new Map(wijken.map((w, i) => [w.code, i]));
  const geoIndex = new Map(shapes.map((s, g) => [s.code, g]));
  const geoToData = new Int32Array(nGeo).fill(-1);
  shapes.forEach((s, g) => { const i = dataIndex.get(s.code); if (i !== undefined) geoToData[g] = i; });
  const gemByCode = new Map(gemeenten.map((g) => [g.code, g]));
  const gemShapeIndex = new Map(geo.gemeenten.map((s, i) => [s.code, i]));
  const wijkPaths = shapes.map((s) => new Path2D(s.d));
  const gemPaths = geo.gemeenten.map((s) => new Path2D(s.d));
  const regioPaths = geo.regios.map((s) => new Path2D(s.d));
  const mesh = (paths) => { const p = new Path2D(); for (const q of paths) p.addPath(q); return p; };
  const wijkMesh = mesh(wijkPaths);
  const gemMesh = mesh(gemPaths);
  const regioMesh = mesh(regioPaths);
  mark('paths');
  const observed = new Float64Array(nData).map((_, i) => (wijken[i].observed == null ? NaN : wijken[i].observed));
  const gemOfGeo = (g) => `GM${shapes[g].code.slice(2, 6)}`;
  const wijkName = (g) => (geoToData[g] >= 0 ? wijken[geoToData[g]].name : shapes[g].name);
  const gemName = (g) => {
    const i = geoToData[g];
    if (i >= 0) return wijken[i].gemeente_name;
    return gemByCode.get(gemOfGeo(g))?.name ?? geo.gemeenten[gemShapeIndex.get(gemOfGeo(g))]?.name ?? gemOfGeo(g);
  };
  const effectOfGem = (code) => { const e = gemByCode.get(code)?.effect; return e == null ? NaN : e; };

  // --- model: basis en scenario ---------------------------------------------
  const zeros = new Float64Array(nDet);
  const baseExpected = Float64Array.from(jw.expectedAll(zeros, 'land', ''));
  let baseIntervals = null;
  let expected = baseExpected;
  let intervals = null; // lazily: Float64Array(4n) for the current scenario
  const scenario = { deltas: zeros, wijk: null, gemeente: null, scope: 'wijk', usedScope: 'land', active: false, scopeCode: '' };

  const seqBreaks = sequentialBreaks([...observed, ...baseExpected]);
  const baseDiff = [];
  for (let i = 0; i < nData; i++) if (Number.isFinite(observed[i])) baseDiff.push(observed[i] - baseExpected[i]);
  const divBreaks = divergingBreaks(baseDiff);
  const gemBreaks = divergingBreaks(gemeenten.map((g) => (g.effect == null ? NaN : g.effect)));
  mark('model');

  // The verdict of every wijk (hoger / lager / binnen the PI) comes from the
  // Rust core (verdictsAll): -1 = not published, else an index into VERDICTS.
  const VERDICTS = jw.verdicts();
  let baseVerdicts = null;
  let verdicts = null;
  function currentVerdicts() {
    if (!scenario.active) {
      baseVerdicts ??= Int8Array.from(jw.verdictsAll(zeros, 'land', ''));
      return baseVerdicts;
    }
    verdicts ??= Int8Array.from(jw.verdictsAll(scenario.deltas, scenario.usedScope, scenario.scopeCode));
    return verdicts;
  }
  const verdictOf = (i) => { const v = currentVerdicts()[i]; return v < 0 ? null : VERDICTS[v]; };

  function currentIntervals() {
    if (!scenario.active) {
      baseIntervals ??= Float64Array.from(jw.intervalsAll(zeros, 'land', ''));
      return baseIntervals;
    }
    intervals ??= Float64Array.from(jw.intervalsAll(scenario.deltas, scenario.usedScope, scenario.scopeCode));
    return intervals;
  }

  // --- DOM ----------------------------------------------------------------
  const viewButtons = VIEWS.map((v) => el('button', {
    type: 'button', class: 'map-view-btn', 'data-view': v.id, 'data-testid': `map-view-${v.id}`, 'aria-pressed': 'false',
  }, v.label));
  const btnIn = el('button', { type: 'button', class: 'map-zoom-btn', 'aria-label': 'Inzoomen', title: 'Inzoomen (+)', 'data-testid': 'map-zoom-in' }, '+');
  const btnOut = el('button', { type: 'button', class: 'map-zoom-btn', 'aria-label': 'Uitzoomen', title: 'Uitzoomen (−)', 'data-testid': 'map-zoom-out' }, '−');
  const btnFit = el('button', { type: 'button', class: 'map-zoom-btn', 'aria-label': 'Hele kaart tonen', title: 'Hele kaart (0)', 'data-testid': 'map-zoom-fit' }, '⤢');
  const toolbar = el('div', { class: 'map-toolbar' },
    el('div', { class: 'map-views', role: 'group', 'aria-label': 'Kaartweergave' }, ...viewButtons),
    el('div', { class: 'map-zoom', role: 'group', 'aria-label': 'Zoomen' }, btnIn, btnOut, btnFit));

  const canvas = el('canvas', {
    class: 'map-canvas', 'data-testid': 'map-canvas', tabindex: '0', role: 'img',
    'aria-label': 'Kaart van de wijken. Pijltjestoetsen: schuiven; plus en min: zoomen; 0: hele kaart. Gebruik de lijst met wijken hieronder om wijken één voor één te bekijken.',
  });
  const tooltip = el('div', { class: 'map-tooltip', role: 'tooltip', id: 'map-tooltip', 'data-testid': 'map-tooltip', hidden: true });
  const list = el('ul', {
    class: 'map-list', role: 'listbox', tabindex: '0', id: 'map-list', 'data-testid': 'map-list',
    'aria-label': 'Alle wijken op de kaart. Pijl omhoog en omlaag om te bladeren, Enter om een wijk te kiezen.',
    'aria-describedby': 'map-tooltip',
  });
  // de lijst ligt in het kaartvlak: bij focus verschijnt hij als paneel over de
  // kaart, zonder dat de rest van de pagina verschuift
  // Shown when the wheel scrolls the page past the map instead of zooming it.
  const wheelHint = el('div', { class: 'map-wheel-hint', 'aria-hidden': 'true', hidden: true,
    text: 'Zoomen: houd Ctrl ingedrukt en scroll, of klik eerst op de kaart.' });
  const stage = el('div', { class: 'map-stage' }, canvas, list, tooltip, wheelHint);
  const listHint = el('p', { class: 'map-list-hint', id: 'map-list-hint' },
    'Toetsenbord: Tab naar de lijst met wijken, ↑/↓ om te bladeren, Enter om te kiezen.');
  const legend = el('div', { class: 'map-legend', 'data-testid': 'map-legend', 'aria-live': 'polite' });

  const scopeRadios = SCOPES.map((s) => el('input', { type: 'radio', name: 'map-scope', value: s.id, id: `map-scope-${s.id}`, 'data-testid': `map-scope-${s.id}` }));
  const scopeBox = el('fieldset', { class: 'map-scope', 'data-testid': 'map-scope' },
    el('legend', {}, 'Wat als… op de kaart toepassen op'),
    ...SCOPES.map((s, k) => el('label', { for: `map-scope-${s.id}` }, scopeRadios[k], ` ${s.label}`)));
  const scenarioNote = el('p', { class: 'map-scenario', 'data-testid': 'map-scenario' });

  const btnSvg = el('button', { type: 'button', 'data-testid': 'map-export-svg' }, 'Kaart als SVG');
  const btnPng = el('button', { type: 'button', 'data-testid': 'map-export-png' }, 'Kaart als PNG');
  const btnCsv = el('button', { type: 'button', 'data-testid': 'map-export-csv' }, 'Tabel als CSV');
  const exportsBox = el('div', { class: 'map-export', role: 'group', 'aria-label': 'Downloaden' }, btnSvg, btnPng, btnCsv);
  const source = el('p', { class: 'map-source' },
    'Bron: SCP, Jeugdhulp in de wijk (2020); CBS; grenzen: CBS, Kadaster (2017). Cijfers over 2017.');

  container.append(
    el('h2', { class: 'map-heading visually-hidden' }, 'Kaart'),
    toolbar, listHint, stage, legend, scopeBox, scenarioNote, exportsBox, source,
  );
  status.remove();
  container.append(status);

  // --- toestand -----------------------------------------------------------
  const state = {
    view: 'werkelijk',
    selected: null, // geo index
    hover: -1,
    focus: -1, // actieve optie in de lijst (geo index)
    gemeente: null, // uitgelichte gemeente (code)
    k: 1, x: 0, y: 0, fitK: 1,
    W: 0, H: 0, dpr: 1,
    userMoved: false,
  };
  const cls = new Int8Array(nGeo); // klasse per wijk in de huidige weergave
  const gemCls = new Int8Array(geo.gemeenten.length);
  let outside = []; // geo indexen buiten het 95%-voorspellingsinterval (weergave verschil)
  let outsideMesh = null; // hun randen als één Path2D, lui gebouwd
  let recolours = 0;
  const g2d = canvas.getContext('2d');
  const hitCtx = document.createElement('canvas').getContext('2d');
  let patterns = null;

  function makePatterns(target) {
    return {
      geen: target.createPattern(hatchTile('geen'), 'repeat'),
      nietgep: target.createPattern(hatchTile('nietgep'), 'repeat'),
    };
  }

  // --- kleuren --------------------------------------------------------------
  function computeClasses() {
    const view = state.view;
    outside = [];
    outsideMesh = null;
    if (view === 'gemeente-effect') {
      geo.gemeenten.forEach((s, i) => {
        const e = effectOfGem(s.code);
        gemCls[i] = Number.isFinite(e) ? classify(e, gemBreaks) : NO_DATA;
      });
      for (let g = 0; g < nGeo; g++) {
        const e = effectOfGem(gemOfGeo(g));
        cls[g] = Number.isFinite(e) ? classify(e, gemBreaks) : NO_DATA;
      }
      return;
    }
    const vs = view === 'verschil' ? currentVerdicts() : null;
    for (let g = 0; g < nGeo; g++) {
      const i = geoToData[g];
      if (i < 0) { cls[g] = NO_DATA; continue; }
      const o = observed[i];
      if (view === 'verwacht') { cls[g] = classify(expected[i], seqBreaks); continue; }
      if (!Number.isFinite(o)) { cls[g] = SUPPRESSED; continue; }
      if (view === 'werkelijk') { cls[g] = classify(o, seqBreaks); continue; }
      cls[g] = classify(o - expected[i], divBreaks);
      if (vs[i] >= 0 && VERDICTS[vs[i]].value !== 'binnen') outside.push(g);
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
    const m = new DOMMatrix([px, 0, 0, px, 0, 0]);
    pats.geen.setTransform(m);
    pats.nietgep.setTransform(m);
    const pal = palette();
    let drawn = 0;
    if (state.view === 'gemeente-effect') {
      for (let i = 0; i < gemPaths.length; i++) {
        c.fillStyle = gemCls[i] >= 0 ? pal[gemCls[i]] : pats.geen;
        c.fill(gemPaths[i], 'evenodd');
      }
      drawn = nGeo; // alle wijken liggen in een gekleurde gemeente
      c.lineWidth = 0.35 * px;
      c.strokeStyle = 'rgba(255,255,255,0.55)';
      c.stroke(wijkMesh);
    } else {
      // per klasse één fillStyle
      const buckets = Array.from({ length: pal.length + 2 }, () => []);
      for (let g = 0; g < nGeo; g++) buckets[cls[g] + 2].push(g);
      for (let b = 0; b < buckets.length; b++) {
        const list = buckets[b];
        if (!list.length) continue;
        c.fillStyle = b === 0 ? pats.nietgep : b === 1 ? pats.geen : pal[b - 2];
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
    container.dataset.renderedShapes = String(n);
  }

  let frame = 0;
  function scheduleRedraw() {
    if (frame) return;
    frame = requestAnimationFrame(() => { frame = 0; redraw(); });
  }

  // --- legenda ------------------------------------------------------------
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
    if (v === 'verschil') items.push(['dot', 'buiten het 95%-voorspellingsinterval']);
    if (v === 'werkelijk' || v === 'verschil') items.push([{ hatch: 'nietgep' }, 'niet gepubliceerd (minder dan 10 jongeren)']);
    items.push([{ hatch: 'geen' }, v === 'gemeente-effect' ? 'geen gegevens' : 'geen gegevens (wijk niet in SCP-bestand)']);
    return items;
  }

  function legendTitle() {
    const v = state.view;
    if (v === 'verschil') return 'Verschil werkelijk − verwacht, in procentpunt (rood: hoger dan verwacht)';
    if (v === 'gemeente-effect') return 'Gemeente-effect (gemeente + jeugdzorgregio), in procentpunt';
    return `${v === 'werkelijk' ? 'Werkelijk' : 'Verwacht'} gebruik, % van de jeugd (zelfde klassen voor werkelijk en verwacht)`;
  }

  function renderLegend() {
    const ul = el('ul', { class: 'map-legend-items' });
    for (const [fill, text] of legendItems()) ul.append(el('li', {}, swatch(fill), el('span', {}, text)));
    legend.replaceChildren(el('p', { class: 'map-legend-title' }, legendTitle()), ul);
    legend.dataset.view = state.view;
  }

  // --- weergave -------------------------------------------------------------
  function setView(v) {
    state.view = v;
    viewButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.view === v)));
    container.dataset.view = v;
    computeClasses();
    renderLegend();
    redraw();
    refreshTooltip();
  }
  viewButtons.forEach((b) => b.addEventListener('click', () => setView(b.dataset.view)));

  // --- transformatie ----------------------------------------------------------
  function fit(bbox = [0, 0, geo.width, geo.height], pad = 0.04, maxK = Infinity) {
    const [x0, y0, x1, y1] = bbox;
    const w = Math.max(x1 - x0, 1), h = Math.max(y1 - y0, 1);
    const k = Math.min(maxK, Math.min(state.W / w, state.H / h) * (1 - 2 * pad));
    setTransform(k, state.W / 2 - ((x0 + x1) / 2) * k, state.H / 2 - ((y0 + y1) / 2) * k);
  }
  function setTransform(k, x, y) {
    const kmin = state.fitK * 0.8, kmax = state.fitK * 40;
    const k2 = Math.min(kmax, Math.max(kmin, k));
    // scale around the requested centre when clamped
    if (k2 !== k) {
      const cx = (state.W / 2 - x) / k, cy = (state.H / 2 - y) / k;
      x = state.W / 2 - cx * k2; y = state.H / 2 - cy * k2;
    }
    // het midden van het beeld blijft boven de kaart
    x = Math.min(state.W / 2, Math.max(state.W / 2 - geo.width * k2, x));
    y = Math.min(state.H / 2, Math.max(state.H / 2 - geo.height * k2, y));
    state.k = k2; state.x = x; state.y = y;
    scheduleRedraw();
    if (!tooltip.hidden) {
      // een tooltip bij de muis klopt niet meer na schuiven/zoomen
      if (tooltipAnchor) hideTooltip(); else placeTooltipForCurrent();
    }
  }
  function zoomAt(factor, sx = state.W / 2, sy = state.H / 2) {
    state.userMoved = true;
    const mx = (sx - state.x) / state.k, my = (sy - state.y) / state.k;
    const k = state.k * factor;
    const kc = Math.min(state.fitK * 40, Math.max(state.fitK * 0.8, k));
    setTransform(kc, sx - mx * kc, sy - my * kc);
  }
  function panBy(dx, dy) {
    state.userMoved = true;
    setTransform(state.k, state.x + dx, state.y + dy);
  }
  function centreOn(g, { zoom = true } = {}) {
    state.userMoved = true; // een latere resize mag dit beeld niet terugzetten
    const b = shapes[g].bbox;
    const w = b[2] - b[0], h = b[3] - b[1];
    if (zoom && state.k < state.fitK * 2.5) {
      // genoeg inzoomen om de wijk en haar omgeving te zien
      const k = Math.min(state.fitK * 6, Math.min(state.W / (w * 6), state.H / (h * 6)));
      const kk = Math.max(k, state.fitK * 2.5);
      setTransform(kk, state.W / 2 - ((b[0] + b[2]) / 2) * kk, state.H / 2 - ((b[1] + b[3]) / 2) * kk);
    } else {
      setTransform(state.k, state.W / 2 - ((b[0] + b[2]) / 2) * state.k, state.H / 2 - ((b[1] + b[3]) / 2) * state.k);
    }
  }
  function isVisible(g) {
    const [lx, ly] = shapes[g].label;
    const sx = lx * state.k + state.x, sy = ly * state.k + state.y;
    return sx > 20 && sy > 20 && sx < state.W - 20 && sy < state.H - 20;
  }

  function resize() {
    const r = stage.getBoundingClientRect();
    const W = Math.max(200, Math.round(r.width));
    const H = Math.max(200, Math.round(r.height));
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    if (W === state.W && H === state.H && dpr === state.dpr) return;
    const old = { W: state.W, H: state.H };
    state.W = W; state.H = H; state.dpr = dpr;
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    state.fitK = Math.min(W / geo.width, H / geo.height) * 0.96;
    if (!state.userMoved || !old.W) fit();
    else setTransform(state.k, state.x + (W - old.W) / 2, state.y + (H - old.H) / 2);
    redraw();
  }

  // --- hit test ----------------------------------------------------------------
  function pick(sx, sy) {
    const mx = (sx - state.x) / state.k, my = (sy - state.y) / state.k;
    for (let g = 0; g < nGeo; g++) {
      const b = shapes[g].bbox;
      if (mx < b[0] || mx > b[2] || my < b[1] || my > b[3]) continue;
      if (hitCtx.isPointInPath(wijkPaths[g], mx, my, 'evenodd')) return g;
    }
    return -1;
  }

  // --- tooltip -------------------------------------------------------------
  let tooltipFor = -1;
  let tooltipAnchor = null; // {x, y} in CSS px binnen stage, of null = labelpunt
  function tooltipHtml(g) {
    const i = geoToData[g];
    const rows = [];
    const row = (k, v, cl = '') => rows.push(k
      ? el('div', { class: `map-tt-row ${cl}` }, el('span', { class: 'map-tt-k' }, k), el('span', { class: 'map-tt-v' }, v))
      : el('p', { class: `map-tt-line ${cl}` }, v));
    const title = el('p', { class: 'map-tt-title' }, wijkName(g));
    const sub = el('p', { class: 'map-tt-sub' }, gemName(g));
    if (i < 0) {
      row('', 'geen gegevens: deze wijk zit niet in het SCP-bestand', 'map-tt-note');
    } else {
      const o = observed[i];
      const e = expected[i];
      row('Werkelijk', Number.isFinite(o) ? fmtPct(o) : 'niet gepubliceerd');
      row(scenario.active ? 'Verwacht (wat als)' : 'Verwacht', fmtPct(e));
      const iv = currentIntervals();
      row('95%-voorspellingsinterval', `${fmtNum(iv[2 * nData + i], 1)}–${fmtNum(iv[3 * nData + i], 1)}\u00a0%`);
      if (Number.isFinite(o)) {
        row('Verschil', fmtPp(o - e));
        const v = verdictOf(i);
        if (v && v.value !== 'binnen') row('', `${v.value === 'hoger' ? '▲' : '▼'} ${v.label} (buiten het interval)`, 'map-tt-flag');
      }
    }
    const eff = effectOfGem(gemOfGeo(g));
    row('Gemeente-effect', Number.isFinite(eff) ? fmtPp(eff) : 'geen gegevens');
    return [title, sub, ...rows];
  }
  function showTooltip(g, anchor = null) {
    if (g < 0) { hideTooltip(); return; }
    tooltipFor = g;
    tooltipAnchor = anchor;
    tooltip.replaceChildren(...tooltipHtml(g));
    tooltip.dataset.code = shapes[g].code;
    tooltip.hidden = false;
    placeTooltipForCurrent();
  }
  function placeTooltipForCurrent() {
    if (tooltipFor < 0) return;
    let ax, ay;
    if (tooltipAnchor) ({ x: ax, y: ay } = tooltipAnchor);
    else { const [lx, ly] = shapes[tooltipFor].label; ax = lx * state.k + state.x; ay = ly * state.k + state.y; }
    const tw = tooltip.offsetWidth, th = tooltip.offsetHeight;
    let x = ax + 14, y = ay + 14;
    if (x + tw > state.W - 4) x = ax - tw - 14;
    if (y + th > state.H - 4) y = ay - th - 14;
    tooltip.style.left = `${Math.max(4, x)}px`;
    tooltip.style.top = `${Math.max(4, y)}px`;
  }
  function hideTooltip() {
    tooltipFor = -1;
    tooltip.hidden = true;
  }
  function refreshTooltip() {
    if (tooltipFor >= 0 && !tooltip.hidden) tooltip.replaceChildren(...tooltipHtml(tooltipFor));
  }

  // --- selectie ---------------------------------------------------------------
  let selectingFromMap = false;
  function select(g) {
    if (g < 0) return;
    state.selected = g;
    scheduleRedraw();
    if (geoToData[g] >= 0) {
      // de gebruiker wees de wijk op de kaart aan: niet verspringen als de pagina
      // meteen setSelected aanroept
      selectingFromMap = true;
      try { onSelectWijk(shapes[g].code); } finally { selectingFromMap = false; }
    } else {
      status.textContent = `${wijkName(g)} (${gemName(g)}): geen gegevens, deze wijk zit niet in het SCP-bestand.`;
    }
  }

  // --- muis, aanraking ------------------------------------------------------
  const pointers = new Map();
  let drag = null; // {x, y, moved}
  let pinch = null; // {d, k, mx, my}
  let hoverFrame = 0;
  let lastMove = null;
  const local = (e) => { const r = canvas.getBoundingClientRect(); return { x: e.clientX - r.left, y: e.clientY - r.top }; };

  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture?.(e.pointerId);
    const p = local(e);
    pointers.set(e.pointerId, p);
    if (pointers.size === 1) drag = { x: p.x, y: p.y, sx: p.x, sy: p.y, moved: false };
    else if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
      pinch = { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, k: state.k, mx: (mx - state.x) / state.k, my: (my - state.y) / state.k };
      drag = null;
    }
  });
  canvas.addEventListener('pointermove', (e) => {
    const p = local(e);
    if (pointers.has(e.pointerId)) pointers.set(e.pointerId, p);
    if (pinch && pointers.size >= 2) {
      const [a, b] = [...pointers.values()];
      const d = Math.hypot(a.x - b.x, a.y - b.y) || 1;
      const k = pinch.k * (d / pinch.d);
      const mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
      state.userMoved = true;
      setTransform(k, mx - pinch.mx * k, my - pinch.my * k);
      return;
    }
    if (drag) {
      if (!drag.moved && Math.hypot(p.x - drag.sx, p.y - drag.sy) > 4) { drag.moved = true; canvas.classList.add('dragging'); hideTooltip(); }
      if (drag.moved) { panBy(p.x - drag.x, p.y - drag.y); drag.x = p.x; drag.y = p.y; }
      return;
    }
    lastMove = p;
    if (!hoverFrame) hoverFrame = requestAnimationFrame(() => {
      hoverFrame = 0;
      if (!lastMove) return;
      const g = pick(lastMove.x, lastMove.y);
      if (g !== state.hover) { state.hover = g; redraw(); }
      if (g >= 0) showTooltip(g, lastMove); else hideTooltip();
      canvas.style.cursor = g >= 0 ? 'pointer' : 'grab';
    });
  });
  const endPointer = (e) => {
    const p = local(e);
    const wasClick = drag && !drag.moved && pointers.size === 1 && e.type === 'pointerup';
    pointers.delete(e.pointerId);
    if (pointers.size < 2) pinch = null;
    if (wasClick) select(pick(p.x, p.y));
    if (pointers.size === 0) { drag = null; canvas.classList.remove('dragging'); }
    else if (pointers.size === 1) { const q = [...pointers.values()][0]; drag = { x: q.x, y: q.y, sx: q.x, sy: q.y, moved: true }; }
  };
  canvas.addEventListener('pointerup', endPointer);
  canvas.addEventListener('pointercancel', endPointer);
  canvas.addEventListener('pointerleave', (e) => {
    if (e.pointerType === 'mouse' && !pointers.size) {
      lastMove = null;
      if (state.hover >= 0) { state.hover = -1; scheduleRedraw(); }
      if (state.focus < 0) hideTooltip();
    }
  });
  let wheelHintTimer = 0;
  canvas.addEventListener('wheel', (e) => {
    // The wheel zooms only with Ctrl (also a trackpad pinch) or once the map
    // has focus; otherwise the page scrolls on, with a hint.
    if (!e.ctrlKey && !e.metaKey && document.activeElement !== canvas) {
      wheelHint.hidden = false;
      clearTimeout(wheelHintTimer);
      wheelHintTimer = setTimeout(() => { wheelHint.hidden = true; }, 1500);
      return;
    }
    wheelHint.hidden = true;
    e.preventDefault();
    const p = local(e);
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    zoomAt(Math.exp(-dy * 0.002), p.x, p.y);
  }, { passive: false });
  canvas.addEventListener('dblclick', (e) => { const p = local(e); zoomAt(2, p.x, p.y); });

  function zoomKeys(e) {
    if (e.key === '+' || e.key === '=') zoomAt(1.5);
    else if (e.key === '-' || e.key === '_') zoomAt(1 / 1.5);
    else if (e.key === '0') { state.userMoved = false; fit(); }
    else return false;
    return true;
  }
  canvas.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? 200 : 60;
    const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (moves[e.key]) { panBy(...moves[e.key]); e.preventDefault(); return; }
    if (zoomKeys(e)) { e.preventDefault(); return; }
    if (e.key === 'Enter' && state.hover >= 0) { select(state.hover); e.preventDefault(); }
    if (e.key === 'Escape') hideTooltip();
  });
  btnIn.addEventListener('click', () => zoomAt(1.5));
  btnOut.addEventListener('click', () => zoomAt(1 / 1.5));
  btnFit.addEventListener('click', () => { state.userMoved = false; state.gemeente = null; fit(); });

  // --- toegankelijke lijst -----------------------------------------------------
  // Gebouwd na de eerste tekening (3070 opties kosten layout-tijd), of meteen
  // als de lijst eerder focus krijgt.
  let order = null;
  const options = new Array(nGeo);
  const posInOrder = new Int32Array(nGeo);
  function buildList() {
    if (order) return;
    const collator = new Intl.Collator('nl', { numeric: true, sensitivity: 'base', ignorePunctuation: true });
    const gn = shapes.map((_, g) => gemName(g));
    const wn = shapes.map((_, g) => wijkName(g));
    order = [...shapes.keys()].sort((a, b) => collator.compare(gn[a], gn[b]) || collator.compare(wn[a], wn[b]));
    const frag = document.createDocumentFragment();
    for (const g of order) {
      const li = el('li', { role: 'option', id: `map-opt-${shapes[g].code}`, 'data-code': shapes[g].code, 'aria-selected': 'false' },
        `${wn[g]}, ${gn[g]}${geoToData[g] < 0 ? ' (geen gegevens)' : ''}`);
      options[g] = li;
      frag.append(li);
    }
    list.append(frag);
    order.forEach((g, p) => { posInOrder[g] = p; });
    container.dataset.listReady = 'true';
  }

  function setFocus(g, { scroll = true } = {}) {
    if (state.focus >= 0) options[state.focus].setAttribute('aria-selected', 'false');
    state.focus = g;
    if (g < 0) { list.removeAttribute('aria-activedescendant'); hideTooltip(); scheduleRedraw(); return; }
    const li = options[g];
    li.setAttribute('aria-selected', 'true');
    list.setAttribute('aria-activedescendant', li.id);
    // zelf scrollen: scrollIntoView zou ook het kaartvlak verschuiven
    if (scroll) {
      const top = li.offsetTop, bottom = top + li.offsetHeight;
      if (top < list.scrollTop) list.scrollTop = top;
      else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
    }
    if (!isVisible(g)) centreOn(g, { zoom: false });
    scheduleRedraw();
    showTooltip(g);
  }
  let typed = '', typedAt = 0;
  list.addEventListener('focus', () => {
    buildList();
    if (state.focus < 0) setFocus(state.selected ?? order[0]);
    else showTooltip(state.focus);
  });
  list.addEventListener('blur', () => { hideTooltip(); });
  list.addEventListener('keydown', (e) => {
    buildList();
    const p = state.focus >= 0 ? posInOrder[state.focus] : -1;
    const go = (q) => { setFocus(order[Math.max(0, Math.min(nGeo - 1, q))]); e.preventDefault(); };
    switch (e.key) {
      case 'ArrowDown': return go(p + 1);
      case 'ArrowUp': return go(p - 1);
      case 'PageDown': return go(p + 20);
      case 'PageUp': return go(p - 20);
      case 'Home': return go(0);
      case 'End': return go(nGeo - 1);
      case 'Enter': case ' ':
        if (state.focus >= 0) select(state.focus);
        e.preventDefault();
        return;
      case 'Escape': hideTooltip(); return;
      default:
        if (zoomKeys(e)) { e.preventDefault(); return; }
        if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
          // typ de eerste letters van een wijk of gemeente
          const now = performance.now();
          const fresh = now - typedAt > 800;
          typed = fresh ? e.key : typed + e.key;
          typedAt = now;
          const t = typed.toLocaleLowerCase('nl');
          const start = Math.max(p, 0) + (fresh ? 1 : 0);
          for (let k = 0; k < nGeo; k++) {
            const g = order[(start + k) % nGeo];
            if (wijkName(g).toLocaleLowerCase('nl').startsWith(t) || gemName(g).toLocaleLowerCase('nl').startsWith(t)) { setFocus(g); break; }
          }
          e.preventDefault();
        }
    }
  });
  list.addEventListener('click', (e) => {
    const li = e.target.closest('[data-code]');
    if (!li) return;
    const g = geoIndex.get(li.dataset.code);
    setFocus(g, { scroll: false });
    select(g);
  });

  // --- wat als --------------------------------------------------------------
  function scopeCodeFor(scope) {
    const w = scenario.wijk != null ? dataIndex.get(scenario.wijk) : undefined;
    if (scope === 'land') return '';
    if (scope === 'wijk') return w !== undefined ? wijken[w].code : null;
    if (scope === 'gemeente') return scenario.gemeente ?? (w !== undefined ? wijken[w].gemeente_code : null);
    if (scope === 'regio') {
      if (w !== undefined) return wijken[w].regio_code;
      const gm = scenario.gemeente && gemByCode.get(scenario.gemeente);
      return gm ? gm.regio_code : null;
    }
    return null;
  }
  function refreshScopeControls() {
    // aangevinkt: de schaal die echt gebruikt wordt (ruimer als de gekozen schaal
    // nu geen wijk/gemeente heeft); de keuze zelf blijft bewaard in scenario.scope
    const [eff] = effectiveScope();
    SCOPES.forEach((s, k) => {
      const ok = scopeCodeFor(s.id) != null;
      scopeRadios[k].disabled = !ok;
      scopeRadios[k].checked = s.id === eff;
    });
  }
  function effectiveScope() {
    // valt terug op een ruimere schaal als de gekozen schaal geen code heeft
    const order2 = ['wijk', 'gemeente', 'regio', 'land'];
    for (let k = order2.indexOf(scenario.scope); k < order2.length; k++) {
      const c = scopeCodeFor(order2[k]);
      if (c != null) return [order2[k], c];
    }
    return ['land', ''];
  }
  function scopeText(scope, code) {
    if (scope === 'land') return 'heel Nederland';
    if (scope === 'wijk') { const i = dataIndex.get(code); return `wijk ${wijken[i]?.name ?? code}`; }
    if (scope === 'gemeente') return `gemeente ${gemByCode.get(code)?.name ?? code}`;
    const g = gemeenten.find((x) => x.regio_code === code);
    return `jeugdzorgregio ${g?.regio_name ?? code}`;
  }

  let pending = false;
  let lastRecolourMs = 0;
  let lastShownMs = 0;
  let lastFrameGap = 0;
  function recompute(frameTs) {
    const t0 = performance.now();
    const d = scenario.deltas;
    let any = false;
    for (let j = 0; j < d.length; j++) if (d[j] !== 0 && Number.isFinite(d[j])) { any = true; break; }
    const [scope, code] = effectiveScope();
    const was = `${scenario.active}|${scenario.usedScope}|${scenario.scopeCode}`;
    scenario.usedScope = scope;
    scenario.scopeCode = code;
    intervals = null;
    verdicts = null;
    try {
      if (any) {
        expected = jw.expectedAll(d, scope, code);
        scenario.active = true;
      } else {
        expected = baseExpected;
        scenario.active = false;
      }
    } catch (err) {
      status.textContent = `Wat als op de kaart: ${err.message}`;
      return;
    }
    computeClasses();
    redraw();
    refreshTooltip();
    recolours += 1;
    container.dataset.recolours = String(recolours);
    const now = `${scenario.active}|${scenario.usedScope}|${scenario.scopeCode}`;
    if (now !== was) {
      scenarioNote.textContent = scenario.active
        ? `De kaart toont het verwachte gebruik met de wijzigingen uit "Wat als…", toegepast op ${scopeText(scope, code)}.`
        : '';
    }
    lastRecolourMs = performance.now() - t0;
    container.dataset.lastRecolourMs = lastRecolourMs.toFixed(2);
    // wanneer staat het op het scherm: de volgende frame na deze
    requestAnimationFrame((ts) => {
      lastShownMs = performance.now() - t0;
      lastFrameGap = frameTs === undefined ? NaN : ts - frameTs;
    });
  }
  function scheduleRecompute() {
    if (pending) return;
    pending = true;
    requestAnimationFrame((ts) => { pending = false; recompute(ts); });
  }
  scopeRadios.forEach((r) => r.addEventListener('change', () => {
    if (!r.checked) return;
    scenario.scope = r.value;
    scheduleRecompute();
  }));

  // --- export ------------------------------------------------------------------
  function download(blob, name) {
    const a = el('a', { download: name, class: 'visually-hidden' });
    a.href = URL.createObjectURL(blob);
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 30000);
  }
  const stamp = () => `${state.view}${scenario.active ? '-wat-als' : ''}`;
  const xmlEsc = (s) => String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]));

  function exportSvg() {
    const u = geo.width / 800; // map units per "pixel" bij 800 px breed
    const pal = palette();
    const parts = [];
    const groups = new Map();
    const add = (fill, d) => { if (!groups.has(fill)) groups.set(fill, []); groups.get(fill).push(d); };
    if (state.view === 'gemeente-effect') {
      geo.gemeenten.forEach((s, i) => add(gemCls[i] >= 0 ? pal[gemCls[i]] : 'url(#hatch-geen)', `<path d="${s.d}"><title>${xmlEsc(s.name)}</title></path>`));
    } else {
      for (let g = 0; g < nGeo; g++) {
        const c = cls[g];
        const fill = c === NO_DATA ? 'url(#hatch-geen)' : c === SUPPRESSED ? 'url(#hatch-nietgep)' : pal[c];
        add(fill, `<path id="${shapes[g].code}" d="${shapes[g].d}"><title>${xmlEsc(`${wijkName(g)}, ${gemName(g)}`)}</title></path>`);
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
    const items = legendItems();
    const lines = [VIEW_TITLE[state.view]];
    if (scenario.active) lines.push(`Wat als: toegepast op ${scopeText(scenario.usedScope, scenario.scopeCode)}`);
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
    const items = legendItems();
    const lines = [VIEW_TITLE[state.view]];
    if (scenario.active) lines.push(`Wat als: toegepast op ${scopeText(scenario.usedScope, scenario.scopeCode)}`);
    c.font = 'bold 13px sans-serif';
    c.fillStyle = '#000';
    c.textBaseline = 'alphabetic';
    lines.forEach((t, k) => { c.font = `${k ? '' : 'bold '}13px sans-serif`; c.fillText(t, 10, 20 + k * 17); });
    let y = 26 + lines.length * 17;
    c.font = '12px sans-serif';
    for (const [fill, text] of items) {
      const sw = swatch(fill);
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
    drawMap(c, W, H, { k, x: (W - geo.width * k) / 2, y: (H - geo.height * k) / 2 }, scale, makePatterns(c), { highlights: false });
    drawLegendOnCanvas(c, scale);
    c.fillStyle = '#333';
    c.font = '11px sans-serif';
    c.fillText(source.textContent, 10, H - 10);
    return new Promise((resolve) => off.toBlob(resolve, 'image/png'));
  }

  function csvNum(x, d = 3) {
    return Number.isFinite(x) ? x.toFixed(d).replace('.', ',') : '';
  }
  function csvText(s) {
    const t = String(s ?? '');
    return /[;"\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  }
  function exportCsv() {
    const iv = currentIntervals();
    const changed = [];
    for (let j = 0; j < nDet; j++) if (scenario.active && scenario.deltas[j] !== 0 && Number.isFinite(scenario.deltas[j])) changed.push(j);
    const scopeCode = scenario.active ? scenario.scopeCode : '';
    const inScope = (w) => scenario.active && (
      scenario.usedScope === 'land' ||
      (scenario.usedScope === 'wijk' && w.code === scopeCode) ||
      (scenario.usedScope === 'gemeente' && w.gemeente_code === scopeCode) ||
      (scenario.usedScope === 'regio' && w.regio_code === scopeCode));
    const header = ['wijkcode', 'wijknaam', 'gemeentecode', 'gemeentenaam', 'regiocode', 'regionaam',
      'werkelijk_pct', 'verwacht_pct', 'ci95_laag', 'ci95_hoog', 'pi95_laag', 'pi95_hoog',
      'verschil_pp', 'buiten_pi', 'gemeente_effect_pp', 'wat_als_schaal', 'wat_als_toegepast',
      ...changed.map((j) => `wijziging_${determinants[j].name}`)];
    const rows = [header.join(';')];
    const scopeLabel = scenario.active ? scopeText(scenario.usedScope, scopeCode) : 'geen wijziging';
    for (let i = 0; i < nData; i++) {
      const w = wijken[i];
      const o = observed[i], e = expected[i];
      const lo = iv[2 * nData + i], hi = iv[3 * nData + i];
      const v = verdictOf(i);
      const out = v ? (v.value === 'binnen' ? 'nee' : v.value) : '';
      const applied = inScope(w);
      rows.push([
        w.code, csvText(w.name), w.gemeente_code, csvText(w.gemeente_name), w.regio_code, csvText(w.regio_name),
        csvNum(o), csvNum(e), csvNum(iv[i]), csvNum(iv[nData + i]), csvNum(lo), csvNum(hi),
        Number.isFinite(o) ? csvNum(o - e) : '', out, csvNum(effectOfGem(w.gemeente_code)),
        csvText(scopeLabel), applied ? 'ja' : 'nee',
        ...changed.map((j) => (applied ? csvNum(scenario.deltas[j], 4) : '')),
      ].join(';'));
    }
    return `\ufeff${rows.join('\r\n')}\r\n`;
  }

  btnSvg.addEventListener('click', () => download(new Blob([exportSvg()], { type: 'image/svg+xml' }), `jeugdhulp-wijk-kaart-${stamp()}.svg`));
  btnPng.addEventListener('click', async () => download(await exportPng(), `jeugdhulp-wijk-kaart-${stamp()}.png`));
  btnCsv.addEventListener('click', () => download(new Blob([exportCsv()], { type: 'text/csv;charset=utf-8' }), `jeugdhulp-wijk-${scenario.active ? 'wat-als' : 'wijken'}.csv`));

  // --- start ---------------------------------------------------------------
  patterns = makePatterns(g2d);
  refreshScopeControls();
  viewButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.view === state.view)));
  container.dataset.view = state.view;
  computeClasses();
  renderLegend();
  const ro = new ResizeObserver(() => resize());
  ro.observe(stage);
  resize();
  mark('drawn');
  setTimeout(() => { buildList(); mark('list'); }, 0);
  container.removeAttribute('aria-busy');
  container.dataset.mountMs = (performance.now() - tMount).toFixed(1);
  container.dataset.readyAt = performance.now().toFixed(1);
  container.dataset.ready = 'true';

  const api = {
    setSelected(code) {
      const g = code == null ? null : geoIndex.get(code);
      state.selected = g ?? null;
      if (g != null) {
        const i = geoToData[g];
        if (i >= 0 && scenario.wijk == null) { scenario.wijk = code; refreshScopeControls(); }
        if (!selectingFromMap) centreOn(g);
        else if (!isVisible(g)) centreOn(g, { zoom: false });
      }
      scheduleRedraw();
    },
    zoomToGemeente(code) {
      const i = gemShapeIndex.get(code);
      if (i === undefined) return;
      state.gemeente = code;
      state.userMoved = true;
      fit(geo.gemeenten[i].bbox, 0.08, state.fitK * 30);
      scheduleRedraw();
    },
    update({ deltas, wijk, gemeente } = {}) {
      if (deltas) scenario.deltas = deltas instanceof Float64Array ? deltas : Float64Array.from(deltas);
      const wc = codeOf(wijk), gc = codeOf(gemeente);
      if (wijk !== undefined) scenario.wijk = wc;
      if (gemeente !== undefined) scenario.gemeente = gc;
      refreshScopeControls();
      scheduleRecompute();
    },
  };
  // haakjes voor tests en de benchmark
  container.mapDebug = {
    api,
    zoom: () => state.k,
    screenPoint(code) {
      const g = geoIndex.get(code);
      const [lx, ly] = shapes[g].label;
      const r = canvas.getBoundingClientRect();
      return { x: r.left + lx * state.k + state.x, y: r.top + ly * state.k + state.y };
    },
    get lastRecolourMs() { return lastRecolourMs; },
    get lastShownMs() { return lastShownMs; }, // recolour start → next animation frame
    get lastFrameGap() { return lastFrameGap; }, // frame of the recolour → next frame (≈16,7 ms = no frame dropped)
    phases,
    redraw,
  };
  return api;
}
