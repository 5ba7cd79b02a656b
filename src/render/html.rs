//! The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network) that
//! opens from disk, prints cleanly and can be mailed as is.

use std::fmt::Write as _;

use super::charts::{hex, ladder_colours};
use super::model::{Population, Report};
use super::text::{count, escape, figure, percent};

const CSS: &str = r#"
:root { --ink: #1d1d1f; --muted: #5f6368; --rule: #e2e2e6; --accent: #31688e; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1080px; padding: 32px 24px 64px; line-height: 1.45; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 24px; padding-bottom: 12px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
.meta { color: var(--muted); font-size: 14px; margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 16px; }
.card { flex: 1 1 180px; border: 1px solid var(--rule); border-radius: 8px; padding: 14px 16px; }
.card .value { font-size: 30px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 13px; }
.chart svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--rule); text-align: right; white-space: nowrap; }
th:first-child, td:first-child, .text { text-align: left; }
td.wrap { white-space: normal; }
.scroll { overflow-x: auto; }
thead th { border-bottom: 2px solid var(--ink); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.note { color: var(--muted); font-size: 13px; }
dt { font-weight: 600; } dd { margin: 0 0 8px 0; }
@media print { body { max-width: none; padding: 0; } section { break-inside: avoid; }
               h2 { break-after: avoid; } }
"#;

/// The report page, with the ladder chart's SVG inlined.
pub fn render(report: &Report, ladder_svg: &str) -> String {
    let mut h = String::new();
    let title = format!("Engagement report: {}", report.pipeline);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let range = match (report.periods.first(), report.periods.last()) {
        (Some(f), Some(l)) if f.label != l.label => format!("{} to {}", f.label, l.label),
        (Some(f), _) => f.label.clone(),
        _ => "no periods".to_string(),
    };
    let _ = write!(
        h,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">Periods: {} ({}, time zone {}){}. Ladder: {}.</p>\n</header>\n",
        escape(&title),
        escape(&range),
        escape(&report.period_kind),
        escape(&report.timezone),
        report
            .as_of
            .as_ref()
            .map(|d| format!("; data as of {}", escape(d)))
            .unwrap_or_default(),
        escape(&report.ladder_name),
    );

    headline(&mut h, report);
    let _ = write!(
        h,
        "<section>\n<h2>The engagement ladder</h2>\n<div class=\"chart\">{ladder_svg}</div>\n"
    );
    ladder_table(&mut h, report);
    h.push_str("</section>\n");
    participation_table(&mut h, report);
    all_figures(&mut h, report);
    outcomes(&mut h, report);
    data_quality(&mut h, report);
    definitions(&mut h, report);
    let _ = write!(
        h,
        "<footer class=\"note\">Made by engage {}.</footer>\n</body>\n</html>\n",
        escape(&report.engage_version)
    );
    h
}

fn headline(h: &mut String, report: &Report) {
    let Some(last) = report.periods.last() else {
        return;
    };
    let _ = write!(
        h,
        "<section>\n<h2>Headline: {}</h2>\n<div class=\"cards\">\n",
        escape(&last.label)
    );
    let mut card = |value: String, label: &str| {
        let _ = writeln!(
            h,
            "<div class=\"card\"><div class=\"value\">{}</div><div class=\"label\">{}</div></div>",
            escape(&value),
            escape(label)
        );
    };
    card(count(last.headcount as u64), "headcount");
    card(count(last.active as u64), "active people");
    card(
        percent(last.participation_rate),
        "participation rate (active / headcount)",
    );
    if let (Some(name), Some(share)) = (report.rungs.first(), last.rung_shares.first()) {
        card(percent(*share), &format!("on the top rung ({name})"));
    }
    h.push_str("</div>\n");
    if report.population == Population::Observed {
        h.push_str(
            "<p class=\"note\">No HR roster was given: headcount is everyone seen in the events \
             so far, an observed population rather than a known one. Rates are therefore higher \
             than they would be against the real workforce.</p>\n",
        );
    }
    h.push_str("</section>\n");
}

fn ladder_table(h: &mut String, report: &Report) {
    // Periods as rows and rungs as columns: the table grows downwards with the months, so it
    // stays printable however long the history.
    let colours = ladder_colours(report.rungs.len());
    h.push_str("<div class=\"scroll\">\n<table>\n<thead><tr><th>Period</th>");
    for (r, name) in report.rungs.iter().enumerate() {
        let _ = write!(
            h,
            "<th><span class=\"swatch\" style=\"background:{}\"></span>{}</th>",
            hex(colours[r]),
            escape(name)
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for p in &report.periods {
        let _ = write!(h, "<tr><td>{}</td>", escape(&p.label));
        for share in &p.rung_shares {
            let _ = write!(h, "<td>{}</td>", percent(*share));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</div>\n<p class=\"note\">Share of headcount on each rung; each person sits on the highest rung whose condition they meet.</p>\n");
}

fn participation_table(h: &mut String, report: &Report) {
    h.push_str(
        "<section>\n<h2>Participation</h2>\n<table>\n<thead><tr><th>Period</th><th>Headcount</th>\
         <th>Active</th><th>Participation rate</th></tr></thead>\n<tbody>\n",
    );
    for p in &report.periods {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&p.label),
            count(p.headcount as u64),
            count(p.active as u64),
            percent(p.participation_rate)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn data_quality(h: &mut String, report: &Report) {
    h.push_str(
        "<section>\n<h2>Data sources</h2>\n<table>\n<thead><tr><th>File</th><th class=\"text\">Role</th><th class=\"text\">Kind</th>\
         <th>Rows read</th><th>Accepted</th><th>Duplicates</th><th>Excluded</th><th>Rejected</th>\
         </tr></thead>\n<tbody>\n",
    );
    for i in &report.inputs {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&i.file),
            escape(&i.role),
            escape(&i.kind),
            count(i.rows_read),
            count(i.accepted),
            count(i.duplicates),
            count(i.excluded),
            count(i.rejected)
        );
    }
    let basis = match report.population {
        Population::Roster => {
            "the HR roster (people hired by the end of a period and not gone before its start)"
        }
        Population::UserList => {
            "the sources' user lists (accounts that had joined by the end of a period and were not \
             deleted before its start; sources without a list add the people seen in them)"
        }
        Population::Observed => {
            "everyone seen in the events up to the end of each period (no roster given)"
        }
    };
    let _ = write!(
        h,
        "</tbody>\n</table>\n<p class=\"note\">Every row read is accepted, a duplicate of an earlier \
         (source, event_id), excluded on purpose (bots, system accounts, deleted content, events \
         after the as-of day) or rejected as unreadable; the manifest and the rejects files give \
         the reasons. Population: {}.</p>\n",
        escape(basis)
    );
    if let Some(n) = report.unresolved_accounts {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} account{} matched nobody on the roster; {} counted for content only \
             and listed, pseudonymised, in tables/unresolved_accounts.csv.</p>",
            count(n),
            if n == 1 { "" } else { "s" },
            if n == 1 { "it is" } else { "they are" }
        );
    }
    if !report.source_notes.is_empty() {
        h.push_str("<ul class=\"note\">\n");
        for note in &report.source_notes {
            let _ = writeln!(h, "<li>{}</li>", escape(note));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}

fn all_figures(h: &mut String, report: &Report) {
    let Some(last) = report.periods.last() else {
        return;
    };
    let _ = write!(
        h,
        "<section>\n<h2>Every figure for {}</h2>\n<table>\n<thead><tr><th>Figure</th>\
         <th>Value</th><th class=\"text\">What it tells you</th></tr></thead>\n<tbody>\n",
        escape(&last.label)
    );
    for f in &report.latest {
        let meaning = crate::definitions::of(&f.name).map_or("", |d| d.meaning);
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"text wrap\">{}</td></tr>",
            escape(&f.name),
            escape(&figure(&f.name, f.value)),
            escape(meaning)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    for note in &report.metric_notes {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(note));
    }
    h.push_str("</section>\n");
}

/// A p-value as reports print it: three decimals, or "< 0.001".
fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "< 0.001".to_string(),
        Some(p) => format!("{p:.3}"),
        None => "\u{2013}".to_string(),
    }
}

/// The caveat every outcome section carries (spec §6).
pub const CAVEAT: &str = "These are associations across teams and rungs, not causes: teams that \
    take part more may be happier for other reasons, and a team-level association says nothing \
    about any one person.";

fn outcomes(h: &mut String, report: &Report) {
    let Some(o) = &report.outcomes else {
        return;
    };
    h.push_str("<section>\n<h2>Does it matter?</h2>\n");
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(CAVEAT));
    if let (Some(t), Some(v)) = (o.turnover_rate, o.voluntary_turnover_rate) {
        let _ = writeln!(
            h,
            "<p>Turnover in the last period: {} ({} voluntary).</p>",
            escape(&percent(Some(t))),
            escape(&percent(Some(v)))
        );
    }
    if !o.correlations.is_empty() {
        h.push_str(
            "<table>\n<thead><tr><th>Outcome</th><th class=\"text\">Engagement</th><th>Teams</th>\
             <th>Spearman rho</th><th>95% interval</th><th>p (BH-adjusted)</th></tr></thead>\n<tbody>\n",
        );
        let two = |v: Option<f64>| v.map_or("\u{2013}".to_string(), |v| format!("{v:.2}"));
        for c in &o.correlations {
            let _ = writeln!(
                h,
                "<tr><td>{} ({})</td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{} to {}</td><td>{}</td></tr>",
                escape(&c.outcome),
                escape(&c.period),
                escape(&c.engagement_metric),
                c.n_teams,
                two(c.rho),
                two(c.ci_low),
                two(c.ci_high),
                p_value(c.p_adjusted)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    if !o.retention.is_empty() {
        h.push_str("<p>Still employed at the end of the window, by the rung people started on: ");
        let parts: Vec<String> = o
            .retention
            .iter()
            .map(|(g, s)| format!("{} {}", escape(g), escape(&percent(Some(*s)))))
            .collect();
        h.push_str(&parts.join(", "));
        match o.logrank {
            Some((stat, df, p)) => {
                let p = p_value(Some(p));
                let relation = if p.starts_with('<') { "" } else { "= " };
                let _ = write!(
                    h,
                    " (log-rank {stat:.2} on {df} degree{} of freedom, p {relation}{})",
                    if df == 1 { "" } else { "s" },
                    escape(&p)
                );
            }
            None => h.push_str(" (too few groups to test)"),
        }
        h.push_str(".</p>\n");
    }
    h.push_str("</section>\n");
}

fn definitions(h: &mut String, report: &Report) {
    let _ = write!(
        h,
        "<section>\n<h2>Definitions</h2>\n<dl>\n\
         <dt>Rung share</dt><dd>People on a rung divided by headcount; each person is placed on the first rung, from the top, whose condition holds. Periods are {kind}s.</dd>\n",
        kind = escape(&report.period_kind)
    );
    for d in &crate::definitions::PERIOD_METRICS {
        let _ = writeln!(
            h,
            "<dt><code>{}</code></dt><dd>{}</dd>",
            escape(d.name),
            escape(d.formula)
        );
    }
    h.push_str("</dl>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::model::{Figure, InputRow, PeriodRow};

    fn report() -> Report {
        Report {
            engage_version: "0.0.0-test".into(),
            pipeline: "Comms <& friends>".into(),
            period_kind: "month".into(),
            timezone: "Europe/Amsterdam".into(),
            as_of: Some("2025-02-28".into()),
            population: Population::Observed,
            ladder_name: "forrester".into(),
            rungs: vec!["Creators".into(), "Inactives".into()],
            periods: vec![
                PeriodRow {
                    label: "2025-01".into(),
                    headcount: 1200,
                    active: 300,
                    participation_rate: Some(0.25),
                    rung_people: vec![12, 1188],
                    rung_shares: vec![Some(0.01), Some(0.99)],
                },
                PeriodRow {
                    label: "2025-02".into(),
                    headcount: 0,
                    active: 0,
                    participation_rate: None,
                    rung_people: vec![0, 0],
                    rung_shares: vec![None, None],
                },
            ],
            inputs: vec![InputRow {
                role: "events".into(),
                kind: "events".into(),
                file: "data/events.csv".into(),
                rows_read: 10,
                accepted: 7,
                duplicates: 2,
                excluded: 1,
                rejected: 0,
            }],
            source_notes: vec!["Slack exports carry no views.".into()],
            unresolved_accounts: Some(1),
            latest: vec![
                Figure {
                    name: "reply_rate".into(),
                    value: Some(0.5),
                },
                Figure {
                    name: "reach_rate".into(),
                    value: None,
                },
            ],
            metric_notes: vec!["No source records views.".into()],
            outcomes: Some(crate::render::model::Outcomes {
                correlations: vec![crate::render::model::Correlation {
                    outcome: "satisfaction".into(),
                    period: "2025-02".into(),
                    engagement_metric: "participation_rate".into(),
                    n_teams: 12,
                    rho: Some(0.41),
                    ci_low: Some(-0.2),
                    ci_high: Some(0.79),
                    p_adjusted: Some(0.18),
                }],
                retention: vec![("Creators".into(), 0.95), ("Inactives".into(), 0.8)],
                logrank: Some((4.2, 1, 0.04)),
                turnover_rate: Some(0.012),
                voluntary_turnover_rate: Some(0.01),
            }),
        }
    }

    #[test]
    fn report_page_snapshot() {
        insta::assert_snapshot!(render(&report(), "<svg>chart</svg>"));
    }

    #[test]
    fn text_is_escaped_and_empty_periods_show_a_dash() {
        let html = render(&report(), "<svg/>");
        assert!(html.contains("Comms &lt;&amp; friends&gt;"));
        assert!(!html.contains("<& friends>"));
        // 2025-02 has no headcount: its rate is a dash, not 0% or NaN.
        assert!(html.contains("<td>2025-02</td><td>0</td><td>0</td><td>\u{2013}</td>"));
        assert!(html.contains("1\u{202f}200"));
    }
}
