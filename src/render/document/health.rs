//! The health checks' part of the data quality section (README, "Health checks"): a sentence
//! that says whether any feed looks broken, and every check with its figure and bound, so the
//! reader of a report built on a broken night is told before the figures mislead.

use super::{Block, Ctx, Table};
use crate::render::model::HealthRow;
use crate::render::words::{fill, Language};

/// The health blocks, when the checks ran.
pub(super) fn blocks(c: &Ctx) -> Vec<Block> {
    let Some(rows) = &c.report.health else {
        return Vec::new();
    };
    let (lang, w) = (c.lang, c.lang.words().health);
    let flagged = rows.iter().filter(|r| r.status == "flag").count();
    let summary = if flagged == 0 {
        w.passed.to_string()
    } else {
        fill(w.flagged, &[&lang.count(flagged as u64)])
    };
    vec![
        Block::Paragraph(format!("{}. {summary}", w.title)),
        Block::Table(Table {
            headers: w.headers.iter().map(|h| h.to_string()).collect(),
            numeric: vec![false, false, false, true, true, false],
            rows: rows.iter().map(|r| row(lang, r)).collect(),
        }),
    ]
}

fn row(lang: Language, r: &HealthRow) -> Vec<String> {
    let w = lang.words().health;
    let label = w
        .checks
        .iter()
        .find(|(name, _)| *name == r.check)
        .map_or(r.check.as_str(), |(_, label)| label);
    let result = match r.status.as_str() {
        "pass" => w.pass.to_string(),
        "flag" => w.flag.to_string(),
        _ => r
            .why
            .as_deref()
            .and_then(|why| w.skips.iter().find(|(n, _)| *n == why))
            .map_or("", |(_, s)| s)
            .to_string(),
    };
    let subject = match r.check.as_str() {
        "shrink" if !r.subject.is_empty() => lang.period(&r.subject),
        _ => r.subject.clone(),
    };
    let (figure, bound) = figure_and_bound(lang, r);
    vec![
        label.to_string(),
        r.source.clone(),
        subject,
        figure,
        bound,
        result,
    ]
}

/// A check's figure and bound as readers write them: days, a multiple of the usual count,
/// a change in percent or percentage points, a share.
fn figure_and_bound(lang: Language, r: &HealthRow) -> (String, String) {
    let w = lang.words().health;
    let signed = |x: f64| {
        let plus = if (x * 1000.0).round() > 0.0 { "+" } else { "" };
        format!("{plus}{}", lang.percent(Some(x)))
    };
    let figure = |f: &dyn Fn(f64) -> String| match (r.figure, r.status.as_str(), r.check.as_str()) {
        (Some(x), _, _) => f(x),
        (None, _, "roster_group") => w.withheld.to_string(),
        (None, "flag", "freshness") => w.nothing.to_string(),
        _ => String::new(),
    };
    match r.check.as_str() {
        "freshness" => (
            figure(&|x| format!("{} {}", lang.number(x, 0), w.days)),
            format!("{} {} {}", w.at_most, lang.number(r.bound, 0), w.days),
        ),
        "volume" => (
            figure(&|x| {
                let usual = r.against.map(|a| lang.number(a, 1)).unwrap_or_default();
                format!("{} × {} ({usual})", lang.number(x, 2), w.of_usual)
            }),
            format!(
                "{}–{} ×",
                lang.number(1.0 / r.bound, 2),
                lang.number(r.bound, 2)
            ),
        ),
        "shrink" => (figure(&|x| signed(x)), lang.percent(Some(r.bound))),
        "action_share" => (
            figure(&|x| lang.points(x)),
            format!(
                "±{} {}",
                lang.number(r.bound * 100.0, 1),
                lang.words().points
            ),
        ),
        "roster_group" => (
            figure(&|x| signed(x)),
            format!("±{}", lang.percent(Some(r.bound))),
        ),
        _ => (
            figure(&|x| lang.percent(Some(x))),
            format!("{} {}", w.at_most, lang.percent(Some(r.bound))),
        ),
    }
}
