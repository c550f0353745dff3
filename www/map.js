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
//   const map = await mountMap(section, { jw, wijken, determinants, gemeenten, geometryUrl, onSelectWijk });
//   map.setSelected(code | null); map.zoomToGemeente(code); map.update({ deltas, wijk, gemeente });
//   map.setOverride({ codes, expected, note, onClear }); map.clearOverride();   (issue 10:
//     the extension's expected use for some wijken, shown in the verschil view and zoomed to)

import { el } from './dom.js';
import { messages } from './i18n.js';

const M = messages('map');

// The parts are imported when the map is mounted, together with geo.json: as static
// imports they would only be requested once map.js itself had arrived, one round trip
// (150 ms on a slow phone) before the geometry could start to download. style.js
// comes with draw.js, long before geo.json is in.
const loadParts = () => Promise.all([
  import('./map/geometry.js'), import('./map/scope.js'), import('./map/draw.js'),
  import('./map/interaction.js'), import('./map/list.js'), import('./map/export.js'),
  import('./map/ses.js'),
]);

async function loadGeometry(url) {
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return await res.json();
  } catch (e) {
    throw new Error(`geo.json: ${e.message}`, { cause: e });
  }
}

export async function mountMap(container, ctx) {
  const tMount = performance.now();
  const phases = {}; // ms since mountMap started, for bench/map.mjs ('geometry': geo.json and the parts in)
  const mark = (name) => { phases[name] = Math.round((performance.now() - tMount) * 10) / 10; };
  const { jw, onSelectWijk = () => {} } = ctx;
  const wijken = ctx.wijken ?? jw.wijken();
  const determinants = ctx.determinants ?? jw.determinants();
  const gemeenten = ctx.gemeenten ?? jw.gemeenten();

  container.classList.add('map');
  container.setAttribute('aria-busy', 'true');
  container.dataset.recolours = '0';
  container.dataset.renderedShapes = '0';
  const status = el('p', { class: 'map-status', role: 'status' }, M.loading);
  container.append(status);

  let geo, parts;
  try {
    // geo.json lies beside this module (v/<version>/ in dist/), not beside the page.
    [parts, geo] = await Promise.all([loadParts(), loadGeometry(ctx.geometryUrl ?? new URL('geo.json', import.meta.url))]);
  } catch (e) {
    status.textContent = M.failed(e.message);
    container.removeAttribute('aria-busy');
    throw e;
  }
  const [{ joinGeometry }, { createScope }, { createDraw }, { createInteraction }, { createTooltip, createList }, { createExport }, { createSesFilter }] = parts;
  status.textContent = '';
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
