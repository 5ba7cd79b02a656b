//! The canonical vocabulary (README "Inputs" and docs/metrics.md) that every stage shares, so that a column,
//! action, metric or setting's name is spelled in exactly one place. It imports no stage.
//!
//! What each file holds: every name said once: canonical columns (events, people, surveys, the
//! activity table, usage counts, accounts, term counts, the calendar's `period_key` and `day`), the
//! eight actions, exit kinds, the closed sets as enums (`PeriodKind`, `Language`, `Attribute`,
//! `SourceKind`, `SourceFormat`), the plausible years, and `definitions.rs`: what each period
//! metric means, its formula and sources, from which the metric names, the report's definitions and
//! docs/metrics.md all come; `notes.rs`: the facts a report tells about its inputs (`Say`, `Note`),
//! which the stages that find them state without words. Imports no stage

use std::fmt;

pub mod definitions;
pub mod notes;

/// Years a date may plausibly fall in; dates outside are rejected as typos or zero dates.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// Calendar unit of a period (README "Definitions").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Month,
    Week,
    Quarter,
}

impl PeriodKind {
    /// The name as the pipeline file and the manifest write it.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Week => "week",
            PeriodKind::Quarter => "quarter",
        }
    }
}

/// The languages the report speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Nl,
}

impl Language {
    /// The language's code, as the pipeline file and the HTML `lang` attribute write it.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Nl => "nl",
        }
    }
}

/// Source formats the pipeline can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
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
    pub fn may_be_folder(self) -> bool {
        !matches!(self, SourceKind::Events)
    }
}

/// File formats of the `events` kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
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
    pub fn from_extension(path: &std::path::Path) -> Option<SourceFormat> {
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

/// Roster attributes a breakdown may use (docs/privacy.md: suppression applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attribute {
    Department,
    Team,
    Location,
    Role,
}

impl Attribute {
    pub const ALL: [Attribute; 4] = [
        Attribute::Department,
        Attribute::Team,
        Attribute::Location,
        Attribute::Role,
    ];

    /// The roster column.
    pub fn column(self) -> &'static str {
        match self {
            Attribute::Department => person::DEPARTMENT,
            Attribute::Team => person::TEAM,
            Attribute::Location => person::LOCATION,
            Attribute::Role => person::ROLE,
        }
    }
}

/// Columns every stage adds to events and results: the period's integer key and the local day.
pub mod calendar {
    /// The integer key of a period (`year*12+month-1`, `year*4+quarter-1`, weeks since 1970).
    pub const PERIOD_KEY: &str = "period_key";
    pub const PERIOD_START: &str = "period_start";
    pub const PERIOD_END: &str = "period_end";
    /// Days of a period up to the as-of day.
    pub const DAYS: &str = "days";
    /// The local calendar day of an event.
    pub const DAY: &str = "day";
}

/// Usage counts from reports without events (README "Inputs"): a row per account and window.
pub mod usage {
    pub const SOURCE: &str = "source";
    pub const ACCOUNT: &str = "account";
    pub const WINDOW_END: &str = "window_end";
    pub const WINDOW_DAYS: &str = "window_days";
    /// The measures a report counts, named as the activity table's counts.
    pub const MEASURES: [&str; 5] = [
        super::activity::POSTS,
        super::activity::REPLIES,
        super::activity::REACTIONS,
        super::activity::VIEWS,
        super::activity::VISITS,
    ];
}

/// The accounts every adapter may list: `source, account, email` (and for user lists
/// `joined, deleted`), resolved to `person_id`.
pub mod accounts {
    pub const SOURCE: &str = "source";
    pub const ACCOUNT: &str = "account";
    pub const EMAIL: &str = "email";
    pub const PERSON: &str = "person_id";
}

/// Columns of the term counts (README "Themes"): what the adapters hand on of message bodies, kept in
/// the store, and the themes tables made from them.
pub mod themes {
    pub const SOURCE: &str = "source";
    pub const PERIOD: &str = "period";
    /// The space, or null for every space together.
    pub const SPACE: &str = "space";
    /// The term's key: its stems, a space between the two of a phrase.
    pub const TERM: &str = "term";
    /// The written form a term is shown in: its most used one.
    pub const FORM: &str = "form";
    pub const MENTIONS: &str = "mentions";
    pub const PEOPLE: &str = "people";
    /// Bodies counted, per source and period.
    pub const MESSAGES: &str = "messages";
    pub const SHARE: &str = "share";
    /// The rising score: the z-score of the log-odds ratio against the previous periods.
    pub const Z: &str = "z";
    /// How distinctive a term is of its period (or space): the z-score of the log-odds ratio
    /// against every other period (or the period's other spaces).
    pub const DISTINCTIVE: &str = "distinctive";
}

/// The tables the event-scale step hands to the rest of the run: each query over events
/// (`normalize::Events::gather`) is named by its table first, then by the settings it depends
/// on, so that a run can take these tables from elsewhere (a Spark job's output) instead of
/// computing them; the Spark job writes a folder of Parquet files under each name.
pub mod handoff {
    /// Events and target accounts per account and period, before identity resolution.
    pub const ACCOUNTS_COUNTED: &str = "accounts_counted";
    /// Counts per person and period (with the distinct active days).
    pub const ACTIVITY: &str = "activity_per_day";
    /// Replies and reactions per pair of people and period.
    pub const TIES: &str = "ties";
    /// A row per post event.
    pub const POSTS: &str = "post_rows";
    /// Per post, the earliest reply by someone else within the reply window.
    pub const FIRST_REPLIES: &str = "first_replies";
    /// Per post, its distinct viewers within the reach window.
    pub const VIEWERS: &str = "post_viewers";
    /// Replies per period.
    pub const REPLIES: &str = "replies_per_period";
    /// Views of the leaders' content per viewer and period.
    pub const LEADER_VIEWS: &str = "leader_views";
    /// Per space and period: totals and distinct people.
    pub const SPACES: &str = "space_aggregates";
    /// One view event, if any source has one.
    pub const ANY_VIEW: &str = "any_view";
    /// The store's usage counts and accounts, copied as they are.
    pub const USAGE: &str = "usage";
    pub const ACCOUNTS: &str = "accounts";
    /// One row: the settings the tables were computed with.
    pub const ABOUT: &str = "about";
    /// Events and contributions per person and Monday-based week, for campaigns' weekly series.
    pub const WEEKLY: &str = "activity_per_week";

    /// Every table a run reads, in the order the job writes them.
    pub const ALL: [&str; 14] = [
        ABOUT,
        ACCOUNTS_COUNTED,
        ACTIVITY,
        TIES,
        POSTS,
        FIRST_REPLIES,
        VIEWERS,
        REPLIES,
        LEADER_VIEWS,
        SPACES,
        ANY_VIEW,
        USAGE,
        ACCOUNTS,
        WEEKLY,
    ];
}

/// Columns of the canonical events table, in their canonical order.
pub mod event {
    pub const EVENT_ID: &str = "event_id";
    pub const SOURCE: &str = "source";
    pub const OCCURRED_AT: &str = "occurred_at";
    pub const ACTOR: &str = "actor";
    pub const ACTION: &str = "action";
    pub const CONTENT_ID: &str = "content_id";
    pub const THREAD_ID: &str = "thread_id";
    pub const TARGET_ACTOR: &str = "target_actor";
    pub const SPACE: &str = "space";

    /// An optional column of an events file: the message body, read only for themes (README "Themes")
    /// and never kept.
    pub const TEXT: &str = "text";
    /// Every canonical column, in order.
    pub const ALL: [&str; 9] = [
        EVENT_ID,
        SOURCE,
        OCCURRED_AT,
        ACTOR,
        ACTION,
        CONTENT_ID,
        THREAD_ID,
        TARGET_ACTOR,
        SPACE,
    ];
}

/// Columns of the HR roster.
pub mod person {
    pub const PERSON_ID: &str = "person_id";
    pub const EMAIL: &str = "email";
    pub const DEPARTMENT: &str = "department";
    pub const TEAM: &str = "team";
    pub const LOCATION: &str = "location";
    pub const MANAGER_ID: &str = "manager_id";
    pub const ROLE: &str = "role";
    pub const HIRE_DATE: &str = "hire_date";
    pub const EXIT_DATE: &str = "exit_date";
    pub const EXIT_KIND: &str = "exit_kind";

    pub const ALL: [&str; 10] = [
        PERSON_ID, EMAIL, DEPARTMENT, TEAM, LOCATION, MANAGER_ID, ROLE, HIRE_DATE, EXIT_DATE,
        EXIT_KIND,
    ];
}

/// Columns of person-level survey answers.
pub mod survey {
    pub const PERSON_ID: &str = "person_id";
    pub const ANSWERED_AT: &str = "answered_at";
    pub const MEASURE: &str = "measure";
    pub const SCORE: &str = "score";

    pub const ALL: [&str; 4] = [PERSON_ID, ANSWERED_AT, MEASURE, SCORE];

    /// The outcome engage computes itself from the roster (the others are the surveys' and
    /// KPIs' own names); the report shows it in its language.
    pub const TURNOVER: &str = "turnover";
}

/// The staff survey of self-reported use (README "What people say, campaigns and leaders"): its columns and the answers it knows.
pub mod profile {
    pub const PERSON_ID: &str = "person_id";
    pub const ANSWERED_AT: &str = "answered_at";
    pub const WANTS: &str = "wants_to_contribute";
    /// Each behaviour asked about and the activity-table count it stands for.
    pub const BEHAVIOURS: [(&str, &str); 6] = [
        ("reads", super::activity::VIEWS),
        ("reacts", super::activity::REACTIONS),
        ("comments", super::activity::REPLIES),
        ("posts", super::activity::POSTS),
        ("shares", super::activity::SHARES),
        ("moderates", super::activity::CURATIONS),
    ];
    /// How often, least first; every answer but the first counts as one event in the period.
    pub const FREQUENCIES: [&str; 4] = ["never", "monthly", "weekly", "daily"];
    pub const WANTS_ANSWERS: [&str; 3] = ["yes", "maybe", "no"];
}

/// Columns of the activity table (one row per person in headcount and period).
pub mod activity {
    pub const PERSON: &str = "person";
    pub const PERIOD: &str = "period";
    pub const POSTS: &str = "posts";
    pub const REPLIES: &str = "replies";
    pub const REACTIONS: &str = "reactions";
    pub const SHARES: &str = "shares";
    pub const VIEWS: &str = "views";
    pub const VISITS: &str = "visits";
    pub const JOINS: &str = "joins";
    pub const CURATIONS: &str = "curations";
    pub const ACTIVE_DAYS: &str = "active_days";
    pub const CONTRIBUTIONS: &str = "contributions";
    pub const INTERACTIONS: &str = "interactions";
    pub const DISTINCT_PARTNERS: &str = "distinct_partners";
    pub const ACTIVE: &str = "active";
    pub const ENGAGED: &str = "engaged";
    pub const CONTRIBUTOR: &str = "contributor";
    pub const CREATOR: &str = "creator";
    pub const LURKER: &str = "lurker";
    pub const RUNG: &str = "rung";

    /// The counts a rung condition may refer to, in the order they appear in the table.
    pub const COUNTS: [&str; 12] = [
        POSTS,
        REPLIES,
        REACTIONS,
        SHARES,
        VIEWS,
        VISITS,
        JOINS,
        CURATIONS,
        ACTIVE_DAYS,
        CONTRIBUTIONS,
        INTERACTIONS,
        DISTINCT_PARTNERS,
    ];
}

/// The eight canonical actions (README "Inputs").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Post,
    Reply,
    Reaction,
    Share,
    View,
    Visit,
    Join,
    Curate,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Post,
        Action::Reply,
        Action::Reaction,
        Action::Share,
        Action::View,
        Action::Visit,
        Action::Join,
        Action::Curate,
    ];

    /// The value in the `action` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Post => "post",
            Action::Reply => "reply",
            Action::Reaction => "reaction",
            Action::Share => "share",
            Action::View => "view",
            Action::Visit => "visit",
            Action::Join => "join",
            Action::Curate => "curate",
        }
    }

    /// The activity-table column that counts this action.
    pub fn count_column(self) -> &'static str {
        match self {
            Action::Post => activity::POSTS,
            Action::Reply => activity::REPLIES,
            Action::Reaction => activity::REACTIONS,
            Action::Share => activity::SHARES,
            Action::View => activity::VIEWS,
            Action::Visit => activity::VISITS,
            Action::Join => activity::JOINS,
            Action::Curate => activity::CURATIONS,
        }
    }

    /// Whether the action counts towards "engaged" (docs/metrics.md).
    pub fn is_engagement(self) -> bool {
        matches!(
            self,
            Action::Post | Action::Reply | Action::Reaction | Action::Share | Action::Curate
        )
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The allowed values, for error messages.
    pub fn list() -> String {
        Action::ALL.map(Action::as_str).join(", ")
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// HR roles (README "Inputs" people).
pub const ROLES: [&str; 3] = ["employee", "manager", "leader"];

/// Exit kinds (README "Inputs" people).
pub const EXIT_KINDS: [&str; 3] = ["voluntary", "involuntary", "other"];

/// The columns of period_metrics after `period` (docs/metrics.md), in order: the counts behind
/// the rates, then the rates. The names come from [`definitions::PERIOD_METRICS`], so a
/// figure is named and explained in one place.
pub const PERIOD_METRICS: [&str; definitions::PERIOD_METRICS.len()] = {
    let mut names = [""; definitions::PERIOD_METRICS.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = definitions::PERIOD_METRICS[i].name;
        i += 1;
    }
    names
};
