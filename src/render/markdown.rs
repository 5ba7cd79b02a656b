//! report.md: the report's content for email and wikis, section for section the same as the
//! HTML page, with the charts linked as PNG files.

use std::fmt::Write as _;

use super::charts::Chart;
use super::document::{sections, Block};
use super::html::meta_line;
use super::model::Report;

/// Text as Markdown shows it and nothing more: wikis render HTML inside Markdown, so a space
/// or department named `<script>` must arrive as text. `<`, `>` and `&` become entities, and
/// brackets are escaped so that no name turns into a link or an image.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '[' | ']' | '\\' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// [`text`] that also keeps a table cell whole.
fn cell(s: &str) -> String {
    text(s).replace('|', "\\|")
}

pub fn render(report: &Report, charts: &[Chart]) -> String {
    let w = report.language.words();
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# {}: {}\n\n{}\n",
        text(w.title),
        text(&report.pipeline),
        text(&meta_line(report))
    );
    for s in sections(report, charts) {
        let _ = writeln!(m, "## {}\n", text(&s.title));
        for b in &s.blocks {
            match b {
                Block::Cards(cards) => {
                    for c in cards {
                        let _ = write!(m, "- **{}** {}", text(&c.value), text(&c.label));
                        if !c.changes.is_empty() {
                            let _ = write!(m, " ({})", text(&c.changes.join("; ")));
                        }
                        m.push('\n');
                    }
                    m.push('\n');
                }
                Block::Paragraph(p) => {
                    let _ = writeln!(m, "{}\n", text(p));
                }
                Block::Note(p) => {
                    let _ = writeln!(m, "_{}_\n", text(p));
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
                    let _ = writeln!(m, "![{}](charts/{name}.png)\n", text(title));
                }
                Block::Definitions(terms) => {
                    for (t, d) in terms {
                        let _ = writeln!(m, "- **{}**: {}", text(t), text(d));
                    }
                    m.push('\n');
                }
            }
        }
    }
    let _ = writeln!(m, "---\n{} {}.", text(w.made_by), report.engage_version);
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
        let charts = charts::all(&report).unwrap();
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
