//! The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network) that
//! opens from disk, prints to PDF with a page per section, and can be mailed as is. On screen a
//! wide table scrolls; in print every table wraps in smaller type so it prints whole (a
//! scrolled table prints only what fits).

use std::fmt::Write as _;

use super::charts::Chart;
use super::document::{sections, Block, Section};
use super::model::Report;
use super::text::escape;

const CSS: &str = r#"
:root { --ink: #1d1d1f; --muted: #5f6368; --rule: #e2e2e6; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1080px; padding: 32px 24px 64px; line-height: 1.45; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 16px; padding-bottom: 12px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 40px 0 12px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
nav ol { columns: 2; font-size: 14px; color: var(--muted); }
nav a { color: var(--accent); text-decoration: none; }
.meta { color: var(--muted); font-size: 14px; margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 14px; }
.card { flex: 1 1 180px; border: 1px solid var(--rule); border-radius: 8px; padding: 14px 16px; }
.card .value { font-size: 30px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 13px; }
.card .change { font-size: 12px; color: var(--muted); }
figure { margin: 16px 0 24px; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: var(--muted); }
figcaption a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 16px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); text-align: left; }
th.num, td.num { text-align: right; white-space: nowrap; }
thead th { border-bottom: 2px solid var(--ink); }
.scroll { overflow-x: auto; }
.note { color: var(--muted); font-size: 13px; }
dt { font-weight: 600; margin-top: 8px; } dd { margin: 0 0 4px 0; }
footer { margin-top: 40px; }
@media print {
  body { max-width: none; padding: 0; }
  nav { display: none; }
  section { break-before: page; }
  section:first-of-type { break-before: auto; }
  h2 { break-after: avoid; }
  figure, .cards { break-inside: avoid; }
  .scroll { overflow: visible; }
  table { font-size: 8pt; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  th, td { padding: 3px 4px; overflow-wrap: anywhere; }
  th.num, td.num { white-space: normal; }
}
"#;

/// The report page, with every chart's SVG inlined.
pub fn render(report: &Report, charts: &[Chart]) -> String {
    let lang = report.language;
    let w = lang.words();
    let mut h = String::new();
    let title = format!("{}: {}", w.title, report.pipeline);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        lang.code(),
        escape(&title)
    );
    let _ = writeln!(
        h,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>",
        escape(&title),
        escape(&meta_line(report))
    );
    let sections = sections(report, charts);
    h.push_str("<nav>\n<ol>\n");
    for s in &sections {
        let _ = writeln!(h, "<li><a href=\"#{}\">{}</a></li>", s.id, escape(&s.title));
    }
    h.push_str("</ol>\n</nav>\n");
    for s in &sections {
        section(&mut h, s, charts, w.chart_png);
    }
    let _ = write!(
        h,
        "<footer class=\"note\">{} {}.</footer>\n</body>\n</html>\n",
        escape(w.made_by),
        escape(&report.engage_version)
    );
    h
}

/// "Periods: Oct 2025 to Sep 2026 (month, time zone Europe/Amsterdam); data as of …. Ladder: …".
pub fn meta_line(report: &Report) -> String {
    let lang = report.language;
    let w = lang.words();
    let range = match (report.periods.first(), report.periods.last()) {
        (Some(f), Some(l)) if f.label != l.label => {
            format!(
                "{} {} {}",
                lang.period(&f.label),
                w.to,
                lang.period(&l.label)
            )
        }
        (Some(f), _) => lang.period(&f.label),
        _ => super::words::DASH.to_string(),
    };
    format!(
        "{}: {range} ({}, {} {}){}. {}: {}.",
        w.periods,
        lang.kind(report.period_kind, false),
        w.time_zone,
        report.timezone,
        report
            .as_of
            .as_ref()
            .map(|d| format!("; {} {}", w.data_as_of, lang.date(d)))
            .unwrap_or_default(),
        w.ladder,
        report.ladder_name
    )
}

fn section(h: &mut String, s: &Section, charts: &[Chart], png: &str) {
    let _ = writeln!(
        h,
        "<section id=\"{}\">\n<h2>{}</h2>",
        s.id,
        escape(&s.title)
    );
    for b in &s.blocks {
        match b {
            Block::Cards(cards) => {
                h.push_str("<div class=\"cards\">\n");
                for c in cards {
                    let _ = write!(
                        h,
                        "<div class=\"card\"><div class=\"value\">{}</div><div class=\"label\">{}</div>",
                        escape(&c.value),
                        escape(&c.label)
                    );
                    for change in &c.changes {
                        let _ = write!(h, "<div class=\"change\">{}</div>", escape(change));
                    }
                    h.push_str("</div>\n");
                }
                h.push_str("</div>\n");
            }
            Block::Paragraph(p) => {
                let _ = writeln!(h, "<p>{}</p>", escape(p));
            }
            Block::Note(p) => {
                let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(p));
            }
            Block::Table(t) => {
                h.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
                for (i, head) in t.headers.iter().enumerate() {
                    let class = if t.numeric.get(i) == Some(&true) {
                        " class=\"num\""
                    } else {
                        ""
                    };
                    let _ = write!(h, "<th{class}>{}</th>", escape(head));
                }
                h.push_str("</tr></thead>\n<tbody>\n");
                for row in &t.rows {
                    h.push_str("<tr>");
                    for (i, cell) in row.iter().enumerate() {
                        let class = if t.numeric.get(i) == Some(&true) {
                            " class=\"num\""
                        } else {
                            ""
                        };
                        let _ = write!(h, "<td{class}>{}</td>", escape(cell));
                    }
                    h.push_str("</tr>\n");
                }
                h.push_str("</tbody>\n</table></div>\n");
            }
            Block::Chart { name, .. } => {
                if let Some(c) = charts.iter().find(|c| c.name == *name) {
                    let _ = writeln!(
                        h,
                        "<figure id=\"chart-{name}\">\n{}<figcaption><a href=\"charts/{name}.png\">{}</a></figcaption>\n</figure>",
                        c.svg,
                        escape(png)
                    );
                }
            }
            Block::Definitions(terms) => {
                h.push_str("<dl>\n");
                for (t, d) in terms {
                    let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", escape(t), escape(d));
                }
                h.push_str("</dl>\n");
            }
        }
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::charts;
    use crate::render::model::{sample, Language};

    #[test]
    fn ten_sections_escaped_text_and_inline_charts() {
        let report = sample();
        let charts = charts::all(&report).unwrap();
        let html = render(&report, &charts);
        assert_eq!(html.matches("<section id=").count(), 10);
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("Comms &lt;&amp; friends&gt;"));
        assert!(!html.contains("<& friends>"));
        // Every chart is inline, with a link to its PNG.
        for c in &charts {
            assert!(
                html.contains(&format!("<figure id=\"chart-{}\">", c.name)),
                "{}",
                c.name
            );
            assert!(html.contains(&format!("href=\"charts/{}.png\"", c.name)));
        }
        // January has no reach: its point is missing, not zero.
        assert!(html.contains("1\u{202f}200") || html.contains("30.0%"));
        let nl = render(
            &crate::render::model::Report {
                language: Language::Nl,
                ..report
            },
            &charts,
        );
        assert!(nl.contains("<h2>Kerncijfers: feb 2025</h2>"));
        assert!(nl.contains("30,0%"));
    }
}
