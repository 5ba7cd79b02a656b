//! Small text helpers shared by the renderers.

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The most characters a name shows in the report and its charts; the tables keep it whole.
pub const NAME_CHARS: usize = 32;

/// `name` cut to `max` characters, the last an ellipsis, when it is longer.
pub fn cut(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let kept: String = name.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    // 40 "a"s cut to 32: 31 kept and the ellipsis; a space before the cut is dropped.
    #[test]
    fn long_names_end_in_an_ellipsis() {
        assert_eq!(cut("Sales", 32), "Sales");
        assert_eq!(cut(&"a".repeat(40), 32), format!("{}…", "a".repeat(31)));
        assert_eq!(cut("Sales joins the conversation", 14), "Sales joins t…");
        assert_eq!(cut("ab cd", 4), "ab…");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
