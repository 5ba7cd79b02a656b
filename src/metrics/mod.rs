//! Metrics: pure functions from frames to frames, no I/O, one file per family of docs/metrics.md.
//! `activity`, `conversations` and `network` read events; everything else reads the activity
//! table or the small frames those produce.
//!
//! What each file holds: one file per family of the metrics specification, frames in, frames out,
//! no I/O. Families that read events gather their own partial results from `Events` and return
//! named structs (`activity::gather` -> `Aggregates`, `conversations::gather_posts`,
//! `conversations::gather_spaces`). From events: `activity.rs` (the activity table),
//! `conversations.rs` (per post its reach and first reply; per period reply rate, reply times,
//! unanswered posts, and the posts and replies totals, to which usage reports' counts add; per
//! space its activity), `network.rs` (the ties table, with the replies among its interactions;
//! department × department interactions and cross-department share; leader reach), `campaigns.rs`
//! (a campaign's weekly series: one more partial result per part, events and contributions per
//! person and Monday-based week, `activity_per_week`; participation and contribution over the
//! headcount of the period holding the week's Thursday; reply rate from the per-post table).
//! `mod.rs` holds the distinct count over stacked partial results. From the activity table:
//! `participation.rs`, `inequality.rs`, `ladder.rs` (rung conditions in polars SQL, rung shares,
//! transitions, the published columns), `lifecycle.rs`, `breakdowns.rs` (people counts per roster
//! group, and which attributes to count by), `ambassadors.rs` (the window of periods and rungs,
//! candidates, and the profile survey's willing respondents beside them with a `source`). From the
//! activity table, the ties and the per-post table: `profile.rs` (the ladder applied to a staff
//! survey's answers, each respondent's latest answer beside the rung observed in its period, the
//! answers per roster group) and `leadership.rs` (leaders' and managers' presence per period).
//! `summary.rs` joins the families into period_metrics; `targets.rs` checks SMART goals against it.
//! From the term counts: `themes.rs` (per period the most distinctive terms against the other
//! periods and the rising ones against the three before, both Monroe, Colaresi and Quinn's log-odds
//! ratio with an informative Dirichlet prior; per space the most distinctive against the period's
//! other spaces; nothing used by fewer than `min_group_size` people)

pub mod activity;
pub(crate) mod ambassadors;
pub(crate) mod breakdowns;
pub(crate) mod campaigns;
pub(crate) mod conversations;
pub mod inequality;
pub mod ladder;
pub(crate) mod leadership;
pub mod lifecycle;
pub(crate) mod network;
pub(crate) mod participation;
pub mod profile;
pub(crate) mod summary;
pub(crate) mod targets;
pub(crate) mod themes;

use polars::prelude::*;

/// `num / den` as Float64, null where the denominator is zero or null: a rate over nobody is
/// unknown, not zero.
pub(crate) fn ratio(num: Expr, den: Expr) -> Expr {
    when(den.clone().gt(lit(0)))
        .then(num.cast(DataType::Float64) / den.cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// `keys…, alias`: the distinct count over rows already in memory (stacked partial results),
/// where polars' own distinct count is the fastest way. Nulls are not counted.
pub(crate) fn count_stacked(
    frame: LazyFrame,
    keys: &[&str],
    value: &str,
    alias: &str,
) -> LazyFrame {
    frame
        .filter(col(value).is_not_null())
        .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg([col(value).n_unique().cast(DataType::UInt32).alias(alias)])
}

/// A Float64 column of nulls, for a metric the sources cannot support.
pub(crate) fn unknown() -> Expr {
    lit(NULL).cast(DataType::Float64)
}

/// Small hand-written frames for the metric tests.
#[cfg(test)]
pub(crate) mod testing {
    use polars::prelude::*;

    use crate::normalize::PERIOD_KEY;
    use crate::vocabulary::{activity as a, event};

    /// Events `(actor, action, at, content_id, thread_id, target_actor, space, period_key)`,
    /// `at` in hours after 2025-01-01T00:00Z, all from source `s`.
    #[allow(clippy::type_complexity)]
    pub fn events(
        rows: &[(
            Option<&str>,
            &str,
            f64,
            Option<&str>,
            Option<&str>,
            Option<&str>,
            Option<&str>,
            i32,
        )],
    ) -> LazyFrame {
        let base = 1_735_689_600_000_000i64; // 2025-01-01T00:00:00Z in µs
        let n = rows.len();
        DataFrame::new(
            n,
            vec![
                Column::new(
                    event::EVENT_ID.into(),
                    (0..n).map(|i| format!("e{i:03}")).collect::<Vec<_>>(),
                ),
                Column::new(event::SOURCE.into(), vec!["s"; n]),
                Column::new(
                    event::OCCURRED_AT.into(),
                    rows.iter()
                        .map(|r| base + (r.2 * 3_600_000_000.0) as i64)
                        .collect::<Vec<_>>(),
                )
                .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                .unwrap(),
                Column::new(
                    event::ACTOR.into(),
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                ),
                Column::new(
                    event::ACTION.into(),
                    rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                ),
                Column::new(
                    event::CONTENT_ID.into(),
                    rows.iter().map(|r| r.3).collect::<Vec<_>>(),
                ),
                Column::new(
                    event::THREAD_ID.into(),
                    rows.iter().map(|r| r.4).collect::<Vec<_>>(),
                ),
                Column::new(
                    event::TARGET_ACTOR.into(),
                    rows.iter().map(|r| r.5).collect::<Vec<_>>(),
                ),
                Column::new(
                    event::SPACE.into(),
                    rows.iter().map(|r| r.6).collect::<Vec<_>>(),
                ),
                Column::new(
                    PERIOD_KEY.into(),
                    rows.iter().map(|r| r.7).collect::<Vec<_>>(),
                ),
            ],
        )
        .unwrap()
        .lazy()
    }

    /// `(person, period_key, [(count column, value)], rung)`.
    pub type Row<'a> = (&'a str, i32, &'a [(&'a str, u32)], &'a str);

    /// An activity table; flags follow from the counts as in docs/metrics.md (active from any count).
    pub fn activity(rows: &[Row]) -> LazyFrame {
        let n = rows.len();
        let get = |r: &Row, c: &str| r.2.iter().find(|(k, _)| *k == c).map_or(0, |(_, v)| *v);
        let mut cols = vec![
            Column::new(
                a::PERSON.into(),
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            ),
            Column::new(
                PERIOD_KEY.into(),
                rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            ),
        ];
        for c in a::COUNTS {
            let values: Vec<u32> = rows
                .iter()
                .map(|r| match c {
                    a::CONTRIBUTIONS => get(r, a::POSTS) + get(r, a::REPLIES),
                    a::INTERACTIONS => get(r, a::REACTIONS) + get(r, a::SHARES),
                    _ => get(r, c),
                })
                .collect();
            cols.push(Column::new(c.into(), values));
        }
        let engaged: Vec<bool> = rows
            .iter()
            .map(|r| {
                [a::POSTS, a::REPLIES, a::REACTIONS, a::SHARES, a::CURATIONS]
                    .iter()
                    .any(|c| get(r, c) > 0)
            })
            .collect();
        let active: Vec<bool> = rows
            .iter()
            .map(|r| r.2.iter().any(|(_, v)| *v > 0))
            .collect();
        cols.push(Column::new(a::ACTIVE.into(), active.clone()));
        cols.push(Column::new(a::ENGAGED.into(), engaged.clone()));
        cols.push(Column::new(
            a::CONTRIBUTOR.into(),
            rows.iter()
                .map(|r| get(r, a::POSTS) + get(r, a::REPLIES) > 0)
                .collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            a::CREATOR.into(),
            rows.iter()
                .map(|r| get(r, a::POSTS) > 0)
                .collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            a::LURKER.into(),
            active
                .iter()
                .zip(&engaged)
                .map(|(a, e)| *a && !e)
                .collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            a::RUNG.into(),
            rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        ));
        DataFrame::new(n, cols).unwrap().lazy()
    }

    /// The value of `column` in the row whose `key_col` is `key`.
    pub fn value(df: &DataFrame, key_col: &str, key: i32, column: &str) -> AnyValue<'static> {
        let keys = df.column(key_col).unwrap().i32().unwrap();
        let row = keys
            .iter()
            .position(|k| k == Some(key))
            .unwrap_or_else(|| panic!("no row {key_col} = {key}"));
        df.column(column).unwrap().get(row).unwrap().into_static()
    }

    pub fn f(df: &DataFrame, key: i32, column: &str) -> Option<f64> {
        match value(df, PERIOD_KEY, key, column) {
            AnyValue::Null => None,
            v => Some(v.extract::<f64>().unwrap()),
        }
    }
}
