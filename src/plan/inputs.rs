//! What a pipeline reads: its `[[source]]` exports, each checked and labelled, and the small
//! tables beside them (roster, surveys, identity map, team KPIs), every path made absolute.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use toml::Spanned;

use super::file::{label, PipelineFile, SourceSection, Text};
use crate::error::Result;
pub use crate::vocabulary::{SourceFormat, SourceKind};

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
    /// Its own `max_age_days` for the freshness check, if set.
    pub max_age_days: Option<u32>,
}

impl SourcePlan {
    /// A source of `kind` at `path` labelled `label`, every other setting its default: for
    /// reading an export without a pipeline file (tests, tools).
    pub fn at(kind: SourceKind, path: &Path, label: &str) -> SourcePlan {
        SourcePlan {
            kind,
            path: path.to_path_buf(),
            given: path.display().to_string(),
            label: label.to_string(),
            key: "source[1]".into(),
            timezone: chrono_tz::UTC,
            format: SourceFormat::from_extension(path).unwrap_or(SourceFormat::Csv),
            columns: BTreeMap::new(),
            actions: BTreeMap::new(),
            max_age_days: None,
        }
    }
}

/// The surveys file and its scale.
#[derive(Debug, Clone)]
pub struct Surveys {
    pub input: InputPath,
    /// The top of the satisfaction scale (5 or 10).
    pub scale: u32,
}

/// Everything the pipeline reads, and how exports are opened.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub sources: Vec<SourcePlan>,
    pub people: Option<InputPath>,
    pub surveys: Option<Surveys>,
    /// The staff survey of self-reported use (README "What people say, campaigns and leaders"), one row per respondent.
    pub profile_survey: Option<InputPath>,
    /// `source, account, person_id` rows that say who an account belongs to.
    pub identities: Option<InputPath>,
    /// Team KPIs (`team, period, value`) to relate to engagement, by name.
    pub kpis: Vec<(String, InputPath)>,
    /// Largest total uncompressed size a zip export may declare.
    pub max_uncompressed_bytes: u64,
    /// Keep bots and system accounts instead of excluding them.
    pub include_bots: bool,
}

impl Inputs {
    /// The sources whose unmapped accounts become `<source>:<account>`: every source but
    /// canonical events, whose accounts are taken to be the organisation's own ids.
    pub fn prefixed(&self) -> Vec<String> {
        self.sources
            .iter()
            .filter(|s| s.kind != SourceKind::Events)
            .map(|s| s.label.clone())
            .collect()
    }
}

/// The `[[source]]`, `[people]`, `[surveys]`, `[identities]` and `[[outcome]]` sections.
pub fn from_file(file: &PipelineFile, text: &Text) -> Result<Inputs> {
    if file.source.is_empty() {
        return Err(text.whole(
            "the pipeline names no [[source]]".into(),
            "add a [[source]] table with kind = \"events\" and the path of an events file",
        ));
    }
    let sources = file
        .source
        .iter()
        .enumerate()
        .map(|(i, s)| source(s, i + 1, text))
        .collect::<Result<Vec<_>>>()?;
    distinct_labels(&sources, &file.source, text)?;
    let path_of = |s: &Spanned<PathBuf>, key: &str| existing(s, key, false, text);
    Ok(Inputs {
        people: file
            .people
            .as_ref()
            .map(|s| path_of(&s.path, "people.path"))
            .transpose()?,
        surveys: file
            .surveys
            .as_ref()
            .map(|s| surveys(s, text))
            .transpose()?,
        profile_survey: profile_survey(file, text)?,
        identities: file
            .identities
            .as_ref()
            .map(|s| path_of(&s.path, "identities.path"))
            .transpose()?,
        kpis: kpis(file, text)?,
        max_uncompressed_bytes: file.pipeline.max_uncompressed_bytes,
        include_bots: file.pipeline.include_bots,
        sources,
    })
}

/// A path the pipeline names, which must exist (a file, or a folder where `folder_ok`).
pub(super) fn existing(
    spanned: &Spanned<PathBuf>,
    key: &str,
    folder_ok: bool,
    text: &Text,
) -> Result<InputPath> {
    let resolved = text.resolve(spanned.get_ref());
    if resolved.is_file() || folder_ok && resolved.is_dir() {
        Ok(InputPath {
            path: resolved,
            given: spanned.get_ref().to_string_lossy().replace('\\', "/"),
        })
    } else if resolved.exists() && !resolved.is_dir() {
        // A pipe, socket or device: reading one would wait for a writer or never end.
        Err(text.error(
            spanned.span(),
            format!(
                "{key}: {} is not a regular file or folder (a pipe, socket or device)",
                resolved.display()
            ),
            "give the path of the export file itself; engage reads regular files and folders only",
        ))
    } else if resolved.is_dir() {
        Err(text.error(
            spanned.span(),
            format!("{key}: {} is a folder, and this input is a file", resolved.display()),
            "give the path of the file itself, e.g. \"data/people.csv\" (relative paths start from the pipeline file's folder)",
        ))
    } else {
        Err(text.error(
            spanned.span(),
            format!("{key}: file not found: {}", resolved.display()),
            "correct the path (relative paths start from the pipeline file's folder) or create the file",
        ))
    }
}

/// The `n`-th `[[source]]`.
fn source(s: &SourceSection, n: usize, text: &Text) -> Result<SourcePlan> {
    let key = format!("source[{n}].path");
    let resolved = existing(&s.path, &key, s.kind.may_be_folder(), text)?;
    let format = match (s.kind, &s.format) {
        (SourceKind::Events, Some(f)) => *f.get_ref(),
        (SourceKind::Events, None) => {
            SourceFormat::from_extension(&resolved.path).ok_or_else(|| {
                text.error(
                    s.path.span(),
                    format!(
                        "source[{n}].path: cannot tell the format of {} from its extension",
                        resolved.given
                    ),
                    "add format = \"csv\", \"ndjson\", \"parquet\" or \"ipc\" to the source",
                )
            })?
        }
        (_, Some(f)) => {
            return Err(text.error(
                f.span(),
                format!("source[{n}].format applies to kind = \"events\" only"),
                "remove `format`: this kind has a fixed layout",
            ))
        }
        (_, None) => SourceFormat::Csv,
    };
    Ok(SourcePlan {
        kind: s.kind,
        path: resolved.path,
        given: resolved.given,
        label: match &s.name {
            Some(name) => label(name, &format!("source[{n}].name"), text)?,
            None => s.kind.as_str().to_string(),
        },
        key,
        timezone: zone(&s.timezone, &format!("source[{n}].timezone"), text)?,
        format,
        columns: columns(s, n, text)?,
        actions: actions(s, n, text)?,
        max_age_days: match &s.max_age_days {
            Some(days) => Some(age_days(days, &format!("source[{n}].max_age_days"), text)?),
            None => None,
        },
    })
}

/// A time zone the pipeline names (UTC when it names none).
pub fn zone(tz: &Option<Spanned<String>>, key: &str, text: &Text) -> Result<chrono_tz::Tz> {
    match tz {
        None => Ok(chrono_tz::UTC),
        Some(tz) => chrono_tz::Tz::from_str(tz.get_ref()).map_err(|_| {
            text.error(
                tz.span(),
                format!("{key}: unknown time zone {:?}", tz.get_ref()),
                "use an IANA time zone name such as \"Europe/Amsterdam\" or \"UTC\"",
            )
        }),
    }
}

/// `[source.columns]`: canonical column -> the file's column, for `events` sources.
fn columns(s: &SourceSection, n: usize, text: &Text) -> Result<BTreeMap<String, String>> {
    use crate::vocabulary::event;
    let Some(map) = &s.columns else {
        return Ok(BTreeMap::new());
    };
    if s.kind != SourceKind::Events {
        return Err(text.error(
            map.span(),
            format!("source[{n}].columns applies to kind = \"events\" only"),
            "remove [source.columns]: this kind has a fixed layout",
        ));
    }
    if let Some(canonical) = map
        .get_ref()
        .keys()
        .find(|c| !event::ALL.contains(&c.as_str()))
    {
        return Err(text.error(
            map.span(),
            format!("source[{n}].columns: {canonical:?} is not a canonical column"),
            &format!(
                "map canonical columns ({}) to your file's columns",
                event::ALL.join(", ")
            ),
        ));
    }
    Ok(map.get_ref().clone())
}

/// `[source.actions]`: the file's action value -> canonical action, for `events` sources.
fn actions(s: &SourceSection, n: usize, text: &Text) -> Result<BTreeMap<String, String>> {
    use crate::vocabulary::Action;
    let Some(map) = &s.actions else {
        return Ok(BTreeMap::new());
    };
    if s.kind != SourceKind::Events {
        return Err(text.error(
            map.span(),
            format!("source[{n}].actions applies to kind = \"events\" only"),
            "remove [source.actions]: this kind maps actions itself",
        ));
    }
    if let Some((theirs, canonical)) = map
        .get_ref()
        .iter()
        .find(|(_, c)| Action::parse(c).is_none())
    {
        return Err(text.error(
            map.span(),
            format!(
                "source[{n}].actions: {theirs:?} maps to {canonical:?}, which is not an action"
            ),
            &format!("map each of your values to one of: {}", Action::list()),
        ));
    }
    Ok(map.get_ref().clone())
}

/// Events are deduplicated per source label, so two sources may not share one. The error
/// names the line of the later source's `name` (or its `path` when it has none).
fn distinct_labels(sources: &[SourcePlan], sections: &[SourceSection], text: &Text) -> Result<()> {
    for (i, source) in sources.iter().enumerate() {
        if sources[..i].iter().any(|s| s.label == source.label) {
            let section = &sections[i];
            let span = section
                .name
                .as_ref()
                .map_or(section.path.span(), |n| n.span());
            return Err(text.error(
                span,
                format!(
                    "source[{}]: another source has the label {:?}",
                    i + 1,
                    source.label
                ),
                "give each [[source]] a distinct name = \"...\"; events are deduplicated per label",
            ));
        }
    }
    Ok(())
}

fn surveys(s: &super::file::SurveySection, text: &Text) -> Result<Surveys> {
    let input = existing(&s.path, "surveys.path", false, text)?;
    let scale = *s.satisfaction_scale.get_ref();
    if scale != 5 && scale != 10 {
        return Err(text.error(
            s.satisfaction_scale.span(),
            format!("surveys.satisfaction_scale = {scale}: only 5 (1–5) and 10 (1–10) are known"),
            "set satisfaction_scale = 5 or 10",
        ));
    }
    Ok(Surveys { input, scale })
}

/// `[profile_survey]`: compared person by person with the roster, so it needs one.
fn profile_survey(file: &PipelineFile, text: &Text) -> Result<Option<InputPath>> {
    let Some(section) = &file.profile_survey else {
        return Ok(None);
    };
    if file.people.is_none() {
        return Err(text.error(
            section.path.span(),
            "profile_survey needs a roster: respondents are matched to it and broken down by its groups".into(),
            "add a [people] table with the roster's path, or remove [profile_survey]",
        ));
    }
    existing(&section.path, "profile_survey.path", false, text).map(Some)
}

/// `[[outcome]]`: team KPIs by a name of their own.
fn kpis(file: &PipelineFile, text: &Text) -> Result<Vec<(String, InputPath)>> {
    let mut kpis: Vec<(String, InputPath)> = Vec::with_capacity(file.outcome.len());
    for (i, o) in file.outcome.iter().enumerate() {
        let name = o.name.get_ref().trim().to_string();
        let reserved = ["satisfaction", "enps", "turnover"];
        if name.is_empty()
            || reserved.contains(&name.as_str())
            || kpis.iter().any(|(n, _)| *n == name)
        {
            return Err(text.error(
                o.name.span(),
                format!(
                    "outcome[{}].name {name:?} is empty, reserved or used twice",
                    i + 1
                ),
                "give each [[outcome]] its own name other than satisfaction, enps and turnover",
            ));
        }
        let path = existing(&o.path, &format!("outcome[{}].path", i + 1), false, text)?;
        kpis.push((name, path));
    }
    Ok(kpis)
}

/// A number of days for `max_age_days`: 1 to 366.
pub fn age_days(value: &Spanned<u32>, key: &str, text: &Text) -> Result<u32> {
    let days = *value.get_ref();
    if (1..=366).contains(&days) {
        return Ok(days);
    }
    Err(text.error(
        value.span(),
        format!("{key} = {days} is not a number of days from 1 to 366"),
        "give the days the newest event may lie behind the run's day, e.g. 2 for a nightly export or 8 for a weekly one",
    ))
}
