//! Per-wijk data for the page and the wasm calculator, generated at build time
//! from the dataset and the fitted model, plus the all-wijken what-if
//! calculation that the maps use.

use crate::data::{Dataset, Shared, Wijk};
use crate::model::{InputError, Model, Predictor, Verdict, Z95};
use crate::text;
use crate::text::Text;
use crate::wire;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How our expected use compares with SCP's published `perc_przv`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub n: usize,
    pub correlation: f64,
    pub rmse: f64,
    pub max_abs: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "SiteFile", into = "SiteFile")]
pub struct SiteData {
    pub wijken: Vec<Wijk>,
    pub agreement: Agreement,
    /// Agreement with SCP per split and interval coverage before and after
    /// (computed by `site` at build time; absent in older site data).
    pub fidelity: Option<Fidelity>,
}

/// RMSE of our expected use against SCP's `perc_przv` in one split of the wijken.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SplitRmse {
    pub n: usize,
    pub rmse: f64,
}

/// Counts of the three verdicts over the published wijken.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct VerdictCounts {
    pub binnen: usize,
    pub hoger: usize,
    pub lager: usize,
}

impl VerdictCounts {
    fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Binnen => self.binnen += 1,
            Verdict::Hoger => self.hoger += 1,
            Verdict::Lager => self.lager += 1,
        }
    }
}

/// The figures the Verantwoording shows about issue 9, all computed by `site`
/// from the data and the models (docs/fidelity.md for the research).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fidelity {
    /// The specification of the page's model (`scp` or `gemeente`).
    pub spec: String,
    /// Against `perc_przv`: all wijken, complete (all 27 determinants),
    /// incomplete, suppressed (`perc_jhzv` not published).
    pub rmse_all: SplitRmse,
    pub rmse_complete: SplitRmse,
    pub rmse_incomplete: SplitRmse,
    pub rmse_suppressed: SplitRmse,
    /// Bounds of the youth quintiles of the published wijken (R's type 7).
    pub quintile_bounds: [f64; 6],
    /// Published wijken per quintile.
    pub quintile_n: [usize; 5],
    /// 95 % PI coverage (%) of the published values per quintile: before
    /// (today's specification, one width) and after (the page's model).
    pub coverage_before: [f64; 5],
    pub coverage_after: [f64; 5],
    pub coverage_all_before: f64,
    pub coverage_all_after: f64,
    /// Published wijken whose verdict differs between before and after.
    pub verdict_changes: usize,
    pub verdicts_before: VerdictCounts,
    pub verdicts_after: VerdictCounts,
    pub n_published: usize,
    /// The page model's interval: s0, c, ν (absent: one width).
    pub interval: Option<(f64, f64, f64)>,
    /// The default youth count for an eigen wijk (median over published wijken).
    pub default_n_jeugd: Option<f64>,
}

/// The serialised form of [`SiteData`]: columns instead of one object per wijk,
/// and names stored once per gemeente and regio. The page fetches it (`site.bin`,
/// src/wire.rs) right after its first result, so its size counts for the map's first view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SiteFile {
    /// `[code, name, regio index]` per gemeente.
    gemeenten: Vec<(String, String, usize)>,
    /// `[code, name]` per regio.
    regios: Vec<(String, String)>,
    code: Vec<String>,
    name: Vec<String>,
    gemeente: Vec<usize>,
    #[serde(with = "crate::wire::column")]
    observed: Vec<Option<f64>>,
    #[serde(with = "crate::wire::column")]
    scp_expected: Vec<Option<f64>>,
    agreement: Agreement,
    #[serde(default, skip_serializing_if = "crate::wire::skip_none")]
    fidelity: Option<Fidelity>,
}

/// The per-wijk determinant values, one column per determinant in model order.
/// Kept apart from [`SiteData`]'s file so the page can show its first result
/// before these (the bulk of the data) have arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValuesFile {
    pub determinants: Vec<String>,
    pub wijken: usize,
    #[serde(with = "crate::wire::columns")]
    pub values: Vec<Vec<Option<f64>>>,
    /// Youth count N per wijk (models in SCP's specification; at most three
    /// decimals, so short in the file and read back bit for bit).
    #[serde(
        default,
        skip_serializing_if = "crate::wire::skip_empty",
        with = "crate::wire::dense_column"
    )]
    pub n_jeugd: Vec<f64>,
}

impl From<SiteData> for SiteFile {
    fn from(s: SiteData) -> SiteFile {
        let mut gemeenten: Vec<(String, String, usize)> = Vec::new();
        let mut regios: Vec<(String, String)> = Vec::new();
        let mut gemeente = Vec::with_capacity(s.wijken.len());
        for w in &s.wijken {
            let r = regios
                .iter()
                .position(|r| *r.0 == *w.regio_code)
                .unwrap_or_else(|| {
                    regios.push((w.regio_code.to_string(), w.regio_name.to_string()));
                    regios.len() - 1
                });
            let g = gemeenten
                .iter()
                .position(|g| *g.0 == *w.gemeente_code)
                .unwrap_or_else(|| {
                    gemeenten.push((w.gemeente_code.to_string(), w.gemeente_name.to_string(), r));
                    gemeenten.len() - 1
                });
            gemeente.push(g);
        }
        SiteFile {
            gemeenten,
            regios,
            code: s.wijken.iter().map(|w| w.code.clone()).collect(),
            name: s.wijken.iter().map(|w| w.name.clone()).collect(),
            gemeente,
            observed: s.wijken.iter().map(|w| w.observed).collect(),
            scp_expected: s.wijken.iter().map(|w| w.scp_expected).collect(),
            agreement: s.agreement,
            fidelity: s.fidelity,
        }
    }
}

impl From<SiteFile> for SiteData {
    fn from(f: SiteFile) -> SiteData {
        // Indices and lengths come from our own build; out-of-range entries are
        // dropped to empty strings rather than panicking in the browser.
        // Gemeente and regio texts are shared by their wijken.
        let regios: Vec<(Shared, Shared)> = f
            .regios
            .iter()
            .map(|(c, n)| (Shared::from(c.as_str()), Shared::from(n.as_str())))
            .collect();
        let no_regio: (Shared, Shared) = (Shared::from(""), Shared::from(""));
        let gemeenten: Vec<(Shared, Shared, &(Shared, Shared))> = f
            .gemeenten
            .iter()
            .map(|(c, n, r)| {
                let regio = regios.get(*r).unwrap_or(&no_regio);
                (Shared::from(c.as_str()), Shared::from(n.as_str()), regio)
            })
            .collect();
        let empty = (no_regio.0.clone(), no_regio.1.clone(), &no_regio);
        let wijken = (0..f.code.len())
            .map(|i| {
                let g = f
                    .gemeente
                    .get(i)
                    .and_then(|&g| gemeenten.get(g))
                    .unwrap_or(&empty);
                Wijk {
                    code: f.code[i].clone(),
                    name: f.name.get(i).cloned().unwrap_or_default(),
                    gemeente_code: g.0.clone(),
                    gemeente_name: g.1.clone(),
                    regio_code: g.2 .0.clone(),
                    regio_name: g.2 .1.clone(),
                    observed: f.observed.get(i).copied().flatten(),
                    scp_expected: f.scp_expected.get(i).copied().flatten(),
                    n_jeugd: None,
                    values: Vec::new(),
                }
            })
            .collect();
        SiteData {
            wijken,
            agreement: f.agreement,
            fidelity: f.fidelity,
        }
    }
}

impl SiteData {
    pub fn build(ds: &Dataset, predictor: &Predictor) -> Result<SiteData, String> {
        let columns = predictor.model.data_columns()?;
        let wijken: Vec<Wijk> = ds
            .wijken
            .iter()
            .map(|w| Wijk {
                values: columns.iter().map(|&j| w.values[j]).collect(),
                ..w.clone()
            })
            .collect();
        let mut pairs = Vec::new();
        if predictor.uses_youth() {
            if let Some(w) = wijken.iter().find(|w| w.n_jeugd.is_none()) {
                return Err(format!(
                    "wijk {}: geen aantal jeugdigen (lees {})",
                    w.code,
                    crate::data::YOUTH_FILE
                ));
            }
        }
        for w in &wijken {
            let ours = predictor
                .expected(&crate::model::Profile {
                    gemeente: Some(w.gemeente_code.to_string()),
                    values: w.values.clone(),
                })
                .map_err(|e| format!("{}: {e}", w.code))?;
            if let Some(scp) = w.scp_expected {
                pairs.push((ours.expected, scp));
            }
        }
        Ok(SiteData {
            wijken,
            agreement: agreement(&pairs),
            fidelity: None,
        })
    }

    /// The determinant values as their own file.
    pub fn values_file(&self, names: &[String]) -> ValuesFile {
        ValuesFile {
            determinants: names.to_vec(),
            wijken: self.wijken.len(),
            values: (0..names.len())
                .map(|k| self.wijken.iter().map(|w| w.values[k]).collect())
                .collect(),
            n_jeugd: match self.wijken.iter().all(|w| w.n_jeugd.is_some()) {
                true => self.wijken.iter().filter_map(|w| w.n_jeugd).collect(),
                false => Vec::new(),
            },
        }
    }

    /// Put values from [`ValuesFile`] back on the wijken, checking they belong together.
    pub fn set_values(&mut self, file: &ValuesFile, names: &[String]) -> Result<(), String> {
        if file.determinants != names {
            return Err("wijkwaarden: de determinanten passen niet bij het model".into());
        }
        if file.wijken != self.wijken.len()
            || file.values.iter().any(|c| c.len() != self.wijken.len())
        {
            return Err(format!(
                "wijkwaarden: {} wijken, de sitegegevens hebben er {}",
                file.wijken,
                self.wijken.len()
            ));
        }
        if !file.n_jeugd.is_empty() && file.n_jeugd.len() != self.wijken.len() {
            return Err(format!(
                "wijkwaarden: {} jeugdaantallen, de sitegegevens hebben {} wijken",
                file.n_jeugd.len(),
                self.wijken.len()
            ));
        }
        if let Some(n) = file.n_jeugd.iter().find(|n| !(n.is_finite() && **n > 0.0)) {
            return Err(format!(
                "wijkwaarden: aantal jeugdigen {n} is geen positief getal"
            ));
        }
        for (i, w) in self.wijken.iter_mut().enumerate() {
            w.values = file.values.iter().map(|c| c[i]).collect();
            w.n_jeugd = file.n_jeugd.get(i).copied();
        }
        Ok(())
    }
}

/// Pearson correlation, RMSE and largest absolute difference of (a, b) pairs.
pub fn agreement(pairs: &[(f64, f64)]) -> Agreement {
    let n = pairs.len() as f64;
    let (ma, mb) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sab, mut saa, mut sbb, mut sse, mut max_abs) = (0.0, 0.0, 0.0, 0.0, 0.0f64);
    for &(a, b) in pairs {
        sab += (a - ma) * (b - mb);
        saa += (a - ma).powi(2);
        sbb += (b - mb).powi(2);
        sse += (a - b).powi(2);
        max_abs = max_abs.max((a - b).abs());
    }
    Agreement {
        n: pairs.len(),
        correlation: sab / (saa * sbb).sqrt(),
        rmse: (sse / n).sqrt(),
        max_abs,
    }
}

/// Where a what-if change applies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scope<'a> {
    Land,
    Regio(&'a str),
    Gemeente(&'a str),
    Wijk(&'a str),
}

impl<'a> Scope<'a> {
    pub fn parse(kind: &str, code: Option<&'a str>) -> Result<Scope<'a>, InputError> {
        let need = |what: &str, what_en: &str| {
            code.filter(|c| !c.is_empty()).ok_or_else(|| InputError {
                field: "code".into(),
                message: text!(
                    "een {what} is nodig voor dit bereik",
                    "this scope needs a {what_en}"
                ),
            })
        };
        Ok(match kind {
            "land" => Scope::Land,
            "regio" => Scope::Regio(need("regiocode", "region code")?),
            "gemeente" => Scope::Gemeente(need("gemeentecode", "municipality code")?),
            "wijk" => Scope::Wijk(need("wijkcode", "district code")?),
            other => {
                return Err(InputError {
                    field: "scope".into(),
                    message: text!(
                        "onbekend bereik '{other}' (kies land, regio, gemeente of wijk)",
                        "unknown scope '{other}' (choose land, regio, gemeente or wijk)"
                    ),
                })
            }
        })
    }
}

/// The model plus every wijk's filled profile, for repeated all-wijken calls.
#[derive(Debug, Clone)]
pub struct Calculator {
    pub predictor: Predictor,
    pub site: SiteData,
    /// Filled profiles, row-major n × q.
    filled: Vec<f64>,
    base_fixed: Vec<f64>,
    /// (u_g, v_g, u_r, v_r) per wijk, as [`Predictor::random_part`] gives them
    /// (kept apart, so sums run in the order `expected()` adds them).
    random: Vec<(f64, f64, f64, f64)>,
    by_code: HashMap<String, usize>,
}

impl Calculator {
    /// `site` may come without determinant values (as the browser first has
    /// it); the functions that need them say so until [`Calculator::load_values`].
    pub fn new(predictor: Predictor, site: SiteData) -> Result<Calculator, String> {
        let mut c = Calculator::without_site(predictor);
        c.set_site(site)?;
        Ok(c)
    }

    /// The model alone, as the page has it before its site data arrive (the first
    /// result needs only the model): [`Calculator::expected`] works, the per-wijk
    /// functions say the wijken are not loaded until [`Calculator::set_site`].
    pub fn without_site(predictor: Predictor) -> Calculator {
        Calculator {
            predictor,
            site: SiteData {
                wijken: Vec::new(),
                agreement: agreement(&[]),
                fidelity: None,
            },
            filled: Vec::new(),
            base_fixed: Vec::new(),
            random: Vec::new(),
            by_code: HashMap::new(),
        }
    }

    /// Put the wijken in, once, with or without their values.
    pub fn set_site(&mut self, site: SiteData) -> Result<(), String> {
        // Once: the values' gemeente means would otherwise be those of the first wijken.
        if self.has_site() {
            return Err("sitegegevens: de wijken zijn al geladen".into());
        }
        if site.wijken.is_empty() {
            return Err("sitegegevens: geen enkele wijk".into());
        }
        let q = self.predictor.n_determinants();
        // Values for every wijk or for none (the browser's site data).
        let with_values = site.wijken.iter().filter(|w| w.values.len() == q).count();
        if with_values != site.wijken.len() {
            if let Some(w) = site.wijken.iter().find(|w| !w.values.is_empty()) {
                return Err(format!(
                    "wijk {}: {} waarden, het model heeft {q} determinanten",
                    w.code,
                    w.values.len()
                ));
            }
        }
        let mut random = Vec::new();
        let mut by_code = HashMap::new();
        for (i, w) in site.wijken.iter().enumerate() {
            let (ug, vg, ur, vr, _) = self.predictor.random_part(Some(&w.gemeente_code));
            random.push((ug, vg, ur, vr));
            by_code.insert(w.code.clone(), i);
        }
        self.site = site;
        self.random = random;
        self.by_code = by_code;
        self.filled.clear();
        self.base_fixed.clear();
        if with_values == self.len() && !self.is_empty() {
            self.prepare_values()?;
        }
        Ok(())
    }

    /// Whether the wijken are in ([`Calculator::set_site`]).
    pub fn has_site(&self) -> bool {
        !self.site.wijken.is_empty()
    }

    /// Add the per-wijk determinant values after construction.
    pub fn load_values(&mut self, file: &ValuesFile) -> Result<(), String> {
        if !self.has_site() {
            return Err("wijkwaarden: de sitegegevens (wijken) zijn nog niet geladen".into());
        }
        let names = self.predictor.model.determinant_names();
        self.site.set_values(file, &names)?;
        self.prepare_values()
    }

    pub fn has_values(&self) -> bool {
        !self.filled.is_empty()
    }

    fn prepare_values(&mut self) -> Result<(), String> {
        let q = self.predictor.n_determinants();
        if self.predictor.model.imputation.gemeente.is_empty() {
            // The browser's copy of the model leaves out the gemeente means: they
            // follow from the per-wijk values.
            if self.predictor.uses_youth() && self.site.wijken.iter().any(|w| w.n_jeugd.is_none()) {
                return Err(
                    "wijkwaarden: de jeugdaantallen ontbreken, het model heeft ze nodig".into(),
                );
            }
            let imputation = site_imputation(&self.site, &self.predictor.model.imputation);
            if imputation.national != self.predictor.model.imputation.national {
                return Err(
                    "de landelijke gemiddelden van model en wijkwaarden verschillen".into(),
                );
            }
            self.predictor.model.imputation = imputation;
        }
        let mut filled = Vec::with_capacity(self.len() * q);
        let mut base_fixed = Vec::with_capacity(self.len());
        for w in &self.site.wijken {
            let x = self
                .predictor
                .model
                .imputation
                .fill(Some(&w.gemeente_code), &w.values);
            base_fixed.push(self.predictor.fixed_part(&x));
            filled.extend_from_slice(&x);
        }
        self.filled = filled;
        self.base_fixed = base_fixed;
        Ok(())
    }

    /// The one "not loaded yet" check of the per-wijk values (the page, the Worker's
    /// extension and refit).
    pub fn need_values(&self) -> Result<(), InputError> {
        if self.has_values() {
            Ok(())
        } else {
            Err(InputError {
                field: "wijkwaarden".into(),
                message: Text::new(
                    "de wijkgegevens zijn nog niet geladen (eerst loadWijkValues)",
                    "the district data have not been loaded yet (call loadWijkValues first)",
                ),
            })
        }
    }

    /// [`Predictor::expected`], refusing a gemeente-mean imputation before the
    /// values that define those means have been loaded.
    pub fn expected(
        &self,
        profile: &crate::model::Profile,
    ) -> Result<crate::model::Prediction, InputError> {
        if profile.gemeente.is_some() && profile.values.iter().any(Option::is_none) {
            self.need_values()?;
        }
        self.predictor.expected(profile)
    }

    pub fn len(&self) -> usize {
        self.site.wijken.len()
    }

    pub fn is_empty(&self) -> bool {
        self.site.wijken.is_empty()
    }

    pub fn wijk_index(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// The filled (imputed) profile of wijk i, once the values are loaded.
    pub fn filled(&self, i: usize) -> Result<&[f64], InputError> {
        self.need_values()?;
        let q = self.predictor.n_determinants();
        Ok(&self.filled[i * q..(i + 1) * q])
    }

    /// Which wijken (in `wijken()` order) a what-if scope covers: the one rule the
    /// calculations use and the page reads.
    pub fn in_scope(&self, scope: Scope) -> Result<Vec<bool>, InputError> {
        let known = |ok: bool, field: &str, code: &str| {
            if ok {
                Ok(())
            } else {
                Err(InputError {
                    field: field.into(),
                    message: text!("onbekende code '{code}'", "unknown code '{code}'"),
                })
            }
        };
        match scope {
            Scope::Regio(c) => known(
                self.site.wijken.iter().any(|w| &*w.regio_code == c),
                "regio",
                c,
            )?,
            Scope::Gemeente(c) => known(
                self.site.wijken.iter().any(|w| &*w.gemeente_code == c),
                "gemeente",
                c,
            )?,
            Scope::Wijk(c) => known(self.by_code.contains_key(c), "wijk", c)?,
            Scope::Land => {}
        }
        Ok(self
            .site
            .wijken
            .iter()
            .map(|w| match scope {
                Scope::Land => true,
                Scope::Regio(c) => &*w.regio_code == c,
                Scope::Gemeente(c) => &*w.gemeente_code == c,
                Scope::Wijk(c) => w.code == c,
            })
            .collect())
    }

    fn check_deltas(&self, deltas: &[f64]) -> Result<(), InputError> {
        let q = self.predictor.n_determinants();
        if deltas.len() != q {
            return Err(InputError {
                field: "deltas".into(),
                message: {
                    let n = deltas.len();
                    text!(
                        "{n} waarden gegeven, verwacht {q}",
                        "{n} values given, expected {q}"
                    )
                },
            });
        }
        // Each change lies within ± its determinant's width (a difference of two
        // valid values); the value it gives each wijk is then clamped into the
        // range (`scenario_profile`).
        for (k, &d) in deltas.iter().enumerate() {
            self.predictor.check_change(k, d)?;
        }
        Ok(())
    }

    /// Wijk i's filled profile under a what-if change: in scope, each value
    /// plus its change, clamped per determinant into the range `expected()`
    /// accepts ("3 points lower, but not below 0"); out of scope, as it is.
    pub fn scenario_profile(
        &self,
        i: usize,
        deltas: &[f64],
        in_scope: bool,
        x: &mut [f64],
    ) -> Result<(), InputError> {
        x.copy_from_slice(self.filled(i)?);
        if in_scope {
            for (k, (v, d)) in x.iter_mut().zip(deltas).enumerate() {
                let (lo, hi) = self.predictor.range(k);
                *v = (*v + d).clamp(lo, hi);
            }
        }
        Ok(())
    }

    /// Expected use of every wijk after adding `deltas` to the wijken in scope,
    /// each value clamped into its range per wijk: for every wijk exactly what
    /// `expected()` gives for its profile with those values. Per wijk in scope
    /// O(q), so O(n·q) for all.
    pub fn expected_all(
        &self,
        deltas: &[f64],
        scope: Scope,
        out: &mut [f64],
    ) -> Result<(), InputError> {
        self.check_deltas(deltas)?;
        self.need_values()?;
        let mask = self.in_scope(scope)?;
        let mut x = vec![0.0; self.predictor.n_determinants()];
        for (i, o) in out.iter_mut().enumerate().take(self.len()) {
            let fixed = match mask[i] {
                true => {
                    self.scenario_profile(i, deltas, true, &mut x)?;
                    self.predictor.fixed_part(&x)
                }
                false => self.base_fixed[i],
            };
            let (ug, _, ur, _) = self.random[i];
            *o = fixed + ug + ur;
        }
        crate::model::finite(out)
    }

    /// `[ci_low × n, ci_high × n, pi_low × n, pi_high × n]` for the same scenario.
    pub fn intervals_all(&self, deltas: &[f64], scope: Scope) -> Result<Vec<f64>, InputError> {
        let n = self.len();
        let mut expected = vec![0.0; n];
        self.expected_all(deltas, scope, &mut expected)?;
        let mask = self.in_scope(scope)?;
        let q = self.predictor.n_determinants();
        let mut out = vec![0.0; 4 * n];
        let mut x = vec![0.0; q];
        for i in 0..n {
            self.scenario_profile(i, deltas, mask[i], &mut x)?;
            let (_, vg, _, vr) = self.random[i];
            // Summed in the order of `Predictor::expected_with`, to the last bit.
            let var = self.predictor.fixed_variance(&x) + vg + vr;
            let (residual, _) = self
                .predictor
                .residual_variance(expected[i], self.site.wijken[i].n_jeugd);
            let (half_ci, half_pi) = (Z95 * var.sqrt(), Z95 * (var + residual).sqrt());
            out[i] = expected[i] - half_ci;
            out[n + i] = expected[i] + half_ci;
            out[2 * n + i] = self.predictor.pi_bound(expected[i] - half_pi);
            out[3 * n + i] = self.predictor.pi_bound(expected[i] + half_pi);
        }
        crate::model::finite(&out)?;
        Ok(out)
    }

    /// The verdict of every wijk (observed use against its PI) for the same
    /// scenario; `None` where the use is not published.
    pub fn verdicts_all(
        &self,
        deltas: &[f64],
        scope: Scope,
    ) -> Result<Vec<Option<Verdict>>, InputError> {
        let n = self.len();
        let iv = self.intervals_all(deltas, scope)?;
        Ok((0..n)
            .map(|i| Verdict::of(self.site.wijken[i].observed, iv[2 * n + i], iv[3 * n + i]))
            .collect())
    }

    /// [`Calculator::expected`] for a profile that may be a wijk of the data
    /// (`wijk`, an index): then its youth count and its verdict, else the
    /// given youth count (an eigen wijk; the model's default without one)
    /// and no verdict.
    pub fn expected_for(
        &self,
        profile: &crate::model::Profile,
        wijk: Option<usize>,
        n_jeugd: Option<f64>,
    ) -> Result<(crate::model::Prediction, Option<Verdict>), InputError> {
        if profile.gemeente.is_some() && profile.values.iter().any(Option::is_none) {
            self.need_values()?;
        }
        let w = wijk.and_then(|i| self.site.wijken.get(i));
        if w.is_some() && n_jeugd.is_none() && self.predictor.uses_youth() {
            // A wijk's own youth count comes with the wijk values.
            self.need_values()?;
        }
        let n = n_jeugd.or(w.and_then(|w| w.n_jeugd));
        let p = self.predictor.expected_with(profile, n)?;
        let verdict = w.and_then(|w| Verdict::of(w.observed, p.pi_low, p.pi_high));
        Ok((p, verdict))
    }
}

/// R's type-7 quantile bounds, coverage and verdicts of a set of predictions
/// of the published wijken: (youth count, observed, pi_low, pi_high).
fn coverage(bounds: &[f64; 6], rows: &[(f64, f64, f64, f64)]) -> ([f64; 5], f64, Vec<Verdict>) {
    let verdicts: Vec<Verdict> = rows
        .iter()
        .map(|&(_, o, lo, hi)| Verdict::of(Some(o), lo, hi).unwrap_or(Verdict::Binnen))
        .collect();
    let inside: Vec<(f64, bool)> = rows
        .iter()
        .zip(&verdicts)
        .map(|(r, v)| (r.0, *v == Verdict::Binnen))
        .collect();
    let all = 100.0 * inside.iter().filter(|r| r.1).count() as f64 / inside.len().max(1) as f64;
    (
        crate::interval::coverage_by_quintile(bounds, &inside),
        all,
        verdicts,
    )
}

impl Fidelity {
    /// The figures for the Verantwoording: `after` is the page's model,
    /// `before` today's specification (one interval width). Every wijk of
    /// `ds` needs its youth count.
    pub fn compute(
        ds: &Dataset,
        after: &Predictor,
        before: &Predictor,
    ) -> Result<Fidelity, String> {
        let mut rows_before = Vec::new();
        let mut rows_after = Vec::new();
        let mut sq = [(0usize, 0.0f64); 4]; // all, complete, incomplete, suppressed
        for w in &ds.wijken {
            let n = w
                .n_jeugd
                .ok_or_else(|| format!("wijk {}: geen aantal jeugdigen", w.code))?;
            let pa = after
                .expected_with(&after.model.profile_of(w)?, Some(n))
                .map_err(|e| format!("{}: {e}", w.code))?;
            if let Some(scp) = w.scp_expected {
                let d2 = (pa.expected - scp).powi(2);
                let complete = w.values.iter().all(Option::is_some);
                for (k, yes) in [true, complete, !complete, w.observed.is_none()]
                    .iter()
                    .enumerate()
                {
                    if *yes {
                        sq[k].0 += 1;
                        sq[k].1 += d2;
                    }
                }
            }
            if let Some(o) = w.observed {
                let pb = before
                    .expected(&before.model.profile_of(w)?)
                    .map_err(|e| format!("{}: {e}", w.code))?;
                rows_before.push((n, o, pb.pi_low, pb.pi_high));
                rows_after.push((n, o, pa.pi_low, pa.pi_high));
            }
        }
        let ns: Vec<f64> = rows_after.iter().map(|r| r.0).collect();
        let bounds = crate::interval::quintile_bounds(&ns);
        let mut quintile_n = [0usize; 5];
        for &n in &ns {
            quintile_n[crate::interval::quintile(&bounds, n)] += 1;
        }
        let (coverage_before, coverage_all_before, vb) = coverage(&bounds, &rows_before);
        let (coverage_after, coverage_all_after, va) = coverage(&bounds, &rows_after);
        let (mut verdicts_before, mut verdicts_after) =
            (VerdictCounts::default(), VerdictCounts::default());
        vb.iter().for_each(|v| verdicts_before.add(*v));
        va.iter().for_each(|v| verdicts_after.add(*v));
        let split = |(n, s): (usize, f64)| SplitRmse {
            n,
            rmse: (s / n.max(1) as f64).sqrt(),
        };
        Ok(Fidelity {
            spec: after.model.spec().name().into(),
            rmse_all: split(sq[0]),
            rmse_complete: split(sq[1]),
            rmse_incomplete: split(sq[2]),
            rmse_suppressed: split(sq[3]),
            quintile_bounds: bounds,
            quintile_n,
            coverage_before,
            coverage_after,
            coverage_all_before,
            coverage_all_after,
            verdict_changes: vb.iter().zip(&va).filter(|(a, b)| a != b).count(),
            verdicts_before,
            verdicts_after,
            n_published: rows_after.len(),
            interval: after.model.interval.as_ref().map(|i| (i.s0, i.c, i.nu)),
            default_n_jeugd: after.default_n_jeugd(),
        })
    }
}

/// The imputation means over the site's wijken (the same rows, in the same
/// order, as the dataset the model was fitted on), by the model's rules.
fn site_imputation(
    site: &SiteData,
    model: &crate::impute::Imputation,
) -> crate::impute::Imputation {
    let q = model.national.len();
    let columns: Vec<usize> = (0..q).collect();
    let rules: Vec<crate::determinants::Missing> = (0..q).map(|k| model.rule(k)).collect();
    let how = match model.weighted {
        true => crate::impute::Rules::Scp(&rules),
        false => crate::impute::Rules::Mean,
    };
    // Every model determinant has values somewhere (the fit needed them), so an
    // error here means broken site data; an empty result then fails the check
    // against the model's national means.
    crate::impute::Imputation::with_rules(&site.wijken, &columns, how)
        .map(|(imputation, _)| imputation)
        .unwrap_or(crate::impute::Imputation {
            national: vec![],
            gemeente: Default::default(),
            rules: Vec::new(),
            weighted: false,
        })
}

/// The model as compiled into the wasm: without the gemeente imputation means
/// and youth counts, which [`Calculator::new`] rebuilds from the site data, and
/// without the filled responses of the suppressed wijken, which it does not use.
pub fn browser_model(model: &Model) -> Model {
    let mut m = model.clone();
    m.imputation.gemeente.clear();
    // The youth counts come with the wijk values too.
    if let Some(y) = &mut m.youth {
        y.n_jeugd.clear();
    }
    // The page knows a suppressed wijk by its unpublished use (site data);
    // the filled values (for the record, in model.json) stay out of the wasm.
    if let Some(f) = &mut m.filled_responses {
        f.clear();
    }
    m
}

/// Parse the model and site JSON files (tests and tools; the page reads the binary forms,
/// [`calculator_from_bin`]), and the values file where it is at hand.
pub fn calculator_from_json(
    model_json: &str,
    site_json: &str,
    values_json: Option<&str>,
) -> Result<Calculator, String> {
    let model = Model::from_json(model_json)?;
    let site: SiteData =
        serde_json::from_str(site_json).map_err(|e| format!("sitegegevens: {e}"))?;
    let mut c = Calculator::new(Predictor::new(model)?, site)?;
    if let Some(v) = values_json {
        c.load_values(&parse_values(v)?)?;
    }
    Ok(c)
}

pub fn parse_values(json: &str) -> Result<ValuesFile, String> {
    serde_json::from_str(json).map_err(|e| format!("wijkwaarden: {e}"))
}

/// The browser's files in their binary form (`model.browser.bin`, `site.bin`,
/// `wijkwaarden.bin`; src/wire.rs), as `site` writes them.
pub struct BrowserFiles {
    pub model: Vec<u8>,
    pub site: Vec<u8>,
    pub values: Vec<u8>,
}

impl BrowserFiles {
    pub fn new(
        model: &Model,
        site: &SiteData,
        values: &ValuesFile,
    ) -> Result<BrowserFiles, String> {
        Ok(BrowserFiles {
            model: wire::encode(wire::Kind::Model, &browser_model(model))?,
            site: wire::encode(wire::Kind::Site, site)?,
            values: wire::encode(wire::Kind::Values, values)?,
        })
    }
}

/// The calculator from the binary model alone (the page's first step), with the site
/// data and values where they are at hand.
pub fn calculator_from_bin(
    model: &[u8],
    site: Option<&[u8]>,
    values: Option<&[u8]>,
) -> Result<Calculator, String> {
    let model: Model = wire::decode(wire::Kind::Model, model)?;
    let mut c = Calculator::without_site(Predictor::new(model)?);
    if let Some(s) = site {
        c.set_site(site_from_bin(s)?)?;
    }
    if let Some(v) = values {
        c.load_values(&values_from_bin(v)?)?;
    }
    Ok(c)
}

pub fn site_from_bin(bytes: &[u8]) -> Result<SiteData, String> {
    wire::decode(wire::Kind::Site, bytes)
}

pub fn values_from_bin(bytes: &[u8]) -> Result<ValuesFile, String> {
    wire::decode(wire::Kind::Values, bytes)
}
