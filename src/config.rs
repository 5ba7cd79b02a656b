//! The pipeline file: what users write (TOML, unknown keys refused) turned into a validated
//! [`Plan`] with absolute paths, so that later stages never see a half-checked setting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::error::{Error, Result};

/// Calendar unit of a period (spec §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Month,
    Week,
    Quarter,
}

/// Source formats the pipeline can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Events one per row (CSV, NDJSON, Parquet, Arrow IPC), columns mapped by name.
    Events,
    /// A Slack workspace export (zip or folder).
    Slack,
    /// A Stack Exchange / Stack Overflow for Teams data dump (folder or zip of XML files).
    Stackexchange,
    /// Microsoft Teams channel messages as Graph chatMessage JSON (file, folder or zip).
    Teams,
    /// A Viva Engage (Yammer) network data export (zip or folder of CSVs).
    Yammer,
    /// Discourse Data Explorer CSVs: posts, topics, user_visits (and users).
    Discourse,
    /// Microsoft 365 user activity reports (Viva Engage, Teams): counts per user and window.
    M365Usage,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Events => "events",
            SourceKind::Slack => "slack",
            SourceKind::Stackexchange => "stackexchange",
            SourceKind::Teams => "teams",
            SourceKind::Yammer => "yammer",
            SourceKind::Discourse => "discourse",
            SourceKind::M365Usage => "m365-usage",
        }
    }

    /// Whether the source may be a folder rather than a file.
    fn may_be_folder(self) -> bool {
        !matches!(self, SourceKind::Events)
    }
}

/// File formats of the `events` kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Csv,
    Ndjson,
    Parquet,
    Ipc,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Csv => "csv",
            SourceFormat::Ndjson => "ndjson",
            SourceFormat::Parquet => "parquet",
            SourceFormat::Ipc => "ipc",
        }
    }

    /// The format a file name suggests.
    fn from_extension(path: &Path) -> Option<SourceFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(SourceFormat::Csv),
            "ndjson" | "jsonl" | "json" => Some(SourceFormat::Ndjson),
            "parquet" | "pq" => Some(SourceFormat::Parquet),
            "arrow" | "ipc" | "feather" => Some(SourceFormat::Ipc),
            _ => None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineFile {
    pipeline: PipelineSection,
    #[serde(default)]
    source: Vec<SourceSection>,
    people: Option<PathSection>,
    surveys: Option<SurveySection>,
    identities: Option<PathSection>,
    ladder: Option<LadderSection>,
    #[serde(default)]
    target: Vec<TargetSection>,
    #[serde(default)]
    outcome: Vec<OutcomeSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SurveySection {
    path: Spanned<PathBuf>,
    /// The top of the satisfaction scale: 5 (1–5) or 10 (1–10).
    #[serde(default = "default_satisfaction_scale")]
    satisfaction_scale: Spanned<u32>,
}

fn default_satisfaction_scale() -> Spanned<u32> {
    Spanned::new(0..0, 5)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeSection {
    name: Spanned<String>,
    path: Spanned<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetSection {
    name: Spanned<String>,
    metric: Spanned<String>,
    target: f64,
    by: Spanned<String>,
    baseline: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineSection {
    name: Spanned<String>,
    #[serde(default = "default_period")]
    period: PeriodKind,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    output: Option<PathBuf>,
    #[serde(default = "default_min_group_size")]
    min_group_size: u32,
    #[serde(default)]
    pseudonym_key_file: Option<PathBuf>,
    #[serde(default)]
    store: Option<PathBuf>,
    #[serde(default = "default_max_reject_share")]
    max_reject_share: f64,
    #[serde(default = "default_max_uncompressed_bytes")]
    max_uncompressed_bytes: u64,
    #[serde(default)]
    exclude_accounts: Vec<String>,
    #[serde(default)]
    include_bots: bool,
    #[serde(default)]
    breakdowns: Option<Spanned<Vec<String>>>,
    #[serde(default = "default_reach_window_days")]
    reach_window_days: u32,
    #[serde(default = "default_reply_window_hours")]
    reply_window_hours: u32,
    #[serde(default = "default_ambassador_periods")]
    ambassador_periods: u32,
    #[serde(default = "default_ambassador_min_partners")]
    ambassador_min_partners: u32,
    #[serde(default)]
    ambassador_rung: Option<Spanned<String>>,
    #[serde(default)]
    reveal_ambassadors: bool,
    #[serde(default)]
    language: Option<Spanned<String>>,
    #[serde(default = "default_horizon_periods")]
    horizon_periods: u32,
    #[serde(default = "default_outcome_window_periods")]
    outcome_window_periods: u32,
}

fn default_horizon_periods() -> u32 {
    6
}

fn default_outcome_window_periods() -> u32 {
    3
}

fn default_reach_window_days() -> u32 {
    30
}

fn default_reply_window_hours() -> u32 {
    168
}

fn default_ambassador_periods() -> u32 {
    3
}

fn default_ambassador_min_partners() -> u32 {
    5
}

fn default_max_reject_share() -> f64 {
    0.01
}

fn default_max_uncompressed_bytes() -> u64 {
    20 * 1024 * 1024 * 1024
}

fn default_period() -> PeriodKind {
    PeriodKind::Month
}

fn default_min_group_size() -> u32 {
    5
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSection {
    kind: SourceKind,
    path: Spanned<PathBuf>,
    /// Label written to the `source` column when the file has none.
    #[serde(default)]
    name: Option<Spanned<String>>,
    /// Time zone of timestamps written without an offset.
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    /// File format of an `events` source (default: from the extension).
    #[serde(default)]
    format: Option<SourceFormat>,
    /// Canonical column -> the file's column.
    #[serde(default)]
    columns: Option<Spanned<BTreeMap<String, String>>>,
    /// The file's action value -> canonical action.
    #[serde(default)]
    actions: Option<Spanned<BTreeMap<String, String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PathSection {
    path: Spanned<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LadderSection {
    #[serde(default)]
    preset: Option<Spanned<String>>,
    #[serde(default)]
    rung: Vec<RungSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RungSection {
    name: Spanned<String>,
    #[serde(default)]
    when: Option<Spanned<String>>,
}

/// An input file: where it is, and how the pipeline file names it (for reports, so they do
/// not depend on the folder engage was started from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPath {
    pub path: PathBuf,
    pub given: String,
}

/// One input source after validation.
#[derive(Debug, Clone)]
pub struct SourcePlan {
    pub kind: SourceKind,
    pub path: PathBuf,
    /// The path as written in the pipeline file.
    pub given: String,
    /// The label for the `source` column when the file does not carry one.
    pub label: String,
    /// Where in the pipeline file the source is declared, for error messages.
    pub key: String,
    /// Time zone of timestamps written without an offset (default UTC).
    pub timezone: chrono_tz::Tz,
    /// File format (meaningful for the `events` kind).
    pub format: SourceFormat,
    /// Canonical column -> the file's column.
    pub columns: BTreeMap<String, String>,
    /// The file's action value -> canonical action.
    pub actions: BTreeMap<String, String>,
}

/// One rung of a ladder: a name and, except for the last rung, a SQL condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rung {
    pub name: String,
    pub when: Option<String>,
    /// The pipeline key, for error messages (`ladder.preset` or `ladder.rung[2].when`).
    pub key: String,
    /// The line of the key in the pipeline file, if it came from there.
    pub line: Option<usize>,
}

/// An ordered ladder, highest rung first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ladder {
    pub name: String,
    pub rungs: Vec<Rung>,
}

impl Ladder {
    /// A built-in ladder by name (spec §5).
    pub fn preset(name: &str) -> Option<Ladder> {
        let spec: &[(&str, Option<&str>)] = match name {
            "forrester" => &[
                ("Creators", Some("posts >= 1")),
                ("Conversationalists", Some("replies >= 1")),
                ("Critics", Some("reactions >= 1")),
                ("Collectors", Some("shares + curations >= 1")),
                ("Joiners", Some("joins >= 1")),
                ("Spectators", Some("views + visits >= 1")),
                ("Inactives", None),
            ],
            "pyramid" => &[
                ("Curating", Some("curations >= 1")),
                ("Producing", Some("posts >= 1")),
                ("Commenting", Some("replies + reactions >= 1")),
                ("Sharing", Some("shares >= 1")),
                ("Watching", Some("views + visits >= 1")),
                ("Inactive", None),
            ],
            _ => return None,
        };
        Some(Ladder {
            name: name.to_string(),
            rungs: spec
                .iter()
                .map(|(n, w)| Rung {
                    name: n.to_string(),
                    when: w.map(str::to_string),
                    key: format!("ladder.preset = \"{name}\""),
                    line: None,
                })
                .collect(),
        })
    }

    pub fn names(&self) -> Vec<String> {
        self.rungs.iter().map(|r| r.name.clone()).collect()
    }
}

/// A validated pipeline: every path absolute, every setting checked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub pipeline_path: PathBuf,
    pub pipeline_sha256: String,
    pub name: String,
    pub period: PeriodKind,
    pub timezone: chrono_tz::Tz,
    pub output: PathBuf,
    pub min_group_size: u32,
    pub sources: Vec<SourcePlan>,
    pub people: Option<InputPath>,
    pub surveys: Option<InputPath>,
    /// The top of the satisfaction scale (5 or 10).
    pub satisfaction_scale: u32,
    /// Team KPIs (`team, period, value`) to relate to engagement, by name.
    pub outcomes: Vec<(String, InputPath)>,
    /// Periods of follow-up for attrition by rung.
    pub horizon_periods: u32,
    /// The report's language: `en` or `nl`.
    pub language: String,
    /// Periods of team engagement, ending with an outcome's period, that it is related to.
    pub outcome_window_periods: u32,
    /// `source, account, person_id` rows that say who an account belongs to.
    pub identities: Option<InputPath>,
    pub ladder: Ladder,
    /// The event store folder, when the pipeline keeps one.
    pub store: Option<PathBuf>,
    /// A source whose rejected share of rows exceeds this makes the run exit with code 2.
    pub max_reject_share: f64,
    /// Largest total uncompressed size a zip export may declare.
    pub max_uncompressed_bytes: u64,
    /// Accounts (as they appear in the sources) that are systems, not people.
    pub exclude_accounts: Vec<String>,
    /// Keep bots and system accounts instead of excluding them.
    pub include_bots: bool,
    pub pseudonym_key_file: PathBuf,
    /// Roster attributes to break the rates down by (spec §7 suppression applies).
    pub breakdowns: Vec<String>,
    pub windows: Windows,
    pub ambassadors: AmbassadorSettings,
    pub targets: Vec<Target>,
}

/// The time windows of the content metrics (spec §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Views count towards a post's reach this many days after it was posted.
    pub reach_days: u32,
    /// A reply counts as an answer this many hours after the post.
    pub reply_hours: u32,
}

/// Who counts as an ambassador candidate (spec §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmbassadorSettings {
    /// The last this-many periods must all find the person on `rung` or higher.
    pub periods: u32,
    /// Distinct people who replied or reacted to them over those periods.
    pub min_partners: u32,
    /// The lowest rung that counts.
    pub rung: String,
    /// Publish person ids and emails instead of pseudonyms.
    pub reveal: bool,
}

/// A SMART goal (spec §5 targets), as written in the pipeline file.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    /// A period_metrics column or `rung_share:<Rung>`.
    pub metric: String,
    pub target: f64,
    /// The period (label or a date inside it) by which the target should be met.
    pub by: String,
    /// The period (label or date) whose value is the starting point.
    pub baseline: String,
    /// `target[n]`, for error messages.
    pub key: String,
    /// Lines of `name`, `baseline` and `by` in the pipeline file.
    pub line: usize,
    pub baseline_line: usize,
    pub by_line: usize,
}

/// Roster attributes a breakdown may use.
pub const BREAKDOWN_ATTRIBUTES: [&str; 4] = ["department", "team", "location", "role"];

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
        let file: PipelineFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            Error::Pipeline {
                path: path.to_path_buf(),
                line,
                message: e.message().trim().to_string(),
                help: "fix the key or value named above; the README lists every pipeline key"
                    .into(),
            }
        })?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let resolve = |p: &Path| -> PathBuf {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                tidy(&base.join(p))
            }
        };
        let setting_error =
            |span: std::ops::Range<usize>, message: String, help: &str| Error::Pipeline {
                path: path.to_path_buf(),
                line: Some(line_of(text, span.start)),
                message,
                help: help.to_string(),
            };

        let p = file.pipeline;
        // Names become parts of file names (the key file, rejects/<source>.csv): labels only.
        let label = |name: &Spanned<String>, key: &str| -> Result<String> {
            match label_problem(name.get_ref()) {
                None => Ok(name.get_ref().clone()),
                Some(problem) => Err(setting_error(
                    name.span(),
                    format!("{key} = {:?} {problem}", name.get_ref()),
                    "a name is a label, not a path: use letters, digits, spaces, - and _",
                )),
            }
        };
        let name = label(&p.name, "pipeline.name")?;
        let zone = |tz: &Option<Spanned<String>>, key: &str| -> Result<chrono_tz::Tz> {
            match tz {
                None => Ok(chrono_tz::UTC),
                Some(tz) => chrono_tz::Tz::from_str(tz.get_ref()).map_err(|_| {
                    setting_error(
                        tz.span(),
                        format!("{key}: unknown time zone {:?}", tz.get_ref()),
                        "use an IANA time zone name such as \"Europe/Amsterdam\" or \"UTC\"",
                    )
                }),
            }
        };
        let timezone = zone(&p.timezone, "pipeline.timezone")?;
        if p.min_group_size == 0 {
            return Err(Error::Pipeline {
                path: path.to_path_buf(),
                line: find_key_line(text, "min_group_size"),
                message: "pipeline.min_group_size must be at least 1".into(),
                help: "set min_group_size = 5 (the default) or higher".into(),
            });
        }
        if file.source.is_empty() {
            return Err(Error::Pipeline {
                path: path.to_path_buf(),
                line: None,
                message: "the pipeline names no [[source]]".into(),
                help:
                    "add a [[source]] table with kind = \"events\" and the path of an events file"
                        .into(),
            });
        }

        let existing = |spanned: &Spanned<PathBuf>,
                        key: &str,
                        folder_ok: bool|
         -> Result<InputPath> {
            let resolved = resolve(spanned.get_ref());
            if resolved.is_file() || folder_ok && resolved.is_dir() {
                Ok(InputPath {
                    path: resolved,
                    given: spanned.get_ref().to_string_lossy().replace('\\', "/"),
                })
            } else if resolved.is_dir() {
                Err(setting_error(
                    spanned.span(),
                    format!(
                        "{key}: {} is a folder, and this input is a file",
                        resolved.display()
                    ),
                    "give the path of the file itself, e.g. \"data/people.csv\" (relative paths start from the pipeline file's folder)",
                ))
            } else {
                Err(setting_error(
                    spanned.span(),
                    format!("{key}: file not found: {}", resolved.display()),
                    "correct the path (relative paths start from the pipeline file's folder) or create the file",
                ))
            }
        };

        let mut sources = Vec::with_capacity(file.source.len());
        for (i, s) in file.source.iter().enumerate() {
            let key = format!("source[{}].path", i + 1);
            let resolved = existing(&s.path, &key, s.kind.may_be_folder())?;
            let n = i + 1;
            let format = match (s.kind, s.format) {
                (SourceKind::Events, Some(f)) => f,
                (SourceKind::Events, None) => SourceFormat::from_extension(&resolved.path)
                    .ok_or_else(|| {
                        setting_error(
                            s.path.span(),
                            format!("source[{n}].path: cannot tell the format of {} from its extension", resolved.given),
                            "add format = \"csv\", \"ndjson\", \"parquet\" or \"ipc\" to the source",
                        )
                    })?,
                (_, Some(_)) => {
                    return Err(Error::Pipeline {
                        path: path.to_path_buf(),
                        line: find_key_line(text, "format"),
                        message: format!("source[{n}].format applies to kind = \"events\" only"),
                        help: "remove `format`: this kind has a fixed layout".into(),
                    })
                }
                (_, None) => SourceFormat::Csv,
            };
            let mapping_error =
                |spanned: &Spanned<BTreeMap<String, String>>, message: String, help: &str| {
                    setting_error(spanned.span(), message, help)
                };
            let mut columns = BTreeMap::new();
            if let Some(map) = &s.columns {
                if s.kind != SourceKind::Events {
                    return Err(mapping_error(
                        map,
                        format!("source[{n}].columns applies to kind = \"events\" only"),
                        "remove [source.columns]: this kind has a fixed layout",
                    ));
                }
                for (canonical, theirs) in map.get_ref() {
                    if !crate::schema::event::ALL.contains(&canonical.as_str()) {
                        return Err(mapping_error(
                            map,
                            format!("source[{n}].columns: {canonical:?} is not a canonical column"),
                            &format!(
                                "map canonical columns ({}) to your file's columns",
                                crate::schema::event::ALL.join(", ")
                            ),
                        ));
                    }
                    columns.insert(canonical.clone(), theirs.clone());
                }
            }
            let mut actions = BTreeMap::new();
            if let Some(map) = &s.actions {
                if s.kind != SourceKind::Events {
                    return Err(mapping_error(
                        map,
                        format!("source[{n}].actions applies to kind = \"events\" only"),
                        "remove [source.actions]: this kind maps actions itself",
                    ));
                }
                for (theirs, canonical) in map.get_ref() {
                    if crate::schema::Action::parse(canonical).is_none() {
                        return Err(mapping_error(
                            map,
                            format!("source[{n}].actions: {theirs:?} maps to {canonical:?}, which is not an action"),
                            &format!("map each of your values to one of: {}", crate::schema::Action::list()),
                        ));
                    }
                    actions.insert(theirs.clone(), canonical.clone());
                }
            }
            let label = match &s.name {
                Some(name) => label(name, &format!("source[{n}].name"))?,
                None => s.kind.as_str().to_string(),
            };
            let timezone = zone(&s.timezone, &format!("source[{}].timezone", i + 1))?;
            sources.push(SourcePlan {
                kind: s.kind,
                path: resolved.path,
                given: resolved.given,
                label,
                key,
                timezone,
                format,
                columns,
                actions,
            });
        }
        let people = file
            .people
            .as_ref()
            .map(|s| existing(&s.path, "people.path", false))
            .transpose()?;
        let surveys = file
            .surveys
            .as_ref()
            .map(|s| existing(&s.path, "surveys.path", false))
            .transpose()?;
        let satisfaction_scale = match &file.surveys {
            Some(s) => {
                let scale = *s.satisfaction_scale.get_ref();
                if scale != 5 && scale != 10 {
                    return Err(setting_error(
                        s.satisfaction_scale.span(),
                        format!("surveys.satisfaction_scale = {scale}: only 5 (1–5) and 10 (1–10) are known"),
                        "set satisfaction_scale = 5 or 10",
                    ));
                }
                scale
            }
            None => 5,
        };
        let language = match &p.language {
            None => "en".to_string(),
            Some(l) if ["en", "nl"].contains(&l.get_ref().as_str()) => l.get_ref().clone(),
            Some(l) => {
                return Err(setting_error(
                    l.span(),
                    format!(
                        "pipeline.language = {:?} is not a language the report speaks",
                        l.get_ref()
                    ),
                    "use \"en\" (English) or \"nl\" (Dutch)",
                ))
            }
        };
        let mut outcomes = Vec::with_capacity(file.outcome.len());
        for (i, o) in file.outcome.iter().enumerate() {
            let name = o.name.get_ref().trim().to_string();
            let reserved = ["satisfaction", "enps", "turnover"];
            if name.is_empty()
                || reserved.contains(&name.as_str())
                || outcomes
                    .iter()
                    .any(|(n, _): &(String, InputPath)| *n == name)
            {
                return Err(setting_error(
                    o.name.span(),
                    format!(
                        "outcome[{}].name {name:?} is empty, reserved or used twice",
                        i + 1
                    ),
                    "give each [[outcome]] its own name other than satisfaction, enps and turnover",
                ));
            }
            outcomes.push((
                name,
                existing(&o.path, &format!("outcome[{}].path", i + 1), false)?,
            ));
        }
        let identities = file
            .identities
            .as_ref()
            .map(|s| existing(&s.path, "identities.path", false))
            .transpose()?;
        if !(0.0..=1.0).contains(&p.max_reject_share) {
            return Err(Error::Pipeline {
                path: path.to_path_buf(),
                line: find_key_line(text, "max_reject_share"),
                message: format!("pipeline.max_reject_share = {} is not a share between 0 and 1", p.max_reject_share),
                help: "use e.g. 0.01 to fail the run when more than 1% of a source's rows cannot be read".into(),
            });
        }
        let mut labels: Vec<&str> = sources
            .iter()
            .map(|s: &SourcePlan| s.label.as_str())
            .collect();
        labels.sort_unstable();
        if let Some(w) = labels.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::Pipeline {
                path: path.to_path_buf(),
                line: None,
                message: format!("two sources have the label {:?}", w[0]),
                help: "give each [[source]] a distinct name = \"...\"; events are deduplicated per label".into(),
            });
        }

        let ladder = match file.ladder {
            None => Ladder::preset("forrester").expect("built-in preset"),
            Some(l) => ladder_from(l, path, text)?,
        };

        let mut breakdowns: Vec<String> = Vec::new();
        if let Some(b) = &p.breakdowns {
            for attr in b.get_ref() {
                if !BREAKDOWN_ATTRIBUTES.contains(&attr.as_str()) {
                    return Err(setting_error(
                        b.span(),
                        format!("pipeline.breakdowns: {attr:?} is not a roster attribute"),
                        &format!("choose from {}", BREAKDOWN_ATTRIBUTES.join(", ")),
                    ));
                }
                if !breakdowns.contains(attr) {
                    breakdowns.push(attr.clone());
                }
            }
            if !breakdowns.is_empty() && people.is_none() {
                return Err(setting_error(
                    b.span(),
                    "pipeline.breakdowns needs a roster to know each person's attributes".into(),
                    "add a [people] table with the roster's path, or remove breakdowns",
                ));
            }
        }
        for (key, value) in [
            ("reach_window_days", p.reach_window_days),
            ("reply_window_hours", p.reply_window_hours),
            ("ambassador_periods", p.ambassador_periods),
            ("horizon_periods", p.horizon_periods),
            ("outcome_window_periods", p.outcome_window_periods),
        ] {
            if value == 0 {
                return Err(Error::Pipeline {
                    path: path.to_path_buf(),
                    line: find_key_line(text, key),
                    message: format!("pipeline.{key} must be at least 1"),
                    help: "remove the key to use the default".into(),
                });
            }
        }
        let ambassador_rung = match &p.ambassador_rung {
            Some(r) => {
                if !ladder.rungs.iter().any(|x| x.name == *r.get_ref()) {
                    return Err(setting_error(
                        r.span(),
                        format!(
                            "pipeline.ambassador_rung: the ladder has no rung {:?}",
                            r.get_ref()
                        ),
                        &format!("choose one of {}", ladder.names().join(", ")),
                    ));
                }
                r.get_ref().clone()
            }
            // Conversation and above: the spec's Conversationalists, its pyramid counterpart
            // Commenting, or a custom ladder's second rung.
            None => match ladder.name.as_str() {
                "forrester" => "Conversationalists".to_string(),
                "pyramid" => "Commenting".to_string(),
                _ => ladder.rungs[1.min(ladder.rungs.len() - 1)].name.clone(),
            },
        };
        let mut targets = Vec::with_capacity(file.target.len());
        for (i, t) in file.target.iter().enumerate() {
            let key = format!("target[{}]", i + 1);
            let metric = t.metric.get_ref().trim().to_string();
            let known = match metric.strip_prefix("rung_share:") {
                Some(rung) => ladder.rungs.iter().any(|r| r.name == rung),
                None => crate::schema::PERIOD_METRICS.contains(&metric.as_str()),
            };
            if !known {
                return Err(setting_error(
                    t.metric.span(),
                    format!("{key}.metric: {metric:?} is not a period metric or a rung share"),
                    &format!(
                        "use a period_metrics column ({}) or rung_share:<Rung> with a rung of the ladder ({})",
                        crate::schema::PERIOD_METRICS.join(", "),
                        ladder.names().join(", ")
                    ),
                ));
            }
            if !t.target.is_finite() {
                return Err(setting_error(
                    t.name.span(),
                    format!("{key}.target is not a number"),
                    "give the value the metric should reach, e.g. target = 0.4",
                ));
            }
            targets.push(Target {
                name: t.name.get_ref().clone(),
                metric,
                target: t.target,
                by: t.by.get_ref().trim().to_string(),
                baseline: t.baseline.get_ref().trim().to_string(),
                key,
                line: line_of(text, t.name.span().start),
                baseline_line: line_of(text, t.baseline.span().start),
                by_line: line_of(text, t.by.span().start),
            });
        }

        let output = resolve(
            &p.output
                .clone()
                .unwrap_or_else(|| PathBuf::from(format!("reports/{name}"))),
        );
        let pseudonym_key_file = resolve(
            &p.pseudonym_key_file
                .clone()
                .unwrap_or_else(|| PathBuf::from(format!("{name}.engage-key"))),
        );

        Ok(Plan {
            pipeline_path: path.to_path_buf(),
            pipeline_sha256: sha256,
            name,
            period: p.period,
            timezone,
            output,
            min_group_size: p.min_group_size,
            sources,
            people,
            surveys,
            satisfaction_scale,
            outcomes,
            horizon_periods: p.horizon_periods,
            language,
            outcome_window_periods: p.outcome_window_periods,
            identities,
            ladder,
            pseudonym_key_file,
            store: p.store.as_deref().map(resolve),
            max_reject_share: p.max_reject_share,
            max_uncompressed_bytes: p.max_uncompressed_bytes,
            exclude_accounts: p.exclude_accounts,
            include_bots: p.include_bots,
            breakdowns,
            windows: Windows {
                reach_days: p.reach_window_days,
                reply_hours: p.reply_window_hours,
            },
            ambassadors: AmbassadorSettings {
                periods: p.ambassador_periods,
                min_partners: p.ambassador_min_partners,
                rung: ambassador_rung,
                reveal: p.reveal_ambassadors,
            },
            targets,
        })
    }
}

fn ladder_from(l: LadderSection, path: &Path, text: &str) -> Result<Ladder> {
    let err = |line: Option<usize>, message: String, help: &str| Error::Pipeline {
        path: path.to_path_buf(),
        line,
        message,
        help: help.to_string(),
    };
    match (l.preset, l.rung.is_empty()) {
        (Some(p), true) => Ladder::preset(p.get_ref()).ok_or_else(|| {
            err(
                Some(line_of(text, p.span().start)),
                format!("ladder.preset: unknown preset {:?}", p.get_ref()),
                "use preset = \"forrester\" or \"pyramid\", or list your own [[ladder.rung]] tables",
            )
        }),
        (Some(p), false) => Err(err(
            Some(line_of(text, p.span().start)),
            "ladder: both a preset and [[ladder.rung]] tables are given".into(),
            "keep either the preset or the rung list",
        )),
        (None, true) => Ok(Ladder::preset("forrester").expect("built-in preset")),
        (None, false) => {
            let n = l.rung.len();
            if n < 2 {
                return Err(err(
                    Some(line_of(text, l.rung[0].name.span().start)),
                    "ladder: a custom ladder needs at least two rungs".into(),
                    "add rungs, highest first; the last one has no `when` and catches everyone else",
                ));
            }
            let mut rungs = Vec::with_capacity(n);
            for (i, r) in l.rung.into_iter().enumerate() {
                let key = format!("ladder.rung[{}]", i + 1);
                let name_line = line_of(text, r.name.span().start);
                let name = r.name.into_inner().trim().to_string();
                if name.is_empty() {
                    return Err(err(
                        Some(name_line),
                        format!("{key}.name is empty"),
                        "give every rung a name",
                    ));
                }
                if rungs.iter().any(|x: &Rung| x.name == name) {
                    return Err(err(
                        Some(name_line),
                        format!("{key}.name: the rung name {name:?} is used twice"),
                        "give every rung a distinct name",
                    ));
                }
                let last = i + 1 == n;
                let (when, line) = match r.when {
                    Some(w) => {
                        let line = line_of(text, w.span().start);
                        if last {
                            return Err(err(
                                Some(line),
                                format!("{key}.when: the last rung must have no condition"),
                                "remove `when` from the last rung: it catches everyone the rungs above did not",
                            ));
                        }
                        (Some(w.into_inner()), Some(line))
                    }
                    None if !last => {
                        return Err(err(
                            Some(name_line),
                            format!("{key}: rung {name:?} has no `when` condition"),
                            "add when = \"<SQL condition>\"; only the last rung goes without one",
                        ))
                    }
                    None => (None, Some(name_line)),
                };
                rungs.push(Rung {
                    name,
                    when,
                    key: format!("{key}.when"),
                    line,
                });
            }
            Ok(Ladder {
                name: "custom".into(),
                rungs,
            })
        }
    }
}

/// Removes `.` and `dir/..` pairs without touching the file system, so messages show
/// `reports/demo` rather than `pipelines/../reports/demo`.
fn tidy(path: &Path) -> PathBuf {
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
    } else {
        None
    }
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line of the first `key =` assignment, for settings checked after parsing.
fn find_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Plan> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("events.csv"), "x").unwrap();
        let path = dir.path().join("p.toml");
        Plan::parse(&path, text, String::new())
    }

    const MINIMAL: &str =
        "[pipeline]\nname = \"t\"\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\n";

    #[test]
    fn defaults_follow_the_spec() {
        let plan = parse(MINIMAL).unwrap();
        assert_eq!(plan.period, PeriodKind::Month);
        assert_eq!(plan.timezone, chrono_tz::UTC);
        assert_eq!(plan.min_group_size, 5);
        assert_eq!(plan.ladder.name, "forrester");
        assert_eq!(plan.ladder.rungs.len(), 7);
        assert_eq!(plan.sources[0].label, "events");
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = format!("{MINIMAL}\n[ladder]\npresett = \"forrester\"\n");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("p.toml:9"), "{err}");
        assert!(err.contains("presett"), "{err}");
    }

    #[test]
    fn unknown_time_zone_is_refused() {
        let text = MINIMAL.replace("name = \"t\"", "name = \"t\"\ntimezone = \"Mars/Olympus\"");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("p.toml:3"), "{err}");
        assert!(err.contains("Mars/Olympus"), "{err}");
    }

    #[test]
    fn missing_file_names_the_key_and_line() {
        let text = MINIMAL.replace("events.csv", "nope.csv");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("p.toml:6"), "{err}");
        assert!(err.contains("source[1].path: file not found"), "{err}");
    }

    #[test]
    fn custom_ladder_keeps_order_and_needs_a_catch_all() {
        let good = format!(
            "{MINIMAL}\n[[ladder.rung]]\nname = \"Talkers\"\nwhen = \"replies >= 2\"\n\n[[ladder.rung]]\nname = \"Rest\"\n"
        );
        let plan = parse(&good).unwrap();
        assert_eq!(plan.ladder.names(), vec!["Talkers", "Rest"]);
        assert_eq!(plan.ladder.rungs[0].line, Some(10));

        let bad = format!(
            "{MINIMAL}\n[[ladder.rung]]\nname = \"Talkers\"\nwhen = \"replies >= 2\"\n\n[[ladder.rung]]\nname = \"Rest\"\nwhen = \"true\"\n"
        );
        let err = parse(&bad).unwrap_err().to_string();
        assert!(err.contains("last rung must have no condition"), "{err}");
    }

    #[test]
    fn relative_paths_are_tidied() {
        assert_eq!(
            tidy(Path::new("pipelines/../reports/demo")),
            PathBuf::from("reports/demo")
        );
        assert_eq!(tidy(Path::new("./a/./b")), PathBuf::from("a/b"));
        assert_eq!(tidy(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(tidy(Path::new("a/..")), PathBuf::from("."));
    }

    #[test]
    fn pyramid_preset_is_selectable() {
        let plan = parse(&format!("{MINIMAL}\n[ladder]\npreset = \"pyramid\"\n")).unwrap();
        assert_eq!(plan.ladder.name, "pyramid");
        assert_eq!(plan.ladder.rungs.len(), 6);
    }

    #[test]
    fn breakdowns_need_a_roster_and_known_attributes() {
        let text = MINIMAL.replace(
            "name = \"t\"",
            "name = \"t\"\nbreakdowns = [\"department\"]",
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("p.toml:3") && err.contains("needs a roster"),
            "{err}"
        );
        let text = MINIMAL.replace("name = \"t\"", "name = \"t\"\nbreakdowns = [\"shoe_size\"]");
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("\"shoe_size\" is not a roster attribute"),
            "{err}"
        );
    }

    #[test]
    fn targets_name_a_metric_or_a_rung_share() {
        let target = |metric: &str| {
            format!(
                "{MINIMAL}\n[[target]]\nname = \"goal\"\nmetric = \"{metric}\"\ntarget = 0.5\nby = \"2025-12\"\nbaseline = \"2025-01\"\n"
            )
        };
        let plan = parse(&target("rung_share:Creators")).unwrap();
        assert_eq!(plan.targets[0].metric, "rung_share:Creators");
        assert_eq!(plan.targets[0].line, 9);
        assert!(parse(&target("gini")).is_ok());
        let err = parse(&target("rung_share:Lurkers"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("p.toml:10") && err.contains("Creators, Conversationalists"),
            "{err}"
        );
        let err = parse(&target("happiness")).unwrap_err().to_string();
        assert!(err.contains("participation_rate"), "{err}");
    }

    #[test]
    fn ambassador_rung_defaults_per_preset_and_must_exist() {
        assert_eq!(
            parse(MINIMAL).unwrap().ambassadors.rung,
            "Conversationalists"
        );
        let pyramid = parse(&format!("{MINIMAL}\n[ladder]\npreset = \"pyramid\"\n")).unwrap();
        assert_eq!(pyramid.ambassadors.rung, "Commenting");
        let text = MINIMAL.replace("name = \"t\"", "name = \"t\"\nambassador_rung = \"Heroes\"");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("no rung \"Heroes\""), "{err}");
    }
}
