//! Small formatting helpers shared by the renderers.

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

/// A share as a percentage with one decimal, or an en dash when there is none.
pub fn percent(share: Option<f64>) -> String {
    match share {
        Some(s) if s.is_finite() => format!("{:.1}%", s * 100.0),
        _ => "\u{2013}".to_string(),
    }
}

/// An integer with thin-space thousands separators, as style guides for reports suggest.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

/// A period_metrics figure in the unit its name implies: shares and rates as percentages,
/// hours and reach with one decimal, the Gini coefficient with two, counts as integers.
pub fn figure(name: &str, value: Option<f64>) -> String {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return "\u{2013}".to_string();
    };
    let share = name.contains("_rate")
        || name.ends_with("_share")
        || matches!(name, "stickiness" | "leader_reach");
    if share {
        percent(Some(v))
    } else if name == "gini" {
        format!("{v:.2}")
    } else if name.ends_with("_hours") {
        format!("{v:.1} h")
    } else if name.starts_with("post_reach") {
        format!("{v:.1}")
    } else {
        count(v.max(0.0).round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(percent(Some(0.6666)), "66.7%");
        assert_eq!(percent(None), "\u{2013}");
        assert_eq!(count(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(count(999), "999");
        assert_eq!(figure("reply_rate", Some(0.5)), "50.0%");
        assert_eq!(figure("gini", Some(0.4727)), "0.47");
        assert_eq!(figure("engagement_rate_of_reached", Some(0.25)), "25.0%");
        assert_eq!(figure("leader_reach", Some(0.125)), "12.5%");
        assert_eq!(figure("median_first_reply_hours", Some(25.04)), "25.0 h");
        assert_eq!(figure("posts", Some(1234.0)), "1\u{202f}234");
        assert_eq!(figure("leader_reach", None), "\u{2013}");
    }
}
