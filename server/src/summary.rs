//! The class's table: per variant and run, how many students trained it and what they saw.
//!
//! Each student's points carry `seconds` (training time on its laptop when the point was logged)
//! and `classes` (digit classes the mode meter last found in its samples, the shipped classifier),
//! besides the run's metrics.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::store::{StoredPoint, Student};
use crate::sweeps::Sweep;

/// Classes that count as "all the digits" for the time-to-quality column.
pub const CLASSES_GOAL: f64 = 8.0;
/// A run with at most this many classes after [`COLLAPSE_AFTER_S`] counts as collapsed.
pub const COLLAPSED_CLASSES: f64 = 3.0;
pub const COLLAPSE_AFTER_S: f64 = 180.0;

/// One row of the table.
#[derive(Debug, Serialize, PartialEq)]
pub struct Row {
    pub variant: String,
    pub label: String,
    pub run: String,
    /// Students with at least one point of this run.
    pub students: usize,
    /// Median training seconds until the mode meter first found ≥ 8 classes, over the students
    /// that got there; and how many did.
    pub median_seconds_to_8_classes: Option<f64>,
    pub reached_8_classes: usize,
    /// Of the students whose run trained 3 minutes or more: the share with ≤ 3 classes then.
    pub collapsed_share: Option<f64>,
    pub trained_3_minutes: usize,
    /// Median over students of the last feature distance each measured.
    pub final_feature_distance: Option<f64>,
    /// Median over students of ρ(estimate, feature distance) at their last point: ρ(W_hat, FD)
    /// for the WGAN, ρ(JS_hat, FD) for the GAN.
    pub rho_estimate_feature_distance: Option<f64>,
}

pub fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn num(m: &Map<String, Value>, key: &str) -> Option<f64> {
    m.get(key).and_then(Value::as_f64)
}

/// One student's run: its points' metrics in step order.
type Series = Vec<(u64, Map<String, Value>)>;

/// The table of `sweep` over its students and their points.
pub fn table(sweep: &Sweep, students: &[Student], points: &[StoredPoint]) -> Vec<Row> {
    let variant_of: BTreeMap<&str, &str> = students
        .iter()
        .map(|s| (s.student_id.as_str(), s.variant.as_str()))
        .collect();
    let mut series: BTreeMap<(&str, &str), Series> = BTreeMap::new();
    for p in points {
        if let Ok(Value::Object(m)) = serde_json::from_str(&p.data) {
            series
                .entry((p.student_id.as_str(), p.run.as_str()))
                .or_default()
                .push((p.step, m));
        }
    }
    for s in series.values_mut() {
        s.sort_by_key(|(step, _)| *step);
    }
    let mut rows = Vec::new();
    for v in &sweep.variants {
        for &run in &v.runs {
            let mine: Vec<&Series> = series
                .iter()
                .filter(|((student, r), _)| {
                    *r == run && variant_of.get(student) == Some(&v.name.as_str())
                })
                .map(|(_, s)| s)
                .collect();
            let to_goal: Vec<f64> = mine
                .iter()
                .filter_map(|s| {
                    s.iter()
                        .find(|(_, m)| num(m, "classes").is_some_and(|c| c >= CLASSES_GOAL))
                        .and_then(|(_, m)| num(m, "seconds"))
                })
                .collect();
            let at_3_min: Vec<bool> = mine
                .iter()
                .filter_map(|s| {
                    s.iter()
                        .find(|(_, m)| num(m, "seconds").is_some_and(|t| t >= COLLAPSE_AFTER_S))
                        .and_then(|(_, m)| num(m, "classes"))
                        .map(|c| c <= COLLAPSED_CLASSES)
                })
                .collect();
            let last = |key: &str| -> Vec<f64> {
                mine.iter()
                    .filter_map(|s| s.iter().rev().find_map(|(_, m)| num(m, key)))
                    .collect()
            };
            rows.push(Row {
                variant: v.name.clone(),
                label: v.label.clone(),
                run: run.to_string(),
                students: mine.len(),
                reached_8_classes: to_goal.len(),
                median_seconds_to_8_classes: median(to_goal),
                trained_3_minutes: at_3_min.len(),
                collapsed_share: (!at_3_min.is_empty()).then(|| {
                    at_3_min.iter().filter(|&&c| c).count() as f64 / at_3_min.len() as f64
                }),
                final_feature_distance: median(last("feature_distance")),
                rho_estimate_feature_distance: median(last("rho_feature")),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweeps;

    fn point(id: i64, student: &str, run: &str, step: u64, data: &str) -> StoredPoint {
        StoredPoint {
            id,
            student_id: student.into(),
            run: run.into(),
            step,
            data: data.into(),
        }
    }

    fn student(id: &str, variant: &str, runs: &[&str]) -> Student {
        Student {
            student_id: id.into(),
            token: String::new(),
            variant: variant.into(),
            runs: runs.iter().map(|r| r.to_string()).collect(),
            joined: 0,
        }
    }

    #[test]
    fn the_table_counts_per_variant_and_run() {
        let sweep = sweeps::find("gan_loss").unwrap();
        let students = [
            student("s1", "saturating", &["gan"]),
            student("s2", "nonsaturating", &["gan"]),
            student("s3", "nonsaturating", &["gan"]),
        ];
        let points = [
            point(1, "s1", "gan", 0, r#"{"seconds":0,"classes":2}"#),
            point(
                2,
                "s1",
                "gan",
                500,
                r#"{"seconds":200,"classes":2,"feature_distance":300,"rho_feature":0.1}"#,
            ),
            point(3, "s2", "gan", 0, r#"{"seconds":0,"classes":3}"#),
            point(
                4,
                "s2",
                "gan",
                400,
                r#"{"seconds":40,"classes":8,"feature_distance":120}"#,
            ),
            point(
                5,
                "s2",
                "gan",
                900,
                r#"{"seconds":190,"classes":9,"feature_distance":100,"rho_feature":0.5}"#,
            ),
            point(
                6,
                "s3",
                "gan",
                600,
                r#"{"seconds":60,"classes":8,"feature_distance":140,"rho_feature":0.7}"#,
            ),
        ];
        let rows = table(&sweep, &students, &points);
        assert_eq!(rows.len(), 2);
        let sat = &rows[0];
        assert_eq!((sat.variant.as_str(), sat.students), ("saturating", 1));
        assert_eq!(sat.median_seconds_to_8_classes, None);
        assert_eq!((sat.collapsed_share, sat.trained_3_minutes), (Some(1.0), 1));
        assert_eq!(sat.final_feature_distance, Some(300.0));
        let ns = &rows[1];
        assert_eq!((ns.students, ns.reached_8_classes), (2, 2));
        assert_eq!(ns.median_seconds_to_8_classes, Some(50.0));
        assert_eq!((ns.collapsed_share, ns.trained_3_minutes), (Some(0.0), 1));
        assert_eq!(ns.final_feature_distance, Some(120.0));
        assert_eq!(ns.rho_estimate_feature_distance, Some(0.6));
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }
}
