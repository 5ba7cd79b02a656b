//! Did a campaign move anything (README "What people say, campaigns and leaders")? On the weekly series of participation, contribution
//! rate and reply rate: the segmented regression y = b0 + b1·t + b2·after + b3·(t − t0)·after
//! (level change b2, slope change b3, 95% intervals from Student's t), and with an audience the
//! difference-in-differences of the audience against everyone else, estimated as the
//! interaction in y = a + b·audience + c·after + d·audience·after over the same weeks.
//!
//! The window: up to [`WEEKS_AROUND`] weeks before the start's week, and from that week to
//! [`WEEKS_AROUND`] weeks after the end's week, inside the weeks the data covers. Weeks are
//! consecutive in the series, so autocorrelation is not modelled: the intervals are those of
//! ordinary least squares, which the report's wording keeps modest.

use polars::prelude::*;

use super::statistics::{ols, Fit};
use crate::columns::{f64s, i32s, strs, u32s};
use crate::error::{fault, internal, Result};
use crate::metrics::campaigns::{AUDIENCE, EVERYONE, GROUP, METRICS, OTHERS, WEEK};
use crate::normalize::periods::key_of_date;
use crate::plan::Campaign;
use crate::vocabulary::PeriodKind;

/// Weeks on each side of the campaign that the window may reach.
pub const WEEKS_AROUND: i32 = 26;
/// Weeks needed on each side for an estimate.
pub const MIN_WEEKS: usize = 4;

/// Why a campaign has figures or not, as `tables/campaigns.csv` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Estimated,
    /// The campaign lies wholly before or after the weeks the data covers.
    OutsideData,
    FewWeeksBefore,
    FewWeeksAfter,
    /// The audience, or everyone else, has fewer than `min_group_size` people in some week.
    SmallGroup,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Estimated => "estimated",
            Status::OutsideData => "outside the data",
            Status::FewWeeksBefore => "too few weeks before the start",
            Status::FewWeeksAfter => "too few weeks from the start on",
            Status::SmallGroup => "group below the minimum size",
        }
    }
}

/// An estimate and its 95% interval and p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub p: f64,
}

/// One campaign and one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub metric: &'static str,
    pub status: Status,
    pub weeks_before: usize,
    pub weeks_after: usize,
    pub mean_before: Option<f64>,
    pub mean_after: Option<f64>,
    pub level: Option<Estimate>,
    pub slope: Option<Estimate>,
    pub did: Option<Estimate>,
}

/// A week of one group's series: its key, smallest group size and the three rates.
#[derive(Debug, Clone)]
pub struct Week {
    pub week: i32,
    pub group: String,
    pub headcount: u32,
    pub rates: [Option<f64>; 3],
}

/// The rows of [`crate::metrics::campaigns::series`].
pub fn weeks_of(series: &DataFrame) -> Result<Vec<Week>> {
    let (week, group, headcount) = (
        i32s(series, WEEK)?,
        strs(series, GROUP)?,
        u32s(series, "headcount")?,
    );
    let rates = METRICS
        .iter()
        .map(|m| f64s(series, m))
        .collect::<Result<Vec<_>>>()?;
    (0..series.height())
        .map(|i| {
            Ok(Week {
                week: week[i]
                    .ok_or_else(|| fault("reading the weekly series", "a week is empty"))?,
                group: group[i].clone(),
                headcount: headcount[i].unwrap_or(0),
                rates: [rates[0][i], rates[1][i], rates[2][i]],
            })
        })
        .collect()
}

/// The weeks of the window and whether each is after the start: `(week, after)`.
fn window(c: &Campaign, first: i32, last: i32) -> Vec<(i32, bool)> {
    let t0 = key_of_date(PeriodKind::Week, c.start);
    let end = key_of_date(PeriodKind::Week, c.end);
    let from = first.max(t0 - WEEKS_AROUND);
    let to = last.min(end + WEEKS_AROUND);
    (from..=to).map(|w| (w, w >= t0)).collect()
}

/// The effects of one campaign on each metric. `weeks` holds [`EVERYONE`] rows without an
/// audience, [`AUDIENCE`] and [`OTHERS`] rows with one.
pub fn effects(c: &Campaign, weeks: &[Week], min_group_size: u32) -> Vec<Effect> {
    let main = if c.audience.is_some() {
        AUDIENCE
    } else {
        EVERYONE
    };
    let span = weeks.iter().map(|w| w.week);
    let (first, last) = (span.clone().min(), span.max());
    METRICS
        .iter()
        .enumerate()
        .map(|(m, metric)| {
            let (Some(first), Some(last)) = (first, last) else {
                return empty(metric, Status::OutsideData);
            };
            let t0 = key_of_date(PeriodKind::Week, c.start);
            if t0 > last || key_of_date(PeriodKind::Week, c.end) < first {
                return empty(metric, Status::OutsideData);
            }
            let window = window(c, first, last);
            one(metric, m, &window, weeks, main, t0, min_group_size)
        })
        .collect()
}

fn empty(metric: &'static str, status: Status) -> Effect {
    Effect {
        metric,
        status,
        weeks_before: 0,
        weeks_after: 0,
        mean_before: None,
        mean_after: None,
        level: None,
        slope: None,
        did: None,
    }
}

/// `(week, after, value)` of one group's metric inside the window, weeks without a value left
/// out (a reply rate in a week without posts).
fn points(weeks: &[Week], group: &str, m: usize, window: &[(i32, bool)]) -> Vec<(i32, bool, f64)> {
    window
        .iter()
        .filter_map(|&(w, after)| {
            weeks
                .iter()
                .find(|x| x.week == w && x.group == group)
                .and_then(|x| x.rates[m])
                .map(|v| (w, after, v))
        })
        .collect()
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn estimate(fit: &Fit, i: usize) -> Option<Estimate> {
    let (low, high) = fit.interval(i)?;
    Some(Estimate {
        value: fit.coef[i],
        low,
        high,
        p: fit.p(i).unwrap_or(1.0),
    })
}

/// One metric: group sizes checked, then the segmented regression and the
/// difference-in-differences.
fn one(
    metric: &'static str,
    m: usize,
    window: &[(i32, bool)],
    weeks: &[Week],
    main: &str,
    t0: i32,
    min_group_size: u32,
) -> Effect {
    let in_window = |g: &str, w: &Week| w.group == g && window.iter().any(|(x, _)| *x == w.week);
    let groups: &[&str] = if main == AUDIENCE {
        &[AUDIENCE, OTHERS]
    } else {
        &[EVERYONE]
    };
    let small = groups.iter().any(|g| {
        weeks
            .iter()
            .any(|w| in_window(g, w) && w.headcount < min_group_size)
    });
    let own = points(weeks, main, m, window);
    let before = own.iter().filter(|p| !p.1).count();
    let after = own.len() - before;
    let mut effect = Effect {
        weeks_before: before,
        weeks_after: after,
        mean_before: mean(own.iter().filter(|p| !p.1).map(|p| p.2)),
        mean_after: mean(own.iter().filter(|p| p.1).map(|p| p.2)),
        ..empty(metric, Status::Estimated)
    };
    effect.status = if small {
        Status::SmallGroup
    } else if before < MIN_WEEKS {
        Status::FewWeeksBefore
    } else if after < MIN_WEEKS {
        Status::FewWeeksAfter
    } else {
        Status::Estimated
    };
    if effect.status != Status::Estimated {
        effect.mean_before = None;
        effect.mean_after = None;
        return effect;
    }
    let first = own.first().map_or(0, |p| p.0);
    let (x, y): (Vec<Vec<f64>>, Vec<f64>) = own
        .iter()
        .map(|&(w, after, v)| {
            let a = f64::from(u8::from(after));
            (vec![1.0, f64::from(w - first), a, f64::from(w - t0) * a], v)
        })
        .unzip();
    if let Some(fit) = ols(&x, &y) {
        effect.level = estimate(&fit, 2);
        effect.slope = estimate(&fit, 3);
    }
    if main == AUDIENCE {
        effect.did = difference_in_differences(weeks, m, window);
    }
    effect
}

/// The audience against everyone else, before against after: the interaction coefficient.
fn difference_in_differences(weeks: &[Week], m: usize, window: &[(i32, bool)]) -> Option<Estimate> {
    let (x, y): (Vec<Vec<f64>>, Vec<f64>) = [(AUDIENCE, 1.0), (OTHERS, 0.0)]
        .iter()
        .flat_map(|&(g, aud)| {
            points(weeks, g, m, window)
                .into_iter()
                .map(move |(_, after, v)| {
                    let a = f64::from(u8::from(after));
                    (vec![1.0, aud, a, aud * a], v)
                })
        })
        .unzip();
    estimate(&ols(&x, &y)?, 3)
}

/// One estimate of an effect, for the table's columns.
type Part = fn(&Effect) -> Option<Estimate>;

/// `tables/campaigns`: a row per campaign and metric.
pub fn table(campaigns: &[(Campaign, Vec<Effect>)]) -> Result<DataFrame> {
    let rows: Vec<(&Campaign, &Effect)> = campaigns
        .iter()
        .flat_map(|(c, effects)| effects.iter().map(move |e| (c, e)))
        .collect();
    let text = |f: &dyn Fn(&Campaign, &Effect) -> Option<String>| -> Vec<Option<String>> {
        rows.iter().map(|(c, e)| f(c, e)).collect()
    };
    let num = |f: &dyn Fn(&Effect) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(|(_, e)| f(e)).collect()
    };
    let part = |f: Part| {
        [
            num(&|e| f(e).map(|x| x.value)),
            num(&|e| f(e).map(|x| x.low)),
            num(&|e| f(e).map(|x| x.high)),
            num(&|e| f(e).map(|x| x.p)),
        ]
    };
    let mut columns = vec![
        Column::new("campaign".into(), text(&|c, _| Some(c.name.clone()))),
        Column::new("start".into(), text(&|c, _| Some(c.start.to_string()))),
        Column::new("end".into(), text(&|c, _| Some(c.end.to_string()))),
        Column::new(
            "audience".into(),
            text(&|c, _| {
                c.audience
                    .as_ref()
                    .map(|a| format!("{} = {}", a.attribute.column(), a.group))
            }),
        ),
        Column::new("metric".into(), text(&|_, e| Some(e.metric.to_string()))),
        Column::new(
            "status".into(),
            text(&|_, e| Some(e.status.as_str().into())),
        ),
        Column::new(
            "weeks_before".into(),
            rows.iter()
                .map(|(_, e)| e.weeks_before as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "weeks_after".into(),
            rows.iter()
                .map(|(_, e)| e.weeks_after as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new("mean_before".into(), num(&|e| e.mean_before)),
        Column::new("mean_after".into(), num(&|e| e.mean_after)),
    ];
    let parts: [(&str, Part); 3] = [
        ("level_change", |e| e.level),
        ("slope_change", |e| e.slope),
        ("did", |e| e.did),
    ];
    for (name, f) in parts {
        for (suffix, values) in ["", "_low", "_high", "_p"].iter().zip(part(f)) {
            columns.push(Column::new(format!("{name}{suffix}").into(), values));
        }
    }
    DataFrame::new(rows.len(), columns).map_err(internal("building the campaigns table"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Attribute, Audience};
    use chrono::NaiveDate;

    fn monday(n: i64) -> NaiveDate {
        // 2026-01-05 is a Monday.
        NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Duration::weeks(n)
    }

    fn campaign(start: NaiveDate, audience: bool) -> Campaign {
        Campaign {
            name: "c".into(),
            start,
            end: start + chrono::Duration::days(6),
            audience: audience.then(|| Audience {
                attribute: Attribute::Department,
                group: "Sales".into(),
                line: 1,
            }),
            key: "campaign[1]".into(),
            line: 1,
        }
    }

    fn series(group: &str, values: &[f64], headcount: u32) -> Vec<Week> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Week {
                week: key_of_date(PeriodKind::Week, monday(i as i64)),
                group: group.into(),
                headcount,
                rates: [Some(*v), Some(*v), None],
            })
            .collect()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} against {b}");
    }

    /// The series, window and design of the segmented regression checked against statsmodels
    /// 0.15.0 on the same numbers (`sm.OLS(y, X).fit()` with X = [1, t, after, (t - 6)·after],
    /// t = 0..11): params [0.3, 0.006, 0.113523809524, 0.006857142857], bse [0.010582790977,
    /// 0.00349538082, 0.017242304143, 0.004943214961], 95% intervals for after
    /// [0.07376298487, 0.153284634178] and for the slope change [-0.004541931284,
    /// 0.018256216998], p-values 1.722327984725e-04 and 2.028071753375e-01, df 8.
    #[test]
    fn segmented_regression_matches_statsmodels() {
        let y = [
            0.30, 0.32, 0.29, 0.33, 0.31, 0.34, 0.45, 0.47, 0.46, 0.50, 0.49, 0.52,
        ];
        let effects = effects(&campaign(monday(6), false), &series(EVERYONE, &y, 100), 5);
        let e = &effects[0];
        assert_eq!(e.status, Status::Estimated);
        assert_eq!((e.weeks_before, e.weeks_after), (6, 6));
        let level = e.level.unwrap();
        close(level.value, 0.113523809524);
        close(level.low, 0.07376298487);
        close(level.high, 0.153284634178);
        assert!((level.p - 1.722327984725e-04).abs() < 1e-12);
        let slope = e.slope.unwrap();
        close(slope.value, 0.006857142857);
        close(slope.low, -0.004541931284);
        close(slope.high, 0.018256216998);
        assert!((slope.p - 2.028071753375e-01).abs() < 1e-9);
        // Means by hand: (0.30+0.32+0.29+0.33+0.31+0.34)/6 and (0.45+…+0.52)/6.
        close(e.mean_before.unwrap(), 1.89 / 6.0);
        close(e.mean_after.unwrap(), 2.89 / 6.0);
        // The reply rate has no values: too few weeks on either side.
        assert_eq!(effects[2].status, Status::FewWeeksBefore);
        assert!(effects[2].level.is_none());
    }

    /// Audience 0.305 → 0.505 (+0.2), everyone else 0.40 → 0.43 (+0.03): the difference in
    /// differences is 0.17 by hand; statsmodels on the stacked regression [1, audience, after,
    /// audience·after] gives 0.17 with bse 0.010801234497 and 95% interval [0.146466131701,
    /// 0.193533868299].
    #[test]
    fn difference_in_differences_matches_statsmodels() {
        let audience = [0.30, 0.31, 0.29, 0.32, 0.50, 0.52, 0.49, 0.51];
        let others = [0.40, 0.41, 0.39, 0.40, 0.43, 0.42, 0.44, 0.43];
        let mut weeks = series(AUDIENCE, &audience, 20);
        weeks.extend(series(OTHERS, &others, 80));
        let e = &effects(&campaign(monday(4), true), &weeks, 5)[0];
        assert_eq!(e.status, Status::Estimated);
        let did = e.did.unwrap();
        close(did.value, 0.17);
        close(did.low, 0.146466131701);
        close(did.high, 0.193533868299);
        // An audience below the minimum group size in any week of the window: no figures.
        let small = effects(&campaign(monday(4), true), &weeks, 21);
        assert_eq!(small[0].status, Status::SmallGroup);
        assert!(small[0].did.is_none() && small[0].mean_before.is_none());
    }

    #[test]
    fn a_campaign_outside_the_weeks_or_without_enough_of_them_has_no_figures() {
        let y = [0.3; 10];
        let weeks = series(EVERYONE, &y, 100);
        let after = effects(&campaign(monday(40), false), &weeks, 5);
        assert!(after.iter().all(|e| e.status == Status::OutsideData));
        let before = effects(&campaign(monday(-20), false), &weeks, 5);
        assert!(before.iter().all(|e| e.status == Status::OutsideData));
        // Three weeks before the start: one short of MIN_WEEKS.
        let early = effects(&campaign(monday(3), false), &weeks, 5);
        assert_eq!(early[0].status, Status::FewWeeksBefore);
        // Starting in the last three weeks: too few from the start on.
        let late = effects(&campaign(monday(7), false), &weeks, 5);
        assert_eq!(late[0].status, Status::FewWeeksAfter);
        assert_eq!((late[0].weeks_before, late[0].weeks_after), (7, 3));
    }
}
