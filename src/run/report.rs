//! The fifth leg: the report model built from the result tables (`assemble.rs` reads the
//! small frames into plain structs), then drawn: the charts as SVG and PNG, the HTML and the
//! Markdown report. `render` sees the model only, never a frame.

use chrono::NaiveDate;

use super::assemble;
use super::measure::Measured;
use super::outcome::Weighed;
use super::prepare::Prepared;
use super::read::{Inputs, Record};
use super::setup::Setup;
use crate::error::{fault, Result};
use crate::ingest::InputFile;
use crate::normalize::population::Basis;
use crate::render::words::Language;
use crate::render::{self, model};
use crate::vocabulary::person;

/// The report's files, and its table of inputs (the manifest lists the same rows).
pub struct Drawn {
    /// `charts/<name>.svg|png`, `report.html`, `report.md`.
    pub files: Vec<(String, Vec<u8>)>,
    pub inputs: Vec<model::InputRow>,
    /// The profile survey's answers left out, by reason, for the manifest.
    pub profile_left_out: Option<std::collections::BTreeMap<String, u64>>,
    /// Per `[[campaign]]` key, its name and each measure's status, for the manifest.
    pub campaigns: std::collections::BTreeMap<String, super::manifest::CampaignStatus>,
}

pub fn draw(
    setup: &Setup,
    inputs: &Inputs,
    prepared: &Prepared,
    measured: &Measured,
    weighed: &Weighed,
    as_of: Option<NaiveDate>,
) -> Result<Drawn> {
    let results = assemble::Results {
        rungs: &setup.ladder.names,
        period_metrics: &measured.period_metrics,
        rung_table: &measured.rungs,
        lifecycle: &measured.lifecycle,
        transitions: &measured.transitions,
        retention: &measured.retention,
        activity: &measured.activity,
        spaces: &measured.spaces,
        departments: measured.departments.as_ref(),
        targets: &measured.targets,
        ambassadors: &weighed.ambassadors,
        outcome_tables: &weighed.tables,
        views_known: measured.views_known,
    };
    let mut report = model(setup, &results, inputs, prepared, weighed, as_of)?;
    report.themes = assemble::themes(
        measured.themes.as_ref(),
        inputs.terms.as_ref(),
        (
            report.periods.last().map(|p| p.label.as_str()),
            assemble::last_key(&measured.period_metrics)?,
        ),
        setup.plan.themes.top,
    )?;
    if let (Some(profile), Some(read)) = (&measured.practice.profile, &inputs.small.profile) {
        account_profile(
            &mut report.inputs,
            &profile.left_out,
            read.rejects.len() as u64,
        );
    }
    report.practice = assemble::practice(
        &measured.practice,
        &prepared.calendar.periods,
        &weighed.ambassadors,
        &setup.ladder.names,
        &setup.plan.metrics.ambassadors.rung,
    )?;
    let report = report.in_its_own_words();
    Ok(Drawn {
        files: render_files(setup, &report)?,
        inputs: report.inputs,
        profile_left_out: measured
            .practice
            .profile
            .as_ref()
            .map(|p| p.left_out.clone()),
        campaigns: campaign_statuses(&measured.practice.campaigns),
    })
}

/// The rungs as the report and the tables show them: a built-in ladder's in the report's
/// language, a custom ladder's as written.
pub fn rung_labels(setup: &Setup) -> Vec<String> {
    let (names, lang) = (&setup.ladder.names, setup.plan.language);
    match setup.plan.ladder.preset {
        Some(_) => names.iter().map(|n| lang.rung(n)).collect(),
        None => names.clone(),
    }
}

/// The report model: the run's settings, the assembled figures and the inputs' accounting.
fn model(
    setup: &Setup,
    results: &assemble::Results,
    inputs: &Inputs,
    prepared: &Prepared,
    weighed: &Weighed,
    as_of: Option<NaiveDate>,
) -> Result<model::Report> {
    let plan = &setup.plan;
    let periods = assemble::periods(results)?;
    let labels: Vec<String> = periods.iter().map(|p| p.label.clone()).collect();
    Ok(model::Report {
        engage_version: env!("CARGO_PKG_VERSION").to_string(),
        language: plan.language,
        pipeline: plan.pipeline.name.clone(),
        period_kind: plan.calendar.period,
        timezone: plan.calendar.timezone.name().to_string(),
        as_of: as_of.map(|d| d.to_string()),
        population: population(prepared.basis),
        ladder_name: plan.language.rung(plan.ladder.title()),
        rungs: rung_labels(setup),
        rung_names: setup.ladder.names.clone(),
        min_group_size: plan.privacy.min_group_size,
        reply_window_hours: plan.metrics.windows.reply_hours,
        outcome_window_periods: plan.outcomes.window_periods,
        horizon_periods: plan.outcomes.horizon_periods,
        transitions: assemble::transitions(results)?,
        cohorts: assemble::cohorts(results)?,
        lorenz: assemble::lorenz(results, assemble::last_key(results.period_metrics)?)?,
        spaces: assemble::spaces(results, labels.last().map(String::as_str))?,
        themes: None,
        departments: assemble::departments(results, &labels)?,
        targets: assemble::targets(results)?,
        ambassadors: assemble::ambassadors(results)?,
        ambassadors_revealed: plan.metrics.ambassadors.reveal,
        outcomes: assemble::outcomes(results)?,
        periods,
        inputs: input_rows(&inputs.records, &inputs.small.files()),
        source_notes: notes(plan.language, &inputs.records, weighed, prepared),
        unresolved_accounts: prepared.unresolved.as_ref().map(|u| u.height() as u64),
        practice: model::Practice::default(),
        health: inputs.health.as_ref().map(|c| health_rows(&c.findings)),
        coverage: model::Coverage {
            views: results.views_known,
            roster: prepared.roster.is_some(),
            departments: prepared.roster_gives(person::DEPARTMENT)?,
            roles: prepared.roster_gives(person::ROLE)?,
        },
    })
}

/// The population's basis as the report states it.
fn population(basis: Basis) -> model::Population {
    match basis {
        Basis::Roster => model::Population::Roster,
        Basis::UserList => model::Population::UserList,
        Basis::Observed => model::Population::Observed,
    }
}

/// Facts about the sources, what the outcome tables left out and the calendar's warning, each
/// once, sorted.
fn notes(
    lang: Language,
    records: &[Record],
    weighed: &Weighed,
    prepared: &Prepared,
) -> Vec<String> {
    let mut notes: Vec<String> = records
        .iter()
        .flat_map(|r| r.batch.notes.iter())
        .chain(weighed.notes.iter())
        .chain(prepared.span_note.iter())
        .map(|n| lang.note(n))
        .collect();
    notes.sort();
    notes.dedup();
    notes
}

/// A row per input: the sources with their row accounting, then the small tables (read whole).
pub fn input_rows(records: &[Record], others: &[&InputFile]) -> Vec<model::InputRow> {
    let row = |f: &InputFile, c: crate::normalize::RowCounts| model::InputRow {
        role: f.role.clone(),
        kind: f.kind.clone(),
        file: f.given.clone(),
        rows_read: c.rows_read,
        accepted: c.accepted,
        already_stored: c.already_stored,
        duplicates: c.duplicates,
        excluded: c.excluded,
        rejected: c.rejected,
    };
    let whole = |f: &InputFile| crate::normalize::RowCounts {
        rows_read: f.rows_read,
        accepted: f.rows_read,
        ..Default::default()
    };
    records
        .iter()
        .map(|r| row(&r.file, r.counts))
        .chain(others.iter().map(|f| row(f, whole(f))))
        .collect()
}

/// Per campaign key, its name and each measure's status.
fn campaign_statuses(
    runs: &[super::practice::CampaignRun],
) -> std::collections::BTreeMap<String, super::manifest::CampaignStatus> {
    runs.iter()
        .map(|r| {
            let status = super::manifest::CampaignStatus {
                name: r.campaign.name.clone(),
                status: r
                    .effects
                    .iter()
                    .map(|e| (e.metric.to_string(), e.status.as_str().to_string()))
                    .collect(),
            };
            (r.campaign.key.clone(), status)
        })
        .collect()
}

/// The profile survey's row: answers superseded by a later one are its duplicates, those
/// left out for another reason excluded (by reason in the manifest), unreadable rows rejected.
fn account_profile(
    rows: &mut [model::InputRow],
    left_out: &std::collections::BTreeMap<String, u64>,
    rejected: u64,
) {
    let superseded = left_out
        .get(crate::metrics::profile::SUPERSEDED)
        .copied()
        .unwrap_or(0);
    let excluded = left_out.values().sum::<u64>() - superseded;
    for row in rows.iter_mut().filter(|r| r.role == PROFILE_ROLE) {
        row.duplicates = superseded;
        row.excluded = excluded;
        row.rejected = rejected;
        row.accepted = row.rows_read - superseded - excluded - rejected;
    }
}

/// The role of the profile survey's input row.
pub const PROFILE_ROLE: &str = crate::ingest::profile::ROLE;

/// The charts (SVG and a PNG of each for slides), the HTML and the Markdown report.
fn render_files(setup: &Setup, report: &model::Report) -> Result<Vec<(String, Vec<u8>)>> {
    let charts = render::charts::all(report)
        .map_err(|e| fault(format!("drawing charts/{}.svg", e.chart), e.detail))?;
    let html = render::html::render(report, &charts);
    let markdown = render::markdown::render(report, &charts);
    let rasterizer = render::charts::raster::Rasterizer::new();
    if !rasterizer.has_fonts() {
        setup.log.warn(
            "render",
            "no fonts found: the PNG charts will have no text; install a font package such as fonts-dejavu-core",
        );
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(2 * charts.len() + 2);
    for c in &charts {
        let png = rasterizer
            .png(&c.svg)
            .map_err(|e| fault(format!("drawing charts/{}.png", c.name), e))?;
        files.push((format!("charts/{}.svg", c.name), c.svg.clone().into_bytes()));
        files.push((format!("charts/{}.png", c.name), png));
    }
    files.push(("report.html".into(), html.into_bytes()));
    files.push(("report.md".into(), markdown.into_bytes()));
    Ok(files)
}

/// The health findings as the report shows them: plain rows, their names as the manifest's.
fn health_rows(findings: &[crate::normalize::health::Finding]) -> Vec<model::HealthRow> {
    let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
    findings
        .iter()
        .map(|f| model::HealthRow {
            check: f.check.as_str().to_string(),
            source: f.source.clone(),
            subject: f.subject.clone(),
            figure: f.figure,
            bound: f.bound,
            against: f.against,
            status: name(serde_json::to_value(f.status).unwrap_or_default()),
            why: f
                .why
                .map(|w| name(serde_json::to_value(w).unwrap_or_default())),
        })
        .collect()
}
