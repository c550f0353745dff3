// The encoder of geo.bin (layout and decoder: www/geobin.js), for tools/assemble.mjs.
import { LAYERS, MAGIC } from '../www/geobin.js';

export { decodeGeometry } from '../www/geobin.js';

/** Code → name of the wijken and gemeenten in site.json (the wasm's jw.wijken(), jw.gemeenten() once site.bin is loaded). */
export function siteNames(site) {
  const known = new Map(site.code.map((c, i) => [c, site.name[i]]));
  for (const [code, name] of site.gemeenten) known.set(code, name);
  return known;
}

const zig = (v) => (v < 0 ? -2 * v - 1 : 2 * v);

/** Parse one of src/geo.rs's path strings: per ring `M x y l dx dy dx dy … z`. */
function parsePath(d) {
  const rings = [];
  for (const part of d.split('z')) {
    if (!part) continue;
    const nums = part.replace(/[Ml]/g, ' ').trim().split(/\s+|(?=-)/).filter(Boolean).map(Number);
    const ring = [[nums[0], nums[1]]];
    for (let k = 2; k < nums.length; k += 2) {
      const [px, py] = ring[ring.length - 1];
      ring.push([px + nums[k], py + nums[k + 1]]);
    }
    rings.push(ring);
  }
  return rings;
}

/**
 * geo.json's object → geo.bin bytes (Uint8Array). For tools/assemble.mjs. `known`
 * (a Map code → name, optional): names the page already has from the wasm (jw.wijken(),
 * jw.gemeenten()); a shape with that very name is sent with an empty one, and the
 * decoder must be given the same map.
 */
export function encodeGeometry(geo, known = null) {
  const bytes = [];
  const put = (u) => { while (u >= 0x80) { bytes.push((u & 0x7f) | 0x80); u = Math.floor(u / 128); } bytes.push(u); };
  const meta = { ...geo };
  for (const layer of LAYERS) {
    const column = (key) => geo[layer].map((shape) => {
      const v = shape[key];
      if (typeof v !== 'string' || v.includes('\n')) throw new Error(`geo.bin: ${layer} ${key} ${JSON.stringify(v)}`);
      return v;
    }).join('\n');
    for (const shape of geo[layer]) {
      const keys = Object.keys(shape).join();
      if (keys !== 'code,name,d,bbox,label') throw new Error(`geo.bin: a shape with the fields ${keys}`);
    }
    meta[layer] = { codes: column('code'), names: column('name') };
    if (known) {
      meta[layer].names = geo[layer].map((shape) => {
        if (shape.name === '' && known.has(shape.code)) throw new Error(`geo.bin: ${shape.code} has an empty name`);
        return known.get(shape.code) === shape.name ? '' : shape.name;
      }).join('\n');
    }
  }
  if (known) meta.names_known = true;
  const seen = new Map(); // "x,y" -> index among new points
  let nNew = 0, lastRef = 0, px = 0, py = 0;
  for (const layer of LAYERS) {
    for (const shape of geo[layer]) {
      const rings = parsePath(shape.d);
      // the label point, from the first point of the shape
      put(zig(shape.label[0] - rings[0][0][0]));
      put(zig(shape.label[1] - rings[0][0][1]));
      put(rings.length);
      for (const ring of rings) {
        put(ring.length);
        for (const [x, y] of ring) {
          const key = `${x},${y}`;
          const ref = seen.get(key);
          if (ref !== undefined) {
            put(zig(ref - lastRef) * 2 + 1);
            lastRef = ref;
          } else {
            seen.set(key, nNew++);
            put(zig(x - px) * 2);
            put(zig(y - py));
          }
          px = x; py = y;
        }
      }
    }
  }
  const head = new TextEncoder().encode(JSON.stringify(meta));
  const lenBytes = [];
  for (let u = head.length; ; u = Math.floor(u / 128)) { if (u < 0x80) { lenBytes.push(u); break; } lenBytes.push((u & 0x7f) | 0x80); }
  return Uint8Array.from([...MAGIC, ...lenBytes, ...head, ...bytes]);
}
