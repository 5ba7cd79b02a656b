//! The pipeline file's rules, each with the line its error names worked out by hand.

use super::*;
use std::path::PathBuf;

fn parse(text: &str) -> Result<Plan> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.csv"), "x").unwrap();
    let path = dir.path().join("p.toml");
    Plan::parse(&path, text, String::new())
}

const MINIMAL: &str =
    "[pipeline]\nname = \"t\"\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\n";

#[test]
fn defaults_follow_the_spec() {
    let plan = parse(MINIMAL).unwrap();
    assert_eq!(plan.calendar.period, PeriodKind::Month);
    assert_eq!(plan.calendar.timezone, chrono_tz::UTC);
    assert_eq!(plan.privacy.min_group_size, 5);
    assert_eq!(plan.ladder.preset, Some(Preset::Forrester));
    assert_eq!(plan.ladder.rungs.len(), 7);
    assert_eq!(plan.inputs.sources[0].label, "events");
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let text = format!("{MINIMAL}\n[ladder]\npresett = \"forrester\"\n");
    let err = parse(&text).unwrap_err().to_string();
    assert!(err.contains("p.toml:9"), "{err}");
    assert!(err.contains("presett"), "{err}");
}

#[test]
fn unknown_time_zone_is_refused() {
    let text = MINIMAL.replace("name = \"t\"", "name = \"t\"\ntimezone = \"Mars/Olympus\"");
    let err = parse(&text).unwrap_err().to_string();
    assert!(err.contains("p.toml:3"), "{err}");
    assert!(err.contains("Mars/Olympus"), "{err}");
}

#[test]
fn missing_file_names_the_key_and_line() {
    let text = MINIMAL.replace("events.csv", "nope.csv");
    let err = parse(&text).unwrap_err().to_string();
    assert!(err.contains("p.toml:6"), "{err}");
    assert!(err.contains("source[1].path: file not found"), "{err}");
}

#[test]
fn custom_ladder_keeps_order_and_needs_a_catch_all() {
    let good = format!(
        "{MINIMAL}\n[[ladder.rung]]\nname = \"Talkers\"\nwhen = \"replies >= 2\"\n\n[[ladder.rung]]\nname = \"Rest\"\n"
    );
    let plan = parse(&good).unwrap();
    assert_eq!(plan.ladder.names(), vec!["Talkers", "Rest"]);
    assert_eq!(plan.ladder.rungs[0].line, Some(10));

    let bad = format!(
        "{MINIMAL}\n[[ladder.rung]]\nname = \"Talkers\"\nwhen = \"replies >= 2\"\n\n[[ladder.rung]]\nname = \"Rest\"\nwhen = \"true\"\n"
    );
    let err = parse(&bad).unwrap_err().to_string();
    assert!(err.contains("last rung must have no condition"), "{err}");
}

#[test]
fn relative_paths_are_tidied() {
    assert_eq!(
        file::tidy(Path::new("pipelines/../reports/demo")),
        PathBuf::from("reports/demo")
    );
    assert_eq!(file::tidy(Path::new("./a/./b")), PathBuf::from("a/b"));
    assert_eq!(file::tidy(Path::new("../x")), PathBuf::from("../x"));
    assert_eq!(file::tidy(Path::new("a/..")), PathBuf::from("."));
}

#[test]
fn pyramid_preset_is_selectable() {
    let plan = parse(&format!("{MINIMAL}\n[ladder]\npreset = \"pyramid\"\n")).unwrap();
    assert_eq!(plan.ladder.preset, Some(Preset::Pyramid));
    assert_eq!(plan.ladder.rungs.len(), 6);
}

#[test]
fn breakdowns_need_a_roster_and_known_attributes() {
    let text = MINIMAL.replace(
        "name = \"t\"",
        "name = \"t\"\nbreakdowns = [\"department\"]",
    );
    let err = parse(&text).unwrap_err().to_string();
    assert!(
        err.contains("p.toml:3") && err.contains("needs a roster"),
        "{err}"
    );
    let text = MINIMAL.replace("name = \"t\"", "name = \"t\"\nbreakdowns = [\"shoe_size\"]");
    let err = parse(&text).unwrap_err().to_string();
    assert!(
        err.contains("\"shoe_size\" is not a roster attribute"),
        "{err}"
    );
}

#[test]
fn targets_name_a_metric_or_a_rung_share() {
    let target = |metric: &str| {
        format!(
            "{MINIMAL}\n[[target]]\nname = \"goal\"\nmetric = \"{metric}\"\ntarget = 0.5\nby = \"2025-12\"\nbaseline = \"2025-01\"\n"
        )
    };
    let plan = parse(&target("rung_share:Creators")).unwrap();
    assert_eq!(plan.metrics.targets[0].metric, "rung_share:Creators");
    assert_eq!(plan.metrics.targets[0].line, 9);
    assert!(parse(&target("gini")).is_ok());
    let err = parse(&target("rung_share:Lurkers"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("p.toml:10") && err.contains("Creators, Conversationalists"),
        "{err}"
    );
    let err = parse(&target("happiness")).unwrap_err().to_string();
    assert!(err.contains("participation_rate"), "{err}");
}

#[test]
fn ambassador_rung_defaults_per_preset_and_must_exist() {
    assert_eq!(
        parse(MINIMAL).unwrap().metrics.ambassadors.rung,
        "Conversationalists"
    );
    let pyramid = parse(&format!("{MINIMAL}\n[ladder]\npreset = \"pyramid\"\n")).unwrap();
    assert_eq!(pyramid.metrics.ambassadors.rung, "Commenting");
    let text = MINIMAL.replace("name = \"t\"", "name = \"t\"\nambassador_rung = \"Heroes\"");
    let err = parse(&text).unwrap_err().to_string();
    assert!(err.contains("no rung \"Heroes\""), "{err}");
}

// The second source sets `format` on a Slack export (line 11); the first sets it rightly
// (line 7). The error names line 11, where the offending key is.
#[test]
fn an_error_in_the_second_source_names_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.csv"), "x").unwrap();
    std::fs::create_dir(dir.path().join("slack")).unwrap();
    let text = "[pipeline]\nname = \"t\"\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\nformat = \"csv\"\n\n[[source]]\nkind = \"slack\"\nformat = \"csv\"\npath = \"slack\"\n";
    let err = Plan::parse(&dir.path().join("p.toml"), text, String::new())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("p.toml:11:") && err.contains("source[2].format"),
        "{err}"
    );
}

// A window of zero on line 4, below a comment that mentions the key (line 3).
#[test]
fn a_bad_number_names_the_line_of_its_key() {
    let text = MINIMAL.replace(
        "name = \"t\"",
        "name = \"t\"\n# min_group_size = 0 would hide nothing\nreply_window_hours = 0",
    );
    let err = parse(&text).unwrap_err().to_string();
    assert!(
        err.contains("p.toml:4:")
            && err.contains("reply_window_hours = 0 is outside its range 1 to 87840"),
        "{err}"
    );
    let text = MINIMAL.replace("name = \"t\"", "name = \"t\"\n\nmin_group_size = 0");
    let err = parse(&text).unwrap_err().to_string();
    assert!(
        err.contains("p.toml:4:")
            && err.contains("min_group_size = 0 is outside its range 1 to 1000000"),
        "{err}"
    );
}

// Two sources of kind events without names are both labelled "events"; the second one's path
// is on line 10 (MINIMAL is six lines, then an empty line, the table, kind and path).
#[test]
fn two_sources_with_one_label_name_the_second() {
    let text = format!("{MINIMAL}\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\n");
    let err = parse(&text).unwrap_err().to_string();
    assert!(
        err.contains("p.toml:10:")
            && err.contains("source[2]: another source has the label \"events\""),
        "{err}"
    );
}

#[test]
fn themes_are_off_unless_enabled_and_default_to_both_languages() {
    let plan = parse(MINIMAL).unwrap();
    assert!(!plan.themes.enabled);
    let plan = parse(&format!("{MINIMAL}\n[themes]\nenabled = true\n")).unwrap();
    assert!(plan.themes.enabled);
    assert_eq!(plan.themes.languages, vec![Language::En, Language::Nl]);
    assert_eq!(plan.themes.top, 20);
    assert!(plan.themes.stop_words.is_none());
}

// Lines by hand: MINIMAL is six lines, then an empty line 7, [themes] on 8, enabled on 9 and
// the key under test on 10.
#[test]
fn bad_themes_settings_name_their_line() {
    for (key, says) in [
        (
            "languages = [\"fr\"]",
            "\"fr\" is not a language engage can stem",
        ),
        ("languages = []", "themes.languages is empty"),
        ("top = 0", "themes.top = 0"),
        (
            "stop_words = \"nope.txt\"",
            "themes.stop_words: file not found",
        ),
    ] {
        let text = format!("{MINIMAL}\n[themes]\nenabled = true\n{key}\n");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("p.toml:10"), "{key}: {err}");
        assert!(err.contains(says), "{key}: {err}");
    }
}

#[test]
fn campaigns_take_toml_dates_or_text_and_an_audience() {
    let text = format!(
        "{MINIMAL}\n[people]\npath = \"events.csv\"\n\n[[campaign]]\nname = \"Launch\"\nstart = 2026-03-02\nend = \"2026-03-29\"\naudience = {{ department = \"Sales\" }}\n"
    );
    let plan = parse(&text).unwrap();
    let c = &plan.metrics.campaigns[0];
    assert_eq!(
        (c.name.as_str(), c.key.as_str(), c.line),
        ("Launch", "campaign[1]", 12)
    );
    assert_eq!(c.start.to_string(), "2026-03-02");
    assert_eq!(c.end.to_string(), "2026-03-29");
    let audience = c.audience.as_ref().unwrap();
    assert_eq!(
        (audience.attribute, audience.group.as_str(), audience.line),
        (Attribute::Department, "Sales", 15)
    );
}

// Lines by hand: MINIMAL is six lines, [people] on 8 and its path on 9, [[campaign]] on 11,
// name on 12, start on 13, end on 14 and the audience (when given) on 15.
#[test]
fn bad_campaigns_name_their_line() {
    for (start, end, audience, line, says) in [
        (
            "2026-03-02",
            "2026-02-01",
            "",
            14,
            "campaign[1].end (2026-02-01) is before its start",
        ),
        (
            "\"March\"",
            "2026-03-29",
            "",
            13,
            "campaign[1].start = March is not a date",
        ),
        (
            "2026-03-02",
            "2026-03-29",
            "audience = { colour = \"red\" }",
            15,
            "\"colour\" is not a roster attribute",
        ),
        (
            "2026-03-02",
            "2026-03-29",
            "audience = { team = \"A\", role = \"leader\" }",
            15,
            "names 2 attributes, not one",
        ),
    ] {
        let text = format!(
            "{MINIMAL}\n[people]\npath = \"events.csv\"\n\n[[campaign]]\nname = \"Launch\"\nstart = {start}\nend = {end}\n{audience}\n"
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains(&format!("p.toml:{line}")), "{says}: {err}");
        assert!(err.contains(says), "{says}: {err}");
    }
    let twice = format!(
        "{MINIMAL}\n[[campaign]]\nname = \"A\"\nstart = 2026-01-05\nend = 2026-01-11\n\n[[campaign]]\nname = \"A\"\nstart = 2026-02-02\nend = 2026-02-08\n"
    );
    let err = parse(&twice).unwrap_err().to_string();
    assert!(
        err.contains("p.toml:14") && err.contains("used by another campaign"),
        "{err}"
    );
}

#[test]
fn an_audience_or_a_profile_survey_needs_a_roster() {
    let audience = format!(
        "{MINIMAL}\n[[campaign]]\nname = \"A\"\nstart = 2026-01-05\nend = 2026-01-11\naudience = {{ department = \"Sales\" }}\n"
    );
    let err = parse(&audience).unwrap_err().to_string();
    assert!(
        err.contains("p.toml:12") && err.contains("needs a roster"),
        "{err}"
    );
    let survey = format!("{MINIMAL}\n[profile_survey]\npath = \"events.csv\"\n");
    let err = parse(&survey).unwrap_err().to_string();
    assert!(
        err.contains("p.toml:9") && err.contains("profile_survey needs a roster"),
        "{err}"
    );
}
