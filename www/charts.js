// Contributions chart: why the expected value is what it is.
//
// contributions[j] = beta_j (x_j − mean_j) in procentpunt, relative to the
// national mean profile. Rendered as a real <table> (so screen readers get the
// numbers) with a horizontal bar per row; the bar cell is aria-hidden. Bars are
// sized through the CSSOM (element.style), which the page's CSP allows.
// Warm (orange-red) = raises expected use, blue = lowers it; the sign is also
// printed, so colour is never the only cue.

import { fmtPp, fmtPct, fmtValue, fmtNum, unitInline } from './format.js';
import { messages } from './i18n.js';

const M = messages('contrib');

const TOP = 8;

export function createContributions(root, { determinants }) {
  const byName = new Map(determinants.map((d) => [d.name, d]));
  const summary = root.querySelector('.contrib-summary');
  const table = root.querySelector('table');
  const tbody = table.tBodies[0];
  const toggle = root.querySelector('.contrib-toggle');
  const rows = new Map();
  let order = determinants.map((d) => d.name);
  let showAll = false;
  let scale = 1;
  let last = null;

  for (const det of determinants) {
    const tr = document.createElement('tr');
    tr.dataset.name = det.name;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = det.label;
    const val = document.createElement('td');
    val.className = 'num';
    const c = document.createElement('td');
    c.className = 'num contrib-value';
    const barCell = document.createElement('td');
    barCell.className = 'bar-cell';
    barCell.setAttribute('aria-hidden', 'true');
    const track = document.createElement('div');
    track.className = 'bar-track';
    const bar = document.createElement('div');
    bar.className = 'bar';
    track.append(bar);
    barCell.append(track);
    tr.append(th, val, c, barCell);
    rows.set(det.name, { tr, val, c, bar });
  }

  function applyVisibility() {
    order.forEach((name, i) => {
      const r = rows.get(name);
      r.tr.hidden = !showAll && i >= TOP;
      tbody.append(r.tr);
    });
    toggle.textContent = showAll ? M.showTop(TOP) : M.showAll(order.length);
    toggle.setAttribute('aria-expanded', showAll ? 'true' : 'false');
  }

  toggle.addEventListener('click', () => { showAll = !showAll; applyVisibility(); });

  function draw() {
    if (!last) return;
    const { contributions } = last;
    let maxAbs = 0;
    for (const { value } of contributions) maxAbs = Math.max(maxAbs, Math.abs(value));
    if (maxAbs > scale) scale = maxAbs * 1.1;
    for (const { name, value } of contributions) {
      const r = rows.get(name);
      if (!r) continue;
      const w = Math.min(50, (Math.abs(value) / scale) * 50);
      r.bar.style.width = `${w}%`;
      r.bar.style.left = value >= 0 ? '50%' : `${50 - w}%`;
      r.bar.className = `bar ${value > 0 ? 'pos' : value < 0 ? 'neg' : ''}`;
      r.c.textContent = fmtNum(value, 2, { signed: true });
      r.c.dataset.value = String(value);
      // Short units inline; long ones ("per 100 inwoners van …") are in the what-if label.
      const det = byName.get(name);
      r.val.textContent = unitInline(det) ? fmtValue(last.values[name], det)
        : fmtNum(last.values[name], det.decimals ?? 1);
    }
  }

  return {
    /**
     * result: jw.expected() output; values: the profile values shown.
     * resort: re-order rows by size (on a new wijk, not while dragging a slider).
     */
    update(result, values, { resort = false } = {}) {
      last = { contributions: result.contributions, values };
      if (resort) {
        const abs = new Map(result.contributions.map((c) => [c.name, Math.abs(c.value)]));
        order = [...order].sort((a, b) => (abs.get(b) ?? 0) - (abs.get(a) ?? 0));
        scale = Math.max(1e-9, ...result.contributions.map((c) => Math.abs(c.value))) * 1.1;
        applyVisibility();
      }
      draw();
      const sum = result.contributions.reduce((s, c) => s + c.value, 0);
      const base = result.expected_fixed - sum;
      const effect = (result.u_gemeente ?? 0) + (result.u_regio ?? 0);
      const parts = [
        M.base(fmtPct(base)),
        M.sum(fmtPp(sum)),
      ];
      if (result.level !== 'geen') parts.push(`${result.level === 'gemeente' ? M.gemeenteRegio : M.regio} ${fmtPp(effect)}`);
      summary.textContent = M.expected(parts.join(', '), fmtPct(result.expected));
    },
  };
}
