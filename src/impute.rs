//! Imputation of missing determinant values. Two specifications:
//!
//! - today's (`fit --impute gemeente`, the lme4 reference v1): the mean of that
//!   determinant over all wijken of the same gemeente that have a value
//!   (observed use or not); if the gemeente has none, the national mean over
//!   all wijken that have a value;
//! - SCP's (`fit --impute scp`, the default, docs/fidelity.md §5): the rule of
//!   each determinant in [`crate::determinants::Determinant::scp_missing`]:
//!   0 for seven of them, else the same means weighted by the youth count N.

use crate::data::{in_code_order, Dataset, Wijk};
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
    #[serde(default, skip_serializing_if = "crate::wire::skip_empty")]
    pub rules: Vec<Missing>,
    /// Whether the means are weighted by the youth count N (SCP's specification).
    #[serde(default, skip_serializing_if = "crate::wire::skip_false")]
    pub weighted: bool,
}

/// Weighted sum and sum of weights, for means that skip missing values:
/// Σ w·x / Σ w. Today's specification weighs every wijk 1, and then this is
/// the plain mean to the bit: 1·x is x, and the sum of n ones is n exactly.
#[derive(Clone, Copy, Default)]
struct Acc {
    sum: f64,
    weight: f64,
    n: usize,
}

impl Acc {
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

    /// The means of either specification over any list of wijken, with each
    /// determinant's observed range, in one pass over the rows. `columns` index
    /// the wijken's `values`; the error is the column that has no value at all.
    /// With SCP's, a wijk without a youth count weighs 0 (callers check first).
    pub fn with_rules(
        wijken: &[Wijk],
        columns: &[usize],
        rules: Rules,
    ) -> Result<(Imputation, Vec<Observed>), usize> {
        // Each wijk's weight: 1 in today's specification, the youth count in SCP's.
        let (weight, rule_list): (fn(&Wijk) -> f64, &[Missing]) = match rules {
            Rules::Mean => (|_| 1.0, &[]),
            Rules::Scp(r) => (|w| w.n_jeugd.unwrap_or(0.0), r),
        };
        let mut national = vec![Acc::default(); columns.len()];
        let mut observed = vec![Observed::default(); columns.len()];
        // Accumulators per gemeente, in order of first appearance.
        let mut gemeenten: Vec<(&str, Vec<Acc>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        // Sum in wijkcode order, so the means (and hence the fit) do not depend
        // on the order of the rows in the file.
        for w in in_code_order(wijken.iter()) {
            let g = &*w.gemeente_code;
            // Rows in wijkcode order come grouped by gemeente: look up only on a change.
            let at = match gemeenten.last() {
                Some((last, _)) if *last == g => gemeenten.len() - 1,
                _ => *index.entry(g).or_insert_with(|| {
                    gemeenten.push((g, vec![Acc::default(); columns.len()]));
                    gemeenten.len() - 1
                }),
            };
            let n = weight(w);
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
            .map(|(g, accs)| (g.to_string(), accs.into_iter().map(Acc::mean).collect()))
            .collect();
        Ok((
            Imputation {
                national,
                gemeente,
                rules: rule_list.to_vec(),
                weighted: matches!(rules, Rules::Scp(_)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Shared;

    fn wijk(code: &str, gemeente: &str, n: f64, v: Option<f64>) -> Wijk {
        let g: Shared = gemeente.into();
        Wijk {
            code: code.into(),
            name: code.into(),
            gemeente_code: g.clone(),
            gemeente_name: g.clone(),
            regio_code: "JZ01".into(),
            regio_name: "r".into(),
            observed: None,
            scp_expected: None,
            n_jeugd: Some(n),
            values: vec![v],
        }
    }

    /// The one pass with weight 1 is the plain mean, bit for bit: values whose
    /// sum rounds (0.1 + 0.2 …) give exactly Σx / n, as the old unweighted pass did.
    #[test]
    fn unit_weights_are_the_plain_mean_to_the_bit() {
        let xs = [0.1, 0.2, 0.7, 1e-9, 3.3, 12.345678901];
        let wijken: Vec<Wijk> = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                wijk(
                    &format!("WK0001{i:02}"),
                    "GM0001",
                    100.0 + i as f64,
                    Some(x),
                )
            })
            .chain([wijk("WK000200", "GM0002", 5.0, None)])
            .collect();
        let (plain, observed) = Imputation::with_rules(&wijken, &[0], Rules::Mean).unwrap();
        let mut sum = 0.0;
        for x in xs {
            sum += x;
        }
        let mean = sum / xs.len() as f64;
        assert_eq!(plain.national[0].to_bits(), mean.to_bits());
        assert_eq!(
            plain.gemeente["GM0001"][0].map(f64::to_bits),
            Some(mean.to_bits())
        );
        assert_eq!(plain.gemeente["GM0002"][0], None);
        assert!(plain.rules.is_empty() && !plain.weighted);
        assert_eq!(
            (observed[0].min, observed[0].max, observed[0].n),
            (1e-9, 12.345678901, 6)
        );

        // Weighted by N: a different number, and the rules kept.
        let rules = [Missing::Mean];
        let (scp, _) = Imputation::with_rules(&wijken, &[0], Rules::Scp(&rules)).unwrap();
        let (mut s, mut w) = (0.0, 0.0);
        for (i, x) in xs.iter().enumerate() {
            s += (100.0 + i as f64) * x;
            w += 100.0 + i as f64;
        }
        assert_eq!(scp.national[0].to_bits(), (s / w).to_bits());
        assert_ne!(scp.national[0], plain.national[0]);
        assert!(scp.weighted && scp.rules == rules);
    }

    #[test]
    fn a_column_without_any_value_is_named() {
        let wijken = vec![wijk("WK000100", "GM0001", 10.0, None)];
        assert_eq!(
            Imputation::with_rules(&wijken, &[0], Rules::Mean).unwrap_err(),
            0
        );
    }
}
