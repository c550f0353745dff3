//! jeugdhulp-wijk: the SCP "Jeugdhulp in de wijk" multilevel model, fitted by REML
//! in plain Rust and evaluated in the browser through a thin wasm layer.
//!
//! Pipeline: `data` (load + validate) → `impute` → `fit` (REML) → `model`
//! (versioned JSON, `expected()` with intervals). `geo` prepares map geometry at
//! build time; `report` gives the per-gemeente figures (issue 12). Only `web`
//! knows about wasm.

pub mod csvfile;
pub mod data;
pub mod determinants;
pub mod extend;
pub mod fit;
pub mod geo;
pub mod impute;
pub mod interval;
pub mod model;
pub mod refit;
pub mod report;
pub mod score;
pub mod site;
pub mod text;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod web;
