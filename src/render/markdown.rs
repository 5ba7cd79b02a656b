//! report.md: the report's content for email and wikis, section for section the same as the
//! HTML page, with the charts linked as PNG files.

use std::fmt::Write as _;

use super::charts::kinds::Chart;
use super::document::{sections, Block};
use super::html::meta_line;
use super::model::Report;

/// Escapes the characters that would break a Markdown table cell or start markup.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(report: &Report, charts: &[Chart]) -> String {
    let w = report.language.words();
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# {}: {}\n\n{}\n",
        w.title,
        report.pipeline,
        meta_line(report)
    );
    for s in sections(report, charts) {
        let _ = writeln!(m, "## {}\n", s.title);
        for b in &s.blocks {
            match b {
                Block::Cards(cards) => {
                    for c in cards {
                        let _ = write!(m, "- **{}** {}", c.value, c.label);
                        if !c.changes.is_empty() {
                            let _ = write!(m, " ({})", c.changes.join("; "));
                        }
                        m.push('\n');
                    }
                    m.push('\n');
                }
                Block::Paragraph(p) => {
                    let _ = writeln!(m, "{p}\n");
                }
                Block::Note(p) => {
                    let _ = writeln!(m, "_{p}_\n");
                }
                Block::Table(t) => {
                    let _ = writeln!(
                        m,
                        "| {} |",
                        t.headers
                            .iter()
                            .map(|h| cell(h))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                    let rule: Vec<&str> = t
                        .numeric
                        .iter()
                        .map(|n| if *n { "---:" } else { "---" })
                        .collect();
                    let _ = writeln!(m, "| {} |", rule.join(" | "));
                    for row in &t.rows {
                        let _ = writeln!(
                            m,
                            "| {} |",
                            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                        );
                    }
                    m.push('\n');
                }
                Block::Chart { name, title } => {
                    let _ = writeln!(m, "![{title}](charts/{name}.png)\n");
                }
                Block::Definitions(terms) => {
                    for (t, d) in terms {
                        let _ = writeln!(m, "- **{t}**: {d}");
                    }
                    m.push('\n');
                }
            }
        }
    }
    let _ = writeln!(m, "---\n{} {}.", w.made_by, report.engage_version);
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::charts;
    use crate::render::model::sample;

    #[test]
    fn markdown_matches_the_page() {
        let report = sample();
        let charts = charts::all(&report);
        let md = render(&report, &charts);
        let html = crate::render::html::render(&report, &charts);
        // The same ten section titles, in the same order.
        let titles = |s: &str, open: &str, close: &str| -> Vec<String> {
            s.split(open)
                .skip(1)
                .map(|t| t.split(close).next().unwrap().to_string())
                .collect()
        };
        let md_titles = titles(&md, "\n## ", "\n");
        let html_titles: Vec<String> = titles(&html, "<h2>", "</h2>")
            .into_iter()
            .map(|t| {
                t.replace("&lt;", "<")
                    .replace("&amp;", "&")
                    .replace("&gt;", ">")
            })
            .collect();
        assert_eq!(md_titles, html_titles);
        assert_eq!(md_titles.len(), 10);
        assert!(md.contains("| Period | Creators | Inactives |"));
        assert!(
            md.contains("![How many people the network reaches and involves](charts/trends.png)")
        );
    }
}
