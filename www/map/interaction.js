// Interaction: the view buttons, zooming and panning (mouse, touch, wheel, keys and
// buttons), fitting the map to its box, hit testing and selecting a wijk.
// state.k/x/y map map units to CSS px; every change goes through setTransform, which
// keeps the map in view and redraws once per frame.

import { el } from '../dom.js';
import { messages } from '../i18n.js';

const M = messages('map');

const VIEWS = ['werkelijk', 'verwacht', 'verschil', 'gemeente-effect'].map((id) => ({ id, label: M.views[id] }));

/** Canvas size (CSS px), device pixel ratio and the scale that fits the map, for a stage box. */
function stageSize(rect, geo) {
  const W = Math.max(200, Math.round(rect.width));
  const H = Math.max(200, Math.round(rect.height));
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  return { W, H, dpr, fitK: Math.min(W / geo.width, H / geo.height) * 0.96 };
}

/** The transform that shows bbox with a margin `pad` (before clampView). */
function fitBox(s, bbox, pad, maxK) {
  const [x0, y0, x1, y1] = bbox;
  const w = Math.max(x1 - x0, 1), h = Math.max(y1 - y0, 1);
  const k = Math.min(maxK, Math.min(s.W / w, s.H / h) * (1 - 2 * pad));
  return { k, x: s.W / 2 - ((x0 + x1) / 2) * k, y: s.H / 2 - ((y0 + y1) / 2) * k };
}

/** Keep a transform within bounds: 0.8–40 × the fitted scale, the map under the centre. */
function clampView(s, geo, k, x, y) {
  const kmin = s.fitK * 0.8, kmax = s.fitK * 40;
  const k2 = Math.min(kmax, Math.max(kmin, k));
  // scale around the requested centre when clamped
  if (k2 !== k) {
    const cx = (s.W / 2 - x) / k, cy = (s.H / 2 - y) / k;
    x = s.W / 2 - cx * k2; y = s.H / 2 - cy * k2;
  }
  // het midden van het beeld blijft boven de kaart
  x = Math.min(s.W / 2, Math.max(s.W / 2 - geo.width * k2, x));
  y = Math.min(s.H / 2, Math.max(s.H / 2 - geo.height * k2, y));
  return { k: k2, x, y };
}

/**
 * Size and transform of the whole map in a stage box, as resize() and fit() make them:
 * map.js draws its first view with it before the interaction exists.
 */
export function fitTransform(rect, geo) {
  const s = stageSize(rect, geo);
  const v = fitBox(s, [0, 0, geo.width, geo.height], 0.04, Infinity);
  return { ...s, ...clampView(s, geo, v.k, v.x, v.y) };
}

/**
 * The view and zoom buttons. map.js also shows them, disabled, above its first view
 * (before the wijk values), so the map does not move down when the full map takes over.
 */
export function createToolbar() {
  const viewButtons = VIEWS.map((v) => el('button', {
    type: 'button', class: 'map-view-btn', 'data-view': v.id, 'data-testid': `map-view-${v.id}`, 'aria-pressed': 'false',
  }, v.label));
  const btnIn = el('button', { type: 'button', class: 'map-zoom-btn', 'aria-label': M.zoomIn, title: M.zoomInTitle, 'data-testid': 'map-zoom-in' }, '+');
  const btnOut = el('button', { type: 'button', class: 'map-zoom-btn', 'aria-label': M.zoomOut, title: M.zoomOutTitle, 'data-testid': 'map-zoom-out' }, '−');
  const btnFit = el('button', { type: 'button', class: 'map-zoom-btn', 'aria-label': M.zoomFit, title: M.zoomFitTitle, 'data-testid': 'map-zoom-fit' }, '⤢');
  const toolbar = el('div', { class: 'map-toolbar' },
    el('div', { class: 'map-views', role: 'group', 'aria-label': M.viewGroup }, ...viewButtons),
    el('div', { class: 'map-zoom', role: 'group', 'aria-label': M.zoomGroup }, btnIn, btnOut, btnFit));
  return { toolbar, viewButtons, btnIn, btnOut, btnFit };
}

export function createInteraction(m) {
  const { state, geo, shapes, nGeo, geoIndex, geoToData, wijkPaths, gemShapeIndex, canvas, container } = m;

  const { toolbar, viewButtons, btnIn, btnOut, btnFit } = createToolbar();
  // Shown when the wheel scrolls the page past the map instead of zooming it.
  const wheelHint = el('div', { class: 'map-wheel-hint', 'aria-hidden': 'true', hidden: true,
    text: M.wheelHint });
  const hitCtx = document.createElement('canvas').getContext('2d');
  const { scheduleRedraw } = m.draw;

  // --- weergave -------------------------------------------------------------
  function setView(v) {
    state.view = v;
    viewButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.view === v)));
    container.dataset.view = v;
    m.draw.computeClasses();
    m.draw.renderLegend();
    m.draw.redraw();
    m.tip.refresh();
  }
  viewButtons.forEach((b) => b.addEventListener('click', () => setView(b.dataset.view)));

  // --- transformatie ----------------------------------------------------------
  function fit(bbox = [0, 0, geo.width, geo.height], pad = 0.04, maxK = Infinity) {
    const v = fitBox(state, bbox, pad, maxK);
    setTransform(v.k, v.x, v.y);
  }
  function setTransform(k, x, y) {
    Object.assign(state, clampView(state, geo, k, x, y));
    scheduleRedraw();
    m.tip.moved();
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

  /** Size the canvas to the stage; keep what the user looked at, else fit the whole map. */
  function resize() {
    const r = m.stage.getBoundingClientRect();
    const { W, H, dpr, fitK } = stageSize(r, geo);
    if (W === state.W && H === state.H && dpr === state.dpr) return;
    const old = { W: state.W, H: state.H };
    state.W = W; state.H = H; state.dpr = dpr;
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    state.fitK = fitK;
    if (!state.userMoved || !old.W) fit();
    else setTransform(state.k, state.x + (W - old.W) / 2, state.y + (H - old.H) / 2);
    m.draw.redraw();
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
      try { m.onSelectWijk(shapes[g].code); } finally { selectingFromMap = false; }
    } else {
      m.status.textContent = M.noDataWijk(m.wijkName(g), m.gemName(g));
    }
  }
  /** mountMap's setSelected(): the page chose a wijk (or none). */
  function setSelected(code) {
    const g = code == null ? null : geoIndex.get(code);
    state.selected = g ?? null;
    if (g != null) {
      if (geoToData[g] >= 0) m.scope.adoptWijk(code);
      if (!selectingFromMap) centreOn(g);
      else if (!isVisible(g)) centreOn(g, { zoom: false });
    }
    scheduleRedraw();
  }
  /** mountMap's zoomToGemeente(): outline the gemeente and fit it. */
  function zoomToGemeente(code) {
    const i = gemShapeIndex.get(code);
    if (i === undefined) return;
    state.gemeente = code;
    state.userMoved = true;
    fit(geo.gemeenten[i].bbox, 0.08, state.fitK * 30);
    scheduleRedraw();
  }

  /** Fit the map to these wijken (data indexes), e.g. a region's (issue 10). */
  function zoomToWijken(indexes) {
    let b = null;
    for (const i of indexes) {
      const g = m.geoIndex.get(m.wijken[i].code);
      if (g === undefined) continue;
      const s = shapes[g].bbox;
      b = b ? [Math.min(b[0], s[0]), Math.min(b[1], s[1]), Math.max(b[2], s[2]), Math.max(b[3], s[3])] : [...s];
    }
    if (!b) return;
    state.gemeente = null;
    state.userMoved = true;
    fit(b, 0.06, state.fitK * 30);
    scheduleRedraw();
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
      if (!drag.moved && Math.hypot(p.x - drag.sx, p.y - drag.sy) > 4) { drag.moved = true; canvas.classList.add('dragging'); m.tip.hide(); }
      if (drag.moved) { panBy(p.x - drag.x, p.y - drag.y); drag.x = p.x; drag.y = p.y; }
      return;
    }
    lastMove = p;
    if (!hoverFrame) hoverFrame = requestAnimationFrame(() => {
      hoverFrame = 0;
      if (!lastMove) return;
      const g = pick(lastMove.x, lastMove.y);
      if (g !== state.hover) { state.hover = g; m.draw.redraw(); }
      if (g >= 0) m.tip.show(g, lastMove); else m.tip.hide();
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
      if (state.focus < 0) m.tip.hide();
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

  /** +, − and 0 zoom from the canvas and from the list; false for any other key. */
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
    if (e.key === 'Escape') m.tip.hide();
  });
  btnIn.addEventListener('click', () => zoomAt(1.5));
  btnOut.addEventListener('click', () => zoomAt(1 / 1.5));
  btnFit.addEventListener('click', () => { state.userMoved = false; state.gemeente = null; fit(); });

  return {
    toolbar, wheelHint, viewButtons,
    resize, centreOn, isVisible, select, setSelected, zoomToGemeente, zoomToWijken, zoomKeys, setView,
  };
}
