//! The pipeline file as written: its TOML sections as serde reads them (unknown keys refused),
//! every value that is checked after parsing kept with its span, and the text it came from
//! to turn a span into a line. Nothing here decides what a setting means.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::Error;
use crate::vocabulary::{Language, PeriodKind, SourceFormat, SourceKind};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineFile {
    pub pipeline: PipelineSection,
    #[serde(default)]
    pub source: Vec<SourceSection>,
    pub people: Option<PathSection>,
    pub surveys: Option<SurveySection>,
    pub identities: Option<PathSection>,
    pub ladder: Option<LadderSection>,
    #[serde(default)]
    pub target: Vec<TargetSection>,
    #[serde(default)]
    pub outcome: Vec<OutcomeSection>,
    pub spark: Option<SparkSection>,
    pub themes: Option<ThemesSection>,
    /// `[profile_survey]`: what employees say of their own use (README "What people say, campaigns and leaders").
    pub profile_survey: Option<PathSection>,
    #[serde(default)]
    pub campaign: Vec<CampaignSection>,
    /// `[health]`: the checks that notice a broken feed on a pipeline that keeps a store.
    pub health: Option<HealthSection>,
}

/// `[health]`: freshness, volume and shape checks of each night's delivery (README, "Health
/// checks"); every key optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthSection {
    pub enabled: Option<bool>,
    pub on_flag: Option<Spanned<String>>,
    pub max_age_days: Option<Spanned<u32>>,
    pub volume_factor: Option<Spanned<f64>>,
    pub min_events: Option<Spanned<u32>>,
    pub max_share_shift: Option<Spanned<f64>>,
    pub max_reject_rise: Option<Spanned<f64>>,
    pub max_group_change: Option<Spanned<f64>>,
    pub max_shrink: Option<Spanned<f64>>,
}

/// `[[campaign]]`: an activation campaign whose effect is estimated (README "What people say, campaigns and leaders"). Dates may be
/// written as TOML dates or as quoted text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignSection {
    pub name: Spanned<String>,
    pub start: Spanned<toml::Value>,
    pub end: Spanned<toml::Value>,
    /// One roster attribute and its group, e.g. `{ department = "Sales" }`.
    pub audience: Option<Spanned<BTreeMap<String, String>>>,
}

/// `[themes]`: terms counted from message bodies (README "Themes"), off unless `enabled`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemesSection {
    #[serde(default)]
    pub enabled: bool,
    pub languages: Option<Spanned<Vec<String>>>,
    pub top: Option<Spanned<i64>>,
    pub stop_words: Option<Spanned<PathBuf>>,
}

/// `[spark]`: how `engage run --engine spark` submits the event-scale step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SparkSection {
    /// The command that submits a PySpark file, before the file and its two URIs.
    pub submit: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveySection {
    pub path: Spanned<PathBuf>,
    /// The top of the satisfaction scale: 5 (1–5) or 10 (1–10).
    #[serde(default = "default_satisfaction_scale")]
    pub satisfaction_scale: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSection {
    pub name: Spanned<String>,
    pub path: Spanned<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSection {
    pub name: Spanned<String>,
    pub metric: Spanned<String>,
    pub target: f64,
    pub by: Spanned<String>,
    pub baseline: Spanned<String>,
}

/// A setting's default, spanning nothing: a default is never the offending value.
fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// A whole-number setting of `[pipeline]` and the range it must lie in (README, "Settings").
/// The ranges are generous for any real use and keep every product of settings (a window in
/// microseconds, a horizon in periods) far from the limits of the integers it is computed in.
pub struct Range {
    pub key: &'static str,
    pub min: u32,
    pub max: u32,
    pub default: u32,
    /// What the value counts, for the message.
    pub unit: &'static str,
}

/// At most ten years of days.
pub const REACH_WINDOW_DAYS: Range = Range {
    key: "pipeline.reach_window_days",
    min: 1,
    max: 3_660,
    default: 30,
    unit: "days",
};
/// At most ten years of hours.
pub const REPLY_WINDOW_HOURS: Range = Range {
    key: "pipeline.reply_window_hours",
    min: 1,
    max: 87_840,
    default: 168,
    unit: "hours",
};
pub const AMBASSADOR_PERIODS: Range = Range {
    key: "pipeline.ambassador_periods",
    min: 1,
    max: 520,
    default: 3,
    unit: "periods",
};
pub const AMBASSADOR_MIN_PARTNERS: Range = Range {
    key: "pipeline.ambassador_min_partners",
    min: 0,
    max: 1_000_000,
    default: 5,
    unit: "people",
};
/// Ten years of weeks, the shortest period.
pub const HORIZON_PERIODS: Range = Range {
    key: "pipeline.horizon_periods",
    min: 1,
    max: 520,
    default: 6,
    unit: "periods",
};
pub const OUTCOME_WINDOW_PERIODS: Range = Range {
    key: "pipeline.outcome_window_periods",
    min: 1,
    max: 520,
    default: 3,
    unit: "periods",
};
pub const MIN_GROUP_SIZE: Range = Range {
    key: "pipeline.min_group_size",
    min: 1,
    max: 1_000_000,
    default: 5,
    unit: "people",
};

/// Every ranged setting, for the README's table (tests/it/docs.rs keeps the two the same).
pub const RANGES: [&Range; 7] = [
    &REACH_WINDOW_DAYS,
    &REPLY_WINDOW_HOURS,
    &AMBASSADOR_PERIODS,
    &AMBASSADOR_MIN_PARTNERS,
    &HORIZON_PERIODS,
    &OUTCOME_WINDOW_PERIODS,
    &MIN_GROUP_SIZE,
];

fn default_satisfaction_scale() -> Spanned<u32> {
    unspanned(5)
}
fn default_min_group_size() -> Spanned<u32> {
    unspanned(MIN_GROUP_SIZE.default)
}
fn default_max_reject_share() -> Spanned<f64> {
    unspanned(0.01)
}
fn default_max_uncompressed_bytes() -> u64 {
    20 * 1024 * 1024 * 1024
}
fn default_reach_window_days() -> Spanned<u32> {
    unspanned(REACH_WINDOW_DAYS.default)
}
fn default_reply_window_hours() -> Spanned<u32> {
    unspanned(REPLY_WINDOW_HOURS.default)
}
fn default_ambassador_periods() -> Spanned<u32> {
    unspanned(AMBASSADOR_PERIODS.default)
}
fn default_ambassador_min_partners() -> Spanned<u32> {
    unspanned(AMBASSADOR_MIN_PARTNERS.default)
}
fn default_horizon_periods() -> Spanned<u32> {
    unspanned(HORIZON_PERIODS.default)
}
fn default_outcome_window_periods() -> Spanned<u32> {
    unspanned(OUTCOME_WINDOW_PERIODS.default)
}
fn default_period() -> PeriodKind {
    PeriodKind::Month
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSection {
    pub name: Spanned<String>,
    #[serde(default = "default_period")]
    pub period: PeriodKind,
    #[serde(default)]
    pub timezone: Option<Spanned<String>>,
    #[serde(default)]
    pub output: Option<PathBuf>,
    #[serde(default = "default_min_group_size")]
    pub min_group_size: Spanned<u32>,
    #[serde(default)]
    pub pseudonym_key_file: Option<PathBuf>,
    #[serde(default)]
    pub store: Option<PathBuf>,
    #[serde(default = "default_max_reject_share")]
    pub max_reject_share: Spanned<f64>,
    #[serde(default = "default_max_uncompressed_bytes")]
    pub max_uncompressed_bytes: u64,
    #[serde(default)]
    pub exclude_accounts: Vec<String>,
    #[serde(default)]
    pub include_bots: bool,
    #[serde(default)]
    pub breakdowns: Option<Spanned<Vec<String>>>,
    #[serde(default = "default_reach_window_days")]
    pub reach_window_days: Spanned<u32>,
    #[serde(default = "default_reply_window_hours")]
    pub reply_window_hours: Spanned<u32>,
    #[serde(default = "default_ambassador_periods")]
    pub ambassador_periods: Spanned<u32>,
    #[serde(default = "default_ambassador_min_partners")]
    pub ambassador_min_partners: Spanned<u32>,
    #[serde(default)]
    pub ambassador_rung: Option<Spanned<String>>,
    #[serde(default)]
    pub reveal_ambassadors: bool,
    #[serde(default)]
    pub language: Option<Spanned<String>>,
    #[serde(default = "default_horizon_periods")]
    pub horizon_periods: Spanned<u32>,
    #[serde(default = "default_outcome_window_periods")]
    pub outcome_window_periods: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSection {
    pub kind: SourceKind,
    pub path: Spanned<PathBuf>,
    /// Label written to the `source` column when the file has none.
    #[serde(default)]
    pub name: Option<Spanned<String>>,
    /// Time zone of timestamps written without an offset.
    #[serde(default)]
    pub timezone: Option<Spanned<String>>,
    /// File format of an `events` source (default: from the extension).
    #[serde(default)]
    pub format: Option<Spanned<SourceFormat>>,
    /// Canonical column -> the file's column.
    #[serde(default)]
    pub columns: Option<Spanned<BTreeMap<String, String>>>,
    /// The file's action value -> canonical action.
    #[serde(default)]
    pub actions: Option<Spanned<BTreeMap<String, String>>>,
    /// Days the newest event may lie behind the as-of day (`[health] max_age_days` for this
    /// source: a weekly export, say).
    #[serde(default)]
    pub max_age_days: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathSection {
    pub path: Spanned<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderSection {
    #[serde(default)]
    pub preset: Option<Spanned<String>>,
    #[serde(default)]
    pub rung: Vec<RungSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RungSection {
    pub name: Spanned<String>,
    #[serde(default)]
    pub when: Option<Spanned<String>>,
}

/// The pipeline file's text and path: turns spans into lines and lines into errors, and
/// resolves the paths the file names against its folder.
pub struct Text<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Text<'_> {
    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.text.as_bytes()[..offset.min(self.text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// An error at the line where `span` starts (no line for a default's empty span).
    pub fn error(&self, span: std::ops::Range<usize>, message: String, help: &str) -> Error {
        Error::Pipeline {
            path: self.path.to_path_buf(),
            line: (span != (0..0)).then(|| self.line_of(span.start)),
            message,
            help: help.to_string(),
        }
    }

    /// An error about the file as a whole.
    pub fn whole(&self, message: String, help: &str) -> Error {
        Error::Pipeline {
            path: self.path.to_path_buf(),
            line: None,
            message,
            help: help.to_string(),
        }
    }

    /// A path as written, made absolute from the pipeline file's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            return p.to_path_buf();
        }
        let base = self
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        tidy(&base.join(p))
    }

    /// Refuses a value outside its stated range (README, "Settings"), so that no arithmetic
    /// on a setting can wrap: the ranges keep every window and count far inside the integer
    /// types the figures are computed in.
    pub fn within(
        &self,
        value: &Spanned<u32>,
        key: &str,
        range: std::ops::RangeInclusive<u32>,
        help: &str,
    ) -> crate::Result<u32> {
        let v = *value.get_ref();
        if !range.contains(&v) {
            return Err(self.error(
                value.span(),
                format!(
                    "{key} = {v} is outside its range {} to {}",
                    range.start(),
                    range.end()
                ),
                help,
            ));
        }
        Ok(v)
    }
}

/// The report language a pipeline names (English when it names none).
pub fn language(text: &Text, value: &Option<Spanned<String>>) -> crate::Result<Language> {
    match value.as_ref().map(|l| (l, l.get_ref().as_str())) {
        None => Ok(Language::En),
        Some((_, "en")) => Ok(Language::En),
        Some((_, "nl")) => Ok(Language::Nl),
        Some((l, other)) => Err(text.error(
            l.span(),
            format!("pipeline.language = {other:?} is not a language the report speaks"),
            "use \"en\" (English) or \"nl\" (Dutch)",
        )),
    }
}

/// Removes `.` and `dir/..` pairs without touching the file system, so messages show
/// `reports/demo` rather than `pipelines/../reports/demo`.
pub fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// A name that becomes part of file names (the key file, rejects/<source>.csv): a label only.
pub fn label(name: &Spanned<String>, key: &str, text: &Text) -> crate::Result<String> {
    match label_problem(name.get_ref()) {
        None => Ok(name.get_ref().clone()),
        Some(problem) => Err(text.error(
            name.span(),
            format!("{key} = {:?} {problem}", name.get_ref()),
            "a name is a label, not a path: use letters, digits, spaces, - and _, at most 100 bytes",
        )),
    }
}

/// The longest label, in bytes: file names are built from labels (`<name>.engage-key`,
/// `rejects/<label>.csv`), and most file systems refuse names over 255 bytes.
pub const MAX_LABEL_BYTES: usize = 100;

/// Why a name cannot be used as a label inside file names, if it cannot.
fn label_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("is empty")
    } else if name.contains(['/', '\\']) {
        Some("contains a path separator")
    } else if name.starts_with('.') {
        Some("starts with a dot")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name.len() > MAX_LABEL_BYTES {
        Some("is too long to name files after")
    } else {
        None
    }
}
