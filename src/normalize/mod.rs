//! Normalize: from the stored events to the events a run computes from, as lazy queries per
//! part of the store. Applies the `--as-of` cut-off, places events in local days and periods,
//! resolves accounts to people, and decides who is in the population each period. (Duplicate
//! events are dropped as they are merged into the store, a UTC month at a time.)
//!
//! What each file holds: the health checks of a night's delivery (`health.rs`: each source's
//! delivery tallied per local day and action as it is read, set against the store's history and the
//! last passing run's figures: freshness, volume, shrink, action shares, new accounts, rejects,
//! roster groups; small maps in, findings out, no I/O); screening each source (`screen.rs`:
//! excluded accounts, rejects for implausible dates; applied to each batch as it is read), usage
//! counts deduplicated with per-input row accounting (`dedup.rs`), the `--as-of` cut-off, accounts
//! to people in events, usage counts and user lists (`identity.rs`), usage counts (`usage.rs`),
//! local days, integer period keys and period labels (`periods.rs`), the events as lazy queries per
//! part of the store, each part knowing the periods it holds alone and what it is made of, its
//! partial results read from and kept in the store's cache (`Events` in `mod.rs`), who is in
//! headcount from the roster, the user lists or what was seen (`population.rs`)

pub(crate) mod dedup;
pub(crate) mod health;
pub(crate) mod identity;
pub(crate) mod periods;
pub(crate) mod population;
pub(crate) mod screen;
pub(crate) mod usage;

use std::collections::BTreeMap;
use std::sync::Arc;

use polars::prelude::*;

use crate::error::internal;
use crate::error::Result;
use crate::store::{Partials, StorePart};
use crate::vocabulary::event;
use crate::vocabulary::PeriodKind;

/// Internal columns added by [`with_periods`].
pub use crate::vocabulary::calendar::DAY;
pub use crate::vocabulary::YEARS;
pub use dedup::{dedup_counted, RowCounts};
pub use periods::PERIOD_KEY;
pub use screen::{excluded_accounts, screen_source};

/// Adds the local calendar `day` and the integer `period_key` of each event.
pub fn with_periods(events: LazyFrame, kind: PeriodKind, tz: chrono_tz::Tz) -> LazyFrame {
    let day = periods::local_day_expr(col(event::OCCURRED_AT), tz);
    events
        .with_column(day.alias(DAY))
        .with_column(periods::key_expr(kind, col(DAY)).alias(PERIOD_KEY))
}

/// The events of a run as lazy queries, one per part: consecutive UTC months of the event
/// store. Queries whose state grows with events (a group-by over people and days, say) run on
/// each part and combine their partial results, so memory follows one part of events, not
/// the store; the others read [`Events::all`]. With a cache of partial results, a part whose
/// events and settings are unchanged since the last run is not read again.
#[derive(Clone)]
pub struct Events {
    parts: Vec<LazyFrame>,
    /// Per part, the UTC instants (µs, end excluded) its events lie in; `None` when one part
    /// holds every event.
    spans: Vec<Option<(i64, i64)>>,
    /// Per part, the periods it holds alone (see [`Events::owned_periods`]); empty until
    /// [`Events::owning`] places them, which is always correct, only slower.
    owned: Vec<Vec<i32>>,
    /// Per part, what its rows are made of: the store partitions' contents and every change
    /// made since, in order; `None` when not known, and then its results are never cached.
    made_of: Vec<Option<String>>,
    cache: Option<Arc<Partials>>,
    /// Results computed elsewhere (the Spark job's tables), by the table a query's name
    /// starts with: when set, queries are answered from them and never run.
    handed: Option<Arc<BTreeMap<String, DataFrame>>>,
}

impl Events {
    /// Events held in one part.
    pub fn new(parts: Vec<LazyFrame>) -> Self {
        let n = parts.len();
        Self::with_owned(parts, vec![Vec::new(); n])
    }

    /// Events in parts of the store, each with the UTC span it covers and what it holds.
    pub fn spanning(parts: Vec<StorePart>) -> Self {
        let n = parts.len();
        let mut events = Self::new(Vec::with_capacity(n));
        for part in parts {
            events.parts.push(part.frame);
            events.spans.push(Some(part.span));
            events.owned.push(Vec::new());
            events.made_of.push(Some(part.content));
        }
        events
    }

    /// The same events, their parts' partial results kept in (and read back from) `cache`.
    pub fn cached(self, cache: Arc<Partials>) -> Self {
        Self {
            cache: Some(cache),
            ..self
        }
    }

    /// The same events, each part told which of `periods` it holds alone, so that the
    /// queries of [`Events::gather`] finish those periods' distinct counts in the part.
    pub fn owning(self, periods: &[periods::Period], tz: chrono_tz::Tz) -> Self {
        let owned = self.owned_periods(periods, tz);
        Self { owned, ..self }
    }

    /// Events in the given parts, each holding the given periods alone: for tests that split
    /// events by hand.
    pub fn with_owned(parts: Vec<LazyFrame>, owned: Vec<Vec<i32>>) -> Self {
        let n = parts.len();
        Self {
            parts,
            spans: vec![None; n],
            owned,
            made_of: vec![None; n],
            cache: None,
            handed: None,
        }
    }

    /// Events whose queries were answered elsewhere, as one part holding every period: each
    /// query reads the table its name starts with (see [`crate::vocabulary::handoff`]), cast
    /// to the columns the query would give. The changes of [`Events::map`] shape only those
    /// columns, since the tables were computed with them.
    pub fn handed(tables: BTreeMap<String, DataFrame>) -> Self {
        Self {
            handed: Some(Arc::new(tables)),
            ..Self::new(vec![crate::ingest::empty_events()])
        }
    }
    /// The events before `cutoff` (µs since the epoch, UTC). Parts that end by then are left
    /// as they are, so their partial results stay those of any later cut-off (a nightly run's
    /// as-of day moves, its older parts do not change).
    pub fn before(mut self, cutoff: Option<i64>) -> Self {
        let Some(cutoff) = cutoff else {
            return self;
        };
        for i in 0..self.parts.len() {
            if self.spans[i].is_some_and(|(_, end)| end <= cutoff) {
                continue;
            }
            let part = self.parts[i].clone();
            self.parts[i] = part.filter(
                col(event::OCCURRED_AT)
                    .cast(DataType::Int64)
                    .lt(lit(cutoff)),
            );
            self.made_of[i] = self.made_of[i]
                .take()
                .map(|m| format!("{m}\nbefore {cutoff}"));
        }
        self
    }

    /// Per part, the keys of the periods whose every event can only be in that part (the
    /// period's local days, in UTC, lie within the part's span): there a partial distinct
    /// count is already final. Every period, when one part holds all events.
    pub fn owned_periods(&self, periods: &[periods::Period], tz: chrono_tz::Tz) -> Vec<Vec<i32>> {
        let bounds: Vec<(i32, i64, i64)> = periods
            .iter()
            .map(|p| {
                let before = p.start.pred_opt().unwrap_or(p.start);
                (
                    p.key,
                    periods::end_of_day_utc_micros(before, tz),
                    periods::end_of_day_utc_micros(p.end, tz),
                )
            })
            .collect();
        self.spans
            .iter()
            .map(|span| {
                bounds
                    .iter()
                    .filter(|(_, start, end)| {
                        span.is_none_or(|(from, to)| from <= *start && *end <= to)
                    })
                    .map(|(key, _, _)| *key)
                    .collect()
            })
            .collect()
    }

    /// Every part as one query.
    pub fn all(&self) -> LazyFrame {
        let mut parts = self.parts.iter().cloned();
        let first = parts.next().unwrap_or_else(crate::ingest::empty_events);
        parts.fold(first, stack)
    }

    /// The same change to every part. `change` says what it does, with every setting it
    /// depends on (the cache of partial results tells parts apart by it).
    pub fn map(self, change: &str, f: impl Fn(LazyFrame) -> LazyFrame) -> Self {
        let changes = vec![change.to_string(); self.parts.len()];
        self.map_each(&changes, f)
    }

    /// [`Events::map`] for a change that does different things to different parts: `changes`
    /// says, per part, what it does there.
    pub fn map_each(self, changes: &[String], f: impl Fn(LazyFrame) -> LazyFrame) -> Self {
        Self {
            parts: self.parts.into_iter().map(f).collect(),
            made_of: self
                .made_of
                .into_iter()
                .zip(changes)
                .map(|(m, change)| m.map(|m| format!("{m}\n{change}")))
                .collect(),
            ..self
        }
    }

    /// Runs `query` on each part (streaming engine) and stacks the results, in part order:
    /// partial results that the caller combines, as a MapReduce job would (counts add up,
    /// distinct sets are united). Cheap to combine: the stack is in memory.
    /// `query` gets the part and the periods it holds alone.
    /// `name` names the query and every setting it depends on beyond the part's events.
    pub fn gather(
        &self,
        name: &str,
        query: impl Fn(LazyFrame, &[i32]) -> LazyFrame,
    ) -> PolarsResult<LazyFrame> {
        let parts = self
            .gather_each(name, query)?
            .into_iter()
            .map(DataFrame::lazy);
        concat(parts.collect::<Vec<_>>(), UnionArgs::default())
    }

    /// Removes the kept partial results this run did not use, and says how many it reused
    /// and computed; `None` without a cache.
    pub fn retire_partials(&self) -> Result<Option<crate::store::Reuse>> {
        self.cache.as_ref().map(|c| c.retire()).transpose()
    }

    /// Per part, the periods it holds alone, in part order (as [`Events::gather_each`]).
    pub fn owned(&self) -> &[Vec<i32>] {
        &self.owned
    }

    /// [`Events::gather`] without the stacking: each part's result.
    pub fn gather_each(
        &self,
        name: &str,
        query: impl Fn(LazyFrame, &[i32]) -> LazyFrame,
    ) -> PolarsResult<Vec<DataFrame>> {
        self.gather_keyed(name, Reach::Part, query)
    }

    /// [`Events::gather`] for a query whose result for a part also depends on the parts before
    /// it (replies in this part to posts in an earlier one), never on later parts.
    pub fn gather_following(
        &self,
        name: &str,
        query: impl Fn(LazyFrame, &[i32]) -> LazyFrame,
    ) -> PolarsResult<LazyFrame> {
        let parts = self.gather_keyed(name, Reach::Earlier, query)?;
        concat(
            parts.into_iter().map(DataFrame::lazy).collect::<Vec<_>>(),
            UnionArgs::default(),
        )
    }

    fn gather_keyed(
        &self,
        name: &str,
        reach: Reach,
        query: impl Fn(LazyFrame, &[i32]) -> LazyFrame,
    ) -> PolarsResult<Vec<DataFrame>> {
        if let Some(tables) = &self.handed {
            return Ok(vec![answered(
                tables,
                name,
                query(self.parts[0].clone(), &self.owned[0]),
            )?]);
        }
        (0..self.parts.len())
            .map(|i| {
                let owned = &self.owned[i];
                let compute = || collect_streaming(query(self.parts[i].clone(), owned));
                match (&self.cache, self.key(i, reach)) {
                    (Some(cache), Some(key)) => {
                        cache.get_or(&format!("{name}\nowns {owned:?}\n{key}"), compute)
                    }
                    _ => compute(),
                }
            })
            .collect()
    }

    /// What part `i`'s result is made of: its own events, or with them every earlier part's.
    fn key(&self, i: usize, reach: Reach) -> Option<String> {
        let from = match reach {
            Reach::Part => i,
            Reach::Earlier => 0,
        };
        let keys: Option<Vec<&str>> = self.made_of[from..=i]
            .iter()
            .map(|m| m.as_deref())
            .collect();
        keys.map(|k| k.join("\n--\n"))
    }
}

/// The table `name` starts with, in the columns and types of `query`. A table without one of
/// those columns, with a value that does not fit its type, or with a count below zero was not
/// written by the job as it stands: refused naming the table and the column
/// ([`crate::error::HANDED_ON_FLAW`]).
fn answered(
    tables: &BTreeMap<String, DataFrame>,
    name: &str,
    mut query: LazyFrame,
) -> PolarsResult<DataFrame> {
    let table = name.split(' ').next().unwrap_or(name);
    let Some(frame) = tables.get(table) else {
        polars_bail!(ComputeError: "the handed-on tables have no {table}");
    };
    let schema = query.collect_schema()?;
    if frame.width() == 0 {
        return Ok(DataFrame::empty_with_schema(&schema));
    }
    let flaw = |what: String| {
        PolarsError::ComputeError(
            format!(
                "{}the Spark job's table `{table}` {what}",
                crate::error::HANDED_ON_FLAW
            )
            .into(),
        )
    };
    let mut columns = Vec::with_capacity(schema.len());
    for (column, dtype) in schema.iter() {
        let Ok(given) = frame.column(column) else {
            return Err(flaw(format!("has no column `{column}`")));
        };
        let cast = given
            .strict_cast(dtype)
            .map_err(|_| flaw(format!("holds values in `{column}` that are not {dtype}")))?;
        if dtype.is_integer() && cast.as_materialized_series().lt(0)?.any() {
            return Err(flaw(format!("holds a negative count in `{column}`")));
        }
        columns.push(cast);
    }
    DataFrame::new(frame.height(), columns)
}

/// What a part's partial result depends on.
#[derive(Clone, Copy)]
enum Reach {
    Part,
    Earlier,
}

/// The SHA-256 of a small table's rows as CSV: equal for equal tables, so that partial
/// results computed with one identity mapping (or list of leaders) are never read with another.
pub fn fingerprint(frame: &DataFrame) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut bytes = Vec::new();
    CsvWriter::new(&mut bytes)
        .finish(&mut frame.clone())
        .map_err(internal("fingerprinting a table"))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// The rows of `first` then of `second` (UNION ALL; the schemas must match when the query
/// runs). polars' lazy `concat` fails only when given no frames, never with two.
pub fn stack(first: LazyFrame, second: LazyFrame) -> LazyFrame {
    concat([first, second], UnionArgs::default()).expect("two frames to concatenate")
}

/// `period_key` is one of `keys`.
pub fn in_periods(keys: &[i32]) -> Expr {
    col(PERIOD_KEY).is_in(
        lit(Series::new("keys".into(), keys.to_vec())).implode(false),
        false,
    )
}

/// Runs a query over events on polars' streaming engine: events are read from the store in
/// batches and only the query's state (its groups, a join's smaller side) is held, so memory
/// follows people and posts rather than events.
pub fn collect_streaming(frame: LazyFrame) -> PolarsResult<DataFrame> {
    frame
        .collect_with_engine(Engine::Streaming)
        .map(|r| r.unwrap_single())
}

/// Events per period key, from rows that carry a count in `events`: a row per period.
pub fn events_per_period(counted: LazyFrame) -> Result<Vec<(i32, u64)>> {
    let per = counted
        .group_by([col(PERIOD_KEY)])
        .agg([col("events").sum().cast(DataType::UInt64)])
        .collect()
        .map_err(internal("counting events per period"))?;
    let keys = per
        .column(PERIOD_KEY)
        .and_then(|c| c.i32().cloned())
        .map_err(internal("counting events per period"))?;
    let n = per
        .column("events")
        .and_then(|c| c.u64().cloned())
        .map_err(internal("counting events per period"))?;
    Ok(keys
        .iter()
        .zip(n.iter())
        .filter_map(|(k, n)| Some((k?, n.unwrap_or(0))))
        .collect())
}

/// The first and last period keys with events, or `None` when there are no events.
pub fn period_span(events: LazyFrame) -> Result<Option<(i32, i32)>> {
    let span = events
        .select([
            col(PERIOD_KEY).min().alias("first"),
            col(PERIOD_KEY).max().alias("last"),
        ])
        .collect()
        .map_err(internal("finding the first and last period"))?;
    let get = |name: &str| -> Option<i32> { span.column(name).ok()?.i32().ok()?.get(0) };
    Ok(get("first").zip(get("last")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::PeriodKind;
    use chrono::NaiveDate;

    fn utc_micros(y: i32, m: u32, d: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap()
            .and_utc()
            .timestamp_micros()
    }

    /// A Spark job's table with a column dropped, or a count below zero, is the user's to fix
    /// by running the job again: named with the table and column, never an internal fault.
    #[test]
    fn flawed_handed_on_tables_are_named_not_bugs() {
        let query = df!("period_key" => [24300i32], "posts" => [1u32])
            .unwrap()
            .lazy();
        let cases = [
            (
                df!("period_key" => [24300i64]).unwrap(),
                "the Spark job's table `ties` has no column `posts`",
            ),
            (
                df!("period_key" => [24300i64], "posts" => [-3i64]).unwrap(),
                "the Spark job's table `ties` holds values in `posts` that are not u32",
            ),
        ];
        for (frame, expected) in cases {
            let tables = BTreeMap::from([("ties".to_string(), frame)]);
            let polars_error = answered(&tables, "ties extra words", query.clone()).unwrap_err();
            let err = crate::error::internal("gathering ties")(polars_error);
            let text = err.to_string();
            assert!(text.starts_with(expected), "{text}");
            assert!(text.contains("run the Spark job again"), "{text}");
            assert!(!text.contains("bug in engage"), "{text}");
        }
        // A negative count in a signed column is refused too.
        let query = df!("n" => [1i64]).unwrap().lazy();
        let tables = BTreeMap::from([("ties".to_string(), df!("n" => [-1i64]).unwrap())]);
        let text =
            crate::error::internal("x")(answered(&tables, "ties", query).unwrap_err()).to_string();
        assert!(
            text.starts_with("the Spark job's table `ties` holds a negative count in `n`"),
            "{text}"
        );
    }

    /// A part of the store holding the UTC months February and March 2025 owns, in UTC, the
    /// months February and March and the weeks wholly inside them (Mon 3 Feb – Sun 30 Mar),
    /// but in Amsterdam (UTC+1) February's local days start at 31 Jan 23:00 UTC, before the
    /// part, so only March is its own; quarters span more than the part and are owned by none.
    /// One part holding everything owns every period.
    #[test]
    fn parts_own_the_periods_wholly_inside_them() {
        let part = Events::spanning(vec![StorePart {
            frame: crate::ingest::empty_events(),
            span: (utc_micros(2025, 2, 1), utc_micros(2025, 4, 1)),
            content: "February and March".into(),
        }]);
        let owned = |kind: PeriodKind, tz: chrono_tz::Tz, first: NaiveDate, last: NaiveDate| {
            let keys = periods::range(
                kind,
                periods::key_of_date(kind, first),
                periods::key_of_date(kind, last),
            );
            let owned = part.owned_periods(&keys, tz).remove(0);
            owned
                .iter()
                .map(|k| periods::period_of_key(kind, *k).label)
                .collect::<Vec<_>>()
        };
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let utc = chrono_tz::UTC;
        let ams = chrono_tz::Europe::Amsterdam;
        assert_eq!(
            owned(PeriodKind::Month, utc, d(1, 1), d(4, 30)),
            ["2025-02", "2025-03"]
        );
        assert_eq!(
            owned(PeriodKind::Month, ams, d(1, 1), d(4, 30)),
            ["2025-03"]
        );
        let weeks = owned(PeriodKind::Week, utc, d(1, 20), d(4, 10));
        assert_eq!(weeks.first().map(String::as_str), Some("2025-W06"));
        assert_eq!(weeks.last().map(String::as_str), Some("2025-W13"));
        assert_eq!(weeks.len(), 8);
        assert!(owned(PeriodKind::Quarter, utc, d(1, 1), d(6, 30)).is_empty());
        let whole = Events::new(vec![crate::ingest::empty_events()]);
        let months = periods::range(PeriodKind::Month, 2025 * 12, 2025 * 12 + 2);
        assert_eq!(
            whole.owned_periods(&months, ams),
            vec![vec![2025 * 12, 2025 * 12 + 1, 2025 * 12 + 2]]
        );
    }
}
