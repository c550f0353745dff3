// geo.bin: the map's geometry (src/geo.rs writes it as geo.json at build time) in a
// compact form for the page, made by tools/assemble.mjs and gzipped there (GitHub Pages
// does not compress .bin, so the file is sent as geo.bin.gz and inflated here with
// DecompressionStream). Lossless: decodeGeometry() gives back geo.json's object, path
// strings included, byte for byte (assemble checks the round trip on every build).
//
// Layout (all integers are LEB128 varints, signed ones zigzag-coded):
//   "JWG1", varint n, n bytes of UTF-8 JSON: geo.json with each layer as {codes, names},
//   its shapes' codes and names joined by newlines (with `names_known`, a name that the
//   wasm has for that code, jw.wijken() or jw.gemeenten(), is left empty), then per layer (wijken, gemeenten,
//   regios) and per shape: its label point (dx, dy from the shape's first point), ring
//   count, and per ring: point count, then one token per point:
//     even token t: a new point, x = previous x + unzigzag(t >> 1), then y = previous y +
//                   unzigzag(next varint);
//     odd token t:  a point seen before: index = previous reference + unzigzag(t >> 1)
//                   into the list of new points so far.
// Neighbouring wijken share their border, traversed the other way round: as references
// it becomes a run of identical one-byte tokens, which gzip then shrinks to almost
// nothing. With the names the wasm has left out (knownNames) the geometry goes from 217 KB
// (geo.json, gzip) to 83 KB (README, First view on a phone). The encoder is
// tools/geobin.mjs (build time only, so it is not sent to the page).

import { fetchGzipped } from './binfile.js';

export const LAYERS = ['wijken', 'gemeenten', 'regios'];
export const MAGIC = [0x4a, 0x57, 0x47, 0x31]; // "JWG1"

const unzig = (u) => (u % 2 ? -(u + 1) / 2 : u / 2);

/**
 * geo.bin bytes (inflated) → geo.json's object, `d` and `bbox` included. `known`: a Map
 * code → name of the wijken and gemeenten in the wasm (knownNames()); the file leaves
 * out the names that are the same there (tools/assemble.mjs), about 20 KB gzip.
 */
export function decodeGeometry(buf, known = null) {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  if (MAGIC.some((c, i) => b[i] !== c)) throw new Error('geo.bin: not a JWG1 file');
  let at = MAGIC.length;
  const get = () => {
    let u = 0, f = 1, c;
    do {
      if (at >= b.length) throw new Error('geo.bin: the file is cut short');
      c = b[at++];
      u += (c & 0x7f) * f;
      f *= 128;
    } while (c & 0x80);
    return u;
  };
  const n = get();
  const geo = JSON.parse(new TextDecoder().decode(b.subarray(at, at + n)));
  at += n;
  if (geo.names_known && !known) throw new Error('geo.bin: the names of the wijken and gemeenten are needed to read it');
  const nameOf = geo.names_known ? (code, name) => (name === '' ? known.get(code) ?? '' : name) : (code, name) => name;
  delete geo.names_known;
  // Points seen so far; a point takes at least one byte, so b.length bounds their number.
  const xs = new Int32Array(b.length), ys = new Int32Array(b.length);
  let nPts = 0, lastRef = 0, px = 0, py = 0;
  // One tight loop that writes the path string and the bbox as it reads (pathOf and
  // bboxOf do the same on arrays, for the encoder): this runs on a slow phone's main thread.
  for (const layer of LAYERS) {
    const codes = geo[layer].codes.split('\n'), names = geo[layer].names.split('\n');
    geo[layer] = codes.map((code, s) => {
      const lx0 = unzig(get()), ly0 = unzig(get()); // the label, from the first point
      let label = null;
      let d = '';
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let r = get(); r > 0; r--) {
        const n = get();
        let lx = 0, ly = 0;
        for (let k = 0; k < n; k++) {
          const t = get();
          if (t % 2) {
            lastRef += unzig((t - 1) / 2);
            if (!(lastRef >= 0 && lastRef < nPts)) throw new Error('geo.bin: a point refers outside the file');
            px = xs[lastRef]; py = ys[lastRef];
          } else {
            px += unzig(t / 2);
            py += unzig(get());
            xs[nPts] = px; ys[nPts] = py; nPts++;
          }
          if (k === 0) {
            d += `M${px} ${py}`;
            label ??= [px + lx0, py + ly0];
          } else {
            const dx = px - lx, dy = py - ly;
            d += `${k === 1 ? 'l' : dx >= 0 ? ' ' : ''}${dx}${dy >= 0 ? ' ' : ''}${dy}`;
          }
          lx = px; ly = py;
          if (px < x0) x0 = px;
          if (py < y0) y0 = py;
          if (px > x1) x1 = px;
          if (py > y1) y1 = py;
        }
        d += 'z';
      }
      // the same key order as geo.json
      return { code, name: nameOf(code, names[s]), d, bbox: [x0, y0, x1, y1], label };
    });
  }
  if (at !== b.length) throw new Error('geo.bin: bytes left after the last shape');
  return geo;
}

/** The names decodeGeometry needs, from the wasm's lists (jw.wijken(), jw.gemeenten()). */
export function knownNames(wijken, gemeenten) {
  const known = new Map();
  for (const w of wijken) known.set(w.code, w.name);
  for (const g of gemeenten) known.set(g.code, g.name);
  return known;
}

/** Fetch geo.bin.gz (url) and inflate it: the bytes for decodeGeometry. */
export function fetchGeometry(url) {
  return fetchGzipped(fetch(url), 'geo.bin.gz');
}
