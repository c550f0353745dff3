//! Map geometry for the page, prepared at build time.
//!
//! Reads the three 2017 TopoJSON files (wijk, gemeente, jeugdzorgregio; quantized,
//! delta-encoded arcs in WGS84 lon/lat), projects every vertex to RD New
//! (EPSG:28992) so the country keeps its shape, and writes compact SVG path strings
//! in integer map units (see [`UNIT_M`]) with the y axis pointing down, ready for
//! `new Path2D(d)` on a canvas and for an SVG export from the same strings.
//!
//! Pure Rust: no file I/O, no wasm types. The CLI (`jeugdhulp-wijk site`) reads the
//! files and serialises [`SiteGeometry`] to `dist/geo.json`.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// Size of one map unit in metres (RD). Source precision is 0.001° (≈ 68 × 111 m),
/// so 10 m units lose nothing visible and keep the path deltas at 1–2 digits.
pub const UNIT_M: f64 = 10.0;

/// Version of the `geo.json` layout; bump when the structure changes.
pub const SCHEMA_VERSION: u32 = 1;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A problem in one of the TopoJSON inputs, naming the file, the geometry and
/// (when known) its code.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoError {
    /// Which input: `"wijk_2017.topojson"`, `"gemeente_2017.topojson"`, `"jeugdzorgregio_2017.topojson"`.
    pub file: String,
    /// Index of the geometry in its collection, when the problem is in one geometry.
    pub geometry: Option<usize>,
    /// `properties.statcode` of that geometry, when it could be read.
    pub code: Option<String>,
    pub message: String,
}

impl GeoError {
    fn file(file: &str, message: impl Into<String>) -> Self {
        GeoError {
            file: file.to_string(),
            geometry: None,
            code: None,
            message: message.into(),
        }
    }
    fn geom(file: &str, index: usize, code: Option<&str>, message: impl Into<String>) -> Self {
        GeoError {
            file: file.to_string(),
            geometry: Some(index),
            code: code.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for GeoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(i) = self.geometry {
            write!(f, ", geometry #{i}")?;
        }
        if let Some(c) = &self.code {
            write!(f, " ({c})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for GeoError {}

// ---------------------------------------------------------------------------
// Projection
// ---------------------------------------------------------------------------

/// WGS84 (ETRS89) longitude/latitude in degrees to RD New (EPSG:28992) x/y in metres.
///
/// Uses the approximation polynomials of F.H. Schreutelkamp and G.L. Strang van
/// Hees, "Benaderingsformules voor de transformatie tussen RD- en
/// WGS84-kaartcoördinaten", NGT Geodesia 43 (2001), table for φ,λ → X,Y. They fold the
/// datum shift (ETRS89 → Bessel/Amersfoort) and the oblique stereographic projection
/// into one polynomial around the Onze Lieve Vrouwetoren in Amersfoort
/// (φ0 = 52.15517440°, λ0 = 5.38720621° ↔ X0 = 155 000 m, Y0 = 463 000 m) and are
/// accurate to about a metre over the Netherlands, far below our 10 m map unit.
pub fn wgs84_to_rd(lon: f64, lat: f64) -> (f64, f64) {
    const PHI0: f64 = 52.155_174_40;
    const LAM0: f64 = 5.387_206_21;
    const X0: f64 = 155_000.0;
    const Y0: f64 = 463_000.0;
    // (power of dφ, power of dλ, coefficient)
    const R: [(i32, i32, f64); 9] = [
        (0, 1, 190_094.945),
        (1, 1, -11_832.228),
        (2, 1, -114.221),
        (0, 3, -32.391),
        (1, 0, -0.705),
        (3, 1, -2.340),
        (1, 3, -0.608),
        (0, 2, -0.008),
        (2, 3, 0.148),
    ];
    const S: [(i32, i32, f64); 10] = [
        (1, 0, 309_056.544),
        (0, 2, 3_638.893),
        (2, 0, 73.077),
        (1, 2, -157.984),
        (3, 0, 59.788),
        (0, 1, 0.433),
        (2, 2, -6.439),
        (1, 1, -0.032),
        (0, 4, 0.092),
        (1, 4, -0.054),
    ];
    // Differences in units of 10 000 arc seconds.
    let dphi = 0.36 * (lat - PHI0);
    let dlam = 0.36 * (lon - LAM0);
    let mut x = X0;
    for &(p, q, c) in &R {
        x += c * dphi.powi(p) * dlam.powi(q);
    }
    let mut y = Y0;
    for &(p, q, c) in &S {
        y += c * dphi.powi(p) * dlam.powi(q);
    }
    (x, y)
}

// ---------------------------------------------------------------------------
// TopoJSON decoding
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct RawTopology {
    #[serde(rename = "type")]
    kind: String,
    arcs: Vec<Vec<Vec<f64>>>,
    transform: Option<RawTransform>,
    objects: BTreeMap<String, RawCollection>,
}

#[derive(Deserialize)]
struct RawTransform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct RawCollection {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    geometries: Vec<RawGeometry>,
}

#[derive(Deserialize)]
struct RawGeometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    arcs: Option<serde_json::Value>,
    #[serde(default)]
    properties: Option<BTreeMap<String, serde_json::Value>>,
}

/// One decoded feature: its code, its name in the geometry file, and its polygons in
/// lon/lat. Each polygon is a list of rings (exterior first, then holes); each ring is
/// closed (first point == last point).
#[derive(Debug, Clone)]
pub struct Feature {
    pub code: String,
    pub name: String,
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

/// Decode one TopoJSON document holding a single GeometryCollection of Polygon and
/// MultiPolygon features with `properties.statcode` / `statnaam`.
/// `file` only names the input in errors.
pub fn decode_topology(json: &str, file: &str) -> Result<Vec<Feature>, GeoError> {
    let topo: RawTopology = serde_json::from_str(json)
        .map_err(|e| GeoError::file(file, format!("not valid TopoJSON: {e}")))?;
    if topo.kind != "Topology" {
        return Err(GeoError::file(
            file,
            format!("type is {:?}, expected \"Topology\"", topo.kind),
        ));
    }
    // Absolute lon/lat of every arc.
    let arcs = decode_arcs(&topo, file)?;
    if topo.objects.len() != 1 {
        return Err(GeoError::file(
            file,
            format!("expected exactly one object, found {}", topo.objects.len()),
        ));
    }
    let (name, coll) = topo.objects.iter().next().expect("one object");
    if coll.kind != "GeometryCollection" {
        return Err(GeoError::file(
            file,
            format!(
                "object {name:?} is a {}, expected a GeometryCollection",
                coll.kind
            ),
        ));
    }
    let mut out = Vec::with_capacity(coll.geometries.len());
    for (i, g) in coll.geometries.iter().enumerate() {
        let prop = |key: &str| -> Option<String> {
            g.properties
                .as_ref()?
                .get(key)?
                .as_str()
                .map(str::to_string)
        };
        let code = prop("statcode")
            .ok_or_else(|| GeoError::geom(file, i, None, "properties.statcode is missing"))?;
        let fname = prop("statnaam").unwrap_or_default();
        let err = |m: String| GeoError::geom(file, i, Some(&code), m);
        let arcs_value = g.arcs.as_ref().ok_or_else(|| err("has no arcs".into()))?;
        let polygons_idx: Vec<Vec<Vec<i64>>> = match g.kind.as_str() {
            "Polygon" => vec![serde_json::from_value(arcs_value.clone())
                .map_err(|e| err(format!("Polygon arcs are not a list of rings: {e}")))?],
            "MultiPolygon" => serde_json::from_value(arcs_value.clone())
                .map_err(|e| err(format!("MultiPolygon arcs are not a list of polygons: {e}")))?,
            other => {
                return Err(err(format!(
                    "geometry type {other:?}, expected Polygon or MultiPolygon"
                )))
            }
        };
        let mut polygons = Vec::with_capacity(polygons_idx.len());
        for (pi, poly) in polygons_idx.iter().enumerate() {
            let mut rings = Vec::with_capacity(poly.len());
            for (ri, ring_idx) in poly.iter().enumerate() {
                let ring = stitch_ring(&arcs, ring_idx)
                    .map_err(|m| err(format!("polygon {pi}, ring {ri}: {m}")))?;
                rings.push(ring);
            }
            if rings.is_empty() {
                return Err(err(format!("polygon {pi} has no rings")));
            }
            polygons.push(rings);
        }
        if polygons.is_empty() {
            return Err(err("has no polygons".into()));
        }
        out.push(Feature {
            code,
            name: fname,
            polygons,
        });
    }
    Ok(out)
}

fn decode_arcs(topo: &RawTopology, file: &str) -> Result<Vec<Vec<[f64; 2]>>, GeoError> {
    let mut arcs = Vec::with_capacity(topo.arcs.len());
    for (ai, arc) in topo.arcs.iter().enumerate() {
        let mut pts = Vec::with_capacity(arc.len());
        let (mut qx, mut qy) = (0.0f64, 0.0f64);
        for (pi, p) in arc.iter().enumerate() {
            if p.len() < 2 || !p[0].is_finite() || !p[1].is_finite() {
                return Err(GeoError::file(
                    file,
                    format!("arc {ai}, position {pi} is not a finite [x, y]"),
                ));
            }
            let pt = match &topo.transform {
                // Quantized: positions are deltas from the previous one.
                Some(t) => {
                    qx += p[0];
                    qy += p[1];
                    [
                        qx * t.scale[0] + t.translate[0],
                        qy * t.scale[1] + t.translate[1],
                    ]
                }
                None => [p[0], p[1]],
            };
            pts.push(pt);
        }
        if pts.len() < 2 {
            return Err(GeoError::file(
                file,
                format!("arc {ai} has {} position(s), needs 2", pts.len()),
            ));
        }
        arcs.push(pts);
    }
    Ok(arcs)
}

/// Join the arcs of one ring; a negative index `~i` means arc `i` reversed. Each arc
/// starts where the previous one ended, so the shared point is kept once.
fn stitch_ring(arcs: &[Vec<[f64; 2]>], idx: &[i64]) -> Result<Vec<[f64; 2]>, String> {
    if idx.is_empty() {
        return Err("ring has no arcs".into());
    }
    let mut ring: Vec<[f64; 2]> = Vec::new();
    for &k in idx {
        let (i, reversed) = if k >= 0 {
            (k as usize, false)
        } else {
            ((!k) as usize, true)
        };
        let arc = arcs.get(i).ok_or_else(|| {
            format!(
                "arc index {k} out of range (topology has {} arcs)",
                arcs.len()
            )
        })?;
        let mut pts: Vec<[f64; 2]> = arc.clone();
        if reversed {
            pts.reverse();
        }
        if let Some(last) = ring.last() {
            if !same(*last, pts[0]) {
                return Err(format!(
                    "arc {k} starts at {:?}, not where the previous arc ended ({:?})",
                    pts[0], last
                ));
            }
            ring.extend_from_slice(&pts[1..]);
        } else {
            ring.extend_from_slice(&pts);
        }
    }
    let (first, last) = (ring[0], *ring.last().expect("non-empty"));
    if !same(first, last) {
        return Err(format!(
            "ring does not close: starts at {first:?}, ends at {last:?}"
        ));
    }
    if ring.len() < 4 {
        return Err(format!(
            "ring has {} positions, needs at least 4",
            ring.len()
        ));
    }
    Ok(ring)
}

fn same(a: [f64; 2], b: [f64; 2]) -> bool {
    (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/// Everything the map needs, in map units: `x = (X_rd − origin_rd[0]) / unit_m`,
/// `y = (origin_rd[1] − Y_rd) / unit_m` (y down, as on screen and in SVG).
#[derive(Debug, Clone, Serialize)]
pub struct SiteGeometry {
    pub schema_version: u32,
    /// Human-readable description of the projection and its source.
    pub projection: String,
    /// Metres per map unit.
    pub unit_m: f64,
    /// RD coordinates (metres) of map point (0, 0): the top-left corner.
    pub origin_rd: [f64; 2],
    /// Width and height of the whole map in map units (all layers fit in `[0, width] × [0, height]`).
    pub width: i64,
    pub height: i64,
    /// Source credit for the boundaries.
    pub source: String,
    pub wijken: Vec<Shape>,
    pub gemeenten: Vec<Shape>,
    pub regios: Vec<Shape>,
}

/// One area: code, name from the geometry file (the page prefers the CSV name),
/// SVG path in map units, bounding box `[x0, y0, x1, y1]` and a label point inside
/// (or near) its largest ring.
#[derive(Debug, Clone, Serialize)]
pub struct Shape {
    pub code: String,
    pub name: String,
    /// SVG path data: per ring `M x y l dx dy dx dy … z`, integers; use the even-odd fill rule.
    pub d: String,
    pub bbox: [i64; 4],
    pub label: [i64; 2],
}

/// Decode, validate, project and encode the three layers.
///
/// Checks per layer: the TopoJSON structure, arc indices, that every ring closes,
/// that codes match `WK\d{6}` / `GM\d{4}` / `JZ\d{2}` and are unique.
pub fn build_site_geometry(
    wijk_topojson: &str,
    gemeente_topojson: &str,
    regio_topojson: &str,
) -> Result<SiteGeometry, GeoError> {
    let layers = [
        ("wijk_2017.topojson", wijk_topojson, "WK", 6usize),
        ("gemeente_2017.topojson", gemeente_topojson, "GM", 4),
        ("jeugdzorgregio_2017.topojson", regio_topojson, "JZ", 2),
    ];
    let mut projected: Vec<Vec<ProjectedFeature>> = Vec::new();
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for (file, json, prefix, digits) in layers {
        let features = decode_topology(json, file)?;
        if features.is_empty() {
            return Err(GeoError::file(file, "has no geometries"));
        }
        let mut seen = HashSet::new();
        let mut layer = Vec::with_capacity(features.len());
        for (i, f) in features.into_iter().enumerate() {
            if !code_matches(&f.code, prefix, digits) {
                return Err(GeoError::geom(
                    file,
                    i,
                    Some(&f.code),
                    format!("statcode does not match {prefix} + {digits} digits"),
                ));
            }
            if !seen.insert(f.code.clone()) {
                return Err(GeoError::geom(
                    file,
                    i,
                    Some(&f.code),
                    "statcode occurs more than once",
                ));
            }
            let mut rings = Vec::new();
            for poly in &f.polygons {
                for ring in poly {
                    let mut r = Vec::with_capacity(ring.len());
                    for &[lon, lat] in ring {
                        if !(2.0..=8.0).contains(&lon) || !(50.0..=54.5).contains(&lat) {
                            return Err(GeoError::geom(
                                file,
                                i,
                                Some(&f.code),
                                format!("position ({lon}, {lat}) lies outside the Netherlands: is it lon/lat?"),
                            ));
                        }
                        let (x, y) = wgs84_to_rd(lon, lat);
                        min_x = min_x.min(x);
                        max_x = max_x.max(x);
                        min_y = min_y.min(y);
                        max_y = max_y.max(y);
                        r.push([x, y]);
                    }
                    rings.push(r);
                }
            }
            layer.push((f.code, f.name, rings));
        }
        projected.push(layer);
    }
    // Origin on a whole kilometre so map units are round RD numbers.
    let origin = [
        (min_x / 1000.0).floor() * 1000.0,
        (max_y / 1000.0).ceil() * 1000.0,
    ];
    let to_map = |p: [f64; 2]| -> [i64; 2] {
        [
            ((p[0] - origin[0]) / UNIT_M).round() as i64,
            ((origin[1] - p[1]) / UNIT_M).round() as i64,
        ]
    };
    let width = ((max_x - origin[0]) / UNIT_M).ceil() as i64;
    let height = ((origin[1] - min_y) / UNIT_M).ceil() as i64;

    let mut encoded = projected.into_iter().map(|layer| {
        layer
            .into_iter()
            .map(|(code, name, rings)| encode_shape(code, name, &rings, &to_map))
            .collect::<Vec<_>>()
    });
    let wijken = encoded.next().expect("wijk layer");
    let gemeenten = encoded.next().expect("gemeente layer");
    let regios = encoded.next().expect("regio layer");
    Ok(SiteGeometry {
        schema_version: SCHEMA_VERSION,
        projection: "RD New (EPSG:28992), via the approximation polynomials of Schreutelkamp & \
                     Strang van Hees (2001); y points down"
            .into(),
        unit_m: UNIT_M,
        origin_rd: origin,
        width,
        height,
        source: "Bron: CBS, Kadaster (wijk- en buurtkaart 2017, gegeneraliseerd, via cartomap/nl)"
            .into(),
        wijken,
        gemeenten,
        regios,
    })
}

/// Code, name and rings (RD metres) of one feature, before quantisation.
type ProjectedFeature = (String, String, Vec<Vec<[f64; 2]>>);

fn code_matches(code: &str, prefix: &str, digits: usize) -> bool {
    code.len() == prefix.len() + digits
        && code.starts_with(prefix)
        && code[prefix.len()..].bytes().all(|b| b.is_ascii_digit())
}

/// Encode the rings of one shape as an SVG path with relative integer moves.
/// Consecutive points that fall in the same map unit are merged; a ring that
/// collapses to fewer than 3 distinct points is dropped (unless it is the only
/// one, so that every shape stays drawable).
fn encode_shape(
    code: String,
    name: String,
    rings: &[Vec<[f64; 2]>],
    to_map: &impl Fn([f64; 2]) -> [i64; 2],
) -> Shape {
    use std::fmt::Write;
    let mut q_rings: Vec<Vec<[i64; 2]>> = rings
        .iter()
        .map(|ring| {
            let mut q: Vec<[i64; 2]> = Vec::with_capacity(ring.len());
            for &p in ring {
                let m = to_map(p);
                if q.last() != Some(&m) {
                    q.push(m);
                }
            }
            // Closed ring: the last point repeats the first; `z` closes it.
            if q.len() > 1 && q.first() == q.last() {
                q.pop();
            }
            q
        })
        .collect();
    let all = q_rings.clone();
    q_rings.retain(|r| r.len() >= 3);
    if q_rings.is_empty() {
        // Tiny shape: keep the largest ring whatever its size.
        let biggest = all.into_iter().max_by_key(|r| r.len()).unwrap_or_default();
        q_rings.push(biggest);
    }
    let mut d = String::new();
    let mut bbox = [i64::MAX, i64::MAX, i64::MIN, i64::MIN];
    for ring in &q_rings {
        let [x0, y0] = ring[0];
        write!(d, "M{x0} {y0}").unwrap();
        let mut prev = ring[0];
        for (k, p) in ring.iter().enumerate() {
            bbox[0] = bbox[0].min(p[0]);
            bbox[1] = bbox[1].min(p[1]);
            bbox[2] = bbox[2].max(p[0]);
            bbox[3] = bbox[3].max(p[1]);
            if k == 0 {
                continue;
            }
            let (dx, dy) = (p[0] - prev[0], p[1] - prev[1]);
            if k == 1 {
                d.push('l');
            } else if dx >= 0 {
                d.push(' ');
            }
            write!(d, "{dx}").unwrap();
            if dy >= 0 {
                d.push(' ');
            }
            write!(d, "{dy}").unwrap();
            prev = *p;
        }
        d.push('z');
    }
    let label = label_point(&q_rings);
    Shape {
        code,
        name,
        d,
        bbox,
        label,
    }
}

/// Area-weighted centroid of the largest ring; if that falls outside the ring
/// (concave shapes), the ring's midpoint on a horizontal scanline through it.
fn label_point(rings: &[Vec<[i64; 2]>]) -> [i64; 2] {
    let area = |r: &Vec<[i64; 2]>| -> f64 {
        let n = r.len();
        (0..n)
            .map(|i| {
                let (a, b) = (r[i], r[(i + 1) % n]);
                (a[0] * b[1] - b[0] * a[1]) as f64
            })
            .sum::<f64>()
            / 2.0
    };
    let Some(big) = rings
        .iter()
        .max_by(|a, b| area(a).abs().total_cmp(&area(b).abs()))
    else {
        return [0, 0];
    };
    let a = area(big);
    let n = big.len();
    if a.abs() < 1e-9 {
        return big[0];
    }
    let (mut cx, mut cy) = (0.0, 0.0);
    for i in 0..n {
        let (p, q) = (big[i], big[(i + 1) % n]);
        let cross = (p[0] * q[1] - q[0] * p[1]) as f64;
        cx += (p[0] + q[0]) as f64 * cross;
        cy += (p[1] + q[1]) as f64 * cross;
    }
    let c = [cx / (6.0 * a), cy / (6.0 * a)];
    if point_in_ring(c, big) {
        return [c[0].round() as i64, c[1].round() as i64];
    }
    // Scanline at the centroid's y: take the widest inside span.
    let y = c[1];
    let mut xs: Vec<f64> = Vec::new();
    for i in 0..n {
        let (p, q) = (big[i], big[(i + 1) % n]);
        let (py, qy) = (p[1] as f64, q[1] as f64);
        if (py <= y) != (qy <= y) {
            xs.push(p[0] as f64 + (y - py) / (qy - py) * (q[0] - p[0]) as f64);
        }
    }
    xs.sort_by(f64::total_cmp);
    let best = xs
        .chunks_exact(2)
        .max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
        .map(|s| (s[0] + s[1]) / 2.0);
    match best {
        Some(x) => [x.round() as i64, y.round() as i64],
        None => big[0],
    }
}

fn point_in_ring(p: [f64; 2], ring: &[[i64; 2]]) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        let (ax, ay, bx, by) = (a[0] as f64, a[1] as f64, b[0] as f64, b[1] as f64);
        if (ay > p[1]) != (by > p[1]) && p[0] < (bx - ax) * (p[1] - ay) / (by - ay) + ax {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amersfoort_is_the_origin_and_martinitoren_is_close() {
        let (x, y) = wgs84_to_rd(5.387_206_21, 52.155_174_40);
        assert!((x - 155_000.0).abs() < 1e-6 && (y - 463_000.0).abs() < 1e-6);
        // Martinitoren, Groningen: RD (233 883.131, 582 065.167).
        let (x, y) = wgs84_to_rd(6.568_200_53, 53.219_383_17);
        assert!((x - 233_883.131).abs() < 2.0, "x = {x}");
        assert!((y - 582_065.167).abs() < 2.0, "y = {y}");
    }

    const TINY: &str = r#"{"type":"Topology","transform":{"scale":[0.01,0.01],"translate":[5,52]},
      "arcs":[[[0,0],[100,0],[0,100]],[[100,100],[-100,0],[0,-100]],[[20,20],[10,0],[0,10],[-10,0],[0,-10]]],
      "objects":{"x":{"type":"GeometryCollection","geometries":[
        {"type":"Polygon","arcs":[[0,1],[2]],"properties":{"statcode":"WK000101","statnaam":"A"}},
        {"type":"MultiPolygon","arcs":[[[~1,~0]]],"properties":{"statcode":"WK000102","statnaam":"B"}}]}}}"#;

    #[test]
    fn decodes_delta_arcs_and_reversed_indices() {
        let tiny = TINY.replace("~1", "-2").replace("~0", "-1");
        let f = decode_topology(&tiny, "tiny").unwrap();
        assert_eq!(f.len(), 2);
        let ring = &f[0].polygons[0][0];
        assert_eq!(ring.len(), 5);
        assert!((ring[1][0] - 6.0).abs() < 1e-9 && (ring[2][1] - 53.0).abs() < 1e-9);
        let rev = &f[1].polygons[0][0];
        assert_eq!(rev.len(), 5);
        assert!((rev[0][0] - 5.0).abs() < 1e-9 && (rev[0][1] - 52.0).abs() < 1e-9);
        assert!((rev[1][0] - 5.0).abs() < 1e-9 && (rev[1][1] - 53.0).abs() < 1e-9);
    }

    #[test]
    fn errors_name_file_and_code() {
        let bad = TINY
            .replace("~1", "-2")
            .replace("~0", "-1")
            .replace("[[0,1],[2]]", "[[0,2]]");
        let e = decode_topology(&bad, "wijk_2017.topojson").unwrap_err();
        assert_eq!(e.code.as_deref(), Some("WK000101"));
        let msg = e.to_string();
        assert!(
            msg.contains("wijk_2017.topojson") && msg.contains("WK000101"),
            "{msg}"
        );
        let oob = TINY.replace("~1", "-2").replace("~0", "-9");
        let e = decode_topology(&oob, "f").unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
    }

    #[test]
    fn path_round_trip() {
        let rings = vec![vec![[0.0, 0.0], [0.0, 100.0], [100.0, 100.0], [0.0, 0.0]]];
        let s = encode_shape("WK000101".into(), "A".into(), &rings, &|p| {
            [p[0] as i64, p[1] as i64]
        });
        assert_eq!(s.d, "M0 0l0 100 100 0z");
        assert_eq!(s.bbox, [0, 0, 100, 100]);
    }
}
