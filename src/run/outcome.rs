//! The fourth leg: what the figures mean for the organisation and what may leave the machine.
//! The outcome tables (turnover, survival, satisfaction, KPI correlations) from the roster,
//! surveys and KPIs; then every person-level table pseudonymised (or the ambassadors revealed
//! where the pipeline opts in), so nothing after this leg holds a person id.

use polars::prelude::*;

use super::measure::Measured;
use super::prepare::Prepared;
use super::read::Inputs;
use super::setup::Setup;
use crate::error::{internal, Result};
use crate::normalize::periods::with_label;
use crate::outcomes::privacy::{KeySource, Pseudonymizer};
use crate::render::words::Language;
use crate::vocabulary::{activity as a, person};

/// The outcome tables and the person-level tables as they may be published.
pub struct Weighed {
    pub key_source: KeySource,
    /// Outcome tables by their path in the output folder (`tables/<name>.csv`).
    pub tables: Vec<(String, DataFrame)>,
    /// What the outcome tables left out, one sentence each.
    pub notes: Vec<crate::vocabulary::notes::Note>,
    /// The activity table as published: pseudonyms and period labels.
    pub activity: DataFrame,
    pub ambassadors: DataFrame,
    pub post_reach: DataFrame,
    pub unresolved: Option<DataFrame>,
}

pub fn weigh(
    setup: &Setup,
    inputs: &Inputs,
    prepared: &Prepared,
    measured: &Measured,
) -> Result<Weighed> {
    let (pseudonymizer, key_source) = Pseudonymizer::load(&setup.plan.privacy.pseudonym_key_file)?;
    if let KeySource::File(p) = &key_source {
        if let Some(warning) = crate::outcomes::privacy::readable_by_others(p) {
            setup.log.warn("privacy", &warning);
        }
    }
    if let KeySource::CreatedFile(p) = &key_source {
        setup.log.warn(
            "privacy",
            &format!(
                "created the pseudonym key {} (mode 0600); keep it, and keep it out of version control: \
                 the same key gives the same pseudonyms next run",
                p.display()
            ),
        );
    }
    let outcomes = tables(setup, inputs, prepared, measured)?;
    for note in &outcomes.notes {
        setup.log.warn("outcomes", &Language::En.note(note));
    }
    let labelled = with_label(
        measured.activity.clone().lazy(),
        prepared.calendar.frame.clone(),
    )
    .select(crate::metrics::ladder::published_columns(&setup.ladder))
    .collect()
    .map_err(internal("labelling periods"))?;
    let ambassadors = if setup.plan.metrics.ambassadors.reveal {
        // Naming people is the pipeline's choice (docs/privacy.md); the log says how many.
        setup.log.info(
            "privacy",
            "reveal_ambassadors = true: people named by id and email in tables/ambassadors.csv and the report's ambassador table",
            &[("people", measured.ambassadors.height() as u64)],
        );
        reveal(measured.ambassadors.clone(), prepared.roster())?
    } else {
        pseudonymizer.apply(&measured.ambassadors, a::PERSON)?
    };
    Ok(Weighed {
        key_source,
        tables: outcomes.tables,
        notes: outcomes.notes,
        activity: pseudonymizer.apply(&labelled, a::PERSON)?,
        ambassadors,
        post_reach: pseudonymizer.apply(&measured.post_reach, "author")?,
        unresolved: prepared
            .unresolved
            .as_ref()
            .map(|u| pseudonymizer.apply(u, "person"))
            .transpose()?,
    })
}

/// The outcome tables, which need a roster.
fn tables(
    setup: &Setup,
    inputs: &Inputs,
    prepared: &Prepared,
    measured: &Measured,
) -> Result<crate::outcomes::Tables> {
    let Some(roster) = inputs.small.roster() else {
        return Ok(crate::outcomes::Tables {
            tables: Vec::new(),
            notes: Vec::new(),
        });
    };
    let plan = &setup.plan;
    let periods = &prepared.calendar.periods;
    let surveys = inputs.small.surveys.as_ref();
    let kpis: Vec<(String, DataFrame, String)> = inputs
        .small
        .kpis
        .iter()
        .map(|(name, frame, file)| (name.clone(), frame.clone(), file.given.clone()))
        .collect();
    let breakdowns: Vec<String> = plan
        .metrics
        .breakdowns
        .iter()
        .map(|b| b.column().to_string())
        .collect();
    crate::outcomes::tables(&crate::outcomes::Inputs {
        activity: &measured.activity,
        calendar: prepared.calendar.frame.clone(),
        first_key: periods.first().map_or(0, |p| p.key),
        last_key: periods.last().map_or(0, |p| p.key),
        kind: plan.calendar.period,
        roster,
        surveys: surveys.map(|s| &s.0),
        kpis: &kpis,
        rungs: &setup.ladder.names,
        breakdowns: &breakdowns,
        min_group_size: plan.privacy.min_group_size,
        horizon: plan.outcomes.horizon_periods,
        window: plan.outcomes.window_periods,
        views_known: measured.views_known,
        surveys_file: surveys.map(|s| s.1.given.as_str()),
    })
}

/// The ambassador table with the roster's email next to each person id, for a pipeline that
/// opts in with `reveal_ambassadors = true`.
fn reveal(table: DataFrame, roster: Option<LazyFrame>) -> Result<DataFrame> {
    let Some(roster) = roster else {
        return Ok(table);
    };
    let names: Vec<Expr> = table
        .get_column_names_owned()
        .into_iter()
        .map(col)
        .chain([col(person::EMAIL)])
        .collect();
    table
        .lazy()
        .join(
            roster.select([col(person::PERSON_ID), col(person::EMAIL)]),
            [col(a::PERSON)],
            [col(person::PERSON_ID)],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .select(names)
        .collect()
        .map_err(internal("adding emails to ambassadors"))
}
