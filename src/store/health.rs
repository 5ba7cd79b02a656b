//! What the health checks (`normalize/health.rs`) need of the store, and what they keep in
//! it: events per local day and month of a source's history (read from the few partitions
//! that hold those days, two columns of them), the accounts ever seen acting
//! (`known_actors.parquet`, so "unseen before" costs a join against a small table, not a read
//! of every partition), and the figures of the last run that passed (`health.json`).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use polars::prelude::*;

use super::{fail, Catalogue, Store};
use crate::error::{Error, Result};
use crate::normalize::health::Reference;
use crate::normalize::periods::local_day_expr;
use crate::output;
use crate::vocabulary::event;

const KNOWN: &str = "known_actors";
const REFERENCE: &str = "health.json";

/// A UTC month key (`year*12 + month-1`) of a date.
fn key(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

impl Store {
    /// The catalogued partitions whose UTC month lies within a day of the local days
    /// `from..=to` (a local day may fall in the UTC month before or after).
    fn partitions_for(
        &self,
        catalogue: &Catalogue,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<PlRefPath> {
        let (low, high) = (key(from - Duration::days(1)), key(to + Duration::days(1)));
        catalogue
            .months
            .keys()
            .filter(|label| {
                NaiveDate::parse_from_str(&format!("{label}-01"), "%Y-%m-%d")
                    .is_ok_and(|d| (low..=high).contains(&key(d)))
            })
            .map(|label| PlRefPath::new(self.partition(label).to_string_lossy().as_ref()))
            .collect()
    }

    /// Events per local day (or, with `by_month`, per local month's first day) of the sources
    /// `labels`, over the local days `from..=to`.
    pub fn counts(
        &self,
        catalogue: &Catalogue,
        labels: &[String],
        (from, to): (NaiveDate, NaiveDate),
        tz: chrono_tz::Tz,
        by_month: bool,
    ) -> Result<BTreeMap<NaiveDate, u64>> {
        let paths = self.partitions_for(catalogue, from, to);
        if paths.is_empty() || labels.is_empty() {
            return Ok(BTreeMap::new());
        }
        let args = ScanArgsParquet {
            hive_options: HiveOptions::new_disabled(),
            ..ScanArgsParquet::default()
        };
        let wanted = lit(Series::new("labels".into(), labels.to_vec())).implode(false);
        let day = local_day_expr(col(event::OCCURRED_AT), tz);
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
        let days = |d: NaiveDate| (d - epoch).num_days() as i32;
        let counted = LazyFrame::scan_parquet_files(paths.into_iter().collect(), args)
            .map_err(fail("reading the store's history".into()))?
            .filter(col(event::SOURCE).is_in(wanted, false))
            .select([day.cast(DataType::Int32).alias("day")])
            .filter(
                col("day")
                    .gt_eq(lit(days(from)))
                    .and(col("day").lt_eq(lit(days(to)))),
            )
            .group_by([col("day")])
            .agg([len().cast(DataType::UInt64).alias("n")])
            .collect()
            .map_err(fail("reading the store's history".into()))?;
        let day = counted.column("day").and_then(|c| c.i32().cloned());
        let n = counted.column("n").and_then(|c| c.u64().cloned());
        let (Ok(day), Ok(n)) = (day, n) else {
            return Err(crate::error::fault(
                "reading the store's history",
                "no day counts",
            ));
        };
        let mut out = BTreeMap::new();
        for (d, n) in day.iter().zip(n.iter()) {
            let Some(date) = d.and_then(|d| epoch.checked_add_signed(Duration::days(d as i64)))
            else {
                continue;
            };
            let Some(n) = n else { continue };
            let at = if by_month {
                date.with_day(1).unwrap_or(date)
            } else {
                date
            };
            *out.entry(at).or_insert(0) += n;
        }
        Ok(out)
    }

    /// The accounts ever seen acting, per source (`source, actor`): kept beside the store, or
    /// on the first run that needs them, gathered once from every partition.
    pub fn known_actors(&self, catalogue: &Catalogue) -> Result<DataFrame> {
        if let Some(known) = self.table(KNOWN)? {
            return Ok(known);
        }
        let paths: Vec<PlRefPath> = catalogue
            .months
            .keys()
            .map(|label| PlRefPath::new(self.partition(label).to_string_lossy().as_ref()))
            .collect();
        if paths.is_empty() {
            return DataFrame::new(
                0,
                vec![
                    Column::new_empty(event::SOURCE.into(), &DataType::String),
                    Column::new_empty(event::ACTOR.into(), &DataType::String),
                ],
            )
            .map_err(fail("listing the store's accounts".into()));
        }
        let args = ScanArgsParquet {
            hive_options: HiveOptions::new_disabled(),
            ..ScanArgsParquet::default()
        };
        LazyFrame::scan_parquet_files(paths.into_iter().collect(), args)
            .map_err(fail("listing the store's accounts".into()))?
            .select([col(event::SOURCE), col(event::ACTOR)])
            .drop_nulls(None)
            .unique(None, UniqueKeepStrategy::Any)
            // Every partition once, a batch at a time: the accounts, not the events, are held.
            .collect_with_engine(Engine::Streaming)
            .map(|r| r.unwrap_single())
            .map_err(fail("listing the store's accounts".into()))
    }

    /// Adds tonight's acting accounts to those kept.
    pub fn remember_actors(&self, known: &DataFrame, tonight: &DataFrame) -> Result<()> {
        let mut all = concat(
            [known.clone().lazy(), tonight.clone().lazy()],
            UnionArgs::default(),
        )
        .and_then(|l| {
            l.unique(None, UniqueKeepStrategy::Any)
                .sort([event::SOURCE, event::ACTOR], Default::default())
                .collect()
        })
        .map_err(fail("keeping the store's accounts".into()))?;
        let bytes = output::parquet_bytes(&mut all, KNOWN)?;
        output::write_atomic(&self.root.join(format!("{KNOWN}.parquet")), &bytes)
    }

    /// The figures of the last run whose checks passed, if any run kept them.
    pub fn health_reference(&self) -> Result<Reference> {
        let path = self.root.join(REFERENCE);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(Reference::default());
        };
        serde_json::from_str(&text).map_err(|e| Error::Usage {
            message: format!("{} cannot be read: {e}", path.display()),
            help: "it holds the last passing run's figures the health checks compare with: remove it, and the next run starts a new one (its shape checks are skipped once)".into(),
        })
    }

    /// Keeps the figures the next run's checks compare with.
    pub fn put_health_reference(&self, reference: &Reference) -> Result<()> {
        let mut text = serde_json::to_string_pretty(reference)
            .map_err(|e| crate::error::fault("writing health.json", e))?;
        text.push('\n');
        output::write_atomic(&self.root.join(REFERENCE), text.as_bytes())
    }
}
