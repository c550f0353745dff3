//! Per gemeente: the figures of the gemeenterapport, the comparison of
//! gemeente effects, the funnel plot's limits and the income classes (issue 12).
//!
//! Everything here reads the same [`Calculator`] the calculator page uses:
//! a wijk's expected use, intervals and verdict come from
//! [`Calculator::expected_for`], exactly the call behind `expected()` for a
//! wijk, so the report can never disagree with the calculator.

use crate::model::{InputError, Prediction, Profile, RandomEffect, Verdict, Z95};
use crate::site::{Calculator, Scope};
use crate::text;
use crate::text::Text;
use serde::Serialize;

/// The two-sided 99.8 % normal quantile (the funnel plot's outer limits).
pub const Z998: f64 = 3.090_232_306_167_813;

/// The determinant the income classes are made of: the mean standardised
/// household income. Chosen over `perc_hhmkhgink` because it is missing in 26
/// wijken instead of 607, and it measures the income of every household, not
/// only of families with a high income.
pub const INCOME_DETERMINANT: &str = "gem_gestink";

/// A random effect (or a sum of them) with its conditional SD and 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Effect {
    pub value: f64,
    pub sd: f64,
    pub low: f64,
    pub high: f64,
}

impl Effect {
    fn new(value: f64, sd: f64) -> Effect {
        Effect {
            value,
            sd,
            low: value - Z95 * sd,
            high: value + Z95 * sd,
        }
    }
}

/// A gemeente's effect, its regio's, and their sum (the "gemeente-effect" of
/// the map): the sum's SD is √(v_g + v_r), the two conditional variances
/// added as if independent (the model file has no covariance between them;
/// the calculator's var(expected) adds them the same way).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GemeenteEffect {
    pub code: String,
    pub name: String,
    pub regio_code: String,
    pub regio_name: String,
    pub gemeente: Effect,
    pub regio: Effect,
    pub total: Effect,
}

fn unknown_gemeente(code: &str) -> InputError {
    InputError {
        field: "gemeente".into(),
        message: text::unknown_gemeente(code),
    }
}

fn find<'a>(effects: &'a [RandomEffect], code: &str) -> Option<&'a RandomEffect> {
    effects.iter().find(|e| e.code == code)
}

/// The effects of one gemeente, from the model file's BLUPs and conditional SDs.
pub fn gemeente_effect(c: &Calculator, code: &str) -> Result<GemeenteEffect, InputError> {
    let w = c
        .site
        .wijken
        .iter()
        .find(|w| &*w.gemeente_code == code)
        .ok_or_else(|| unknown_gemeente(code))?;
    let m = &c.predictor.model;
    let g = find(&m.random_effects.gemeente, code).ok_or_else(|| unknown_gemeente(code))?;
    let r = find(&m.random_effects.regio, &w.regio_code).ok_or_else(|| {
        let regio = &w.regio_code;
        InputError {
            field: "regio".into(),
            message: text!(
                "het model heeft geen effect voor regio '{regio}'",
                "the model has no effect for region '{regio}'"
            ),
        }
    })?;
    Ok(GemeenteEffect {
        code: code.to_string(),
        name: w.gemeente_name.to_string(),
        regio_code: w.regio_code.to_string(),
        regio_name: w.regio_name.to_string(),
        gemeente: Effect::new(g.value, g.cond_sd),
        regio: Effect::new(r.value, r.cond_sd),
        total: Effect::new(
            g.value + r.value,
            (g.cond_sd * g.cond_sd + r.cond_sd * r.cond_sd).sqrt(),
        ),
    })
}

/// The effects of several gemeenten, in the order given; an unknown code is
/// an error naming it.
pub fn gemeente_effects<S: AsRef<str>>(
    c: &Calculator,
    codes: &[S],
) -> Result<Vec<GemeenteEffect>, InputError> {
    codes
        .iter()
        .map(|code| gemeente_effect(c, code.as_ref()))
        .collect()
}

/// One wijk as the calculator shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WijkRow {
    /// Index in `wijken()`.
    pub index: usize,
    pub code: String,
    pub name: String,
    /// Observed use (%); `None` where CBS did not publish it.
    pub observed: Option<f64>,
    pub expected: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub pi_low: f64,
    pub pi_high: f64,
    /// observed − expected (percentage points); `None` where unpublished.
    pub difference: Option<f64>,
    pub verdict: Option<Verdict>,
    pub n_jeugd: Option<f64>,
    /// The residual variance in the wijk's PI.
    pub var_residual: f64,
    /// Income class 0 (low), 1, 2 (high); `None` without an income value.
    pub income_class: Option<u8>,
}

/// A wijk's prediction as the calculator makes it: its own values (imputed
/// by the model's rule), its gemeente, its youth count, its verdict.
fn wijk_prediction(c: &Calculator, i: usize) -> Result<(Prediction, Option<Verdict>), InputError> {
    let w = &c.site.wijken[i];
    let profile = Profile {
        gemeente: Some(w.gemeente_code.to_string()),
        values: w.values.clone(),
    };
    c.expected_for(&profile, Some(i), None)
}

fn wijk_row(c: &Calculator, i: usize, classes: &IncomeClasses) -> Result<WijkRow, InputError> {
    let (p, verdict) = wijk_prediction(c, i)?;
    let w = &c.site.wijken[i];
    Ok(WijkRow {
        index: i,
        code: w.code.clone(),
        name: w.name.clone(),
        observed: w.observed,
        expected: p.expected,
        ci_low: p.ci_low,
        ci_high: p.ci_high,
        pi_low: p.pi_low,
        pi_high: p.pi_high,
        difference: w.observed.map(|o| o - p.expected),
        verdict,
        n_jeugd: p.n_jeugd,
        var_residual: p.var_residual,
        income_class: classes.class[i],
    })
}

/// The national income classes: tertiles of [`INCOME_DETERMINANT`] over the
/// wijken with a value (R's type-7 quantiles at 1/3 and 2/3, every wijk
/// counting once). A wijk at a bound belongs to the lower class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncomeClasses {
    /// What the classes are (the gemeenterapport gives this part alone).
    #[serde(flatten)]
    pub summary: IncomeSummary,
    /// Per wijk in `wijken()` order: 0 low, 1 middle, 2 high, `None` unknown.
    pub class: Vec<Option<u8>>,
}

/// Dutch names of the three income classes, lowest first.
pub const INCOME_CLASS_LABELS: [&str; 3] = ["laag inkomen", "midden inkomen", "hoog inkomen"];

/// English names of the three income classes, lowest first.
pub const INCOME_CLASS_LABELS_EN: [&str; 3] = ["low income", "middle income", "high income"];

fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

/// The income class of every wijk (needs the wijk values).
pub fn income_classes(c: &Calculator) -> Result<IncomeClasses, InputError> {
    c.filled(0)?; // the raw values arrive with the wijk values
    let m = &c.predictor.model;
    let k = m
        .determinants
        .iter()
        .position(|d| d.name == INCOME_DETERMINANT)
        .ok_or_else(|| InputError {
            field: INCOME_DETERMINANT.into(),
            message: Text::new(
                "dit model heeft het inkomen niet als kenmerk; inkomensklassen zijn er niet",
                "this model does not have income as a determinant, so there are no income classes",
            ),
        })?;
    let values: Vec<Option<f64>> = c
        .site
        .wijken
        .iter()
        .map(|w| w.values.get(k).copied().flatten().filter(|v| v.is_finite()))
        .collect();
    let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
    if sorted.len() < 3 {
        return Err(InputError {
            field: INCOME_DETERMINANT.into(),
            message: Text::new(
                "te weinig wijken met een inkomen voor drie klassen",
                "too few districts with an income for three classes",
            ),
        });
    }
    sorted.sort_by(f64::total_cmp);
    let bounds = [quantile7(&sorted, 1.0 / 3.0), quantile7(&sorted, 2.0 / 3.0)];
    let class: Vec<Option<u8>> = values
        .iter()
        .map(|v| {
            v.map(|v| {
                if v <= bounds[0] {
                    0
                } else if v <= bounds[1] {
                    1
                } else {
                    2
                }
            })
        })
        .collect();
    let mut counts = [0usize; 3];
    class
        .iter()
        .flatten()
        .for_each(|&k| counts[k as usize] += 1);
    let d = &m.determinants[k];
    Ok(IncomeClasses {
        summary: IncomeSummary {
            determinant: INCOME_DETERMINANT,
            label: d.label.clone(),
            label_en: crate::determinants::label_en(&d.name)
                .unwrap_or(&d.label)
                .to_string(),
            unit: d.unit_label.clone(),
            bounds,
            counts,
            unknown: class.iter().filter(|c| c.is_none()).count(),
        },
        class,
    })
}

/// The mean observed − expected of a set of wijken with published use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanDifference {
    /// Published wijken in the mean.
    pub n: usize,
    /// Wijken of the set whose use was not published (left out).
    pub n_unpublished: usize,
    pub mean: Option<f64>,
    /// 95 % interval: mean ± 1.96 √(Σ v_i) / n, v_i the residual variance of
    /// wijk i's PI (its youth count and expected use), the wijken independent.
    pub low: Option<f64>,
    pub high: Option<f64>,
}

fn mean_difference(rows: &[(Option<f64>, f64)]) -> MeanDifference {
    let published: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|&(d, v)| d.map(|d| (d, v)))
        .collect();
    let n = published.len();
    let (mean, low, high) = if n == 0 {
        (None, None, None)
    } else {
        let mean = published.iter().map(|r| r.0).sum::<f64>() / n as f64;
        let se = published.iter().map(|r| r.1).sum::<f64>().sqrt() / n as f64;
        (Some(mean), Some(mean - Z95 * se), Some(mean + Z95 * se))
    };
    MeanDifference {
        n,
        n_unpublished: rows.len() - n,
        mean,
        low,
        high,
    }
}

/// The SES view: per income class, the gemeente's mean difference beside the country's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SesClass {
    pub class: u8,
    pub label: &'static str,
    pub label_en: &'static str,
    pub gemeente: MeanDifference,
    pub land: MeanDifference,
}

/// The funnel plot: every wijk's difference against its youth count, and the
/// 95 % and 99.8 % limits ±z √v_res(π̄, N), v_res the model's residual
/// variance as a function of N at the country's youth-weighted mean use π̄.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    /// The use (%) the limits are drawn at.
    pub expected_ref: f64,
    /// Youth counts of the grid, ascending.
    pub grid: Vec<f64>,
    pub low95: Vec<f64>,
    pub high95: Vec<f64>,
    pub low998: Vec<f64>,
    pub high998: Vec<f64>,
    /// Per wijk (`wijken()` order): youth count (NaN: unknown) and observed −
    /// expected (NaN: not published).
    pub n_jeugd: Vec<f64>,
    pub difference: Vec<f64>,
}

/// Everything the gemeenterapport shows, but the map geometry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GemeenteReport {
    pub code: String,
    pub name: String,
    pub regio_code: String,
    pub regio_name: String,
    pub n_wijken: usize,
    pub n_published: usize,
    /// Sum of the wijken's youth counts (the approximation the model uses).
    pub youth_total: Option<f64>,
    pub effect: GemeenteEffect,
    pub wijken: Vec<WijkRow>,
    pub income: IncomeSummary,
    pub ses: Vec<SesClass>,
}

/// The income classes without the per-wijk list (in a report, that is in `wijken`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncomeSummary {
    pub determinant: &'static str,
    pub label: String,
    /// The determinant's English label.
    pub label_en: String,
    pub unit: String,
    /// The upper bounds of the low and the middle class.
    pub bounds: [f64; 2],
    /// Wijken per class.
    pub counts: [usize; 3],
    /// Wijken without an income value (no class).
    pub unknown: usize,
}

/// Every wijk as the map's all-wijken call has it ([`Calculator::expected_all`]
/// without a what-if; equal to [`Calculator::expected_for`] up to rounding in the
/// last bit): expected use, observed − expected, the PI's residual variance and
/// the youth count it used. A few ms for all wijken, where a full prediction
/// per wijk (with its CI) costs ten times more.
struct National {
    expected: Vec<f64>,
    difference: Vec<Option<f64>>,
    var_residual: Vec<f64>,
    n_jeugd: Vec<Option<f64>>,
}

fn national(c: &Calculator) -> Result<National, InputError> {
    let zeros = vec![0.0; c.predictor.n_determinants()];
    let mut expected = vec![0.0; c.len()];
    c.expected_all(&zeros, Scope::Land, &mut expected)?;
    let (mut var_residual, mut n_jeugd) =
        (Vec::with_capacity(c.len()), Vec::with_capacity(c.len()));
    for (w, e) in c.site.wijken.iter().zip(&expected) {
        let (v, n) = c.predictor.residual_variance(*e, w.n_jeugd);
        var_residual.push(v);
        n_jeugd.push(n);
    }
    Ok(National {
        difference: c
            .site
            .wijken
            .iter()
            .zip(&expected)
            .map(|(w, e)| w.observed.map(|o| o - e))
            .collect(),
        expected,
        var_residual,
        n_jeugd,
    })
}

/// The report of one gemeente (needs the wijk values).
pub fn gemeente_report(c: &Calculator, code: &str) -> Result<GemeenteReport, InputError> {
    let effect = gemeente_effect(c, code)?;
    c.filled(0)?;
    let classes = income_classes(c)?;
    let members: Vec<usize> = (0..c.len())
        .filter(|&i| &*c.site.wijken[i].gemeente_code == code)
        .collect();
    let wijken = members
        .iter()
        .map(|&i| wijk_row(c, i, &classes))
        .collect::<Result<Vec<_>, _>>()?;
    let all = national(c)?;
    let ses = (0..3u8)
        .map(|k| {
            // The gemeente's wijken as in its table; the country's as on the map.
            let mine: Vec<(Option<f64>, f64)> = wijken
                .iter()
                .filter(|w| w.income_class == Some(k))
                .map(|w| (w.difference, w.var_residual))
                .collect();
            let land: Vec<(Option<f64>, f64)> = (0..c.len())
                .filter(|&i| classes.class[i] == Some(k))
                .map(|i| (all.difference[i], all.var_residual[i]))
                .collect();
            SesClass {
                class: k,
                label: INCOME_CLASS_LABELS[k as usize],
                label_en: INCOME_CLASS_LABELS_EN[k as usize],
                gemeente: mean_difference(&mine),
                land: mean_difference(&land),
            }
        })
        .collect();
    let youth: Vec<Option<f64>> = wijken.iter().map(|w| w.n_jeugd).collect();
    Ok(GemeenteReport {
        code: effect.code.clone(),
        name: effect.name.clone(),
        regio_code: effect.regio_code.clone(),
        regio_name: effect.regio_name.clone(),
        n_wijken: wijken.len(),
        n_published: wijken.iter().filter(|w| w.observed.is_some()).count(),
        youth_total: if c.predictor.uses_youth() && youth.iter().all(Option::is_some) {
            Some(youth.iter().flatten().sum())
        } else {
            None
        },
        effect,
        wijken,
        income: classes.summary.clone(),
        ses,
    })
}

/// The funnel plot's dots (all wijken) and limits on a grid of `points`
/// youth counts, log-spaced over the wijken's range (needs the wijk values).
pub fn funnel(c: &Calculator, points: usize) -> Result<Funnel, InputError> {
    c.filled(0)?;
    let all = national(c)?;
    let n_jeugd: Vec<f64> = all.n_jeugd.iter().map(|n| n.unwrap_or(f64::NAN)).collect();
    // The youth-weighted mean expected use (unweighted without youth counts).
    let (mut sw, mut swx) = (0.0, 0.0);
    for (e, n) in all.expected.iter().zip(&n_jeugd) {
        let w = if n.is_finite() { *n } else { 1.0 };
        sw += w;
        swx += w * e;
    }
    let expected_ref = swx / sw;
    let finite: Vec<f64> = n_jeugd.iter().copied().filter(|n| n.is_finite()).collect();
    let (lo, hi) = finite
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &n| (a.min(n), b.max(n)));
    let points = points.clamp(2, 1000);
    let grid: Vec<f64> = if finite.is_empty() {
        vec![1.0, 1.0]
    } else {
        (0..points)
            .map(|k| (lo.ln() + (hi.ln() - lo.ln()) * k as f64 / (points - 1) as f64).exp())
            .collect()
    };
    let sd: Vec<f64> = grid
        .iter()
        .map(|&n| {
            c.predictor
                .residual_variance(expected_ref, Some(n))
                .0
                .sqrt()
        })
        .collect();
    Ok(Funnel {
        expected_ref,
        low95: sd.iter().map(|s| -Z95 * s).collect(),
        high95: sd.iter().map(|s| Z95 * s).collect(),
        low998: sd.iter().map(|s| -Z998 * s).collect(),
        high998: sd.iter().map(|s| Z998 * s).collect(),
        grid,
        n_jeugd,
        difference: all
            .difference
            .iter()
            .map(|d| d.unwrap_or(f64::NAN))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile7_matches_r() {
        // R: quantile(c(1, 2, 3, 4, 10), c(1/3, 2/3), type = 7) = 2.333333, 3.666667
        let s = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile7(&s, 1.0 / 3.0) - 2.333_333_333_333_333).abs() < 1e-12);
        assert!((quantile7(&s, 2.0 / 3.0) - 3.666_666_666_666_667).abs() < 1e-12);
    }

    #[test]
    fn mean_difference_leaves_out_unpublished_and_widens_with_variance() {
        let m = mean_difference(&[(Some(1.0), 4.0), (None, 9.0), (Some(3.0), 4.0)]);
        assert_eq!((m.n, m.n_unpublished), (2, 1));
        assert_eq!(m.mean, Some(2.0));
        // √(4 + 4) / 2 = √2
        let half = Z95 * 2f64.sqrt();
        assert!((m.high.unwrap() - (2.0 + half)).abs() < 1e-12);
        assert!((m.low.unwrap() - (2.0 - half)).abs() < 1e-12);
        let none = mean_difference(&[(None, 1.0)]);
        assert_eq!((none.n, none.mean, none.low), (0, None, None));
    }
}
