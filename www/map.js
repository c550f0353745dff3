// De kaart: 3070 wijken op een canvas, vier weergaven, zoomen/schuiven, tooltip,
// een toegankelijke lijst van alle wijken, "wat als" op de kaart en export naar
// SVG, PNG en CSV. This file loads the geometry, builds the parts and puts them
// together; each concern lives in its own module under map/:
//
//   map/geometry.js     shapes joined to the wijken, cached Path2D objects
//   map/style.js        colour scales, class breaks and labels, hatchings
//   map/scope.js        the what-if: scenario, expected values, intervals, verdict, scale radios
//   map/draw.js         classes per wijk, drawing the map, the legend
//   map/interaction.js  view buttons, zoom and pan, hit test, selection
//   map/list.js         the tooltip and the accessible list of wijken
//   map/export.js       SVG, PNG and CSV downloads
//   map/ses.js          the income-class filter (?ses=laag|midden|hoog, issue 12)
//
// The parts share one object `m`: the data and indexes, `state` (view, selection,
// transform) and each part's functions (m.scope, m.draw, m.act, m.tip, m.list), which
// they call through m at event time, so the order they are made in matters little.
//
// Interface met de pagina (app.js):
//   prefetch();  (as early as possible: the geometry and the map's modules start to download)
//   const map = await mountMap(section, { jw, wijken, determinants, gemeenten, geometryResponse, loadValues, valuesWanted, onSelectWijk });
//   map.setSelected(code | null); map.zoomToGemeente(code); map.update({ deltas, wijk, gemeente });
//   map.setOverride({ codes, expected, note, onClear }); map.clearOverride();   (issue 10:
//     the extension's expected use for some wijken, shown in the verschil view and zoomed to)

import { el } from './dom.js';
import { fetchGzipped } from './binfile.js';
import { messages } from './i18n.js';

const M = messages('map');

// The parts and the geometry are requested by prefetch(), which app.js calls as soon as the
// wasm is in (before the first result is drawn), so they arrive while the page renders.
// Only the bytes are fetched there: decoding waits for mountMap, off the first result's path.
// The first view needs only these (draw.js brings style.js and ses.js along) ...
const loadFirstParts = () => Promise.all([
  import('./map/geometry.js'), import('./map/draw.js'), import('./map/interaction.js'), import('./geobin.js'),
]);
// ... and the rest is asked for beside the wijk values, once that view is drawn.
let restParts = null;
const loadRestParts = () => {
  restParts ??= Promise.all([import('./map/scope.js'), import('./map/list.js'), import('./map/export.js'), import('./map/ses.js')]);
  return restParts;
};

let prefetched = null;
/**
 * Start downloading the map's modules and geometry (geo.bin.gz, www/geobin.js), or take
 * the geometry's response that app.js already asked for.
 */
export function prefetch(response) {
  if (!prefetched) {
    const bytes = fetchGzipped(response ?? fetch(new URL('geo.bin.gz', import.meta.url)), 'geo.bin.gz');
    prefetched = { parts: loadFirstParts(), bytes };
    // a failure is reported by mountMap, not as an unhandled rejection here
    prefetched.parts.catch(() => {});
    bytes.catch(() => {});
  }
  return prefetched;
}

async function loadGeometry(response, wijken, gemeenten) {
  const { parts, bytes } = prefetch(response);
  const all = await parts;
  const inflated = await bytes; // its errors name the file
  try {
    // the wijk and gemeente names the wasm has are not in the file (www/geobin.js)
    return [all, all[3].decodeGeometry(inflated, all[3].knownNames(wijken, gemeenten))];
  } catch (e) {
    throw new Error(`geo.bin.gz: ${e.message}`, { cause: e });
  }
}

/**
 * The first view of the map before the wijk values are in: the "werkelijk" view (observed
 * use, from the wijken: site.bin.gz) drawn as the full map will draw it, without controls. The
 * rest (other views, tooltips, list, what-if, exports) needs the values. Returns the
 * nodes to remove when the full map takes over.
 */
function drawPreview(m, { createDraw, fitTransform, createToolbar }) {
  const draw = createDraw({ ...m, scope: { baseExpected: null, expected: null, verdict: () => null } });
  draw.computeClasses();
  draw.renderLegend();
  // The full map's buttons, disabled until it takes over: its toolbar then takes their
  // place without moving the map.
  const { toolbar, viewButtons } = createToolbar();
  toolbar.querySelectorAll('button').forEach((b) => { b.disabled = true; b.removeAttribute('data-testid'); });
  viewButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.view === m.state.view)));
  // (and the list's hint, which the full map shows between them: the same line)
  const hint = el('p', { class: 'map-list-hint' }, M.listHint);
  const stage = el('div', { class: 'map-stage' }, m.canvas);
  m.container.append(toolbar, hint, stage, draw.legend, m.status); // the status below: nothing above the map moves
  const r = stage.getBoundingClientRect();
  Object.assign(m.state, fitTransform(r, m.geo));
  m.canvas.width = Math.round(m.state.W * m.state.dpr);
  m.canvas.height = Math.round(m.state.H * m.state.dpr);
  draw.redraw();
  return [toolbar, hint, stage, draw.legend];
}

/** Resolves at the first pointer over or on the map, or focus in it (the canvas: Tab). */
function firstUse(container) {
  return new Promise((resolve) => {
    const events = ['pointerover', 'pointerdown', 'focusin'];
    const used = () => {
      events.forEach((e) => container.removeEventListener(e, used));
      resolve();
    };
    events.forEach((e) => container.addEventListener(e, used));
  });
}

export async function mountMap(container, ctx) {
  const tMount = performance.now();
  const phases = {}; // ms since mountMap started, for bench/map.mjs ('geometry': geo.bin.gz and the parts in)
  const mark = (name) => { phases[name] = Math.round((performance.now() - tMount) * 10) / 10; };
  const { jw, onSelectWijk = () => {} } = ctx;
  const wijken = ctx.wijken ?? jw.wijken();
  const determinants = ctx.determinants ?? jw.determinants();
  const gemeenten = ctx.gemeenten ?? jw.gemeenten();
  // The wijk values (app.js's loadValues; resolves true once loaded) and the rest of the
  // map's modules are asked for when the map is first used (pointed at, touched, given the
  // focus) or when the page wants the values for something else (ctx.valuesWanted: a wijk
  // chosen, the panels below come near). A phone that only looks at the first view does
  // not download them: 134 KB gzip of 480 (issue 11: a first load of ≤ 400 KB).
  const loadValues = ctx.loadValues ?? (() => Promise.resolve(jw.hasWijkValues()));
  const valuesWanted = ctx.valuesWanted ?? Promise.resolve();

  container.classList.add('map');
  container.setAttribute('aria-busy', 'true');
  container.dataset.recolours = '0';
  container.dataset.renderedShapes = '0';
  const status = el('p', { class: 'map-status', role: 'status' }, M.loading);
  container.append(status);

  if (jw.hasWijkValues()) loadRestParts(); // no first view without values: everything at once
  let geo, parts;
  let preview = [];
  const fail = (e) => {
    preview.forEach((n) => n.remove());
    status.textContent = M.failed(e.message);
    container.removeAttribute('aria-busy');
    throw e;
  };
  try {
    // the geometry lies beside this module (v/<version>/ in dist/), not beside the page
    [parts, geo] = await loadGeometry(ctx.geometryResponse ?? (ctx.geometryUrl && fetch(ctx.geometryUrl)), wijken, gemeenten);
  } catch (e) {
    fail(e);
  }
  const [{ joinGeometry }, { createDraw }, { createInteraction, fitTransform, createToolbar }] = parts;
  mark('geometry');

  const m = {
    jw, container, status, onSelectWijk, geo, wijken, determinants, gemeenten,
    nData: wijken.length, nDet: determinants.length,
    ...joinGeometry(geo, wijken, gemeenten),
  };
  mark('paths');
  m.state = {
    view: 'werkelijk',
    selected: null, // geo index
    hover: -1,
    focus: -1, // actieve optie in de lijst (geo index)
    gemeente: null, // uitgelichte gemeente (code)
    k: 1, x: 0, y: 0, fitK: 1,
    W: 0, H: 0, dpr: 1,
    userMoved: false,
  };
  m.canvas = el('canvas', {
    class: 'map-canvas', 'data-testid': 'map-canvas', tabindex: '0', role: 'img',
    'aria-label': M.canvasLabel,
  });
  m.source = el('p', { class: 'map-source' }, M.source);

  // An income-class filter in the URL greys out wijken by a class that needs the values:
  // then there is no preview, which would show them all first.
  let values = jw.hasWijkValues();
  if (!values && !new URLSearchParams(location.search).get('ses')) {
    preview = drawPreview(m, { createDraw, fitTransform, createToolbar });
    status.textContent = M.previewHint;
    container.dataset.drawnAt = performance.now().toFixed(1);
    mark('preview');
    await Promise.race([firstUse(container), valuesWanted]);
    status.textContent = M.loadingValues;
  }
  let rest;
  try {
    [values, rest] = await Promise.all([values || loadValues(), loadRestParts()]);
  } catch (e) {
    fail(e);
  }
  if (!values) fail(new Error(M.noValues));
  const [{ createScope }, { createTooltip, createList }, { createExport }, { createSesFilter }] = rest;
  preview.forEach((n) => n.remove());
  status.textContent = '';
  m.state.W = 0; // the full map sizes the canvas again (resize) and redraws it
  mark('values');

  // the income-class filter (issue 12) before the classes are first computed
  m.ses = createSesFilter(m, () => { m.draw.computeClasses(); m.draw.renderLegend(); m.draw.redraw(); m.tip.refresh(); });
  m.scope = createScope(m);
  m.draw = createDraw(m);
  mark('model');
  m.tip = createTooltip(m);
  m.list = createList(m);
  m.act = createInteraction(m);
  const downloads = createExport(m);

  // de lijst ligt in het kaartvlak: bij focus verschijnt hij als paneel over de
  // kaart, zonder dat de rest van de pagina verschuift
  m.stage = el('div', { class: 'map-stage' }, m.canvas, m.list.el, m.tip.el, m.act.wheelHint);
  container.append(
    el('h2', { class: 'map-heading visually-hidden' }, M.heading),
    m.act.toolbar, m.list.hint, m.stage, m.draw.legend, m.scope.overrideBox, m.ses.box, m.scope.box, m.scope.note, downloads.box, m.source,
  );
  status.remove();
  container.append(status); // messages (a wijk without data, a failed what-if) go below it all

  // --- start ---------------------------------------------------------------
  m.scope.refreshControls();
  m.act.viewButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.view === m.state.view)));
  container.dataset.view = m.state.view;
  m.draw.computeClasses();
  m.draw.renderLegend();
  const ro = new ResizeObserver(() => m.act.resize());
  ro.observe(m.stage);
  m.act.resize();
  mark('drawn');
  container.dataset.drawnAt ??= performance.now().toFixed(1);
  setTimeout(() => { m.list.build(); mark('list'); }, 0);
  container.removeAttribute('aria-busy');
  container.dataset.mountMs = (performance.now() - tMount).toFixed(1);
  container.dataset.readyAt = performance.now().toFixed(1);
  container.dataset.ready = 'true';

  function recolour() {
    m.draw.computeClasses();
    m.draw.renderLegend();
    m.draw.redraw();
    m.tip.refresh();
  }
  /** Issue 10: the verschil view with the extension's expectation for these wijken, zoomed to them. */
  function setOverride(o) {
    const used = m.scope.setOverride(o);
    m.act.setView('verschil'); // recolours
    m.act.zoomToWijken(used);
    // the user asked for the map: take the focus there, to the note that says what it shows
    m.scope.overrideBack.focus();
    return used.length;
  }
  function clearOverride() {
    const cleared = m.scope.clearOverride();
    if (cleared) recolour();
    return cleared;
  }
  m.scope.overrideBack.addEventListener('click', () => {
    const onClear = clearOverride();
    onClear?.(); // focus goes back to where the user came from (the panel's button)
  });
  const api = {
    setSelected: m.act.setSelected,
    zoomToGemeente: m.act.zoomToGemeente,
    update: m.scope.update,
    setOverride,
    clearOverride: () => { clearOverride(); },
  };
  // haakjes voor tests en de benchmark
  const { state } = m;
  const { timing } = m.scope;
  container.mapDebug = {
    api,
    zoom: () => state.k,
    screenPoint(code) {
      const g = m.geoIndex.get(code);
      const [lx, ly] = m.shapes[g].label;
      const r = m.canvas.getBoundingClientRect();
      return { x: r.left + lx * state.k + state.x, y: r.top + ly * state.k + state.y };
    },
    get lastRecolourMs() { return timing.recolourMs; },
    get lastShownMs() { return timing.shownMs; }, // recolour start → next animation frame
    get lastFrameGap() { return timing.frameGap; }, // frame of the recolour → next frame (≈16,7 ms = no frame dropped)
    phases,
    redraw: m.draw.redraw,
  };
  return api;
}
