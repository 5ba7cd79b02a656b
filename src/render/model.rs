//! The report model: everything a renderer may show, already computed and rounded to nothing.

/// Where the population (the denominator of every rate) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Population {
    /// The HR roster: headcount is known.
    Roster,
    /// The sources' user lists (accounts that joined and were not deleted).
    UserList,
    /// Everyone seen in events: headcount is observed, not known.
    Observed,
}

/// One reporting period's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    pub label: String,
    pub headcount: u32,
    pub active: u32,
    /// Null when headcount is zero.
    pub participation_rate: Option<f64>,
    /// People per rung, in ladder order.
    pub rung_people: Vec<u32>,
    /// Share of headcount per rung, in ladder order; null when headcount is zero.
    pub rung_shares: Vec<Option<f64>>,
}

/// One figure of period_metrics for the report's last period.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The period_metrics column.
    pub name: String,
    /// Empty when the sources cannot support it or its denominator is zero.
    pub value: Option<f64>,
}

/// One outcome against one engagement measure, across teams.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    pub outcome: String,
    pub period: String,
    pub engagement_metric: String,
    pub n_teams: u32,
    pub rho: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_adjusted: Option<f64>,
}

/// What the outcome stage found, for the report's "does it matter" section.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcomes {
    pub correlations: Vec<Correlation>,
    /// Share still employed at the end of the window, by starting rung (groups shown only).
    pub retention: Vec<(String, f64)>,
    /// Log-rank test across those groups: statistic, degrees of freedom, p-value.
    pub logrank: Option<(f64, u32, f64)>,
    /// Turnover of the last period, and its voluntary part.
    pub turnover_rate: Option<f64>,
    pub voluntary_turnover_rate: Option<f64>,
}

/// How one input file was accounted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRow {
    pub role: String,
    pub kind: String,
    /// The path as the pipeline file gives it, relative to the pipeline's folder.
    pub file: String,
    pub rows_read: u64,
    pub accepted: u64,
    pub duplicates: u64,
    pub excluded: u64,
    pub rejected: u64,
}

/// Everything the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub engage_version: String,
    pub pipeline: String,
    /// `month`, `week` or `quarter`.
    pub period_kind: String,
    pub timezone: String,
    /// The `--as-of` day, when given.
    pub as_of: Option<String>,
    pub population: Population,
    pub ladder_name: String,
    /// Rung names, highest first.
    pub rungs: Vec<String>,
    pub periods: Vec<PeriodRow>,
    pub inputs: Vec<InputRow>,
    /// What the sources cannot measure, and other facts about them, one sentence each.
    pub source_notes: Vec<String>,
    /// Accounts that matched nobody on the roster, when there is one.
    pub unresolved_accounts: Option<u64>,
    /// Every period_metrics figure of the last period, in the table's order.
    pub latest: Vec<Figure>,
    /// Why figures are empty (no view data, no roster), one sentence each.
    pub metric_notes: Vec<String>,
    /// With a roster: turnover, retention and their relation to engagement.
    pub outcomes: Option<Outcomes>,
}
