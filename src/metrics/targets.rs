//! Targets (docs/metrics.md): SMART goals from the pipeline file, each checked against a straight
//! line from its baseline value to its target: is the current value where the line says it
//! should be by now? Reads period_metrics and the rung shares, both one row per period.

use std::path::Path;

use polars::prelude::*;

use crate::columns::{f64s, i32s, strs};
use crate::error::{internal, Error, Result};
use crate::normalize::periods::key_of_text;
use crate::normalize::PERIOD_KEY;
use crate::plan::Target;
use crate::vocabulary::activity as a;
use crate::vocabulary::PeriodKind;

/// A target whose baseline and deadline are period keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub target: Target,
    pub baseline_key: i32,
    pub by_key: i32,
}

/// Turns each target's `baseline` and `by` into periods, before any data is read, so a typo
/// fails at once with its line.
pub fn resolve(targets: &[Target], kind: PeriodKind, pipeline: &Path) -> Result<Vec<Resolved>> {
    targets
        .iter()
        .map(|t| {
            let key = |field: &str, text: &str, line: usize| {
                key_of_text(kind, text).ok_or_else(|| Error::Pipeline {
                    path: pipeline.to_path_buf(),
                    line: Some(line),
                    message: format!("{}.{field}: {text:?} is neither a period nor a date in 1900-2199", t.key),
                    help: "write a period label as in the tables (2025-03, 2025-Q1, 2025-W09) or a date (2025-03-31)".into(),
                })
            };
            let baseline_key = key("baseline", &t.baseline, t.baseline_line)?;
            let by_key = key("by", &t.by, t.by_line)?;
            if by_key <= baseline_key {
                return Err(Error::Pipeline {
                    path: pipeline.to_path_buf(),
                    line: Some(t.line),
                    message: format!(
                        "{}: `by` ({}) is not after `baseline` ({})",
                        t.key, t.by, t.baseline
                    ),
                    help: "set `by` to the period the target should be met in, after the baseline"
                        .into(),
                });
            }
            Ok(Resolved {
                target: t.clone(),
                baseline_key,
                by_key,
            })
        })
        .collect()
}

/// The value a straight line from `(base_key, baseline)` to `(by_key, target)` gives at
/// `key`; after `by_key` the target itself.
pub fn expected(baseline: f64, target: f64, base_key: i32, by_key: i32, key: i32) -> f64 {
    let done = ((key - base_key) as f64 / (by_key - base_key) as f64).clamp(0.0, 1.0);
    baseline + (target - baseline) * done
}

/// On track when the current value is on the target's side of the line (at or above it for a
/// target above the baseline, at or below it for one below).
pub fn on_track(baseline: f64, target: f64, expected: f64, current: f64) -> bool {
    if target >= baseline {
        current >= expected
    } else {
        current <= expected
    }
}

/// `name, metric, baseline_period, baseline, current_period, current, target, by, expected,
/// on_track`, one row per target. `metrics` is period_metrics (with `period_key`), `rungs` the
/// rung table (`period_key, rung, share`); the current period is the last of `metrics`.
/// Values missing in the data (a baseline before the first period, a null metric) leave
/// `baseline`, `current`, `expected` or `on_track` empty.
pub fn table(targets: &[Resolved], metrics: &DataFrame, rungs: &DataFrame) -> Result<DataFrame> {
    let keys: Vec<i32> = i32s(metrics, PERIOD_KEY)?.into_iter().flatten().collect();
    let labels = strs(metrics, a::PERIOD)?;
    let current_key = keys.last().copied();
    let value_at = |metric: &str, key: i32| -> Result<Option<f64>> {
        let (frame, filter) = match metric.strip_prefix("rung_share:") {
            Some(rung) => (
                rungs,
                col(PERIOD_KEY).eq(lit(key)).and(col(a::RUNG).eq(lit(rung))),
            ),
            None => (metrics, col(PERIOD_KEY).eq(lit(key))),
        };
        let column = if metric.starts_with("rung_share:") {
            "share"
        } else {
            metric
        };
        let found = frame
            .clone()
            .lazy()
            .filter(filter)
            .select([col(column).cast(DataType::Float64)])
            .collect()
            .map_err(internal("checking targets"))?;
        // A period outside the data has no row.
        Ok(f64s(&found, column)?.first().copied().flatten())
    };
    let label_of = |key: i32| {
        keys.iter()
            .position(|k| *k == key)
            .map(|i| labels[i].clone())
    };
    let mut names = Vec::new();
    let mut measured = Vec::new();
    let mut baseline_periods = Vec::new();
    let mut baselines = Vec::new();
    let mut current_periods = Vec::new();
    let mut currents = Vec::new();
    let mut goals = Vec::new();
    let mut bys = Vec::new();
    let mut expecteds = Vec::new();
    let mut tracks = Vec::new();
    for t in targets {
        let baseline = value_at(&t.target.metric, t.baseline_key)?;
        let current = match current_key {
            Some(k) => value_at(&t.target.metric, k)?,
            None => None,
        };
        let line = match (baseline, current_key) {
            (Some(b), Some(k)) => Some(expected(b, t.target.target, t.baseline_key, t.by_key, k)),
            _ => None,
        };
        names.push(t.target.name.clone());
        measured.push(t.target.metric.clone());
        baseline_periods.push(label_of(t.baseline_key).unwrap_or(t.target.baseline.clone()));
        baselines.push(baseline);
        current_periods.push(current_key.and_then(label_of));
        currents.push(current);
        goals.push(t.target.target);
        bys.push(t.target.by.clone());
        expecteds.push(line);
        tracks.push(match (baseline, line, current) {
            (Some(b), Some(e), Some(c)) => Some(on_track(b, t.target.target, e, c)),
            _ => None,
        });
    }
    DataFrame::new_infer_height(vec![
        Column::new("name".into(), names),
        Column::new("metric".into(), measured),
        Column::new("baseline_period".into(), baseline_periods),
        Column::new("baseline".into(), baselines),
        Column::new("current_period".into(), current_periods),
        Column::new("current".into(), currents),
        Column::new("target".into(), goals),
        Column::new("by".into(), bys),
        Column::new("expected".into(), expecteds),
        Column::new("on_track".into(), tracks),
    ])
    .map_err(internal("checking targets"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(metric: &str, goal: f64, baseline: &str, by: &str) -> Target {
        Target {
            name: format!("{metric} goal"),
            metric: metric.into(),
            target: goal,
            by: by.into(),
            baseline: baseline.into(),
            key: "target[1]".into(),
            line: 10,
            baseline_line: 12,
            by_line: 13,
        }
    }

    // Baseline 0.40 in month 0, target 0.70 by month 6: the line climbs 0.05 a month, so in
    // month 4 it expects 0.60. 0.62 is on track, 0.58 is not. A falling target (unanswered
    // posts from 20 to 8 by month 6) expects 12 in month 4: 11 is on track. After the
    // deadline the target itself is expected.
    #[test]
    fn straight_line_by_hand() {
        assert!((expected(0.40, 0.70, 0, 6, 4) - 0.60).abs() < 1e-12);
        assert!(on_track(0.40, 0.70, 0.60, 0.62));
        assert!(!on_track(0.40, 0.70, 0.60, 0.58));
        assert!((expected(20.0, 8.0, 0, 6, 4) - 12.0).abs() < 1e-12);
        assert!(on_track(20.0, 8.0, 12.0, 11.0));
        assert!(!on_track(20.0, 8.0, 12.0, 13.0));
        assert_eq!(expected(20.0, 8.0, 0, 6, 9), 8.0);
    }

    // Months 2025-01..2025-03 (keys 24300..24302). participation_rate 0.5, 0.55, 0.62;
    // Creators' share 0.10, 0.10, 0.11.
    //   participation 0.5 -> 0.8 by 2025-07 (6 months): in 2025-03 the line expects
    //   0.5 + 0.3·2/6 = 0.6; 0.62 >= 0.6 -> on track.
    //   Creators 0.10 -> 0.16 by 2025-04: expects 0.10 + 0.06·2/3 = 0.14; 0.11 -> not.
    //   A baseline before the data (2024-12) leaves baseline, expected and on_track empty.
    #[test]
    fn table_by_hand() {
        let k = 2025 * 12;
        let metrics = df!(
            PERIOD_KEY => [k, k + 1, k + 2],
            a::PERIOD => ["2025-01", "2025-02", "2025-03"],
            "participation_rate" => [0.5, 0.55, 0.62],
        )
        .unwrap();
        let rungs = df!(
            PERIOD_KEY => [k, k, k + 1, k + 1, k + 2, k + 2],
            a::RUNG => ["Creators", "Rest", "Creators", "Rest", "Creators", "Rest"],
            "share" => [0.10, 0.90, 0.10, 0.90, 0.11, 0.89],
        )
        .unwrap();
        let targets = resolve(
            &[
                target("participation_rate", 0.8, "2025-01", "2025-07"),
                target("rung_share:Creators", 0.16, "2025-01-15", "2025-04"),
                target("participation_rate", 0.8, "2024-12", "2025-07"),
            ],
            PeriodKind::Month,
            Path::new("p.toml"),
        )
        .unwrap();
        let out = table(&targets, &metrics, &rungs).unwrap();
        let col_f = |c: &str| -> Vec<Option<f64>> {
            out.column(c).unwrap().f64().unwrap().iter().collect()
        };
        let expected = col_f("expected");
        assert!((expected[0].unwrap() - 0.6).abs() < 1e-12);
        assert!((expected[1].unwrap() - 0.14).abs() < 1e-12);
        assert_eq!(expected[2], None);
        assert_eq!(col_f("current"), vec![Some(0.62), Some(0.11), Some(0.62)]);
        assert_eq!(col_f("baseline"), vec![Some(0.5), Some(0.10), None]);
        let track: Vec<Option<bool>> = out
            .column("on_track")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(track, vec![Some(true), Some(false), None]);
    }

    #[test]
    fn unreadable_periods_name_the_target_and_line() {
        let err = resolve(
            &[target("gini", 0.5, "January", "2025-07")],
            PeriodKind::Month,
            Path::new("p.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("p.toml:12"), "{err}");
        assert!(err.contains("target[1].baseline"), "{err}");
        let err = resolve(
            &[target("gini", 0.5, "2025-07", "2025-07")],
            PeriodKind::Month,
            Path::new("p.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("not after"), "{err}");
    }
}
