//! What people say of their own use beside what they do (README "What people say, campaigns and leaders"): the pipeline's ladder
//! applied to a staff survey's answers (a behaviour answered monthly, weekly or daily counts as
//! one event of its kind), each respondent's self-reported rung set beside the rung observed in
//! the period they answered in, the answers per roster group, and who wants to contribute.
//! Frames in, frames out; suppression is the outcome stage's.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::ladder::{self, CompiledLadder};
use crate::normalize::periods::key_expr;
use crate::normalize::PERIOD_KEY;
use crate::vocabulary::activity as a;
use crate::vocabulary::profile::{self as p, BEHAVIOURS, FREQUENCIES};
use crate::vocabulary::PeriodKind;

/// The rung a respondent reports, beside the one observed.
pub const SELF_RUNG: &str = "self_reported_rung";
pub const OBSERVED_RUNG: &str = "observed_rung";

/// Why an answer was left out, as the manifest counts it.
pub const NOT_ON_ROSTER: &str = "respondent not on the roster";
pub const OUTSIDE: &str = "answered outside the report's periods";
pub const NOT_IN_HEADCOUNT: &str = "respondent not in headcount in the survey's period";
pub const SUPERSEDED: &str = "an earlier answer of a respondent who answered again";

/// Each respondent's latest answer compared, and what was left out.
pub struct Compared {
    /// `person, period_key, self_reported_rung, observed_rung, wants_to_contribute`, the
    /// behaviours and the further questions: one row per respondent compared.
    pub respondents: DataFrame,
    /// Answers left out, by reason (the manifest's `excluded_by_reason`).
    pub left_out: BTreeMap<String, u64>,
}

/// The answers from [`crate::ingest::profile::read`] with their period key, each respondent's
/// latest answer only (ties: the later row), the rest counted as superseded.
fn latest(answers: &DataFrame, kind: PeriodKind) -> PolarsResult<(DataFrame, u64)> {
    let latest = answers
        .clone()
        .lazy()
        .with_row_index("__row", None)
        .sort(
            [p::PERSON_ID, p::ANSWERED_AT, "__row"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .unique_stable(
            Some(Selector::ByName {
                names: Arc::new([p::PERSON_ID.into()]),
                strict: true,
            }),
            UniqueKeepStrategy::Last,
        )
        .with_column(key_expr(kind, col(p::ANSWERED_AT)).alias(PERIOD_KEY))
        .drop(Selector::ByName {
            names: Arc::new(["__row".into()]),
            strict: true,
        })
        .collect()?;
    let superseded = (answers.height() - latest.height()) as u64;
    Ok((latest, superseded))
}

/// The self-reported activity table: the §3 counts from the answers (each behaviour at least
/// monthly one event of its kind; active on one day when any is), with the flags the ladder's
/// conditions may name, then the ladder's rung as `self_reported_rung`.
fn self_reported(answers: LazyFrame, ladder: &CompiledLadder) -> LazyFrame {
    let counted = |behaviour: &str| {
        col(answer(behaviour))
            .neq(lit(FREQUENCIES[0]))
            .cast(DataType::UInt32)
    };
    let counts: Vec<Expr> = a::COUNTS
        .iter()
        .map(|c| {
            BEHAVIOURS
                .iter()
                .find(|(_, count)| count == c)
                .map(|(b, _)| counted(b))
                .unwrap_or(lit(0u32))
                .alias(*c)
        })
        .collect();
    let any = BEHAVIOURS
        .iter()
        .map(|(b, _)| counted(b))
        .reduce(|x, y| x + y)
        .unwrap_or(lit(0u32));
    let with_counts = answers
        .with_columns(counts)
        .with_columns([
            (col(a::POSTS) + col(a::REPLIES)).alias(a::CONTRIBUTIONS),
            (col(a::REACTIONS) + col(a::SHARES)).alias(a::INTERACTIONS),
            any.gt(lit(0u32))
                .cast(DataType::UInt32)
                .alias(a::ACTIVE_DAYS),
        ])
        .with_columns(flags());
    ladder::assign(with_counts, ladder).with_column(col(a::RUNG).alias(SELF_RUNG))
}

/// Where a question's answers wait while the answers become counts: "posts" and "shares" are
/// both questions and activity-table columns.
fn answer(question: &str) -> String {
    format!("__answer_{question}")
}

/// The questions of the survey: every column but the respondent, the day and the wish.
fn questions(answers: &DataFrame) -> Vec<String> {
    answers
        .get_column_names()
        .into_iter()
        .filter(|c| ![p::PERSON_ID, p::ANSWERED_AT, p::WANTS].contains(&c.as_str()))
        .map(|c| c.to_string())
        .collect()
}

/// The §3 flags from the counts, as the activity table has them.
fn flags() -> [Expr; 5] {
    let n = |c: &str| col(c).gt(lit(0u32));
    let active = n(a::ACTIVE_DAYS);
    let engaged = n(a::POSTS)
        .or(n(a::REPLIES))
        .or(n(a::REACTIONS))
        .or(n(a::SHARES))
        .or(n(a::CURATIONS));
    [
        active.clone().alias(a::ACTIVE),
        engaged.clone().alias(a::ENGAGED),
        n(a::CONTRIBUTIONS).alias(a::CONTRIBUTOR),
        n(a::POSTS).alias(a::CREATOR),
        active.and(engaged.not()).alias(a::LURKER),
    ]
}

/// Each respondent's latest answer with its self-reported rung and the rung observed in the
/// period of the answer. Left out, and counted: earlier answers of the same person, people not
/// on the roster (`roster_ids`), answers outside `periods`, and people not in headcount then.
pub fn compare(
    answers: &DataFrame,
    kind: PeriodKind,
    ladder: &CompiledLadder,
    roster_ids: LazyFrame,
    activity: LazyFrame,
    periods: &[i32],
) -> PolarsResult<Compared> {
    let (latest, superseded) = latest(answers, kind)?;
    let on_roster = latest
        .clone()
        .lazy()
        .join(
            roster_ids.select([col(crate::vocabulary::person::PERSON_ID)]),
            [col(p::PERSON_ID)],
            [col(crate::vocabulary::person::PERSON_ID)],
            JoinArgs::new(JoinType::Semi),
        )
        .collect()?;
    let inside = on_roster
        .clone()
        .lazy()
        .filter(crate::normalize::in_periods(periods))
        .collect()?;
    let observed = activity.select([
        col(a::PERSON),
        col(PERIOD_KEY),
        col(a::RUNG).alias(OBSERVED_RUNG),
    ]);
    let asked = questions(answers);
    let waiting: Vec<String> = asked.iter().map(|q| answer(q)).collect();
    let renamed = inside
        .clone()
        .lazy()
        .rename([p::PERSON_ID], [a::PERSON], true)
        .rename(&asked, &waiting, true);
    let respondents = self_reported(renamed, ladder)
        .join(
            observed,
            [col(a::PERSON), col(PERIOD_KEY)],
            [col(a::PERSON), col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Inner),
        )
        .select(respondent_columns(answers))
        .sort([a::PERSON], SortMultipleOptions::default())
        .collect()?;
    let mut left_out = BTreeMap::new();
    for (reason, n) in [
        (SUPERSEDED, superseded),
        (NOT_ON_ROSTER, (latest.height() - on_roster.height()) as u64),
        (OUTSIDE, (on_roster.height() - inside.height()) as u64),
        (
            NOT_IN_HEADCOUNT,
            (inside.height() - respondents.height()) as u64,
        ),
    ] {
        if n > 0 {
            left_out.insert(reason.to_string(), n);
        }
    }
    Ok(Compared {
        respondents,
        left_out,
    })
}

/// `person, period_key`, both rungs, the wish to contribute, then every question as answered.
fn respondent_columns(answers: &DataFrame) -> Vec<Expr> {
    let questions = questions(answers)
        .into_iter()
        .map(|q| col(answer(&q)).alias(q))
        .collect::<Vec<_>>();
    [
        col(a::PERSON),
        col(PERIOD_KEY),
        col(SELF_RUNG),
        col(OBSERVED_RUNG),
        col(p::WANTS),
    ]
    .into_iter()
    .chain(questions)
    .collect()
}

/// `self_reported_rung, observed_rung, people`: every pair of rungs in ladder order, zeros
/// included, so suppression sees the whole table.
pub fn crosstab(respondents: &DataFrame, names: &[String]) -> PolarsResult<Vec<Vec<u64>>> {
    let mut counts = vec![vec![0u64; names.len()]; names.len()];
    let index = |v: Option<&str>| v.and_then(|v| names.iter().position(|n| n == v));
    let (own, seen) = (
        respondents.column(SELF_RUNG)?.str()?.clone(),
        respondents.column(OBSERVED_RUNG)?.str()?.clone(),
    );
    for (s, o) in own.iter().zip(seen.iter()) {
        if let (Some(s), Some(o)) = (index(s), index(o)) {
            counts[s][o] += 1;
        }
    }
    Ok(counts)
}

/// Per roster group, how many respondents gave each answer to each question (the
/// self-reported rung first, then the behaviours, the wish to contribute and the further
/// questions): `group, item, answer, people`, answers in scale order, unanswered last.
pub fn by_group(
    respondents: &DataFrame,
    groups: LazyFrame,
    attribute: &str,
    names: &[String],
) -> PolarsResult<DataFrame> {
    let joined = respondents
        .clone()
        .lazy()
        .join(
            groups.select([
                col(crate::vocabulary::person::PERSON_ID).alias(a::PERSON),
                col(attribute).alias("group"),
            ]),
            [col(a::PERSON)],
            [col(a::PERSON)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("group").fill_null(lit("(not given)")));
    let mut parts = Vec::new();
    for (item, answers) in items(respondents, names) {
        let order = Series::new("answer".into(), answers.clone());
        let rank = DataFrame::new(
            answers.len(),
            vec![
                order.into_column(),
                Column::new(
                    "__order".into(),
                    (0..answers.len() as u32).collect::<Vec<_>>(),
                ),
            ],
        )?;
        parts.push(
            joined
                .clone()
                .select([
                    col("group"),
                    col(item.as_str())
                        .cast(DataType::String)
                        .fill_null(lit("unanswered"))
                        .alias("answer"),
                ])
                .group_by([col("group"), col("answer")])
                .agg([len().cast(DataType::UInt64).alias("people")])
                .join(
                    rank.lazy(),
                    [col("answer")],
                    [col("answer")],
                    JoinArgs::new(JoinType::Left),
                )
                .with_columns([
                    lit(item.clone()).alias("item"),
                    lit(parts.len() as u32).alias("__item"),
                ]),
        );
    }
    concat(parts, UnionArgs::default())?
        .sort(
            ["group", "__item", "__order"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select([col("group"), col("item"), col("answer"), col("people")])
        .collect()
}

/// The questions of the by-group profile and the answers each may take, in order.
pub fn items(respondents: &DataFrame, names: &[String]) -> Vec<(String, Vec<String>)> {
    let scale: Vec<String> = FREQUENCIES
        .iter()
        .map(|f| f.to_string())
        .chain(["unanswered".into()])
        .collect();
    let mut items = vec![(SELF_RUNG.to_string(), names.to_vec())];
    for c in respondents.get_column_names() {
        let c = c.as_str();
        let fixed = [a::PERSON, PERIOD_KEY, SELF_RUNG, OBSERVED_RUNG, p::WANTS];
        if !fixed.contains(&c) {
            items.push((c.to_string(), scale.clone()));
        }
    }
    let wants: Vec<String> = p::WANTS_ANSWERS
        .iter()
        .map(|w| w.to_string())
        .chain(["unanswered".into()])
        .collect();
    items.insert(1 + BEHAVIOURS.len(), (p::WANTS.to_string(), wants));
    items
}

/// `person, self_reported_rung, observed_rung, wants_to_contribute` of respondents who want to
/// contribute (`yes`), with their observed rung.
pub fn willing(respondents: &DataFrame) -> PolarsResult<DataFrame> {
    respondents
        .clone()
        .lazy()
        .filter(col(p::WANTS).eq(lit("yes")))
        .select([
            col(a::PERSON),
            col(SELF_RUNG),
            col(OBSERVED_RUNG),
            col(p::WANTS),
        ])
        .collect()
}
