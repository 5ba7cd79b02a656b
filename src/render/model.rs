//! The report model: everything a renderer may show, already computed. Plain data, no frames:
//! the pipeline fills it from the result tables, and every renderer reads only this.

pub use super::words::Language;
pub use crate::vocabulary::PeriodKind;

use super::text::{cut, NAME_CHARS};

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
#[derive(Debug, Clone, PartialEq, Default)]
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
    /// Every period_metrics figure, in the order of `schema::PERIOD_METRICS`.
    pub figures: Vec<Option<f64>>,
    /// New, returning, resurrecting and dormant people.
    pub lifecycle: [u32; 4],
}

impl PeriodRow {
    /// A period_metrics figure by its column name.
    pub fn figure(&self, name: &str) -> Option<f64> {
        crate::vocabulary::PERIOD_METRICS
            .iter()
            .position(|m| *m == name)
            .and_then(|i| self.figures.get(i).copied().flatten())
    }
}

/// Ladder moves between the last two periods: `counts[from][to]` in ladder order.
#[derive(Debug, Clone, PartialEq)]
pub struct Transitions {
    pub from: String,
    pub to: String,
    pub counts: Vec<Vec<u32>>,
}

/// One cohort (people by the period of their first activity) and its share active after
/// 0, 1, 2, … periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    pub label: String,
    pub size: u32,
    pub shares: Vec<Option<f64>>,
}

/// One space's activity in the last period.
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceRow {
    pub source: String,
    pub space: String,
    pub active: u32,
    pub contributors: u32,
    pub posts: u32,
    pub replies: u32,
    pub reach: Option<u32>,
}

/// What people talk about in the last period (README "Themes"), when `[themes]` is on.
#[derive(Debug, Clone, PartialEq)]
pub struct Themes {
    /// The last period's label.
    pub period: String,
    /// Posts and replies whose terms were counted in it.
    pub messages: u64,
    /// Its most distinctive terms (against the other periods), most first (by people with
    /// one period), each used by at least `min_group_size` people.
    pub top: Vec<ThemeRow>,
    /// Its terms rising against the three periods before (z at least 1.96), highest first.
    pub rising: Vec<ThemeRow>,
}

/// One term of a period.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeRow {
    pub term: String,
    pub people: u32,
    pub share: f64,
    /// How distinctive of the period (z against the other periods); None with one period.
    pub distinctive: Option<f64>,
    /// Rising against the three periods before (z).
    pub z: Option<f64>,
}

/// Participation per department and period, with §7 suppression applied.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentGrid {
    pub departments: Vec<String>,
    pub periods: Vec<String>,
    /// `rates[department][period]`; None where the department had nobody or is suppressed.
    pub rates: Vec<Vec<Option<f64>>>,
    pub suppressed: Vec<Vec<bool>>,
}

/// One SMART goal and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    pub name: String,
    pub metric: String,
    pub baseline_period: String,
    pub baseline: Option<f64>,
    pub current_period: Option<String>,
    pub current: Option<f64>,
    pub target: f64,
    pub by: String,
    pub expected: Option<f64>,
    pub on_track: Option<bool>,
}

/// One ambassador candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct AmbassadorRow {
    pub rank: u32,
    /// A pseudonym, or the id when the pipeline reveals ambassadors.
    pub person: String,
    pub partners: u32,
    pub responders: u32,
    pub contributions: u32,
    pub rung: String,
    /// Whether the profile survey says they want to contribute too.
    pub also_willing: bool,
}

/// Self-report, campaigns and leaders' presence (README "What people say, campaigns and leaders"); each empty without its input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Practice {
    pub profile: Option<Profile>,
    pub campaigns: Vec<CampaignRow>,
    /// A row per period, with a roster that gives roles.
    pub leadership: Vec<LeaderRow>,
}

/// The profile survey beside the observed rungs.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub respondents: u64,
    /// Answers left out (not on the roster, outside the periods, superseded).
    pub left_out: u64,
    /// `counts[self-reported][observed]` in ladder order; None where suppressed.
    pub counts: Vec<Vec<Option<u64>>>,
    /// Shares of respondents reporting a higher, the same and a lower rung than observed.
    pub higher: Option<f64>,
    pub same: Option<f64>,
    pub lower: Option<f64>,
    /// The breakdown attribute of `groups`.
    pub attribute: Option<String>,
    pub groups: Vec<ProfileGroup>,
    /// Respondents who want to contribute but were observed below the ambassador rung.
    pub willing_below: u64,
    pub ambassador_rung: String,
}

/// One roster group's answers; None where suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileGroup {
    pub group: String,
    pub respondents: Option<u64>,
    pub yes: Option<f64>,
    pub maybe: Option<f64>,
}

/// An estimate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// Whether the interval leaves out zero.
    pub fn sure(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

/// Why a campaign's metric has figures or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectStatus {
    Estimated,
    OutsideData,
    FewWeeksBefore,
    FewWeeksAfter,
    SmallGroup,
}

/// One `[[campaign]]` and its effects.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRow {
    pub name: String,
    pub start: String,
    pub end: String,
    /// The roster attribute (its column name) and group, when aimed at one group.
    pub audience: Option<(String, String)>,
    /// Where it lies on the period axis: fractional period positions, the first period 0.
    pub span: Option<(f64, f64)>,
    pub effects: Vec<EffectRow>,
}

/// A campaign's effect on one weekly metric (rates as fractions).
#[derive(Debug, Clone, PartialEq)]
pub struct EffectRow {
    pub metric: String,
    pub status: EffectStatus,
    pub weeks_before: usize,
    pub weeks_after: usize,
    pub mean_before: Option<f64>,
    pub mean_after: Option<f64>,
    pub level: Option<Interval>,
    pub slope: Option<Interval>,
    pub did: Option<Interval>,
}

/// Leaders and managers in one period; every figure None when suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderRow {
    pub label: String,
    pub leaders: Option<u32>,
    pub active: Option<f64>,
    pub contributing: Option<f64>,
    pub outside_team: Option<f64>,
    pub threads: Option<u32>,
    pub reach_median: Option<f64>,
    pub replies: Option<u32>,
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

/// Teams' engagement against an outcome: the scatter behind a correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    pub outcome: String,
    pub period: String,
    /// `(participation over the window, outcome value)` per team.
    pub points: Vec<(f64, f64)>,
    pub correlation: Option<Correlation>,
}

/// A Kaplan–Meier curve: `(t, survival, lower, upper)` per step, from t = 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub group: String,
    pub steps: Vec<(f64, f64, f64, f64)>,
}

/// Attrition by rung in one period: per rung (ladder order) the share who left within the
/// horizon, None when suppressed or nobody was followed.
#[derive(Debug, Clone, PartialEq)]
pub struct Attrition {
    pub period: String,
    pub rungs: Vec<(String, Option<f64>)>,
}

/// What the outcome stage found, for the report's "does it matter" section.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcomes {
    pub correlations: Vec<Correlation>,
    pub scatter: Option<Scatter>,
    /// Attrition by rung in the latest period with full follow-up: the period, and per rung
    /// (ladder order) the share who left (None when suppressed or nobody followed).
    pub attrition: Option<Attrition>,
    pub curves: Vec<Curve>,
    /// Log-rank test across the curves: statistic, degrees of freedom, p-value.
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
    /// New to the store this run.
    pub accepted: u64,
    /// Held by the store already (a nightly export's re-delivery).
    pub already_stored: u64,
    pub duplicates: u64,
    pub excluded: u64,
    pub rejected: u64,
}

/// What the sources and the roster can and cannot give, for the notes on empty figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    pub views: bool,
    pub roster: bool,
    pub departments: bool,
    pub roles: bool,
}

/// Everything the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub engage_version: String,
    pub language: Language,
    pub pipeline: String,
    pub period_kind: PeriodKind,
    pub timezone: String,
    /// The `--as-of` day, when given.
    pub as_of: Option<String>,
    pub population: Population,
    pub ladder_name: String,
    /// Rungs as the report shows them, highest first: a built-in ladder's in the report's
    /// language, a custom ladder's as the user wrote them.
    pub rungs: Vec<String>,
    /// The rungs' names as the pipeline and the tables key them (`rung`), in the same order.
    pub rung_names: Vec<String>,
    pub periods: Vec<PeriodRow>,
    pub min_group_size: u32,
    pub reply_window_hours: u32,
    pub outcome_window_periods: u32,
    pub horizon_periods: u32,
    pub transitions: Option<Transitions>,
    pub cohorts: Vec<Cohort>,
    /// The Lorenz curve of the last period: `(share of people, share of contributions)`.
    pub lorenz: Vec<(f64, f64)>,
    pub spaces: Vec<SpaceRow>,
    pub themes: Option<Themes>,
    pub departments: Option<DepartmentGrid>,
    pub targets: Vec<TargetRow>,
    pub ambassadors: Vec<AmbassadorRow>,
    pub ambassadors_revealed: bool,
    pub outcomes: Option<Outcomes>,
    pub inputs: Vec<InputRow>,
    /// Facts about the sources (time zones assumed and the like), one sentence each.
    pub source_notes: Vec<String>,
    /// Accounts that matched nobody on the roster, when there is one.
    pub unresolved_accounts: Option<u64>,
    pub coverage: Coverage,
    pub practice: Practice,
    /// The health checks of the delivery, when they ran (pipelines with a store).
    pub health: Option<Vec<HealthRow>>,
}

/// One health check as the report shows it (README, "Health checks").
#[derive(Debug, Clone, PartialEq)]
pub struct HealthRow {
    /// The check's stable name (`freshness`, `volume`, ...).
    pub check: String,
    pub source: String,
    pub subject: String,
    /// `None`: withheld (a roster group below the minimum group size) or none delivered.
    pub figure: Option<f64>,
    pub bound: f64,
    pub against: Option<f64>,
    /// `pass`, `flag` or `skip`.
    pub status: String,
    /// Why a check was not judged (`no_history`, `too_few`, `no_whole_month`, `usage`).
    pub why: Option<String>,
}

impl Report {
    /// The report as its reader sees it: names the figures carry in the tables' words (rungs,
    /// engage's own turnover outcome) in the report's, and names from the data cut for the
    /// page and the charts. The tables keep both as they are.
    pub fn in_its_own_words(self) -> Report {
        self.with_rung_labels()
            .with_outcome_names()
            .with_short_names()
    }

    /// Rung names the assembled figures carry (ambassadors, attrition, survival curves, the
    /// profile's ambassador rung) as the report's rungs.
    fn with_rung_labels(mut self) -> Report {
        let pairs: Vec<(String, String)> = self
            .rung_names
            .iter()
            .cloned()
            .zip(self.rungs.clone())
            .collect();
        let label = |name: &mut String| {
            if let Some((_, l)) = pairs.iter().find(|(n, _)| n == name) {
                *name = l.clone();
            }
        };
        self.ambassadors.iter_mut().for_each(|a| label(&mut a.rung));
        if let Some(o) = self.outcomes.as_mut() {
            o.curves.iter_mut().for_each(|c| label(&mut c.group));
            if let Some(a) = o.attrition.as_mut() {
                a.rungs.iter_mut().for_each(|r| label(&mut r.0));
            }
        }
        if let Some(p) = self.practice.profile.as_mut() {
            label(&mut p.ambassador_rung);
        }
        self
    }

    /// The turnover outcome, which engage names itself, by its name in the report's language.
    fn with_outcome_names(mut self) -> Report {
        let turnover = self.language.words().turnover_outcome;
        if let Some(o) = self.outcomes.as_mut() {
            let outcomes = o.correlations.iter_mut().map(|c| &mut c.outcome);
            for name in outcomes.chain(o.scatter.iter_mut().map(|s| &mut s.outcome)) {
                if name == crate::vocabulary::survey::TURNOVER {
                    *name = turnover.to_string();
                }
            }
        }
        self
    }

    /// Names from the data (spaces, departments, groups, campaigns, terms) cut to
    /// [`NAME_CHARS`] for the page and the charts; the tables keep them whole.
    fn with_short_names(mut self) -> Report {
        let short = |s: &mut String| *s = cut(s, NAME_CHARS);
        self.spaces.iter_mut().for_each(|s| short(&mut s.space));
        if let Some(d) = self.departments.as_mut() {
            d.departments.iter_mut().for_each(short);
        }
        if let Some(t) = self.themes.as_mut() {
            t.top
                .iter_mut()
                .chain(t.rising.iter_mut())
                .for_each(|r| short(&mut r.term));
        }
        for c in &mut self.practice.campaigns {
            short(&mut c.name);
            if let Some((_, group)) = c.audience.as_mut() {
                short(group);
            }
        }
        if let Some(p) = self.practice.profile.as_mut() {
            p.groups.iter_mut().for_each(|g| short(&mut g.group));
        }
        self
    }
}

/// A small report for the renderers' tests: two months, a two-rung ladder, one target.
#[cfg(test)]
#[allow(clippy::too_many_lines)] // One literal report, field by field.
pub fn sample() -> Report {
    let figures = |p: f64, r: Option<f64>| -> Vec<Option<f64>> {
        crate::vocabulary::PERIOD_METRICS
            .iter()
            .map(|m| match *m {
                "headcount" => Some(1200.0),
                "participation_rate" => Some(p),
                "reach_rate" => r,
                "reply_rate" => Some(0.5),
                "posts" => Some(10.0),
                "unanswered_posts" => Some(5.0),
                "top1_share" => Some(0.2),
                "top10_share" => Some(0.7),
                "gini" => Some(0.81),
                _ => None,
            })
            .collect()
    };
    Report {
        engage_version: "0.0.0-test".into(),
        language: Language::En,
        pipeline: "Comms <& friends>".into(),
        period_kind: PeriodKind::Month,
        timezone: "Europe/Amsterdam".into(),
        as_of: Some("2025-02-28".into()),
        population: Population::Observed,
        ladder_name: "Forrester".into(),
        rungs: vec!["Creators".into(), "Inactives".into()],
        rung_names: vec!["Creators".into(), "Inactives".into()],
        periods: vec![
            PeriodRow {
                label: "2025-01".into(),
                headcount: 1200,
                active: 300,
                participation_rate: Some(0.25),
                rung_people: vec![12, 1188],
                rung_shares: vec![Some(0.01), Some(0.99)],
                figures: figures(0.25, None),
                lifecycle: [300, 0, 0, 0],
            },
            PeriodRow {
                label: "2025-02".into(),
                headcount: 1200,
                active: 360,
                participation_rate: Some(0.3),
                rung_people: vec![24, 1176],
                rung_shares: vec![Some(0.02), Some(0.98)],
                figures: figures(0.3, Some(0.4)),
                lifecycle: [20, 280, 60, 20],
            },
        ],
        min_group_size: 5,
        reply_window_hours: 168,
        outcome_window_periods: 3,
        horizon_periods: 6,
        transitions: Some(Transitions {
            from: "2025-01".into(),
            to: "2025-02".into(),
            counts: vec![vec![10, 2], vec![14, 1174]],
        }),
        cohorts: vec![Cohort {
            label: "2025-01".into(),
            size: 300,
            shares: vec![Some(1.0), Some(0.8)],
        }],
        lorenz: vec![(0.0, 0.0), (0.5, 0.1), (1.0, 1.0)],
        spaces: vec![SpaceRow {
            source: "slack".into(),
            space: "general".into(),
            active: 40,
            contributors: 9,
            posts: 10,
            replies: 22,
            reach: None,
        }],
        themes: None,
        departments: None,
        targets: vec![TargetRow {
            name: "Half take part".into(),
            metric: "participation_rate".into(),
            baseline_period: "2025-01".into(),
            baseline: Some(0.25),
            current_period: Some("2025-02".into()),
            current: Some(0.3),
            target: 0.5,
            by: "2025-12".into(),
            expected: Some(0.2727),
            on_track: Some(true),
        }],
        ambassadors: Vec::new(),
        ambassadors_revealed: false,
        outcomes: None,
        inputs: vec![InputRow {
            role: "events".into(),
            kind: "events".into(),
            file: "data/events.csv".into(),
            rows_read: 10,
            accepted: 7,
            already_stored: 0,
            duplicates: 2,
            excluded: 1,
            rejected: 0,
        }],
        source_notes: vec!["Slack exports carry no views.".into()],
        unresolved_accounts: Some(1),
        coverage: Coverage::default(),
        practice: Practice::default(),
        health: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A Dutch report of the two-rung sample: the ambassador on "Creators" and the attrition
    // row of "Inactives" read as the report's rungs, engage's "turnover" as "verloop", a
    // survey's own "enps" stays, and a 40-character space keeps 31 characters and "…".
    #[test]
    fn the_report_is_put_in_its_own_words() {
        let mut r = sample();
        r.language = Language::Nl;
        r.rungs = vec!["Ontwerpers".into(), "Inactieven".into()];
        r.ambassadors = vec![AmbassadorRow {
            rank: 1,
            person: "p".into(),
            partners: 3,
            responders: 3,
            contributions: 9,
            rung: "Creators".into(),
            also_willing: false,
        }];
        let correlation = |outcome: &str| Correlation {
            outcome: outcome.into(),
            period: "2026-02".into(),
            engagement_metric: "participation_rate".into(),
            n_teams: 10,
            rho: None,
            ci_low: None,
            ci_high: None,
            p_adjusted: None,
        };
        r.outcomes = Some(Outcomes {
            correlations: vec![correlation("turnover"), correlation("enps")],
            attrition: Some(Attrition {
                period: "2026-01".into(),
                rungs: vec![("Inactives".into(), Some(0.1))],
            }),
            ..Default::default()
        });
        r.spaces = vec![SpaceRow {
            source: "events".into(),
            space: "s".repeat(40),
            active: 1,
            contributors: 1,
            posts: 1,
            replies: 0,
            reach: None,
        }];
        let r = r.in_its_own_words();
        assert_eq!(r.ambassadors[0].rung, "Ontwerpers");
        let o = r.outcomes.unwrap();
        assert_eq!(o.attrition.unwrap().rungs[0].0, "Inactieven");
        let names: Vec<&str> = o.correlations.iter().map(|c| c.outcome.as_str()).collect();
        assert_eq!(names, ["verloop", "enps"]);
        assert_eq!(r.spaces[0].space, format!("{}…", "s".repeat(31)));
    }
}
