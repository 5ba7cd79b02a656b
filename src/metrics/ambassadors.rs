//! Ambassador candidates (spec §5): people who kept up conversation, on the ambassador rung or
//! higher in each of the last periods, and whom enough distinct people answered or reacted to
//! over those periods. Communications teams invite them to host and seed discussions.

use polars::prelude::*;

use crate::normalize::PERIOD_KEY;
use crate::schema::{activity as a, event, Action};

/// `rank, person, distinct_partners, responders, contributions, rung`: people in the activity
/// table on one of `eligible` rungs in every one of the `window` periods, with at least
/// `min_partners` distinct people replying or reacting to them over the window (`responders`),
/// ranked by `distinct_partners` over the window (both directions, descending; ties by person
/// id). `rung` is their rung in the last period of the window.
pub fn candidates(
    activity: LazyFrame,
    events: LazyFrame,
    window: &[i32],
    eligible: &[String],
    min_partners: u32,
) -> LazyFrame {
    let in_window = |keys: &[i32]| {
        col(PERIOD_KEY).is_in(
            lit(Series::new("keys".into(), keys.to_vec())).implode(false),
            false,
        )
    };
    let last = window.iter().copied().max().unwrap_or_default();
    let steady = activity
        .filter(in_window(window).and(col(a::RUNG).is_in(
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
    let ties = events.filter(
        in_window(window)
            .and(
                col(event::ACTION)
                    .eq(lit(Action::Reply.as_str()))
                    .or(col(event::ACTION).eq(lit(Action::Reaction.as_str()))),
            )
            .and(col(event::ACTOR).is_not_null())
            .and(col(event::TARGET_ACTOR).is_not_null())
            .and(col(event::ACTOR).neq(col(event::TARGET_ACTOR))),
    );
    let incoming = ties.clone().select([
        col(event::TARGET_ACTOR).alias(a::PERSON),
        col(event::ACTOR).alias("__partner"),
    ]);
    let responders = incoming
        .clone()
        .group_by([col(a::PERSON)])
        .agg([col("__partner")
            .n_unique()
            .cast(DataType::UInt32)
            .alias("responders")]);
    let outgoing = ties.select([
        col(event::ACTOR).alias(a::PERSON),
        col(event::TARGET_ACTOR).alias("__partner"),
    ]);
    let partners = concat([incoming, outgoing], UnionArgs::default())
        .expect("two frames of the same schema")
        .group_by([col(a::PERSON)])
        .agg([col("__partner")
            .n_unique()
            .cast(DataType::UInt32)
            .alias(a::DISTINCT_PARTNERS)]);
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
