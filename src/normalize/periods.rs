//! Periods (README "Definitions"): calendar months, ISO weeks or quarters in the pipeline's time zone.
//! A period is identified by an integer key so that the big group-bys run on integers; labels
//! and boundaries live in a small calendar table built here.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone as _};
use polars::prelude::*;

use crate::vocabulary::PeriodKind;

/// One reporting period with its local calendar boundaries (both inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub key: i32,
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");

fn days_since_epoch(d: NaiveDate) -> i32 {
    (d - EPOCH).num_days() as i32
}

/// The key of the period containing a local date.
pub fn key_of_date(kind: PeriodKind, d: NaiveDate) -> i32 {
    match kind {
        PeriodKind::Month => d.year() * 12 + d.month0() as i32,
        PeriodKind::Quarter => d.year() * 4 + (d.month0() / 3) as i32,
        // 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday.
        PeriodKind::Week => (days_since_epoch(d) + 3).div_euclid(7),
    }
}

/// Events that sit far from the rest in time: a few stray timestamps (a typo, a zero date, a
/// leap second read as a year) that would stretch the report over decades of empty periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stragglers {
    /// How many events lie outside the main run of periods.
    pub events: u64,
    /// The periods they lie in.
    pub periods: Vec<i32>,
    /// The first and last period of the main run, which holds the other events.
    pub main: (i32, i32),
}

/// Periods without events that separate a straggler from the rest: a year of them.
pub fn straggler_gap(kind: PeriodKind) -> i32 {
    match kind {
        PeriodKind::Month => 12,
        PeriodKind::Quarter => 4,
        PeriodKind::Week => 52,
    }
}

/// The events outside the main run of periods, when they are a handful. Periods with events
/// (key, events) split into runs wherever more than `gap` periods without events lie between
/// two of them; the run with the most events is the main one. What lies outside it counts as
/// stragglers when it is at most 20 events or 0.5% of all, whichever is more: a real history
/// with a quiet year (a pilot, then a relaunch) is larger than that and is left alone.
pub fn stragglers(counts: &[(i32, u64)], gap: i32) -> Option<Stragglers> {
    let mut counts = counts.to_vec();
    counts.retain(|(_, n)| *n > 0);
    counts.sort_unstable();
    let mut runs: Vec<&[(i32, u64)]> = Vec::new();
    let mut start = 0;
    for i in 1..=counts.len() {
        if i == counts.len() || counts[i].0 - counts[i - 1].0 > gap + 1 {
            runs.push(&counts[start..i]);
            start = i;
        }
    }
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let events = |run: &[(i32, u64)]| run.iter().map(|(_, n)| n).sum::<u64>();
    let main = runs
        .iter()
        .copied()
        .max_by_key(|r| (events(r), std::cmp::Reverse(r[0].0)))?;
    let outside = total - events(main);
    if outside == 0 || outside > 20.max(total / 200) {
        return None;
    }
    Some(Stragglers {
        events: outside,
        periods: counts
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| *k < main[0].0 || *k > main[main.len() - 1].0)
            .collect(),
        main: (main[0].0, main[main.len() - 1].0),
    })
}

/// The period with a given key.
pub fn period_of_key(kind: PeriodKind, key: i32) -> Period {
    match kind {
        PeriodKind::Month => {
            let (y, m0) = (key.div_euclid(12), key.rem_euclid(12) as u32);
            let start = NaiveDate::from_ymd_opt(y, m0 + 1, 1).expect("valid month");
            let next = if m0 == 11 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(y, m0 + 2, 1)
            }
            .expect("valid month");
            Period {
                key,
                label: format!("{y:04}-{:02}", m0 + 1),
                start,
                end: next - Duration::days(1),
            }
        }
        PeriodKind::Quarter => {
            let (y, q0) = (key.div_euclid(4), key.rem_euclid(4) as u32);
            let start = NaiveDate::from_ymd_opt(y, q0 * 3 + 1, 1).expect("valid quarter");
            let next = if q0 == 3 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(y, q0 * 3 + 4, 1)
            }
            .expect("valid quarter");
            Period {
                key,
                label: format!("{y:04}-Q{}", q0 + 1),
                start,
                end: next - Duration::days(1),
            }
        }
        PeriodKind::Week => {
            let start = EPOCH + Duration::days(key as i64 * 7 - 3);
            let iso = start.iso_week();
            Period {
                key,
                label: format!("{:04}-W{:02}", iso.year(), iso.week()),
                start,
                end: start + Duration::days(6),
            }
        }
    }
}

/// The key of a period written as its label (`2025-03`, `2025-Q1`, `2025-W09`) or as a date
/// inside it (`2025-03-15`); `None` when the text is neither, or lies outside 1900-2199.
pub fn key_of_text(kind: PeriodKind, text: &str) -> Option<i32> {
    let text = text.trim();
    // Years outside 1900-2199 are typos, and far ones have no next period to end at.
    let years = crate::vocabulary::YEARS;
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return years.contains(&d.year()).then(|| key_of_date(kind, d));
    }
    let (year, rest) = text.split_once('-')?;
    let year: i32 = year.parse().ok().filter(|y| years.contains(y))?;
    let start = match kind {
        PeriodKind::Month => NaiveDate::from_ymd_opt(year, rest.parse().ok()?, 1)?,
        PeriodKind::Quarter => {
            let q: u32 = rest.strip_prefix('Q')?.parse().ok()?;
            NaiveDate::from_ymd_opt(year, q.checked_sub(1).filter(|q| *q < 4)? * 3 + 1, 1)?
        }
        PeriodKind::Week => {
            let w: u32 = rest.strip_prefix('W')?.parse().ok()?;
            NaiveDate::from_isoywd_opt(year, w, chrono::Weekday::Mon)?
        }
    };
    let key = key_of_date(kind, start);
    // The label must be the period's own spelling, so `2025-3` is not taken for March.
    (period_of_key(kind, key).label == text).then_some(key)
}

/// Adds `days`: the period's local days up to and including the as-of day (all of them for
/// periods that ended before it), the denominator of stickiness.
pub fn with_days(calendar: LazyFrame, as_of: Option<NaiveDate>) -> LazyFrame {
    let end = match as_of {
        Some(d) => {
            let cap = lit(days_since_epoch(d)).cast(DataType::Date);
            when(col(PERIOD_END).gt(cap.clone()))
                .then(cap)
                .otherwise(col(PERIOD_END))
        }
        None => col(PERIOD_END),
    };
    calendar.with_column(
        ((end.cast(DataType::Int32) - col(PERIOD_START).cast(DataType::Int32)) + lit(1))
            .cast(DataType::UInt32)
            .alias(DAYS),
    )
}

/// Every period from `first` to `last` (keys, inclusive).
pub fn range(kind: PeriodKind, first: i32, last: i32) -> Vec<Period> {
    (first..=last).map(|k| period_of_key(kind, k)).collect()
}

/// The period key of a local `Date` expression, matching [`key_of_date`]. Months and quarters
/// come from the day number by integer arithmetic (the proleptic Gregorian calendar in 400-year
/// eras, as in H. Hinnant's `civil_from_days`), which polars runs on whole columns, instead
/// of converting every event's day into a calendar date.
pub fn key_expr(kind: PeriodKind, day: Expr) -> Expr {
    let days = || day.clone().cast(DataType::Int32);
    let month_key = || {
        // Days counted from 0000-03-01, so a leap day ends its year.
        let z = days() + lit(719_468);
        let era = z.clone().floor_div(lit(146_097));
        let doe = z - era.clone() * lit(146_097);
        let yoe = (doe.clone() - doe.clone().floor_div(lit(1_460))
            + doe.clone().floor_div(lit(36_524))
            - doe.clone().floor_div(lit(146_096)))
        .floor_div(lit(365));
        let doy = doe
            - (yoe.clone() * lit(365) + yoe.clone().floor_div(lit(4))
                - yoe.clone().floor_div(lit(100)));
        // Months from March (0) to February (11); January and February belong to the next
        // calendar year, which `+ 2` carries into the key: key = year * 12 + month - 1.
        let mp = (doy * lit(5) + lit(2)).floor_div(lit(153));
        (yoe + era * lit(400)) * lit(12) + mp + lit(2)
    };
    match kind {
        PeriodKind::Month => month_key(),
        PeriodKind::Quarter => month_key().floor_div(lit(3)),
        PeriodKind::Week => (days() + lit(3)).floor_div(lit(7)),
    }
}

/// The local calendar date of a UTC `occurred_at` expression.
pub fn local_day_expr(occurred_at: Expr, tz: chrono_tz::Tz) -> Expr {
    if tz == chrono_tz::UTC {
        // Days since the epoch straight from the microseconds: no time zone to consult.
        return occurred_at
            .cast(DataType::Int64)
            .floor_div(lit(86_400_000_000i64))
            .cast(DataType::Int32)
            .cast(DataType::Date);
    }
    occurred_at
        .dt()
        .convert_time_zone(polars::prelude::TimeZone::from_chrono(&tz))
        .dt()
        .date()
}

/// The first instant (µs since the epoch, UTC) after the local day `d` ends.
pub fn end_of_day_utc_micros(d: NaiveDate, tz: chrono_tz::Tz) -> i64 {
    let next = (d + Duration::days(1)).and_time(NaiveTime::MIN);
    // Midnight can fall in a gap: a DST change, or a whole skipped day (Samoa, 2011-12-30).
    // The day then ends at the first local time that exists after it.
    (0..=48)
        .find_map(|h| {
            tz.from_local_datetime(&(next + Duration::hours(h)))
                .earliest()
        })
        .map_or_else(
            || next.and_utc().timestamp_micros(),
            |instant| instant.timestamp_micros(),
        )
}

/// The calendar as a frame: `period_key, period, period_start, period_end`.
pub fn calendar_frame(periods: &[Period]) -> PolarsResult<DataFrame> {
    let keys: Vec<i32> = periods.iter().map(|p| p.key).collect();
    let labels: Vec<&str> = periods.iter().map(|p| p.label.as_str()).collect();
    let starts: Vec<i32> = periods.iter().map(|p| days_since_epoch(p.start)).collect();
    let ends: Vec<i32> = periods.iter().map(|p| days_since_epoch(p.end)).collect();
    DataFrame::new_infer_height(vec![
        Column::new(PERIOD_KEY.into(), keys),
        Column::new("period".into(), labels),
        Column::new(PERIOD_START.into(), starts).cast(&DataType::Date)?,
        Column::new(PERIOD_END.into(), ends).cast(&DataType::Date)?,
    ])
}

/// Internal column names of the calendar.
pub use crate::vocabulary::calendar::{DAYS, PERIOD_END, PERIOD_KEY, PERIOD_START};

/// `frame` with each period's label (`period`) joined on its key, rows in their order.
pub fn with_label(frame: LazyFrame, calendar: LazyFrame) -> LazyFrame {
    frame.join(
        calendar.select([col(PERIOD_KEY), col(crate::vocabulary::activity::PERIOD)]),
        [col(PERIOD_KEY)],
        [col(PERIOD_KEY)],
        JoinArgs {
            maintain_order: MaintainOrderJoin::Left,
            ..JoinArgs::new(JoinType::Left)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: 3 events in key 0 (1970-01) and 1000 in keys 660..=671 (2025): 660
    /// periods apart, far more than a year, and 3 <= 20, so key 0 is a straggler. With 30 at
    /// key 0 it is more than 20 and more than 0.5% of 1030 (5): a history, left alone. Keys 0
    /// and 12 (11 empty periods between) are one run; keys 0 and 14 (13 empty) are two.
    #[test]
    fn stragglers_are_a_handful_far_away() {
        let mut counts: Vec<(i32, u64)> = (660..672).map(|k| (k, 1000 / 12)).collect();
        counts[0].1 += 1000 % 12;
        counts.push((0, 3));
        assert_eq!(
            stragglers(&counts, 12),
            Some(Stragglers {
                events: 3,
                periods: vec![0],
                main: (660, 671),
            })
        );
        counts.pop();
        counts.push((0, 30));
        assert_eq!(stragglers(&counts, 12), None);
        assert_eq!(stragglers(&[(0, 1), (12, 500)], 12), None);
        assert_eq!(
            stragglers(&[(0, 1), (14, 500), (900, 2)], 12).map(|s| s.periods),
            Some(vec![0, 900])
        );
        assert_eq!(stragglers(&[], 12), None);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The arithmetic keys agree with chrono's calendar on every 7th day from 1600 to 2400
    /// (leap centuries 1600, 2000 and 2400 and the non-leap 1700–1900 and 2100–2300 included),
    /// and the UTC day with chrono's date of each instant, either side of midnight.
    #[test]
    fn keys_and_days_by_arithmetic_match_the_calendar() {
        let first = days_since_epoch(d(1600, 1, 1));
        let last = days_since_epoch(d(2400, 12, 31));
        let days: Vec<i32> = (first..=last).step_by(7).chain([first, last]).collect();
        let frame = df!("day" => &days)
            .unwrap()
            .lazy()
            .with_column(col("day").cast(DataType::Date));
        for kind in [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Week] {
            let keys = frame
                .clone()
                .select([key_expr(kind, col("day")).alias("k")])
                .collect()
                .unwrap();
            let keys: Vec<i32> = keys
                .column("k")
                .unwrap()
                .i32()
                .unwrap()
                .into_no_null_iter()
                .collect();
            for (day, key) in days.iter().zip(keys) {
                let date = NaiveDate::from_num_days_from_ce_opt(day + 719_163).unwrap();
                assert_eq!(key, key_of_date(kind, date), "{kind:?} {date}");
            }
        }
        let instants: Vec<i64> = [
            (d(1969, 12, 31), 23, 59),
            (d(1970, 1, 1), 0, 0),
            (d(2024, 2, 29), 23, 59),
            (d(2025, 3, 1), 0, 0),
        ]
        .iter()
        .map(|(day, h, m)| {
            day.and_hms_opt(*h, *m, 59)
                .unwrap()
                .and_utc()
                .timestamp_micros()
        })
        .collect();
        let utc = DataType::Datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC));
        let got = df!("t" => &instants)
            .unwrap()
            .lazy()
            .select([local_day_expr(col("t").cast(utc), chrono_tz::UTC)
                .cast(DataType::Int32)
                .alias("d")])
            .collect()
            .unwrap();
        let got: Vec<i32> = got
            .column("d")
            .unwrap()
            .i32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        let want: Vec<i32> = [
            d(1969, 12, 31),
            d(1970, 1, 1),
            d(2024, 2, 29),
            d(2025, 3, 1),
        ]
        .iter()
        .map(|x| days_since_epoch(*x))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn period_texts_are_labels_or_dates() {
        let m = PeriodKind::Month;
        assert_eq!(key_of_text(m, "2025-03"), Some(2025 * 12 + 2));
        assert_eq!(key_of_text(m, "2025-03-31"), Some(2025 * 12 + 2));
        assert_eq!(key_of_text(m, "2025-3"), None);
        assert_eq!(key_of_text(m, "2025-13"), None);
        assert_eq!(key_of_text(m, "March"), None);
        // The last date chrono knows has no next month: refused, not a panic.
        assert_eq!(key_of_text(m, "262142-12-31"), None);
        assert_eq!(key_of_text(m, "1899-12-31"), None);
        assert_eq!(key_of_text(m, "2200-01"), None);
        let q = PeriodKind::Quarter;
        assert_eq!(key_of_text(q, "2025-Q2"), Some(2025 * 4 + 1));
        assert_eq!(key_of_text(q, "2025-Q5"), None);
        assert_eq!(key_of_text(q, "2025-05-01"), Some(2025 * 4 + 1));
        // ISO week 1 of 2025 starts on Monday 2024-12-30.
        let w = PeriodKind::Week;
        assert_eq!(
            key_of_text(w, "2025-W01"),
            Some(key_of_date(w, d(2024, 12, 30)))
        );
        assert_eq!(key_of_text(w, "2025-W01"), key_of_text(w, "2025-01-05"));
    }

    #[test]
    fn months_have_their_calendar_bounds() {
        let k = key_of_date(PeriodKind::Month, d(2024, 2, 10));
        let p = period_of_key(PeriodKind::Month, k);
        assert_eq!(p.label, "2024-02");
        assert_eq!((p.start, p.end), (d(2024, 2, 1), d(2024, 2, 29)));
        let dec = period_of_key(
            PeriodKind::Month,
            key_of_date(PeriodKind::Month, d(2025, 12, 31)),
        );
        assert_eq!((dec.label.as_str(), dec.end), ("2025-12", d(2025, 12, 31)));
        assert_eq!(key_of_date(PeriodKind::Month, d(2026, 1, 1)), dec.key + 1);
    }

    #[test]
    fn iso_weeks_start_on_monday_and_take_the_iso_year() {
        // 2021-01-03 is a Sunday in ISO week 2020-W53; Monday 2021-01-04 starts 2021-W01.
        let p = period_of_key(
            PeriodKind::Week,
            key_of_date(PeriodKind::Week, d(2021, 1, 3)),
        );
        assert_eq!(p.label, "2020-W53");
        assert_eq!((p.start, p.end), (d(2020, 12, 28), d(2021, 1, 3)));
        let q = period_of_key(
            PeriodKind::Week,
            key_of_date(PeriodKind::Week, d(2021, 1, 4)),
        );
        assert_eq!(q.label, "2021-W01");
        // Before the epoch too.
        let old = period_of_key(
            PeriodKind::Week,
            key_of_date(PeriodKind::Week, d(1969, 12, 31)),
        );
        assert_eq!(old.start, d(1969, 12, 29));
    }

    #[test]
    fn quarters() {
        let p = period_of_key(
            PeriodKind::Quarter,
            key_of_date(PeriodKind::Quarter, d(2025, 8, 15)),
        );
        assert_eq!(p.label, "2025-Q3");
        assert_eq!((p.start, p.end), (d(2025, 7, 1), d(2025, 9, 30)));
    }

    #[test]
    fn end_of_day_follows_the_time_zone() {
        // 2025-01-31 ends at 2025-01-31T23:00:00Z in Amsterdam (UTC+1 in winter).
        let us = end_of_day_utc_micros(d(2025, 1, 31), chrono_tz::Europe::Amsterdam);
        assert_eq!(us, 1_738_364_400_000_000);
        // And at midnight UTC in UTC.
        let us = end_of_day_utc_micros(d(2025, 1, 31), chrono_tz::UTC);
        assert_eq!(us, 1_738_368_000_000_000);
    }

    #[test]
    fn a_skipped_day_ends_at_the_next_existing_time() {
        // Samoa skipped 30 December 2011: 29 December ended at 31 December 00:00 local
        // (UTC+14), which is 2011-12-30T10:00:00Z.
        let us = end_of_day_utc_micros(d(2011, 12, 29), chrono_tz::Pacific::Apia);
        assert_eq!(us, 1_325_239_200_000_000);
    }

    #[test]
    fn key_expr_matches_key_of_date() {
        let days = [
            d(2020, 12, 28),
            d(2021, 1, 3),
            d(2021, 1, 4),
            d(2025, 3, 31),
            d(1969, 12, 30),
        ];
        let ints: Vec<i32> = days.iter().map(|x| days_since_epoch(*x)).collect();
        for kind in [PeriodKind::Month, PeriodKind::Week, PeriodKind::Quarter] {
            let df = df!("d" => &ints)
                .unwrap()
                .lazy()
                .select([key_expr(kind, col("d").cast(DataType::Date)).alias("k")])
                .collect()
                .unwrap();
            let got: Vec<i32> = df
                .column("k")
                .unwrap()
                .i32()
                .unwrap()
                .no_null_iter()
                .collect();
            let want: Vec<i32> = days.iter().map(|x| key_of_date(kind, *x)).collect();
            assert_eq!(got, want, "{kind:?}");
        }
    }
}
