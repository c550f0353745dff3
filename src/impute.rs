//! Imputation of missing determinant values. Two specifications:
//!
//! - today's (`fit --impute gemeente`, the lme4 reference v1): the mean of that
//!   determinant over all wijken of the same gemeente that have a value
//!   (observed use or not); if the gemeente has none, the national mean over
//!   all wijken that have a value;
//! - SCP's (`fit --impute scp`, the default, docs/fidelity.md §5): the rule of
//!   each determinant in [`crate::determinants::Determinant::scp_missing`]:
//!   0 for seven of them, else the same means weighted by the youth count N.

use crate::data::{Dataset, Wijk};
use crate::determinants::Missing;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imputation {
    /// National mean per determinant (model order).
    pub national: Vec<f64>,
    /// Gemeente mean per determinant; `None` where no wijk of the gemeente has a value.
    pub gemeente: BTreeMap<String, Vec<Option<f64>>>,
    /// The rule per determinant (model order). Empty: the mean for every
    /// determinant (today's specification; such files have no `rules`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Missing>,
    /// Whether the means are weighted by the youth count N (SCP's specification).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub weighted: bool,
}

/// Sum and count, for means that skip missing values.
#[derive(Clone, Copy, Default)]
struct Acc {
    sum: f64,
    n: usize,
}

impl Acc {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.n += 1;
    }
    fn mean(self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// Weighted sum and sum of weights: Σ N·x / Σ N.
#[derive(Clone, Copy, Default)]
struct WeightedAcc {
    sum: f64,
    weight: f64,
    n: usize,
}

impl WeightedAcc {
    fn add(&mut self, v: f64, w: f64) {
        self.sum += w * v;
        self.weight += w;
        self.n += 1;
    }
    fn mean(self) -> Option<f64> {
        (self.n > 0 && self.weight > 0.0).then(|| self.sum / self.weight)
    }
}

/// Which of the two specifications' means to compute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rules<'a> {
    /// Unweighted means for every determinant (today's specification).
    Mean,
    /// SCP's: a rule per determinant (in the order of `columns`), means
    /// weighted by each wijk's youth count.
    Scp(&'a [Missing]),
}

/// What was observed of one determinant over all wijken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

impl Default for Observed {
    fn default() -> Self {
        Observed {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            n: 0,
        }
    }
}

impl Imputation {
    /// Means over the whole dataset for the determinants at `columns`
    /// (indices into [`crate::determinants::DETERMINANTS`]).
    /// With each determinant's observed range, from the same pass.
    pub fn from_dataset(
        ds: &Dataset,
        columns: &[usize],
    ) -> Result<(Imputation, Vec<Observed>), String> {
        Self::from_dataset_with(ds, columns, Rules::Mean)
    }

    /// As [`Imputation::from_dataset`], for either specification. SCP's needs
    /// every wijk's youth count.
    pub fn from_dataset_with(
        ds: &Dataset,
        columns: &[usize],
        rules: Rules,
    ) -> Result<(Imputation, Vec<Observed>), String> {
        if let (Rules::Scp(_), Some(w)) = (rules, ds.wijken.iter().find(|w| w.n_jeugd.is_none())) {
            return Err(format!(
                "wijk {} heeft geen aantal jeugdigen; SCP's specificatie weegt de gemiddelden daarmee (lees {})",
                w.code,
                crate::data::YOUTH_FILE
            ));
        }
        Self::with_rules(&ds.wijken, columns, rules).map_err(|j| {
            format!(
                "determinant {} heeft in geen enkele wijk een waarde",
                crate::determinants::DETERMINANTS[j].name
            )
        })
    }

    /// As [`Imputation::from_dataset`], for any list of wijken; `columns` index
    /// their `values`. The error is the column that has no value at all.
    pub fn from_wijken(wijken: &[Wijk], columns: &[usize]) -> Result<Imputation, usize> {
        Self::with_observed(wijken, columns).map(|(imputation, _)| imputation)
    }

    /// As [`Imputation::from_wijken`], with each determinant's observed range
    /// from the same pass over the rows.
    pub fn with_observed(
        wijken: &[Wijk],
        columns: &[usize],
    ) -> Result<(Imputation, Vec<Observed>), usize> {
        Self::with_rules(wijken, columns, Rules::Mean)
    }

    /// As [`Imputation::with_observed`], for either specification. With
    /// SCP's, a wijk without a youth count weighs 0 (callers check first).
    pub fn with_rules(
        wijken: &[Wijk],
        columns: &[usize],
        rules: Rules,
    ) -> Result<(Imputation, Vec<Observed>), usize> {
        if let Rules::Scp(r) = rules {
            return Self::weighted(wijken, columns, r);
        }
        let mut national = vec![Acc::default(); columns.len()];
        let mut observed = vec![Observed::default(); columns.len()];
        // Accumulators per gemeente, in order of first appearance.
        let mut gemeenten: Vec<(&str, Vec<Acc>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        // Sum in wijkcode order, so the means (and hence the fit) do not depend
        // on the order of the rows in the file.
        for w in crate::model::in_code_order(wijken.iter()) {
            let g = &*w.gemeente_code;
            // Rows in wijkcode order come grouped by gemeente: look up only on a change.
            let at = match gemeenten.last() {
                Some((last, _)) if *last == g => gemeenten.len() - 1,
                _ => *index.entry(g).or_insert_with(|| {
                    gemeenten.push((g, vec![Acc::default(); columns.len()]));
                    gemeenten.len() - 1
                }),
            };
            let accs = &mut gemeenten[at].1;
            for (k, &j) in columns.iter().enumerate() {
                if let Some(v) = w.values[j] {
                    national[k].add(v);
                    accs[k].add(v);
                    let o = &mut observed[k];
                    (o.min, o.max, o.n) = (o.min.min(v), o.max.max(v), o.n + 1);
                }
            }
        }
        let national = national
            .iter()
            .zip(columns)
            .map(|(a, &j)| a.mean().ok_or(j))
            .collect::<Result<Vec<f64>, usize>>()?;
        let gemeente = gemeenten
            .into_iter()
            .map(|(g, accs)| (g.to_string(), accs.into_iter().map(Acc::mean).collect()))
            .collect();
        Ok((
            Imputation {
                national,
                gemeente,
                rules: Vec::new(),
                weighted: false,
            },
            observed,
        ))
    }

    /// SCP's specification: youth-weighted means, a rule per determinant.
    /// (Kept apart from the unweighted pass so that today's specification
    /// stays the same arithmetic, bit for bit.)
    fn weighted(
        wijken: &[Wijk],
        columns: &[usize],
        rules: &[Missing],
    ) -> Result<(Imputation, Vec<Observed>), usize> {
        let mut national = vec![WeightedAcc::default(); columns.len()];
        let mut observed = vec![Observed::default(); columns.len()];
        let mut gemeenten: Vec<(&str, Vec<WeightedAcc>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for w in crate::model::in_code_order(wijken.iter()) {
            let g = &*w.gemeente_code;
            let at = match gemeenten.last() {
                Some((last, _)) if *last == g => gemeenten.len() - 1,
                _ => *index.entry(g).or_insert_with(|| {
                    gemeenten.push((g, vec![WeightedAcc::default(); columns.len()]));
                    gemeenten.len() - 1
                }),
            };
            let n = w.n_jeugd.unwrap_or(0.0);
            let accs = &mut gemeenten[at].1;
            for (k, &j) in columns.iter().enumerate() {
                if let Some(v) = w.values[j] {
                    national[k].add(v, n);
                    accs[k].add(v, n);
                    let o = &mut observed[k];
                    (o.min, o.max, o.n) = (o.min.min(v), o.max.max(v), o.n + 1);
                }
            }
        }
        let national = national
            .iter()
            .zip(columns)
            .map(|(a, &j)| a.mean().ok_or(j))
            .collect::<Result<Vec<f64>, usize>>()?;
        let gemeente = gemeenten
            .into_iter()
            .map(|(g, accs)| {
                let means = accs.into_iter().map(WeightedAcc::mean).collect();
                (g.to_string(), means)
            })
            .collect();
        Ok((
            Imputation {
                national,
                gemeente,
                rules: rules.to_vec(),
                weighted: true,
            },
            observed,
        ))
    }

    /// The rule of determinant `k` (model order).
    pub fn rule(&self, k: usize) -> Missing {
        self.rules.get(k).copied().unwrap_or(Missing::Mean)
    }

    /// Fill the gaps of one profile. `values` follows the model order; an unknown
    /// or absent gemeente falls back to the national mean.
    pub fn fill(&self, gemeente: Option<&str>, values: &[Option<f64>]) -> Vec<f64> {
        let local = gemeente.and_then(|g| self.gemeente.get(g));
        values
            .iter()
            .enumerate()
            .map(|(k, v)| match (v, self.rule(k)) {
                (Some(v), _) => *v,
                (None, Missing::Zero) => 0.0,
                (None, Missing::Mean) => local.and_then(|m| m[k]).unwrap_or(self.national[k]),
            })
            .collect()
    }

    /// Where each value of a filled profile came from.
    pub fn source(&self, gemeente: Option<&str>, values: &[Option<f64>]) -> Vec<ValueSource> {
        let local = gemeente.and_then(|g| self.gemeente.get(g));
        values
            .iter()
            .enumerate()
            .map(|(k, v)| match (v, self.rule(k), local.and_then(|m| m[k])) {
                (Some(_), _, _) => ValueSource::Given,
                (None, Missing::Zero, _) => ValueSource::Zero,
                (None, Missing::Mean, Some(_)) => ValueSource::GemeenteMean,
                (None, Missing::Mean, None) => ValueSource::NationalMean,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueSource {
    Given,
    /// Set to 0 (SCP's rule for this determinant).
    Zero,
    GemeenteMean,
    NationalMean,
}
