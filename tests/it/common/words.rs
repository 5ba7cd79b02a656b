//! The words a reader sees in a report, listed against the word table of its language, so a
//! test names every word that is neither the table's nor the data's.

use std::collections::BTreeSet;

/// Words: runs of letters, lower-cased (digits, punctuation and spaces split them).
pub fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The pieces of text a reader sees, trimmed: between tags, inside `<title>` (chart
/// tooltips) and the SVG's `<text>`; the style sheet is not text.
pub fn fragments(html: &str) -> Vec<String> {
    let body = match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    };
    body.split('<')
        .filter_map(|t| t.split_once('>').map(|(_, text)| text.trim()))
        .map(|t| {
            t.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
        })
        .collect()
}

/// All the text a reader sees, in one string.
pub fn visible(html: &str) -> String {
    fragments(html).join(" ")
}

/// The report without its definitions section, whose terms carry their English names.
pub fn without_definitions(html: &str) -> (String, String) {
    let Some(start) = html.find("<section id=\"definitions\"") else {
        return (html.to_string(), String::new());
    };
    let end = html[start..]
        .find("</section>")
        .map_or(html.len(), |e| start + e);
    (
        format!("{}{}", &html[..start], &html[end..]),
        html[start..end].to_string(),
    )
}

/// The report's words that are neither in `table` (the language's word table) nor in `data`.
pub fn foreign(html: &str, table: &[String], data: &BTreeSet<String>) -> Vec<String> {
    let known: BTreeSet<String> = table.iter().flat_map(|t| words(t)).collect();
    words(&visible(html))
        .into_iter()
        .filter(|w| !known.contains(w) && !data.contains(w))
        .collect()
}
