// The geometry joined to the data: which shape is which wijk, names for shapes the
// SCP file lacks, and one cached Path2D per shape (drawing and hit testing reuse
// them, so nothing is parsed again after the first draw).
//
// The geometry (geo.json's object, made by src/geo.rs, sent as geo.bin.gz: www/geobin.js):
// RD New in units of unit_m metres, y downwards; per shape an SVG path (even-odd), a bbox
// and a label point.

export function joinGeometry(geo, wijken, gemeenten) {
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
  // all borders of a level as one path: one stroke() per level
  const mesh = (paths) => { const p = new Path2D(); for (const q of paths) p.addPath(q); return p; };
  const observed = new Float64Array(wijken.length).map((_, i) => (wijken[i].observed == null ? NaN : wijken[i].observed));
  const gemOfGeo = (g) => `GM${shapes[g].code.slice(2, 6)}`;
  return {
    shapes, nGeo, dataIndex, geoIndex, geoToData, gemByCode, gemShapeIndex,
    wijkPaths, gemPaths, regioPaths,
    wijkMesh: mesh(wijkPaths), gemMesh: mesh(gemPaths), regioMesh: mesh(regioPaths),
    observed,
    gemOfGeo,
    wijkName: (g) => (geoToData[g] >= 0 ? wijken[geoToData[g]].name : shapes[g].name),
    gemName(g) {
      const i = geoToData[g];
      if (i >= 0) return wijken[i].gemeente_name;
      return gemByCode.get(gemOfGeo(g))?.name ?? geo.gemeenten[gemShapeIndex.get(gemOfGeo(g))]?.name ?? gemOfGeo(g);
    },
    effectOfGem: (code) => { const e = gemByCode.get(code)?.effect; return e == null ? NaN : e; },
  };
}
