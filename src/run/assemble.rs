//! From result tables to the report model: the one place that reads frames for the report, so
//! that `render` receives plain structs only. Small frames (one row per period, rung, space,
//! team or ambassador) are read into vectors here.

use polars::prelude::*;

use crate::columns::{bools, f64s, i32s, opt_strs, strs, u32s};
use crate::error::{internal, Result};
use crate::normalize::PERIOD_KEY;
use crate::render::model;
use crate::vocabulary::{activity as a, PERIOD_METRICS};

mod practice;
pub use practice::practice;

/// Everything the report is built from.
pub struct Results<'a> {
    pub rungs: &'a [String],
    /// period_metrics with `period_key`.
    pub period_metrics: &'a DataFrame,
    /// The rung table with `period_key`: every rung of every period, ladder order.
    pub rung_table: &'a DataFrame,
    pub lifecycle: &'a DataFrame,
    pub transitions: &'a DataFrame,
    pub retention: &'a DataFrame,
    /// The activity table (person ids, `period_key`, counts).
    pub activity: &'a DataFrame,
    pub spaces: &'a DataFrame,
    /// The suppressed department breakdown, when the roster gives departments.
    pub departments: Option<&'a DataFrame>,
    pub targets: &'a DataFrame,
    /// Already pseudonymised, or revealed.
    pub ambassadors: &'a DataFrame,
    pub outcome_tables: &'a [(String, DataFrame)],
    /// Whether any source gives views.
    pub views_known: bool,
}

/// The periods with every figure, the rung shares and the lifecycle.
pub fn periods(r: &Results) -> Result<Vec<model::PeriodRow>> {
    let m = r.period_metrics;
    let labels = strs(m, a::PERIOD)?;
    let figures: Vec<Vec<Option<f64>>> = PERIOD_METRICS
        .iter()
        .map(|c| f64s(m, c))
        .collect::<Result<_>>()?;
    let people = u32s(r.rung_table, "people")?;
    let shares = f64s(r.rung_table, "share")?;
    let k = r.rungs.len();
    let life: Vec<Vec<Option<u32>>> = ["new", "returning", "resurrecting", "dormant"]
        .iter()
        .map(|c| u32s(r.lifecycle, c))
        .collect::<Result<_>>()?;
    Ok((0..labels.len())
        .map(|i| {
            let fig: Vec<Option<f64>> = figures.iter().map(|f| f[i]).collect();
            model::PeriodRow {
                label: labels[i].clone(),
                headcount: fig[0].unwrap_or(0.0) as u32,
                active: fig[1].unwrap_or(0.0) as u32,
                participation_rate: fig[9],
                rung_people: people
                    .get(i * k..(i + 1) * k)
                    .unwrap_or_default()
                    .iter()
                    .map(|v| v.unwrap_or(0))
                    .collect(),
                rung_shares: shares.get(i * k..(i + 1) * k).unwrap_or_default().to_vec(),
                figures: fig,
                lifecycle: [0, 1, 2, 3].map(|j| life[j].get(i).copied().flatten().unwrap_or(0)),
            }
        })
        .collect())
}

/// Ladder moves between the last two periods.
pub fn transitions(r: &Results) -> Result<Option<model::Transitions>> {
    let t = r.transitions;
    if t.height() == 0 {
        return Ok(None);
    }
    let to = strs(t, "to_period")?;
    let from = strs(t, "from_period")?;
    let last_to = to.last().cloned().unwrap_or_default();
    let from_rung = strs(t, "from_rung")?;
    let to_rung = strs(t, "to_rung")?;
    let people = u32s(t, "people")?;
    let k = r.rungs.len();
    let mut counts = vec![vec![0u32; k]; k];
    let mut from_label = String::new();
    for i in 0..t.height() {
        if to[i] != last_to {
            continue;
        }
        from_label = from[i].clone();
        let (Some(f), Some(g)) = (
            r.rungs.iter().position(|x| *x == from_rung[i]),
            r.rungs.iter().position(|x| *x == to_rung[i]),
        ) else {
            continue;
        };
        counts[f][g] = people[i].unwrap_or(0);
    }
    Ok(Some(model::Transitions {
        from: from_label,
        to: last_to,
        counts,
    }))
}

/// Cohorts and their retention.
pub fn cohorts(r: &Results) -> Result<Vec<model::Cohort>> {
    let t = r.retention;
    let cohort = strs(t, "cohort")?;
    let size = u32s(t, "cohort_size")?;
    let since = u32s(t, "periods_since")?;
    let share = f64s(t, "share")?;
    let mut out: Vec<model::Cohort> = Vec::new();
    for i in 0..t.height() {
        if out.last().map(|c| &c.label) != Some(&cohort[i]) {
            out.push(model::Cohort {
                label: cohort[i].clone(),
                size: size[i].unwrap_or(0),
                shares: Vec::new(),
            });
        }
        let c = out.last_mut().expect("just pushed");
        let k = since[i].unwrap_or(0) as usize;
        if c.shares.len() <= k {
            c.shares.resize(k + 1, None);
        }
        c.shares[k] = share[i];
    }
    Ok(out)
}

/// The Lorenz curve of the last period's contributions.
pub fn lorenz(r: &Results, last_key: Option<i32>) -> Result<Vec<(f64, f64)>> {
    let Some(key) = last_key else {
        return Ok(Vec::new());
    };
    let last = r
        .activity
        .clone()
        .lazy()
        .filter(col(PERIOD_KEY).eq(lit(key)))
        .select([col(a::CONTRIBUTIONS)])
        .collect()
        .map_err(internal("drawing the Lorenz curve"))?;
    let values: Vec<u32> = u32s(&last, a::CONTRIBUTIONS)?
        .into_iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    Ok(crate::metrics::inequality::lorenz(&values, 101))
}

/// The ten most active spaces of the last period.
pub fn spaces(r: &Results, last_label: Option<&str>) -> Result<Vec<model::SpaceRow>> {
    let Some(label) = last_label else {
        return Ok(Vec::new());
    };
    let top = r
        .spaces
        .clone()
        .lazy()
        .filter(col(a::PERIOD).eq(lit(label)))
        .sort(
            ["active", "posts", "source", "space"],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, true, false, false])
                .with_maintain_order(true),
        )
        .limit(10)
        .collect()
        .map_err(internal("listing spaces"))?;
    let (source, space) = (strs(&top, "source")?, strs(&top, "space")?);
    let (active, contributors, posts, replies, reach) = (
        u32s(&top, "active")?,
        u32s(&top, "contributors")?,
        u32s(&top, "posts")?,
        u32s(&top, "replies")?,
        u32s(&top, "reach")?,
    );
    Ok((0..top.height())
        .map(|i| model::SpaceRow {
            source: source[i].clone(),
            space: space[i].clone(),
            active: active[i].unwrap_or(0),
            contributors: contributors[i].unwrap_or(0),
            posts: posts[i].unwrap_or(0),
            replies: replies[i].unwrap_or(0),
            reach: reach[i],
        })
        .collect())
}

/// Participation per department and period from the suppressed breakdown.
pub fn departments(r: &Results, periods: &[String]) -> Result<Option<model::DepartmentGrid>> {
    let Some(b) = r.departments else {
        return Ok(None);
    };
    let period = strs(b, a::PERIOD)?;
    let dept = strs(b, "department")?;
    let rate = f64s(b, "participation_rate")?;
    let headcount = u32s(b, "headcount")?;
    let mut names: Vec<String> = dept.clone();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Ok(None);
    }
    let mut rates = vec![vec![None; periods.len()]; names.len()];
    let mut suppressed = vec![vec![false; periods.len()]; names.len()];
    for i in 0..b.height() {
        let (Some(d), Some(p)) = (
            names.iter().position(|n| *n == dept[i]),
            periods.iter().position(|x| *x == period[i]),
        ) else {
            continue;
        };
        rates[d][p] = rate[i];
        // A row with people but no rate was suppressed.
        suppressed[d][p] = rate[i].is_none() && headcount[i].is_none_or(|h| h > 0);
    }
    Ok(Some(model::DepartmentGrid {
        departments: names,
        periods: periods.to_vec(),
        rates,
        suppressed,
    }))
}

pub fn targets(r: &Results) -> Result<Vec<model::TargetRow>> {
    let t = r.targets;
    if t.height() == 0 {
        return Ok(Vec::new());
    }
    let (name, metric, base_p, by) = (
        strs(t, "name")?,
        strs(t, "metric")?,
        strs(t, "baseline_period")?,
        strs(t, "by")?,
    );
    let current_p = opt_strs(t, "current_period")?;
    let (base, cur, goal, exp) = (
        f64s(t, "baseline")?,
        f64s(t, "current")?,
        f64s(t, "target")?,
        f64s(t, "expected")?,
    );
    let track = bools(t, "on_track")?;
    Ok((0..t.height())
        .map(|i| model::TargetRow {
            name: name[i].clone(),
            metric: metric[i].clone(),
            baseline_period: base_p[i].clone(),
            baseline: base[i],
            current_period: current_p[i].clone(),
            current: cur[i],
            target: goal[i].unwrap_or(0.0),
            by: by[i].clone(),
            expected: exp[i],
            on_track: track[i],
        })
        .collect())
}

pub fn ambassadors(r: &Results) -> Result<Vec<model::AmbassadorRow>> {
    let t = r.ambassadors;
    let (rank, person, partners, responders, contributions, rung, source) = (
        u32s(t, "rank")?,
        strs(t, a::PERSON)?,
        u32s(t, a::DISTINCT_PARTNERS)?,
        u32s(t, "responders")?,
        u32s(t, a::CONTRIBUTIONS)?,
        strs(t, a::RUNG)?,
        strs(t, crate::metrics::ambassadors::SOURCE)?,
    );
    // Respondents who only say they want to contribute are the profile section's.
    Ok((0..t.height())
        .filter_map(|i| {
            Some(model::AmbassadorRow {
                rank: rank[i]?,
                person: person[i].clone(),
                partners: partners[i].unwrap_or(0),
                responders: responders[i].unwrap_or(0),
                contributions: contributions[i].unwrap_or(0),
                rung: rung[i].clone(),
                also_willing: source[i] == "both",
            })
        })
        .collect())
}

/// The outcome summary, when there is a roster.
pub fn outcomes(r: &Results) -> Result<Option<model::Outcomes>> {
    let tables = r.outcome_tables;
    let find = |name: &str| tables.iter().find(|(n, _)| n == name).map(|(_, t)| t);
    let Some(correlations) = find("tables/outcome_correlations.csv") else {
        return Ok(None);
    };
    let mut summary = model::Outcomes {
        correlations: correlation_rows(correlations)?,
        ..Default::default()
    };
    if let Some(teams) = find("tables/outcome_teams.csv") {
        summary.scatter = scatter(teams, &summary.correlations)?;
    }
    if let Some(att) = find("tables/attrition_by_rung.csv") {
        summary.attrition = attrition(att)?;
    }
    if let Some(curves) = find("tables/retention_curves.csv") {
        summary.curves = survival_curves(curves)?;
    }
    if let Some(test) = find("tables/logrank.csv") {
        summary.logrank = logrank(test)?;
    }
    if let Some(turnover) = find("tables/turnover.csv") {
        summary.turnover_rate = f64s(turnover, "turnover_rate")?.last().copied().flatten();
        summary.voluntary_turnover_rate = f64s(turnover, "voluntary_turnover_rate")?
            .last()
            .copied()
            .flatten();
    }
    Ok(Some(summary))
}

/// The correlations between outcomes and engagement, a row each.
fn correlation_rows(correlations: &DataFrame) -> Result<Vec<model::Correlation>> {
    let (rho, low, high, adjusted) = (
        f64s(correlations, "rho")?,
        f64s(correlations, "ci_low")?,
        f64s(correlations, "ci_high")?,
        f64s(correlations, "p_adjusted")?,
    );
    let n = u32s(correlations, "n_teams")?;
    let (outcome, period, metric) = (
        strs(correlations, "outcome")?,
        strs(correlations, "period")?,
        strs(correlations, "engagement_metric")?,
    );
    Ok((0..correlations.height())
        .map(|i| model::Correlation {
            outcome: outcome[i].clone(),
            period: period[i].clone(),
            engagement_metric: metric[i].clone(),
            n_teams: n[i].unwrap_or(0),
            rho: rho[i],
            ci_low: low[i],
            ci_high: high[i],
            p_adjusted: adjusted[i],
        })
        .collect())
}

/// The scatter: satisfaction if surveyed, else the first outcome, against participation.
fn scatter(
    teams: &DataFrame,
    correlations: &[model::Correlation],
) -> Result<Option<model::Scatter>> {
    let names = strs(teams, "outcome")?;
    let chosen = ["satisfaction", "enps", "turnover"]
        .iter()
        .map(|s| s.to_string())
        .find(|s| names.contains(s))
        .or_else(|| names.first().cloned());
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    {
        let (x, y, p) = (
            f64s(teams, "participation_rate")?,
            f64s(teams, "value")?,
            strs(teams, "period")?,
        );
        let points: Vec<(f64, f64)> = (0..teams.height())
            .filter(|i| names[*i] == chosen)
            .filter_map(|i| x[i].zip(y[i]))
            .collect();
        let period = (0..teams.height())
            .find(|i| names[*i] == chosen)
            .map(|i| p[i].clone())
            .unwrap_or_default();
        let correlation = correlations
            .iter()
            .find(|c| c.outcome == chosen && c.engagement_metric == "participation_rate")
            .cloned();
        Ok((!points.is_empty()).then_some(model::Scatter {
            outcome: chosen,
            period,
            points,
            correlation,
        }))
    }
}

/// Attrition by rung in the latest period with anyone followed for the whole horizon.
fn attrition(att: &DataFrame) -> Result<Option<model::Attrition>> {
    let (period, rung, followed, share) = (
        strs(att, a::PERIOD)?,
        strs(att, a::RUNG)?,
        u32s(att, "followed")?,
        f64s(att, "share")?,
    );
    let last = (0..att.height())
        .rev()
        .find(|i| followed[*i].unwrap_or(0) > 0)
        .map(|i| period[i].clone());
    Ok(last.map(|last| {
        let rows = (0..att.height())
            .filter(|i| period[*i] == last)
            .map(|i| (rung[i].clone(), share[i]))
            .collect();
        model::Attrition {
            period: last,
            rungs: rows,
        }
    }))
}

/// The Kaplan–Meier curves by starting rung, steps with their confidence band.
fn survival_curves(curves: &DataFrame) -> Result<Vec<model::Curve>> {
    let mut out: Vec<model::Curve> = Vec::new();
    let (group, t, s, lo, hi) = (
        strs(curves, "group")?,
        f64s(curves, "t")?,
        f64s(curves, "survival")?,
        f64s(curves, "lower")?,
        f64s(curves, "upper")?,
    );
    for i in 0..curves.height() {
        if out.last().map(|c| &c.group) != Some(&group[i]) {
            out.push(model::Curve {
                group: group[i].clone(),
                steps: Vec::new(),
            });
        }
        if let (Some(t), Some(s), Some(lo), Some(hi)) = (t[i], s[i], lo[i], hi[i]) {
            out.last_mut()
                .expect("just pushed")
                .steps
                .push((t, s, lo, hi));
        }
    }
    Ok(out)
}

/// The log-rank test across the curves: statistic, degrees of freedom, p.
fn logrank(test: &DataFrame) -> Result<Option<(f64, u32, f64)>> {
    let (stat, p, df) = (
        f64s(test, "statistic")?,
        f64s(test, "p_value")?,
        u32s(test, "degrees_of_freedom")?,
    );
    Ok(
        match (
            stat.first().copied().flatten(),
            df.first().copied().flatten(),
            p.first().copied().flatten(),
        ) {
            (Some(s), Some(d), Some(p)) => Some((s, d, p)),
            _ => None,
        },
    )
}

/// The last period's key in period_metrics.
pub fn last_key(period_metrics: &DataFrame) -> Result<Option<i32>> {
    Ok(i32s(period_metrics, PERIOD_KEY)?.last().copied().flatten())
}

/// The last period's themes for the report: its `top` terms by people, and its terms whose
/// rising score reaches 1.96 (a two-sided 5% level), highest first.
pub fn themes(
    found: Option<&crate::metrics::themes::Themes>,
    terms: Option<&crate::ingest::texts::TermCounts>,
    last: (Option<&str>, Option<i32>),
    top: usize,
) -> Result<Option<model::Themes>> {
    use crate::vocabulary::themes as t;
    let (Some(found), Some(terms), (Some(label), Some(key))) = (found, terms, last) else {
        return Ok(None);
    };
    let fail = || internal("listing themes");
    let period = found
        .by_period
        .clone()
        .lazy()
        .filter(col(a::PERIOD).eq(lit(label)))
        .collect()
        .map_err(fail())?;
    let (term, people) = (strs(&period, t::TERM)?, u32s(&period, t::PEOPLE)?);
    let (share, z) = (f64s(&period, t::SHARE)?, f64s(&period, t::Z)?);
    let distinctive = f64s(&period, t::DISTINCTIVE)?;
    let rows: Vec<model::ThemeRow> = (0..period.height())
        .map(|i| model::ThemeRow {
            term: term[i].clone(),
            people: people[i].unwrap_or(0),
            share: share[i].unwrap_or(0.0),
            distinctive: distinctive[i],
            z: z[i],
        })
        .collect();
    let mut rising: Vec<model::ThemeRow> = rows
        .iter()
        .filter(|r| r.z.is_some_and(|z| z >= 1.96))
        .cloned()
        .collect();
    rising.sort_by(|a, b| b.z.partial_cmp(&a.z).unwrap_or(std::cmp::Ordering::Equal));
    rising.truncate(top);
    let messages = terms
        .messages
        .clone()
        .lazy()
        .filter(col(t::PERIOD).eq(lit(key)))
        .select([col(t::MESSAGES).sum()])
        .collect()
        .map_err(fail())?;
    let messages = messages
        .column(t::MESSAGES)
        .ok()
        .and_then(|c| c.u64().ok().and_then(|c| c.get(0)))
        .unwrap_or(0);
    Ok(Some(model::Themes {
        period: label.to_string(),
        messages,
        top: rows.into_iter().take(top).collect(),
        rising,
    }))
}
