//! Map geometry from the real 2017 TopoJSON files (in data/; `JEUGDHULP_DATA`
//! overrides the directory).

mod common;
use common::{data_dir, parse_path};

use jeugdhulp_wijk::geo::{build_site_geometry, decode_topology, wgs84_to_rd, SiteGeometry};
use std::collections::HashSet;

use std::sync::OnceLock;

fn read(rel: &str) -> String {
    let p = data_dir().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn site() -> &'static SiteGeometry {
    static SITE: OnceLock<SiteGeometry> = OnceLock::new();
    SITE.get_or_init(|| {
        build_site_geometry(
            &read("geo/wijk_2017.topojson"),
            &read("geo/gemeente_2017.topojson"),
            &read("geo/jeugdzorgregio_2017.topojson"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn matches(code: &str, prefix: &str, digits: usize) -> bool {
    code.len() == prefix.len() + digits
        && code.starts_with(prefix)
        && code[prefix.len()..].bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn counts_and_code_patterns() {
    let g = site();
    assert_eq!(g.wijken.len(), 3070);
    assert_eq!(g.gemeenten.len(), 388);
    assert_eq!(g.regios.len(), 42);
    for (shapes, prefix, digits) in [
        (&g.wijken, "WK", 6),
        (&g.gemeenten, "GM", 4),
        (&g.regios, "JZ", 2),
    ] {
        let mut seen = HashSet::new();
        for s in shapes.iter() {
            assert!(matches(&s.code, prefix, digits), "bad code {}", s.code);
            assert!(seen.insert(s.code.as_str()), "duplicate {}", s.code);
        }
    }
}

#[test]
fn every_scp_wijk_has_a_shape() {
    let csv = read("jeugdhulp_wijk_2017.csv");
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("wijkcode,"));
    let shapes: HashSet<&str> = site().wijken.iter().map(|s| s.code.as_str()).collect();
    let codes: Vec<&str> = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(codes.len(), 2918);
    let missing: Vec<&&str> = codes.iter().filter(|c| !shapes.contains(**c)).collect();
    assert!(missing.is_empty(), "wijken without a shape: {missing:?}");
    // Each wijk's gemeente (digits 3..7 of the code) has a gemeente shape.
    let gm: HashSet<String> = site()
        .gemeenten
        .iter()
        .map(|s| s.code[2..].to_string())
        .collect();
    for w in &site().wijken {
        assert!(
            gm.contains(&w.code[2..6]),
            "no gemeente shape for {}",
            w.code
        );
    }
}

#[test]
fn every_ring_closes_in_source_and_output() {
    for file in [
        "geo/wijk_2017.topojson",
        "geo/gemeente_2017.topojson",
        "geo/jeugdzorgregio_2017.topojson",
    ] {
        let features = decode_topology(&read(file), file).unwrap_or_else(|e| panic!("{e}"));
        for f in &features {
            for poly in &f.polygons {
                for ring in poly {
                    assert!(ring.len() >= 4, "{}: short ring", f.code);
                    assert_eq!(ring.first(), ring.last(), "{}: ring does not close", f.code);
                }
            }
        }
    }
    let g = site();
    for s in g.wijken.iter().chain(&g.gemeenten).chain(&g.regios) {
        let rings = parse_path(&s.d).unwrap_or_else(|e| panic!("{}: {e}", s.code));
        assert!(!rings.is_empty(), "{}: empty path", s.code);
        for r in &rings {
            assert_eq!(r.first(), r.last(), "{}: ring does not close", s.code);
            for p in r {
                assert!(
                    p[0] >= 0 && p[0] <= g.width && p[1] >= 0 && p[1] <= g.height,
                    "{}: {p:?} off the map",
                    s.code
                );
                assert!(
                    p[0] >= s.bbox[0]
                        && p[0] <= s.bbox[2]
                        && p[1] >= s.bbox[1]
                        && p[1] <= s.bbox[3]
                );
            }
        }
    }
}

/// Even-odd point-in-path in map units.
fn inside(d: &str, x: f64, y: f64) -> bool {
    let mut hit = false;
    for r in parse_path(d).unwrap() {
        for w in r.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (ax, ay, bx, by) = (a[0] as f64, a[1] as f64, b[0] as f64, b[1] as f64);
            if (ay > y) != (by > y) && x < (bx - ax) * (y - ay) / (by - ay) + ax {
                hit = !hit;
            }
        }
    }
    hit
}

#[test]
fn projection_is_rd_new_and_not_stretched() {
    // Reference point of RD: Onze Lieve Vrouwetoren, Amersfoort.
    let (x, y) = wgs84_to_rd(5.387_206_21, 52.155_174_40);
    assert!((x - 155_000.0).abs() < 0.01 && (y - 463_000.0).abs() < 0.01);
    // Martinitoren, Groningen (RD 233 883, 582 065):
    // the polynomials are good to about a metre.
    let (x, y) = wgs84_to_rd(6.568_200_53, 53.219_383_17);
    assert!(
        (x - 233_883.0).abs() < 5.0 && (y - 582_065.0).abs() < 5.0,
        "{x} {y}"
    );

    let g = site();
    assert_eq!(g.unit_m, 10.0);
    let w_km = g.width as f64 * g.unit_m / 1000.0;
    let h_km = g.height as f64 * g.unit_m / 1000.0;
    // RD extent of the Netherlands incl. the Wadden islands: x ≈ 13–278 km, y ≈ 307–619 km.
    assert!((250.0..=290.0).contains(&w_km), "width {w_km} km");
    assert!((295.0..=325.0).contains(&h_km), "height {h_km} km");
    let aspect = h_km / w_km;
    assert!((1.1..=1.25).contains(&aspect), "aspect {aspect}");

    // Amersfoort's tower lies in a wijk of gemeente Amersfoort (GM0307).
    let mx = (155_000.0 - g.origin_rd[0]) / g.unit_m;
    let my = (g.origin_rd[1] - 463_000.0) / g.unit_m;
    let hits: Vec<&str> = g
        .wijken
        .iter()
        .filter(|s| inside(&s.d, mx, my))
        .map(|s| s.code.as_str())
        .collect();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].starts_with("WK0307"), "{hits:?}");
    let gm: Vec<&str> = g
        .gemeenten
        .iter()
        .filter(|s| inside(&s.d, mx, my))
        .map(|s| s.code.as_str())
        .collect();
    assert_eq!(gm, ["GM0307"]);
    // ... and in jeugdzorgregio Eemland.
    let rg: Vec<&str> = g
        .regios
        .iter()
        .filter(|s| inside(&s.d, mx, my))
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(rg.len(), 1);
    assert!(
        rg[0].contains("Eemland") || rg[0].contains("Amersfoort"),
        "{rg:?}"
    );

    // Label points sit inside their shape's bounding box.
    for s in &g.wijken {
        assert!(
            s.label[0] >= s.bbox[0]
                && s.label[0] <= s.bbox[2]
                && s.label[1] >= s.bbox[1]
                && s.label[1] <= s.bbox[3],
            "{}",
            s.code
        );
    }
}

#[test]
fn serialized_size_within_budget() {
    let json = serde_json::to_string(site()).unwrap();
    // gzip is measured by bench/map.mjs (target ≤ 400 KB); raw JSON stays well under 1 MB.
    assert!(json.len() < 1_000_000, "geo.json is {} bytes", json.len());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    for key in [
        "schema_version",
        "unit_m",
        "origin_rd",
        "width",
        "height",
        "wijken",
        "gemeenten",
        "regios",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn errors_name_the_file_and_code() {
    let wijk = read("geo/wijk_2017.topojson").replacen(
        "\"statcode\":\"WK000300\"",
        "\"statcode\":\"XX000300\"",
        1,
    );
    let e = build_site_geometry(
        &wijk,
        &read("geo/gemeente_2017.topojson"),
        &read("geo/jeugdzorgregio_2017.topojson"),
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("wijk_2017.topojson") && msg.contains("XX000300"),
        "{msg}"
    );
    let e = build_site_geometry("{", "{}", "{}").unwrap_err();
    assert!(e.to_string().contains("wijk_2017.topojson"), "{e}");
}
