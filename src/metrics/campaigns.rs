//! The weekly series a campaign's effect is estimated on (README "What people say, campaigns and leaders"): participation, contribution
//! rate and reply rate per Monday-based week, for everyone or split into a campaign's audience
//! and everyone else. Weeks are needed whatever the pipeline's period, so the events give one
//! more partial result, a row per person and week:
//!
//! ```sql
//! SELECT actor, FLOOR((datediff(day, DATE '1970-01-01') + 3) / 7) AS week,
//!        COUNT(*) AS events,
//!        SUM(CASE WHEN action IN ('post', 'reply') THEN 1 ELSE 0 END) AS contributions
//! FROM events WHERE actor IS NOT NULL GROUP BY actor, week
//! ```
//!
//! A week's headcount is the population of the period holding the week's Thursday (as ISO
//! weeks belong to the year of their Thursday), so the series needs no second population.

use polars::prelude::*;

use super::ratio;
use crate::normalize::periods::{key_expr, key_of_date, local_day_expr};
use crate::normalize::{Events, DAY, PERIOD_KEY};
use crate::vocabulary::{activity as a, event, handoff, Action, PeriodKind};

pub const WEEK: &str = "week";
pub const WEEK_START: &str = "week_start";
/// The group column of the series: [`EVERYONE`], [`AUDIENCE`] or [`OTHERS`].
pub const GROUP: &str = "group";
pub const EVERYONE: &str = "everyone";
pub const AUDIENCE: &str = "audience";
pub const OTHERS: &str = "others";
/// The three weekly rates, as the series names them.
pub const METRICS: [&str; 3] = ["participation_rate", "contribution_rate", "reply_rate"];

/// One part's `actor, week, events, contributions` (see the SQL above).
pub fn weekly(events: LazyFrame) -> LazyFrame {
    let contributes = col(event::ACTION)
        .eq(lit(Action::Post.as_str()))
        .or(col(event::ACTION).eq(lit(Action::Reply.as_str())));
    events
        .filter(col(event::ACTOR).is_not_null())
        .group_by([
            col(event::ACTOR),
            key_expr(PeriodKind::Week, col(DAY)).alias(WEEK),
        ])
        .agg([
            len().cast(DataType::UInt32).alias("events"),
            contributes
                .cast(DataType::UInt32)
                .sum()
                .alias(a::CONTRIBUTIONS),
        ])
}

/// Every part's weekly rows, added up where a week spans two parts.
pub fn gather_weekly(events: &Events) -> PolarsResult<LazyFrame> {
    Ok(events
        .gather(handoff::WEEKLY, |part, _| weekly(part))?
        .group_by([col(event::ACTOR), col(WEEK)])
        .agg([col("events").sum(), col(a::CONTRIBUTIONS).sum()]))
}

/// `week, week_start, period_key`: the weeks from `first` to `last` (Monday dates), each with
/// the period holding its Thursday.
pub fn weeks(
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
    kind: PeriodKind,
) -> PolarsResult<DataFrame> {
    let mut monday = first;
    let (mut keys, mut starts, mut periods) = (Vec::new(), Vec::new(), Vec::new());
    while monday <= last {
        keys.push(key_of_date(PeriodKind::Week, monday));
        starts.push(monday);
        periods.push(key_of_date(kind, monday + chrono::Duration::days(3)));
        monday += chrono::Duration::days(7);
    }
    DataFrame::new(
        keys.len(),
        vec![
            Column::new(WEEK.into(), keys),
            Column::new(WEEK_START.into(), starts),
            Column::new(PERIOD_KEY.into(), periods),
        ],
    )
}

/// What the series are made of.
pub struct SeriesInputs {
    /// [`gather_weekly`].
    pub weekly: LazyFrame,
    /// `person, period_key`: who is in headcount.
    pub population: LazyFrame,
    /// The per-post table (`author, posted_at, first_reply_hours`).
    pub posts: LazyFrame,
    /// [`weeks`].
    pub weeks: DataFrame,
    pub timezone: chrono_tz::Tz,
}

/// Each row of `frame` with its [`GROUP`]: [`EVERYONE`] without an audience, else
/// [`AUDIENCE`] when its `person` column names someone in `audience`, [`OTHERS`] otherwise.
fn grouped(frame: LazyFrame, person: &str, audience: Option<&LazyFrame>) -> LazyFrame {
    let Some(people) = audience else {
        return frame.with_column(lit(EVERYONE).alias(GROUP));
    };
    frame
        .join(
            people
                .clone()
                .select([col(a::PERSON), lit(true).alias("__in")]),
            [col(person)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(col("__in").fill_null(lit(false)))
                .then(lit(AUDIENCE))
                .otherwise(lit(OTHERS))
                .alias(GROUP),
        )
}

/// `week, group, headcount, active, contributors`: the population of the week's period, and
/// who of it had any event and who posted or replied that week.
fn people_per_week(inputs: &SeriesInputs, audience: Option<&LazyFrame>) -> LazyFrame {
    let population = inputs.weeks.clone().lazy().join(
        inputs.population.clone(),
        [col(PERIOD_KEY)],
        [col(PERIOD_KEY)],
        JoinArgs::new(JoinType::Inner),
    );
    let counted = |c: &str, alias: &str| {
        col(c)
            .gt(lit(0u32))
            .sum()
            .cast(DataType::UInt32)
            .alias(alias)
    };
    grouped(population, a::PERSON, audience)
        .join(
            inputs.weekly.clone(),
            [col(a::PERSON), col(WEEK)],
            [col(event::ACTOR), col(WEEK)],
            JoinArgs::new(JoinType::Left),
        )
        .group_by([col(WEEK), col(GROUP)])
        .agg([
            len().cast(DataType::UInt32).alias("headcount"),
            counted("events", "active"),
            counted(a::CONTRIBUTIONS, "contributors"),
        ])
}

/// `week, group, posts, replied`: posts by the week of their local day, and those answered
/// by someone else within the reply window.
fn posts_per_week(inputs: &SeriesInputs, audience: Option<&LazyFrame>) -> LazyFrame {
    let posted = inputs.posts.clone().with_column(
        key_expr(
            PeriodKind::Week,
            local_day_expr(col("posted_at"), inputs.timezone),
        )
        .alias(WEEK),
    );
    grouped(posted, "author", audience)
        .group_by([col(WEEK), col(GROUP)])
        .agg([
            len().cast(DataType::UInt32).alias("posts"),
            col("first_reply_hours")
                .is_not_null()
                .sum()
                .cast(DataType::UInt32)
                .alias("replied"),
        ])
}

/// `week, week_start, group, headcount, active, contributors, posts, replied` and the three
/// rates, per week and group: [`EVERYONE`] when `audience` is `None`, else [`AUDIENCE`] (the
/// people listed in `audience`, a `person` column) and [`OTHERS`].
pub fn series(inputs: &SeriesInputs, audience: Option<LazyFrame>) -> LazyFrame {
    let audience = audience.as_ref();
    let weeks = inputs.weeks.clone().lazy();
    people_per_week(inputs, audience)
        .join(
            posts_per_week(inputs, audience),
            [col(WEEK), col(GROUP)],
            [col(WEEK), col(GROUP)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            weeks,
            [col(WEEK)],
            [col(WEEK)],
            JoinArgs::new(JoinType::Inner),
        )
        .with_columns([
            col("posts").fill_null(lit(0u32)),
            col("replied").fill_null(lit(0u32)),
        ])
        .with_columns([
            ratio(col("active"), col("headcount")).alias(METRICS[0]),
            ratio(col("contributors"), col("headcount")).alias(METRICS[1]),
            ratio(col("replied"), col("posts")).alias(METRICS[2]),
        ])
        .sort(
            [WEEK, GROUP],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select([
            col(WEEK),
            col(WEEK_START),
            col(GROUP),
            col("headcount"),
            col("active"),
            col("contributors"),
            col("posts"),
            col("replied"),
            col(METRICS[0]),
            col(METRICS[1]),
            col(METRICS[2]),
        ])
}
