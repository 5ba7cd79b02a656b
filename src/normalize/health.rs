//! Whether a night's delivery looks like the feed that usually arrives (issue #37; README,
//! "Health checks"): a broken export upstream otherwise yields a confident report of a drop
//! that never happened. Each source's delivery is tallied as it is read (events per local
//! day and action, and the accounts that act), and set beside the store's history and the
//! figures of the last run that passed: freshness (how far the newest event lies behind the
//! as-of day), volume (the newest complete day against its weekday's trailing median), shrink
//! (a month the delivery spans whole holding fewer events than the store), and shape (each
//! action's share, the share of accounts never seen before, the share of rows rejected, the
//! roster's size per group). Frames in, findings out: the store is read and written by the
//! run.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::plan::Health;
use crate::vocabulary::event;

/// Column names of a delivery's tally.
pub const DAY: &str = "day";
pub const EVENTS: &str = "events";

/// Each check's stable name, as the log's `check` field and the manifest's `health` carry it:
/// alerting rules match on these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Freshness,
    Volume,
    Shrink,
    ActionShare,
    NewAccounts,
    RejectShare,
    RosterGroup,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Freshness => "freshness",
            Check::Volume => "volume",
            Check::Shrink => "shrink",
            Check::ActionShare => "action_share",
            Check::NewAccounts => "new_accounts",
            Check::RejectShare => "reject_share",
            Check::RosterGroup => "roster_group",
        }
    }
}

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Flag,
    /// Not judged: too little history or too few events (`why` says which).
    Skip,
}

/// Why a check was not judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// No earlier run or store history to compare with.
    NoHistory,
    /// Fewer events than `min_events` (a day's usual count, or the delivery's).
    TooFew,
    /// The delivery spans no whole month the store holds.
    NoWholeMonth,
    /// A usage report: counts, not events.
    Usage,
}

/// One check of one source (or of the roster).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub check: Check,
    /// The source's name, or `roster`.
    pub source: String,
    /// What the figure is of: the day, the month, the action, the group (`attribute = value`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// The figure checked; `None` where it is withheld (a roster group now below the minimum
    /// group size) or there is none (no events delivered).
    pub figure: Option<f64>,
    /// What it was set against: the figure it may not pass.
    pub bound: f64,
    /// What the figure is compared with (the trailing median, the last run's share), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub against: Option<f64>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<Why>,
}

impl Finding {
    fn new(check: Check, source: &str, bound: f64) -> Finding {
        Finding {
            check,
            source: source.to_string(),
            subject: String::new(),
            figure: None,
            bound,
            against: None,
            status: Status::Pass,
            why: None,
        }
    }

    fn skipped(mut self, why: Why) -> Finding {
        self.status = Status::Skip;
        self.why = Some(why);
        self
    }

    fn judged(mut self, figure: f64, flagged: bool) -> Finding {
        self.figure = Some(figure);
        self.status = if flagged { Status::Flag } else { Status::Pass };
        self
    }
}

/// The figures of the last run whose checks passed, kept beside the store (`health.json`):
/// what tonight's shape is set against. A flagged figure never becomes the reference, so a
/// broken night is not the norm the next night is judged by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    pub version: u32,
    /// Per source name.
    pub sources: BTreeMap<String, SourceReference>,
    /// Per roster attribute, per group, its size.
    pub roster: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceReference {
    /// Each action's share of the delivered events.
    #[serde(default)]
    pub actions: BTreeMap<String, f64>,
    /// The share of acting accounts the store had not seen.
    pub new_accounts: Option<f64>,
    /// The share of rows read that were rejected.
    pub reject_share: Option<f64>,
}

/// One source's delivery, tallied from its screened batches: events per local day and action,
/// the accounts that act, and the `source` values its events carry.
#[derive(Default)]
pub struct Tally {
    days: Vec<DataFrame>,
    actors: Vec<DataFrame>,
}

impl Tally {
    /// Adds one batch of canonical events (`occurred_at` in UTC).
    pub fn add(&mut self, events: &DataFrame, tz: chrono_tz::Tz) -> PolarsResult<()> {
        if events.height() == 0 {
            return Ok(());
        }
        let lf = events.clone().lazy();
        self.days.push(
            lf.clone()
                .group_by([
                    col(event::SOURCE),
                    super::periods::local_day_expr(col(event::OCCURRED_AT), tz).alias(DAY),
                    col(event::ACTION),
                ])
                .agg([len().cast(DataType::UInt64).alias(EVENTS)])
                .collect()?,
        );
        self.actors.push(
            lf.select([col(event::SOURCE), col(event::ACTOR)])
                .drop_nulls(None)
                .unique(None, UniqueKeepStrategy::Any)
                .collect()?,
        );
        Ok(())
    }

    /// The delivery summed over its batches.
    pub fn finish(self) -> PolarsResult<Delivery> {
        let days = stack(self.days, delivery_days_schema())?
            .lazy()
            .group_by([col(event::SOURCE), col(DAY), col(event::ACTION)])
            .agg([col(EVENTS).sum()])
            .collect()?;
        let actors = stack(self.actors, actors_schema())?
            .lazy()
            .unique(None, UniqueKeepStrategy::Any)
            .sort([event::SOURCE, event::ACTOR], Default::default())
            .collect()?;
        Delivery::from_frames(days, actors)
    }
}

fn delivery_days_schema() -> Schema {
    Schema::from_iter([
        Field::new(event::SOURCE.into(), DataType::String),
        Field::new(DAY.into(), DataType::Date),
        Field::new(event::ACTION.into(), DataType::String),
        Field::new(EVENTS.into(), DataType::UInt64),
    ])
}

fn actors_schema() -> Schema {
    Schema::from_iter([
        Field::new(event::SOURCE.into(), DataType::String),
        Field::new(event::ACTOR.into(), DataType::String),
    ])
}

fn stack(frames: Vec<DataFrame>, schema: Schema) -> PolarsResult<DataFrame> {
    let mut out = DataFrame::empty_with_schema(&schema);
    for f in frames {
        out.vstack_mut_owned(f)?;
    }
    Ok(out)
}

/// One source's delivery, summed: small maps, a few hundred entries at most.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// The `source` values its events carry (the store is read for these).
    pub labels: Vec<String>,
    pub by_day: BTreeMap<NaiveDate, u64>,
    pub by_action: BTreeMap<String, u64>,
    /// `source, actor`: each account that acts, once.
    pub actors: Option<DataFrame>,
}

impl Delivery {
    fn from_frames(days: DataFrame, actors: DataFrame) -> PolarsResult<Delivery> {
        let mut d = Delivery::default();
        let source = days.column(event::SOURCE)?.str()?.clone();
        let day = days.column(DAY)?.date()?.physical().clone();
        let action = days.column(event::ACTION)?.str()?.clone();
        let n = days.column(EVENTS)?.u64()?.clone();
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
        for i in 0..days.height() {
            let events = n.get(i).unwrap_or(0);
            if let Some(s) = source.get(i) {
                if !d.labels.iter().any(|l| l == s) {
                    d.labels.push(s.to_string());
                }
            }
            // Screened events lie in plausible years; a day out of chrono's range is skipped,
            // never a panic.
            if let Some(date) = day
                .get(i)
                .and_then(|n| epoch.checked_add_signed(Duration::days(n as i64)))
            {
                *d.by_day.entry(date).or_insert(0) += events;
            }
            let action = action.get(i).unwrap_or("").to_string();
            *d.by_action.entry(action).or_insert(0) += events;
        }
        d.labels.sort();
        d.actors = Some(actors);
        Ok(d)
    }

    pub fn events(&self) -> u64 {
        self.by_day.values().sum()
    }
}

/// What the store held before tonight's delivery, for one source: events per local day over
/// the trailing weeks, and per local month for the months the delivery spans whole.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub by_day: BTreeMap<NaiveDate, u64>,
    pub by_month: BTreeMap<NaiveDate, u64>,
    /// Whether the store held any events of this source.
    pub held: bool,
    /// Of the delivery's acting accounts, how many the store had not seen.
    pub unseen: u64,
}

/// The trailing weeks the volume check reads: the same weekday 1 to 4 weeks earlier.
pub const WEEKS: i64 = 4;

/// The local days the store is read for: the newest complete day and its trailing weeks.
pub fn history_days(as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let newest = as_of - Duration::days(1);
    (newest - Duration::days(7 * WEEKS), newest)
}

/// The first days of the local months the delivery spans whole (its first event before the
/// month begins, its last after the month ends): a cumulative export's months, where fewer
/// events than the store holds means the export lost some.
pub fn whole_months(delivery: &Delivery) -> Vec<NaiveDate> {
    let (Some(first), Some(last)) = (
        delivery.by_day.keys().next(),
        delivery.by_day.keys().next_back(),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut m = next_month(first.with_day(1).expect("day 1 exists"));
    while next_month(m) <= *last {
        out.push(m);
        m = next_month(m);
    }
    out
}

fn next_month(d: NaiveDate) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(1)).unwrap_or(d)
}

/// The checks of one event source: freshness, volume, shrink, action shares, new accounts
/// and rejects. `max_age_days` is the source's own bound; `rejects` is `(rejected, read)`.
pub struct SourceInput<'a> {
    pub name: &'a str,
    pub max_age_days: u32,
    pub delivery: &'a Delivery,
    pub history: &'a History,
    pub rejects: (u64, u64),
    pub reference: Option<&'a SourceReference>,
}

pub fn check_source(s: &SourceInput, as_of: NaiveDate, bounds: &Health) -> Vec<Finding> {
    vec![
        freshness(s, as_of),
        volume(s, as_of, bounds),
        shrink(s, bounds),
        action_share(s, bounds),
        new_accounts(s, bounds),
        reject_share(s, bounds),
    ]
}

/// The usual events of `day`'s weekday: the median of the same weekday 1 to 4 weeks before,
/// each day counted as the larger of what the store held and what the delivery holds (an
/// incremental delivery holds the newest days, a cumulative one every day: either way the
/// larger is what the store will hold once merged).
fn usual(s: &SourceInput, day: NaiveDate) -> f64 {
    let mut counts: Vec<u64> = (1..=WEEKS)
        .map(|w| count_on(s, day - Duration::days(7 * w)))
        .collect();
    counts.sort_unstable();
    let n = counts.len();
    (counts[(n - 1) / 2] + counts[n / 2]) as f64 / 2.0
}

fn count_on(s: &SourceInput, day: NaiveDate) -> u64 {
    let stored = s.history.by_day.get(&day).copied().unwrap_or(0);
    let delivered = s.delivery.by_day.get(&day).copied().unwrap_or(0);
    stored.max(delivered)
}

/// Days from the newest delivered event's day to the as-of day, not counting days whose
/// weekday is usually silent (no events on it in most of the four weeks before the as-of day:
/// weekends, for many networks).
fn freshness(s: &SourceInput, as_of: NaiveDate) -> Finding {
    let mut f = Finding::new(Check::Freshness, s.name, s.max_age_days as f64);
    let Some(newest) = s.delivery.by_day.keys().next_back().copied() else {
        // Nothing delivered at all: as stale as a feed can be.
        f.status = Status::Flag;
        return f;
    };
    f.subject = newest.to_string();
    let silent = silent_weekdays(s, as_of);
    let mut age = 0i64;
    let mut day = newest + Duration::days(1);
    while day <= as_of {
        if day == as_of || !silent[day.weekday().num_days_from_monday() as usize] {
            age += 1;
        }
        day += Duration::days(1);
    }
    f.judged(age as f64, age > s.max_age_days as i64)
}

/// Per weekday (Monday first), whether the source is usually silent on it: a median of no
/// events over the four weeks before the as-of day. Without history no day is silent.
fn silent_weekdays(s: &SourceInput, as_of: NaiveDate) -> [bool; 7] {
    let mut silent = [false; 7];
    if !s.history.held {
        return silent;
    }
    for back in 1..=7 {
        let day = as_of - Duration::days(back);
        let mut counts: Vec<u64> = (0..WEEKS)
            .map(|w| count_on(s, day - Duration::days(7 * w)))
            .collect();
        counts.sort_unstable();
        let n = counts.len();
        let median = (counts[(n - 1) / 2] + counts[n / 2]) as f64 / 2.0;
        silent[day.weekday().num_days_from_monday() as usize] = median == 0.0;
    }
    silent
}

/// The newest complete day (the day before the as-of day) against its weekday's usual count.
fn volume(s: &SourceInput, as_of: NaiveDate, bounds: &Health) -> Finding {
    let day = as_of - Duration::days(1);
    let mut f = Finding::new(Check::Volume, s.name, bounds.volume_factor);
    f.subject = day.to_string();
    if !s.history.held {
        return f.skipped(Why::NoHistory);
    }
    let median = usual(s, day);
    f.against = Some(median);
    if median < bounds.min_events as f64 {
        return f.skipped(Why::TooFew);
    }
    let ratio = count_on(s, day) as f64 / median;
    let factor = bounds.volume_factor;
    f.judged(ratio, ratio < 1.0 / factor || ratio > factor)
}

/// The month the delivery spans whole that it holds the fewest events of, against the store.
fn shrink(s: &SourceInput, bounds: &Health) -> Finding {
    let mut f = Finding::new(Check::Shrink, s.name, -bounds.max_shrink);
    let mut worst: Option<(NaiveDate, f64, u64)> = None;
    for (month, &stored) in &s.history.by_month {
        if stored == 0 {
            continue;
        }
        let end = next_month(*month);
        let delivered: u64 = s.delivery.by_day.range(*month..end).map(|(_, n)| n).sum();
        let change = delivered as f64 / stored as f64 - 1.0;
        if worst.is_none_or(|(_, w, _)| change < w) {
            worst = Some((*month, change, stored));
        }
    }
    let Some((month, change, stored)) = worst else {
        return f.skipped(Why::NoWholeMonth);
    };
    f.subject = month.format("%Y-%m").to_string();
    f.against = Some(stored as f64);
    f.judged(change, change < -bounds.max_shrink)
}

/// The action whose share of the delivery moved most since the last run that passed.
fn action_share(s: &SourceInput, bounds: &Health) -> Finding {
    let f = Finding::new(Check::ActionShare, s.name, bounds.max_share_shift);
    let total = s.delivery.events();
    if total < bounds.min_events as u64 {
        return f.skipped(Why::TooFew);
    }
    let Some(before) = s.reference.filter(|r| !r.actions.is_empty()) else {
        return f.skipped(Why::NoHistory);
    };
    let now = shares(&s.delivery.by_action);
    let mut worst = (String::new(), 0.0f64, 0.0f64);
    for action in now.keys().chain(before.actions.keys()) {
        let (a, b) = (
            now.get(action).copied().unwrap_or(0.0),
            before.actions.get(action).copied().unwrap_or(0.0),
        );
        if (a - b).abs() > worst.1.abs() || worst.0.is_empty() {
            worst = (action.clone(), a - b, b);
        }
    }
    let mut f = f;
    f.subject = worst.0;
    f.against = Some(worst.2);
    f.judged(worst.1, worst.1.abs() > bounds.max_share_shift)
}

/// Each action's share of the events.
pub fn shares(by_action: &BTreeMap<String, u64>) -> BTreeMap<String, f64> {
    let total: u64 = by_action.values().sum();
    by_action
        .iter()
        .map(|(a, n)| {
            (
                a.clone(),
                if total == 0 {
                    0.0
                } else {
                    *n as f64 / total as f64
                },
            )
        })
        .collect()
}

/// The share of the delivery's acting accounts the store had never seen, against the last
/// run that passed (none before: against none).
fn new_accounts(s: &SourceInput, bounds: &Health) -> Finding {
    let mut f = Finding::new(Check::NewAccounts, s.name, bounds.max_share_shift);
    if !s.history.held {
        return f.skipped(Why::NoHistory);
    }
    if s.delivery.events() < bounds.min_events as u64 {
        return f.skipped(Why::TooFew);
    }
    let acting = s.delivery.actors.as_ref().map_or(0, |a| a.height() as u64);
    if acting == 0 {
        return f.skipped(Why::TooFew);
    }
    let share = s.history.unseen as f64 / acting as f64;
    let Some(before) = s.reference.and_then(|r| r.new_accounts) else {
        f.figure = Some(share);
        return f.skipped(Why::NoHistory);
    };
    f.against = Some(before);
    f.bound = before + bounds.max_share_shift;
    let over = share > f.bound;
    f.judged(share, over)
}

/// The share of rows read that were rejected, against the last run that passed.
fn reject_share(s: &SourceInput, bounds: &Health) -> Finding {
    let mut f = Finding::new(Check::RejectShare, s.name, bounds.max_reject_rise);
    let (rejected, read) = s.rejects;
    if read == 0 {
        return f.skipped(Why::TooFew);
    }
    let share = rejected as f64 / read as f64;
    let Some(before) = s.reference.and_then(|r| r.reject_share) else {
        f.figure = Some(share);
        return f.skipped(Why::NoHistory);
    };
    f.against = Some(before);
    f.bound = before + bounds.max_reject_rise;
    let over = share > f.bound;
    f.judged(share, over)
}

/// A usage report's one finding: not checked, it carries counts, not events.
pub fn usage_source(name: &str) -> Finding {
    Finding::new(Check::Freshness, name, 0.0).skipped(Why::Usage)
}

/// The roster's groups against the last run that passed: per attribute, the group whose size
/// moved most (as a share of its size then), among groups of at least `min_group_size`. A
/// group now between one and `min_group_size - 1` people keeps its figure withheld, so that
/// no small group's size can be worked out from the report.
pub fn check_roster(
    now: &BTreeMap<String, BTreeMap<String, u64>>,
    before: &BTreeMap<String, BTreeMap<String, u64>>,
    bounds: &Health,
    min_group_size: u64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (attribute, groups) in now {
        let mut f = Finding::new(Check::RosterGroup, "roster", bounds.max_group_change);
        f.subject = attribute.clone();
        let Some(was) = before.get(attribute) else {
            out.push(f.skipped(Why::NoHistory));
            continue;
        };
        let mut worst: Option<(&String, f64, u64)> = None;
        for (group, &size_then) in was.iter().filter(|(_, n)| **n >= min_group_size) {
            let size = groups.get(group).copied().unwrap_or(0);
            let change = size as f64 / size_then as f64 - 1.0;
            if worst.is_none_or(|(_, w, _)| change.abs() > w.abs()) {
                worst = Some((group, change, size));
            }
        }
        let Some((group, change, size)) = worst else {
            out.push(f.skipped(Why::TooFew));
            continue;
        };
        f.subject = format!("{attribute} = {group}");
        f = f.judged(change, change.abs() > bounds.max_group_change);
        if size > 0 && size < min_group_size {
            f.figure = None;
        }
        out.push(f);
    }
    out
}

/// The roster's size per group of each attribute (`attributes` the roster has).
pub fn roster_groups(
    roster: &DataFrame,
    attributes: &[String],
) -> PolarsResult<BTreeMap<String, BTreeMap<String, u64>>> {
    let mut out = BTreeMap::new();
    for attribute in attributes {
        if roster.column(attribute).is_err() {
            continue;
        }
        let counted = roster
            .clone()
            .lazy()
            .select([col(attribute.as_str())
                .cast(DataType::String)
                .fill_null(lit("(none)"))
                .alias("group")])
            .group_by([col("group")])
            .agg([len().cast(DataType::UInt64).alias("n")])
            .collect()?;
        let groups = counted.column("group")?.str()?.clone();
        let n = counted.column("n")?.u64()?.clone();
        let sizes: BTreeMap<String, u64> = groups
            .iter()
            .zip(n.iter())
            .filter_map(|(g, n)| Some((g?.to_string(), n?)))
            .collect();
        out.insert(attribute.clone(), sizes);
    }
    Ok(out)
}

/// The reference for the next run: tonight's figures where their check passed (or had none to
/// pass yet), the last reference's elsewhere; with `accept`, tonight's figures wherever there
/// are any (the user says a changed feed is the new normal).
pub fn next_reference(
    before: &Reference,
    tonight: &[(String, SourceReference)],
    roster: &BTreeMap<String, BTreeMap<String, u64>>,
    findings: &[Finding],
    accept: bool,
) -> Reference {
    let flagged = |check: Check, source: &str| {
        !accept
            && findings
                .iter()
                .any(|f| f.check == check && f.source == source && f.status == Status::Flag)
    };
    let mut next = before.clone();
    next.version = 1;
    for (name, now) in tonight {
        let kept = next.sources.entry(name.clone()).or_default();
        if !now.actions.is_empty() && !flagged(Check::ActionShare, name) {
            kept.actions = now.actions.clone();
        }
        if now.new_accounts.is_some() && !flagged(Check::NewAccounts, name) {
            kept.new_accounts = now.new_accounts;
        }
        if now.reject_share.is_some() && !flagged(Check::RejectShare, name) {
            kept.reject_share = now.reject_share;
        }
    }
    for (attribute, groups) in roster {
        let moved = findings.iter().any(|f| {
            !accept
                && f.check == Check::RosterGroup
                && f.status == Status::Flag
                && f.subject.starts_with(&format!("{attribute} = "))
        });
        if !moved {
            next.roster.insert(attribute.clone(), groups.clone());
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A delivery of `per_day` events a day over `days`, all `post`s.
    fn delivery(days: &[(&str, u64)]) -> Delivery {
        let mut d = Delivery::default();
        for (s, n) in days {
            d.by_day.insert(day(s), *n);
            *d.by_action.entry("post".into()).or_insert(0) += n;
        }
        d
    }

    fn input<'a>(d: &'a Delivery, h: &'a History) -> SourceInput<'a> {
        SourceInput {
            name: "s",
            max_age_days: 2,
            delivery: d,
            history: h,
            rejects: (0, d.events()),
            reference: None,
        }
    }

    #[test]
    fn freshness_counts_days_behind_skipping_usually_silent_weekdays() {
        // 2026-03-02 is a Monday. The store holds four weeks of weekdays only (100 events
        // each), so Saturdays and Sundays are usually silent.
        let mut h = History {
            held: true,
            ..Default::default()
        };
        let mut d = day("2026-02-02");
        while d < day("2026-03-02") {
            if d.weekday().num_days_from_monday() < 5 {
                h.by_day.insert(d, 100);
            }
            d += Duration::days(1);
        }
        // Newest event Friday 02-27, run on Monday 03-02: Sat and Sun do not count, Monday
        // (the as-of day) does: 1 day behind.
        let friday = delivery(&[("2026-02-27", 100)]);
        let f = freshness(&input(&friday, &h), day("2026-03-02"));
        assert_eq!((f.figure, f.status), (Some(1.0), Status::Pass));
        // Newest event Wednesday 02-25: Thu, Fri and Mon count: 3 > 2, flagged.
        let wednesday = delivery(&[("2026-02-25", 100)]);
        let f = freshness(&input(&wednesday, &h), day("2026-03-02"));
        assert_eq!((f.figure, f.status), (Some(3.0), Status::Flag));
    }

    #[test]
    fn volume_sets_the_newest_day_against_its_weekday_median() {
        // Tuesdays 02-03, 02-10, 02-17, 02-24 held 80, 100, 90, 200: median (90+100)/2 = 95.
        let h = History {
            held: true,
            by_day: [
                ("2026-02-03", 80),
                ("2026-02-10", 100),
                ("2026-02-17", 90),
                ("2026-02-24", 200),
            ]
            .into_iter()
            .map(|(d, n)| (day(d), n))
            .collect(),
            ..Default::default()
        };
        let bounds = Health::default();
        // Tuesday 03-03 with 10 events: 10/95 = 0.105 < 1/4: flagged.
        let tenth = delivery(&[("2026-03-03", 10)]);
        let f = volume(&input(&tenth, &h), day("2026-03-04"), &bounds);
        assert_eq!(f.status, Status::Flag);
        assert_eq!(f.against, Some(95.0));
        assert!((f.figure.unwrap() - 10.0 / 95.0).abs() < 1e-12);
        // 95 events: a ratio of 1, passed.
        let normal = delivery(&[("2026-03-03", 95)]);
        let f = volume(&input(&normal, &h), day("2026-03-04"), &bounds);
        assert_eq!((f.figure, f.status), (Some(1.0), Status::Pass));
        // A weekday whose median is under min_events (50) is not judged.
        let f = volume(&input(&normal, &h), day("2026-03-05"), &bounds);
        assert_eq!((f.status, f.why), (Status::Skip, Some(Why::TooFew)));
    }

    #[test]
    fn a_month_spanned_whole_with_fewer_events_than_stored_is_flagged() {
        // The delivery runs from 01-15 to 03-10, so February is spanned whole: it holds 90
        // events where the store held 100, a change of -0.10 < -0.05.
        let d = delivery(&[("2026-01-15", 5), ("2026-02-10", 90), ("2026-03-10", 5)]);
        assert_eq!(whole_months(&d), vec![day("2026-02-01")]);
        let h = History {
            held: true,
            by_month: [(day("2026-02-01"), 100)].into_iter().collect(),
            ..Default::default()
        };
        let f = shrink(&input(&d, &h), &Health::default());
        assert_eq!((f.subject.as_str(), f.status), ("2026-02", Status::Flag));
        assert!((f.figure.unwrap() + 0.10).abs() < 1e-12);
    }

    #[test]
    fn a_shift_of_every_action_to_one_kind_is_flagged() {
        // Before: 60% visits, 40% views. Tonight: 100 views. The view share moves +0.6.
        let mut d = delivery(&[]);
        d.by_day.insert(day("2026-03-03"), 100);
        d.by_action.insert("view".into(), 100);
        let h = History::default();
        let reference = SourceReference {
            actions: [("visit".to_string(), 0.6), ("view".to_string(), 0.4)]
                .into_iter()
                .collect(),
            ..Default::default()
        };
        let mut s = input(&d, &h);
        s.reference = Some(&reference);
        let f = action_share(&s, &Health::default());
        assert_eq!(f.status, Status::Flag);
        // visit -0.6 and view +0.6 tie; the first in order (view, tonight's) is named.
        assert!((f.figure.unwrap().abs() - 0.6).abs() < 1e-12, "{f:?}");
    }

    #[test]
    fn a_roster_group_gone_is_flagged_and_a_small_one_withheld() {
        let sizes = |pairs: &[(&str, u64)]| -> BTreeMap<String, BTreeMap<String, u64>> {
            let groups = pairs.iter().map(|(g, n)| (g.to_string(), *n)).collect();
            [("department".to_string(), groups)].into_iter().collect()
        };
        let bounds = Health::default();
        let before = sizes(&[("Sales", 40), ("Ops", 30), ("Tiny", 3)]);
        // Sales gone: -1.0, flagged and shown (0 people reveals no small group).
        let f = check_roster(&sizes(&[("Ops", 30), ("Tiny", 3)]), &before, &bounds, 5);
        assert_eq!(f[0].subject, "department = Sales");
        assert_eq!((f[0].figure, f[0].status), (Some(-1.0), Status::Flag));
        // Ops down to 4 (under 5): flagged, its figure withheld.
        let f = check_roster(&sizes(&[("Sales", 40), ("Ops", 4)]), &before, &bounds, 5);
        assert_eq!(
            (f[0].subject.as_str(), f[0].figure),
            ("department = Ops", None)
        );
        assert_eq!(f[0].status, Status::Flag);
        // The same roster: passed, the biggest move 0.
        let f = check_roster(&before, &before, &bounds, 5);
        assert_eq!((f[0].figure, f[0].status), (Some(0.0), Status::Pass));
    }
}
