//! Ambassador candidates (docs/metrics.md): people who kept up conversation, on the ambassador rung or
//! higher in each of the last periods, and whom enough distinct people answered or reacted to
//! over those periods. Communications teams invite them to host and seed discussions.
//!
//! It reads the replies and reactions through [`super::network::ties`] (one row per pair and
//! period); as SQL over events (window = the last periods):
//!
//! ```sql
//! SELECT person, COUNT(DISTINCT partner) AS distinct_partners,
//!        COUNT(DISTINCT CASE WHEN incoming THEN partner END) AS responders
//! FROM (SELECT target_actor AS person, actor AS partner, TRUE AS incoming FROM events
//!         WHERE action IN ('reply', 'reaction') AND actor <> target_actor AND period_key IN (window)
//!       UNION ALL
//!       SELECT actor, target_actor, FALSE FROM events
//!         WHERE action IN ('reply', 'reaction') AND actor <> target_actor AND period_key IN (window))
//! GROUP BY person
//! ```

use polars::prelude::*;

use super::count_stacked;
use crate::normalize::periods::Period;
use crate::normalize::{in_periods, stack, PERIOD_KEY};
use crate::plan::AmbassadorSettings;
use crate::vocabulary::{activity as a, event};

/// Which periods, rungs and partner count make a candidate, from the settings and the calendar.
pub struct Window {
    /// The last periods of the calendar; empty when the calendar is shorter than the window.
    pub periods: Vec<i32>,
    /// The ambassador rung and every rung above it.
    pub eligible: Vec<String>,
    pub min_partners: u32,
}

/// The window of the last `settings.periods` periods. Too few periods for the window: none,
/// and no one can qualify (the table keeps its columns).
pub fn window(calendar: &[Period], settings: &AmbassadorSettings, rungs: &[String]) -> Window {
    let last: Vec<i32> = calendar
        .iter()
        .rev()
        .take(settings.periods as usize)
        .map(|p| p.key)
        .collect();
    let eligible = rungs
        .iter()
        .take_while(|n| **n != settings.rung)
        .chain(std::iter::once(&settings.rung))
        .cloned()
        .collect();
    if last.len() == settings.periods as usize {
        Window {
            periods: last,
            eligible,
            min_partners: settings.min_partners,
        }
    } else {
        Window {
            periods: Vec::new(),
            eligible,
            min_partners: u32::MAX,
        }
    }
}

/// `rank, person, distinct_partners, responders, contributions, rung`: people in the activity
/// table on one of `eligible` rungs in every one of the `window` periods, with at least
/// `min_partners` distinct people replying or reacting to them over the window (`responders`),
/// ranked by `distinct_partners` over the window (both directions, descending; ties by person
/// id). `rung` is their rung in the last period of the window.
pub fn candidates(activity: LazyFrame, ties: LazyFrame, window: &Window) -> LazyFrame {
    let Window {
        periods: window,
        eligible,
        min_partners,
    } = window;
    let min_partners = *min_partners;
    let last = window.iter().copied().max().unwrap_or_default();
    let steady = activity
        .filter(in_periods(window).and(col(a::RUNG).is_in(
            lit(Series::new("rungs".into(), eligible.to_vec())).implode(false),
            false,
        )))
        .group_by([col(a::PERSON)])
        .agg([
            len().alias("__periods"),
            col(a::CONTRIBUTIONS).sum().alias(a::CONTRIBUTIONS),
            col(a::RUNG)
                .filter(col(PERIOD_KEY).eq(lit(last)))
                .first()
                .alias(a::RUNG),
        ])
        .filter(col("__periods").eq(lit(window.len() as u32)));
    let ties = ties.filter(in_periods(window).and(col(event::ACTOR).neq(col(event::TARGET_ACTOR))));
    let incoming = ties.clone().select([
        col(event::TARGET_ACTOR).alias(a::PERSON),
        col(event::ACTOR).alias("__partner"),
    ]);
    let responders = count_stacked(incoming.clone(), &[a::PERSON], "__partner", "responders");
    let outgoing = ties.select([
        col(event::ACTOR).alias(a::PERSON),
        col(event::TARGET_ACTOR).alias("__partner"),
    ]);
    let partners = count_stacked(
        stack(incoming, outgoing),
        &[a::PERSON],
        "__partner",
        a::DISTINCT_PARTNERS,
    );
    steady
        .join(
            responders,
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("responders").gt_eq(lit(min_partners)))
        .join(
            partners,
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Left),
        )
        .sort(
            [a::DISTINCT_PARTNERS, a::PERSON],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false])
                .with_maintain_order(true),
        )
        .with_row_index("rank", Some(1))
        .select([
            col("rank"),
            col(a::PERSON),
            col(a::DISTINCT_PARTNERS),
            col("responders"),
            col(a::CONTRIBUTIONS).cast(DataType::UInt32),
            col(a::RUNG),
        ])
}

/// Where an ambassador was found: in the activity, in the profile survey, or in both.
pub const SOURCE: &str = "source";

/// The candidates beside the profile survey's willing respondents (`person,
/// self_reported_rung, observed_rung, wants_to_contribute`, those who answered yes): each
/// candidate says `observed`, or `both` when they also want to contribute, and respondents who
/// want to contribute but were observed below the ambassador `rung` follow as `self-reported`
/// (no rank or partner counts; their rung is the one observed in the survey's period).
pub fn with_willing(
    candidates: LazyFrame,
    willing: Option<LazyFrame>,
    names: &[String],
    rung: &str,
) -> PolarsResult<LazyFrame> {
    use super::profile::{OBSERVED_RUNG, SELF_RUNG};
    use crate::vocabulary::profile::WANTS;
    let columns = [
        "rank",
        a::PERSON,
        a::DISTINCT_PARTNERS,
        "responders",
        a::CONTRIBUTIONS,
        a::RUNG,
        SELF_RUNG,
        WANTS,
        SOURCE,
    ]
    .map(col);
    let candidates = candidates.with_column(col("rank").cast(DataType::UInt32));
    let Some(willing) = willing else {
        return Ok(candidates
            .with_columns([
                lit(NULL).cast(DataType::String).alias(SELF_RUNG),
                lit(NULL).cast(DataType::String).alias(WANTS),
                lit("observed").alias(SOURCE),
            ])
            .select(columns));
    };
    let observed = candidates
        .clone()
        .join(
            willing
                .clone()
                .select([col(a::PERSON), col(SELF_RUNG), col(WANTS)]),
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(col(WANTS).is_not_null())
                .then(lit("both"))
                .otherwise(lit("observed"))
                .alias(SOURCE),
        )
        .select(columns.clone());
    let cut = names.iter().position(|n| n == rung).unwrap_or(names.len());
    let below: Vec<String> = names.iter().skip(cut + 1).cloned().collect();
    let none = |name: &str| lit(NULL).cast(DataType::UInt32).alias(name);
    let self_reported = willing
        .filter(col(OBSERVED_RUNG).is_in(
            lit(Series::new("below".into(), below)).implode(false),
            false,
        ))
        .join(
            candidates.select([col(a::PERSON)]),
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Anti),
        )
        .select([
            none("rank"),
            col(a::PERSON),
            none(a::DISTINCT_PARTNERS),
            none("responders"),
            none(a::CONTRIBUTIONS),
            col(OBSERVED_RUNG).alias(a::RUNG),
            col(SELF_RUNG),
            col(WANTS),
            lit("self-reported").alias(SOURCE),
        ]);
    concat([observed, self_reported], UnionArgs::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testing::{activity, events};

    // Window: periods 2 and 3; eligible rungs Creators and Conversationalists; 2 responders.
    //   x: Conversationalists in 2 and 3; replied to by a and b, reacted to by a again (2
    //      responders); x replied to c -> partners {a, b, c} = 3. Contributions 1 + 2 = 3.
    //   y: Creators in 2 and 3, four responders d, e, f, g -> partners 4: ranked first.
    //   z: Critics in period 2: not steady. w: Conversationalists only in period 3. v: steady
    //      but only one responder. u: steady, 2 responders, but one of them in period 1 (out
    //      of the window).
    #[test]
    fn candidates_by_hand() {
        let act = activity(&[
            ("x", 2, &[("replies", 1)], "Conversationalists"),
            ("x", 3, &[("replies", 2)], "Conversationalists"),
            ("y", 2, &[("posts", 1)], "Creators"),
            ("y", 3, &[("posts", 1)], "Creators"),
            ("z", 2, &[("reactions", 1)], "Critics"),
            ("z", 3, &[("posts", 1)], "Creators"),
            ("w", 3, &[("replies", 1)], "Conversationalists"),
            ("v", 2, &[("replies", 1)], "Conversationalists"),
            ("v", 3, &[("replies", 1)], "Conversationalists"),
            ("u", 2, &[("replies", 1)], "Conversationalists"),
            ("u", 3, &[("replies", 1)], "Conversationalists"),
        ]);
        let tie = |from: &'static str, to: &'static str, action: &'static str, p: i32| {
            (Some(from), action, 1.0, None, None, Some(to), None, p)
        };
        let ev = events(&[
            tie("a", "x", "reply", 2),
            tie("b", "x", "reaction", 3),
            tie("a", "x", "reaction", 3),
            tie("x", "c", "reply", 3),
            tie("d", "y", "reaction", 2),
            tie("e", "y", "reaction", 2),
            tie("f", "y", "reply", 3),
            tie("g", "y", "reply", 3),
            tie("a", "z", "reply", 2),
            tie("b", "z", "reply", 3),
            tie("a", "w", "reply", 3),
            tie("b", "w", "reply", 3),
            tie("a", "v", "reply", 2),
            tie("a", "u", "reply", 2),
            tie("b", "u", "reply", 1),
        ]);
        let window = Window {
            periods: vec![2, 3],
            eligible: ["Creators", "Conversationalists"]
                .map(String::from)
                .to_vec(),
            min_partners: 2,
        };
        let out = candidates(act, crate::metrics::network::ties(ev), &window)
            .collect()
            .unwrap();
        let people: Vec<&str> = out
            .column(a::PERSON)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(people, vec!["y", "x"]);
        let partners: Vec<u32> = out
            .column(a::DISTINCT_PARTNERS)
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(partners, vec![4, 3]);
        let responders: Vec<u32> = out
            .column("responders")
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(responders, vec![4, 2]);
        let contributions: Vec<u32> = out
            .column(a::CONTRIBUTIONS)
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(contributions, vec![2, 3]);
        let rank: Vec<u32> = out
            .column("rank")
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(rank, vec![1, 2]);
    }

    // Periods 1..=4, a window of 3 over the Forrester ladder with Critics as the lowest rung:
    // periods 2, 3, 4 (latest first), the three rungs down to Critics. A window of 5 is longer
    // than the calendar: no period, and no partner count can be reached.
    #[test]
    fn window_takes_the_last_periods_and_the_rungs_down_to_the_ambassador_rung() {
        let calendar: Vec<Period> = (1..=4)
            .map(|k| {
                crate::normalize::periods::period_of_key(crate::vocabulary::PeriodKind::Month, k)
            })
            .collect();
        let rungs = crate::plan::Ladder::preset(crate::plan::Preset::Forrester).names();
        let settings = AmbassadorSettings {
            periods: 3,
            min_partners: 5,
            rung: "Critics".into(),
            reveal: false,
        };
        let w = window(&calendar, &settings, &rungs);
        assert_eq!(w.periods, vec![4, 3, 2]);
        assert_eq!(w.eligible, ["Creators", "Conversationalists", "Critics"]);
        assert_eq!(w.min_partners, 5);
        let long = window(
            &calendar,
            &AmbassadorSettings {
                periods: 5,
                ..settings
            },
            &rungs,
        );
        assert!(long.periods.is_empty());
        assert_eq!(long.min_partners, u32::MAX);
    }
}
