//! The settings that shape the figures, each group for the stage that reads it: the metric
//! settings (windows, ambassadors, breakdowns, targets), the outcome settings, privacy,
//! screening and where the outputs go.

use std::path::PathBuf;

use toml::Spanned;

use super::file::{CampaignSection, PipelineSection, Range, TargetSection, Text};
use super::file::{
    AMBASSADOR_MIN_PARTNERS, AMBASSADOR_PERIODS, HORIZON_PERIODS, MIN_GROUP_SIZE,
    OUTCOME_WINDOW_PERIODS, REACH_WINDOW_DAYS, REPLY_WINDOW_HOURS,
};
use super::ladder::Ladder;
use crate::error::Result;
use crate::vocabulary::{Attribute, Language, PERIOD_METRICS};

/// `value` checked against its range, refused at its line outside it.
fn ranged(text: &Text, value: &Spanned<u32>, range: &Range) -> Result<u32> {
    let help = format!(
        "give a whole number of {} from {} to {}, or remove the key for the default ({})",
        range.unit, range.min, range.max, range.default
    );
    text.within(value, range.key, range.min..=range.max, &help)
}

/// The time windows of the content metrics (docs/metrics.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Views count towards a post's reach this many days after it was posted.
    pub reach_days: u32,
    /// A reply counts as an answer this many hours after the post.
    pub reply_hours: u32,
}

/// Who counts as an ambassador candidate (docs/metrics.md).
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

/// A SMART goal (docs/metrics.md targets), as written in the pipeline file.
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

/// What the metrics stage needs beyond the ladder and the calendar.
#[derive(Debug, Clone)]
pub struct MetricSettings {
    pub windows: Windows,
    pub ambassadors: AmbassadorSettings,
    /// Roster attributes to break the rates down by (docs/privacy.md suppression applies).
    pub breakdowns: Vec<Attribute>,
    pub targets: Vec<Target>,
    pub campaigns: Vec<Campaign>,
}

/// An activation campaign (README "What people say, campaigns and leaders"), as checked: dates in order, a known audience attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    pub name: String,
    /// First and last local day, both inclusive.
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    /// One roster group the campaign was aimed at; everyone else is the comparison.
    pub audience: Option<Audience>,
    /// `campaign[n]`, for messages.
    pub key: String,
    pub line: usize,
}

/// A campaign's audience: a roster attribute and one of its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    pub attribute: Attribute,
    pub group: String,
    /// The line of `audience`, for the message when no one on the roster is in the group.
    pub line: usize,
}

/// What the outcomes stage needs.
#[derive(Debug, Clone, Copy)]
pub struct OutcomeSettings {
    /// Periods of follow-up for attrition by rung.
    pub horizon_periods: u32,
    /// Periods of team engagement, ending with an outcome's period, that it is related to.
    pub window_periods: u32,
}

/// Pseudonyms and suppression (docs/privacy.md).
#[derive(Debug, Clone)]
pub struct Privacy {
    pub min_group_size: u32,
    pub pseudonym_key_file: PathBuf,
}

/// What is left out before combining, and how much refused input a run accepts.
#[derive(Debug, Clone)]
pub struct Screening {
    /// Accounts (as they appear in the sources) that are systems, not people.
    pub exclude_accounts: Vec<String>,
    /// A source whose rejected share of rows exceeds this makes the run exit with code 2.
    pub max_reject_share: f64,
}

/// How `--engine spark` submits the event-scale step (`[spark]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spark {
    /// The program and its first arguments; the job file, the store and the output URI follow.
    pub submit: Vec<String>,
}

/// `[spark] submit`, `spark-submit` when not given; an empty command is refused at its line.
pub fn spark(section: Option<&super::file::SparkSection>, text: &Text) -> Result<Spark> {
    let Some(submit) = section.and_then(|s| s.submit.as_ref()) else {
        return Ok(Spark {
            submit: vec!["spark-submit".into()],
        });
    };
    if submit.get_ref().first().is_none_or(|p| p.trim().is_empty()) {
        return Err(text.error(
            submit.span(),
            "spark.submit names no program".into(),
            "write the command as a list, e.g. submit = [\"spark-submit\", \"--master\", \"yarn\"]",
        ));
    }
    Ok(Spark {
        submit: submit.get_ref().clone(),
    })
}

/// `[themes]` (README "Themes"): what people write about, counted from message bodies when enabled.
#[derive(Debug, Clone, Default)]
pub struct Themes {
    pub enabled: bool,
    /// Stop words of these languages are removed; each body is stemmed in one of them.
    pub languages: Vec<Language>,
    /// Terms shown per period.
    pub top: usize,
    /// Extra words to ignore, one per line.
    pub stop_words: Option<super::inputs::InputPath>,
}

/// `[themes]`, checked: known languages, a positive `top`, an existing stop-word file.
pub fn themes(section: Option<&super::file::ThemesSection>, text: &Text) -> Result<Themes> {
    let Some(section) = section else {
        return Ok(Themes::default());
    };
    let languages = match &section.languages {
        None => vec![Language::En, Language::Nl],
        Some(given) => {
            let mut out = Vec::new();
            for code in given.get_ref() {
                match code.as_str() {
                    "en" => out.push(Language::En),
                    "nl" => out.push(Language::Nl),
                    other => {
                        return Err(text.error(
                            given.span(),
                            format!(
                                "themes.languages: {other:?} is not a language engage can stem"
                            ),
                            "list \"en\" (English), \"nl\" (Dutch) or both",
                        ))
                    }
                }
            }
            if out.is_empty() {
                return Err(text.error(
                    given.span(),
                    "themes.languages is empty".into(),
                    "list \"en\", \"nl\" or both, or leave the key out for both",
                ));
            }
            out
        }
    };
    let top = match &section.top {
        None => 20,
        Some(n) if (1..=1000).contains(n.get_ref()) => *n.get_ref() as usize,
        Some(n) => {
            return Err(text.error(
                n.span(),
                format!(
                    "themes.top = {} is not a number of terms to show",
                    n.get_ref()
                ),
                "give a whole number from 1 to 1000 (the default is 20)",
            ))
        }
    };
    let stop_words = section
        .stop_words
        .as_ref()
        .map(|p| super::inputs::existing(p, "themes.stop_words", false, text))
        .transpose()?;
    Ok(Themes {
        enabled: section.enabled,
        languages,
        top,
        stop_words,
    })
}

/// What a health check does when it flags a source (`[health] on_flag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFlag {
    /// Publish the report with the flags in it, and exit 3.
    Warn,
    /// Publish nothing and leave the store as it was (yesterday's report stays), and exit 3.
    Stop,
}

/// `[health]`: the bounds of the checks that notice a broken feed (README, "Health checks").
/// They run on pipelines that keep a store: its history is what "usual" means.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub enabled: bool,
    pub on_flag: OnFlag,
    /// Days the newest event may lie behind the as-of day, not counting the weekdays on which
    /// the source is usually silent.
    pub max_age_days: u32,
    /// The newest complete day's events against its weekday's trailing median: more than
    /// this many times, or fewer than one in this many, is flagged.
    pub volume_factor: f64,
    /// Fewer events than this (a day's usual count, a delivery) are too few to judge.
    pub min_events: u32,
    /// How far an action's share, or the share of accounts unseen before, may move.
    pub max_share_shift: f64,
    /// How far the share of rejected rows may rise.
    pub max_reject_rise: f64,
    /// How far (as a share of itself) a roster group's size may move.
    pub max_group_change: f64,
    /// How much smaller than the store's a month a delivery spans whole may be.
    pub max_shrink: f64,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            enabled: true,
            on_flag: OnFlag::Warn,
            max_age_days: 2,
            volume_factor: 4.0,
            min_events: 50,
            max_share_shift: 0.25,
            max_reject_rise: 0.02,
            max_group_change: 0.5,
            max_shrink: 0.05,
        }
    }
}

/// `[health]`, checked: each bound in its range, `on_flag` one of its two words.
pub fn health(section: Option<&super::file::HealthSection>, text: &Text) -> Result<Health> {
    let mut health = Health::default();
    let Some(s) = section else {
        return Ok(health);
    };
    health.enabled = s.enabled.unwrap_or(true);
    if let Some(on) = &s.on_flag {
        health.on_flag = match on.get_ref().as_str() {
            "warn" => OnFlag::Warn,
            "stop" => OnFlag::Stop,
            other => {
                return Err(text.error(
                    on.span(),
                    format!("health.on_flag = {other:?} is not \"warn\" or \"stop\""),
                    "write \"warn\" (publish with the flags, exit 3) or \"stop\" (publish nothing, keep the store as it was, exit 3)",
                ))
            }
        };
    }
    if let Some(days) = &s.max_age_days {
        health.max_age_days = super::inputs::age_days(days, "health.max_age_days", text)?;
    }
    if let Some(n) = &s.min_events {
        health.min_events = *n.get_ref();
    }
    let bounded = |v: &Option<Spanned<f64>>, key: &str, low: f64, high: f64, default: f64| {
        let Some(v) = v else { return Ok(default) };
        let x = *v.get_ref();
        if x.is_finite() && x > low && x <= high {
            return Ok(x);
        }
        Err(text.error(
            v.span(),
            format!("health.{key} = {x} lies outside ({low}, {high}]"),
            &format!("give a number above {low} and at most {high}; the default is {default}"),
        ))
    };
    let d = Health::default();
    health.volume_factor = bounded(
        &s.volume_factor,
        "volume_factor",
        1.0,
        1000.0,
        d.volume_factor,
    )?;
    health.max_share_shift = bounded(
        &s.max_share_shift,
        "max_share_shift",
        0.0,
        1.0,
        d.max_share_shift,
    )?;
    health.max_reject_rise = bounded(
        &s.max_reject_rise,
        "max_reject_rise",
        0.0,
        1.0,
        d.max_reject_rise,
    )?;
    health.max_group_change = bounded(
        &s.max_group_change,
        "max_group_change",
        0.0,
        100.0,
        d.max_group_change,
    )?;
    health.max_shrink = bounded(&s.max_shrink, "max_shrink", 0.0, 1.0, d.max_shrink)?;
    Ok(health)
}

/// Where a run writes.
#[derive(Debug, Clone)]
pub struct Output {
    /// The output folder (`--out` overrides it).
    pub folder: PathBuf,
    /// The event store folder, when the pipeline keeps one.
    pub store: Option<PathBuf>,
}

/// The metric settings of `[pipeline]` and the `[[target]]` sections.
pub fn metrics(
    p: &PipelineSection,
    targets: &[TargetSection],
    campaigns: &[CampaignSection],
    ladder: &Ladder,
    has_roster: bool,
    text: &Text,
) -> Result<MetricSettings> {
    let windows = Windows {
        reach_days: ranged(text, &p.reach_window_days, &REACH_WINDOW_DAYS)?,
        reply_hours: ranged(text, &p.reply_window_hours, &REPLY_WINDOW_HOURS)?,
    };
    let ambassadors = AmbassadorSettings {
        periods: ranged(text, &p.ambassador_periods, &AMBASSADOR_PERIODS)?,
        min_partners: ranged(text, &p.ambassador_min_partners, &AMBASSADOR_MIN_PARTNERS)?,
        rung: ambassador_rung(&p.ambassador_rung, ladder, text)?,
        reveal: p.reveal_ambassadors,
    };
    Ok(MetricSettings {
        windows,
        ambassadors,
        breakdowns: breakdowns(&p.breakdowns, has_roster, text)?,
        targets: targets
            .iter()
            .enumerate()
            .map(|(i, t)| target(t, i + 1, ladder, text))
            .collect::<Result<_>>()?,
        campaigns: checked_campaigns(campaigns, has_roster, text)?,
    })
}

/// Every `[[campaign]]`, each with a distinct name.
fn checked_campaigns(
    sections: &[CampaignSection],
    has_roster: bool,
    text: &Text,
) -> Result<Vec<Campaign>> {
    let mut out: Vec<Campaign> = Vec::with_capacity(sections.len());
    for (i, section) in sections.iter().enumerate() {
        let c = campaign(section, i + 1, has_roster, text)?;
        if out.iter().any(|o| o.name == c.name) {
            return Err(text.error(
                section.name.span(),
                format!("{}.name {:?} is used by another campaign", c.key, c.name),
                "give each [[campaign]] its own name",
            ));
        }
        out.push(c);
    }
    Ok(out)
}

/// One `[[campaign]]`: a name, a start on or before its end, and at most one audience group.
fn campaign(c: &CampaignSection, n: usize, has_roster: bool, text: &Text) -> Result<Campaign> {
    let key = format!("campaign[{n}]");
    let name = c.name.get_ref().trim().to_string();
    if name.is_empty() {
        return Err(text.error(
            c.name.span(),
            format!("{key}.name is empty"),
            "name the campaign, e.g. name = \"Spring launch\"",
        ));
    }
    let start = campaign_date(&c.start, &format!("{key}.start"), text)?;
    let end = campaign_date(&c.end, &format!("{key}.end"), text)?;
    if end < start {
        return Err(text.error(
            c.end.span(),
            format!("{key}.end ({end}) is before its start ({start})"),
            "give the campaign's last day on or after its first",
        ));
    }
    let audience = c
        .audience
        .as_ref()
        .map(|a| audience(a, &key, has_roster, text))
        .transpose()?;
    Ok(Campaign {
        name,
        start,
        end,
        audience,
        line: text.line_of(c.name.span().start),
        key,
    })
}

/// A campaign day, written as a TOML date (`2026-03-02`) or as text (`"2026-03-02"`).
fn campaign_date(
    value: &Spanned<toml::Value>,
    key: &str,
    text: &Text,
) -> Result<chrono::NaiveDate> {
    let written = match value.get_ref() {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    };
    chrono::NaiveDate::parse_from_str(&written, "%Y-%m-%d").map_err(|_| {
        text.error(
            value.span(),
            format!("{key} = {written} is not a date"),
            "write the day as YYYY-MM-DD, e.g. start = 2026-03-02",
        )
    })
}

/// `audience = { department = "Sales" }`: one known roster attribute and a group name.
fn audience(
    value: &Spanned<std::collections::BTreeMap<String, String>>,
    key: &str,
    has_roster: bool,
    text: &Text,
) -> Result<Audience> {
    let known: Vec<&str> = Attribute::ALL.iter().map(|a| a.column()).collect();
    let help = format!(
        "name one roster attribute ({}) and its group, e.g. audience = {{ department = \"Sales\" }}",
        known.join(", ")
    );
    let entries: Vec<(&String, &String)> = value.get_ref().iter().collect();
    let [(attribute, group)] = entries.as_slice() else {
        return Err(text.error(
            value.span(),
            format!("{key}.audience names {} attributes, not one", entries.len()),
            &help,
        ));
    };
    let Some(attribute) = Attribute::ALL
        .into_iter()
        .find(|a| a.column() == *attribute)
    else {
        return Err(text.error(
            value.span(),
            format!("{key}.audience: {attribute:?} is not a roster attribute"),
            &help,
        ));
    };
    if group.trim().is_empty() || !has_roster {
        let problem = if has_roster {
            "names an empty group"
        } else {
            "needs a roster to know who is in the group"
        };
        return Err(text.error(
            value.span(),
            format!("{key}.audience {problem}"),
            "add a [people] table with the roster's path, and name a group of it",
        ));
    }
    Ok(Audience {
        attribute,
        group: group.trim().to_string(),
        line: text.line_of(value.span().start),
    })
}

/// The outcome settings of `[pipeline]`.
pub fn outcomes(p: &PipelineSection, text: &Text) -> Result<OutcomeSettings> {
    Ok(OutcomeSettings {
        horizon_periods: ranged(text, &p.horizon_periods, &HORIZON_PERIODS)?,
        window_periods: ranged(text, &p.outcome_window_periods, &OUTCOME_WINDOW_PERIODS)?,
    })
}

/// The privacy settings of `[pipeline]`; the key file is named after the pipeline by default.
pub fn privacy(p: &PipelineSection, name: &str, text: &Text) -> Result<Privacy> {
    let min_group_size = ranged(text, &p.min_group_size, &MIN_GROUP_SIZE)?;
    let key = p.pseudonym_key_file.clone();
    Ok(Privacy {
        min_group_size,
        pseudonym_key_file: text
            .resolve(&key.unwrap_or_else(|| PathBuf::from(format!("{name}.engage-key")))),
    })
}

/// The screening settings of `[pipeline]`.
pub fn screening(p: &PipelineSection, text: &Text) -> Result<Screening> {
    let share = *p.max_reject_share.get_ref();
    if !(0.0..=1.0).contains(&share) {
        return Err(text.error(
            p.max_reject_share.span(),
            format!("pipeline.max_reject_share = {share} is not a share between 0 and 1"),
            "use e.g. 0.01 to fail the run when more than 1% of a source's rows cannot be read",
        ));
    }
    Ok(Screening {
        exclude_accounts: p.exclude_accounts.clone(),
        max_reject_share: share,
    })
}

/// Where the outputs and the store go; the output folder is `reports/<name>` by default.
pub fn output(p: &PipelineSection, name: &str, text: &Text) -> Output {
    let folder = p
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("reports/{name}")));
    Output {
        folder: text.resolve(&folder),
        store: p.store.as_deref().map(|s| text.resolve(s)),
    }
}

/// `pipeline.breakdowns`: known roster attributes, each once, and a roster to read them from.
fn breakdowns(
    value: &Option<Spanned<Vec<String>>>,
    has_roster: bool,
    text: &Text,
) -> Result<Vec<Attribute>> {
    let Some(b) = value else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Attribute> = Vec::new();
    for name in b.get_ref() {
        let Some(attribute) = Attribute::ALL.into_iter().find(|a| a.column() == name) else {
            let known: Vec<&str> = Attribute::ALL.iter().map(|a| a.column()).collect();
            return Err(text.error(
                b.span(),
                format!("pipeline.breakdowns: {name:?} is not a roster attribute"),
                &format!("choose from {}", known.join(", ")),
            ));
        };
        if !out.contains(&attribute) {
            out.push(attribute);
        }
    }
    if !out.is_empty() && !has_roster {
        return Err(text.error(
            b.span(),
            "pipeline.breakdowns needs a roster to know each person's attributes".into(),
            "add a [people] table with the roster's path, or remove breakdowns",
        ));
    }
    Ok(out)
}

/// `pipeline.ambassador_rung`, which must be a rung of the ladder; the ladder's default else.
fn ambassador_rung(
    value: &Option<Spanned<String>>,
    ladder: &Ladder,
    text: &Text,
) -> Result<String> {
    let Some(r) = value else {
        return Ok(ladder.ambassador_rung());
    };
    if !ladder.rungs.iter().any(|x| x.name == *r.get_ref()) {
        return Err(text.error(
            r.span(),
            format!(
                "pipeline.ambassador_rung: the ladder has no rung {:?}",
                r.get_ref()
            ),
            &format!("choose one of {}", ladder.names().join(", ")),
        ));
    }
    Ok(r.get_ref().clone())
}

/// The `n`-th `[[target]]`: a period metric or a rung share of this ladder, a finite goal.
fn target(t: &TargetSection, n: usize, ladder: &Ladder, text: &Text) -> Result<Target> {
    let key = format!("target[{n}]");
    let metric = t.metric.get_ref().trim().to_string();
    let known = match metric.strip_prefix("rung_share:") {
        Some(rung) => ladder.rungs.iter().any(|r| r.name == rung),
        None => PERIOD_METRICS.contains(&metric.as_str()),
    };
    if !known {
        return Err(text.error(
            t.metric.span(),
            format!("{key}.metric: {metric:?} is not a period metric or a rung share"),
            &format!(
                "use a period_metrics column ({}) or rung_share:<Rung> with a rung of the ladder ({})",
                PERIOD_METRICS.join(", "),
                ladder.names().join(", ")
            ),
        ));
    }
    if !t.target.is_finite() {
        return Err(text.error(
            t.name.span(),
            format!("{key}.target is not a number"),
            "give the value the metric should reach, e.g. target = 0.4",
        ));
    }
    Ok(Target {
        name: t.name.get_ref().clone(),
        metric,
        target: t.target,
        by: t.by.get_ref().trim().to_string(),
        baseline: t.baseline.get_ref().trim().to_string(),
        key,
        line: text.line_of(t.name.span().start),
        baseline_line: text.line_of(t.baseline.span().start),
        by_line: text.line_of(t.by.span().start),
    })
}
