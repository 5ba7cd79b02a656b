//! The pipeline file turned into a validated [`Plan`]: paths absolute, closed sets as enums,
//! every setting checked and every error at the line of the key that holds it. The plan comes
//! in groups, one per stage that reads it, so a stage is handed only what it needs.
//!
//! `file.rs` holds the file as written; `inputs.rs`, `ladder.rs` and `settings.rs` build the
//! groups from its sections.
//!
//! What each file holds: the pipeline file: `file.rs` (the TOML as written, unknown keys refused,
//! every checked value kept with its span so each error names the line of its own key; every
//! whole-number setting with its stated range, `RANGES`, so no arithmetic on a setting can wrap;
//! labels at most 100 bytes, as they become file names), `inputs.rs` (sources and small tables,
//! paths made absolute), `ladder.rs` (the presets as an enum, custom rungs, none named like a
//! column of the tables), `settings.rs` (metric, outcome, privacy, screening and output settings);
//! `mod.rs` builds the grouped `Plan`, each group for the stage that reads it. Imports only the
//! vocabulary and errors

mod file;
mod inputs;
mod ladder;
mod settings;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
pub use crate::vocabulary::{Attribute, Language, PeriodKind};
use file::{label, PipelineFile, Text};
pub use file::{Range, MAX_LABEL_BYTES, RANGES};
pub use inputs::{InputPath, Inputs, SourceFormat, SourceKind, SourcePlan, Surveys};
pub use ladder::{Ladder, Preset, Rung};
pub use settings::{
    AmbassadorSettings, Audience, Campaign, Health, MetricSettings, OnFlag, OutcomeSettings,
    Output, Privacy, Screening, Spark, Target, Themes, Windows,
};

/// The pipeline file itself, for the manifest and messages.
#[derive(Debug, Clone)]
pub struct PipelineInfo {
    pub name: String,
    pub path: PathBuf,
    pub sha256: String,
}

/// How events are placed in periods (README "Definitions").
#[derive(Debug, Clone, Copy)]
pub struct Calendar {
    pub period: PeriodKind,
    pub timezone: chrono_tz::Tz,
}

/// A validated pipeline.
#[derive(Debug, Clone)]
pub struct Plan {
    pub pipeline: PipelineInfo,
    pub calendar: Calendar,
    pub inputs: Inputs,
    pub screening: Screening,
    pub ladder: Ladder,
    pub metrics: MetricSettings,
    pub outcomes: OutcomeSettings,
    pub privacy: Privacy,
    pub language: Language,
    pub output: Output,
    pub spark: Spark,
    pub themes: Themes,
    pub health: Health,
}

impl Plan {
    /// Reads and validates a pipeline file.
    pub fn load(path: &Path) -> Result<Plan> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
            help: "give the path of an existing pipeline file, e.g. pipelines/demo.toml".into(),
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|e| Error::Pipeline {
            path: path.to_path_buf(),
            line: None,
            message: format!("the file is not UTF-8 text ({e})"),
            help: "save the pipeline file as UTF-8".into(),
        })?;
        let sha = hex::encode(Sha256::digest(&bytes));
        Plan::parse(path, &text, sha)
    }

    /// Validates pipeline text; `path` locates relative paths and error messages.
    pub fn parse(path: &Path, text: &str, sha256: String) -> Result<Plan> {
        let text = Text { path, text };
        let file: PipelineFile = toml::from_str(text.text).map_err(|e| Error::Pipeline {
            path: path.to_path_buf(),
            line: e.span().map(|s| text.line_of(s.start)),
            message: e.message().trim().to_string(),
            help: "fix the key or value named above; the README lists every pipeline key".into(),
        })?;
        let p = &file.pipeline;
        let name = label(&p.name, "pipeline.name", &text)?;
        let calendar = Calendar {
            period: p.period,
            timezone: inputs::zone(&p.timezone, "pipeline.timezone", &text)?,
        };
        let privacy = settings::privacy(p, &name, &text)?;
        let inputs = inputs::from_file(&file, &text)?;
        let language = file::language(&text, &p.language)?;
        let screening = settings::screening(p, &text)?;
        let outcomes = settings::outcomes(p, &text)?;
        let output = settings::output(p, &name, &text);
        let has_roster = inputs.people.is_some();
        let ladder = ladder::from_section(file.ladder, &text)?;
        let metrics =
            settings::metrics(p, &file.target, &file.campaign, &ladder, has_roster, &text)?;
        let spark = settings::spark(file.spark.as_ref(), &text)?;
        let themes = settings::themes(file.themes.as_ref(), &text)?;
        let health = settings::health(file.health.as_ref(), &text)?;
        Ok(Plan {
            pipeline: PipelineInfo {
                name,
                path: path.to_path_buf(),
                sha256,
            },
            calendar,
            inputs,
            screening,
            ladder,
            metrics,
            outcomes,
            privacy,
            language,
            output,
            spark,
            themes,
            health,
        })
    }

    /// The folder the pipeline file is in: paths in the manifest are written relative to it.
    pub fn folder(&self) -> PathBuf {
        self.pipeline
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
