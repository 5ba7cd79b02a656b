//! Outcomes end to end: the relation planted in the demo organisation (sample-data/demo:
//! team culture and personal engagement raise survey scores; engagement lowers the chance of
//! leaving) is found with the planted sign, and no output leaks a person or a small group.

use crate::common;

use common::{all_output_text, engage, num, root, table};

use std::collections::BTreeMap;
use std::path::Path;

use predicates::prelude::*;

fn run(pipeline: &Path, out: &Path) {
    engage()
        .arg("run")
        .arg(pipeline)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

#[test]
fn demo_finds_the_planted_relation() {
    let out = tempfile::tempdir().unwrap();
    run(&root().join("pipelines/demo.toml"), out.path());

    // Satisfaction and eNPS rise with every engagement measure across teams; the planted
    // effect is strong enough that each interval for participation lies above zero.
    let correlations = table(out.path().join("tables/outcome_correlations.csv"));
    for outcome in ["satisfaction", "enps"] {
        let rows: Vec<_> = correlations
            .iter()
            .filter(|r| r["outcome"] == outcome)
            .collect();
        assert_eq!(rows.len(), 4, "{outcome}: four engagement measures");
        for r in &rows {
            assert!(num(r, "rho").unwrap() > 0.0, "{r:?}");
            assert!(num(r, "n_teams").unwrap() >= 30.0, "{r:?}");
            assert!(num(r, "p_adjusted").unwrap() >= num(r, "p_value").unwrap());
        }
        let participation = rows
            .iter()
            .find(|r| r["engagement_metric"] == "participation_rate")
            .unwrap();
        assert!(
            num(participation, "ci_low").unwrap() > 0.0,
            "{participation:?}"
        );
        assert_eq!(participation["period"], "2026-09");
    }
    // More engaged teams lose fewer people.
    let turnover = correlations
        .iter()
        .find(|r| r["outcome"] == "turnover" && r["engagement_metric"] == "participation_rate")
        .unwrap();
    assert!(num(turnover, "rho").unwrap() < 0.0, "{turnover:?}");

    // Retention: everyone who started on one of the top three rungs stays longer than those
    // who started as Spectators or Inactives.
    let curves = table(out.path().join("tables/retention_curves.csv"));
    let last: BTreeMap<String, f64> = curves
        .iter()
        .map(|r| (r["group"].clone(), num(r, "survival").unwrap()))
        .collect();
    for top in ["Creators", "Conversationalists", "Critics"] {
        for bottom in ["Spectators", "Inactives"] {
            assert!(
                last[top] > last[bottom],
                "{top} {} vs {bottom} {}",
                last[top],
                last[bottom]
            );
        }
    }
    // Attrition within six months, from the first period: Inactives leave more often than
    // Critics (the largest engaged rung).
    let attrition = table(out.path().join("tables/attrition_by_rung.csv"));
    let share = |rung: &str| {
        num(
            attrition
                .iter()
                .find(|r| r["period"] == "2025-10" && r["rung"] == rung)
                .unwrap(),
            "share",
        )
        .unwrap()
    };
    assert!(share("Inactives") > share("Critics"));
    let logrank = table(out.path().join("tables/logrank.csv"));
    assert_eq!(logrank[0]["groups"], "7");
    assert_eq!(logrank[0]["degrees_of_freedom"], "6");
}

// The tiny roster carries names and emails, and its ids are words that hex pseudonyms cannot
// contain. None of them, nor the unresolved account `mallory`, appears in any output.
#[test]
fn no_output_names_a_person() {
    let out = tempfile::tempdir().unwrap();
    let tiny = root().join("tests/fixtures/tiny");
    let pipeline = out.path().join("p.toml");
    std::fs::write(
        &pipeline,
        std::fs::read_to_string(tiny.join("pipeline.toml"))
            .unwrap()
            .replace("events.csv", &tiny.join("events.csv").display().to_string())
            .replace("people.csv", &tiny.join("people.csv").display().to_string())
            .replace("min_group_size = 5", "min_group_size = 5\nbreakdowns = [\"department\", \"team\", \"location\", \"role\"]"),
    )
    .unwrap();
    let report = out.path().join("report");
    run(&pipeline, &report);
    let files = all_output_text(&report);
    assert!(files.len() >= 20, "{}", files.len());
    // The scan does read content: department names (group labels, not people) are there.
    assert!(files
        .iter()
        .any(|(f, t)| f.ends_with("breakdown_department.csv") && t.contains("Sales")));
    assert!(files
        .iter()
        .any(|(f, t)| f.ends_with("activity.parquet") && t.contains("Creators")));
    let forbidden = [
        "alice",
        "bob",
        "carol",
        "dave",
        "erin",
        "frank",
        "gina",
        "mallory",
        "Alice",
        "Anders",
        "Brink",
        "@example.com",
    ];
    for (file, text) in &files {
        for word in forbidden {
            assert!(!text.contains(word), "{file} contains {word}");
        }
    }
}

// Every group figure in the demo's outcome tables rests on at least min_group_size people.
#[test]
fn demo_outcome_groups_are_never_small() {
    let out = tempfile::tempdir().unwrap();
    run(&root().join("pipelines/demo.toml"), out.path());
    let tables = |name: &str| table(out.path().join(format!("tables/{name}.csv")));
    for row in tables("satisfaction_by_team")
        .iter()
        .chain(&tables("satisfaction_by_rung"))
    {
        match num(row, "respondents") {
            Some(n) => assert!(n >= 5.0 && row["suppressed"] == "false", "{row:?}"),
            None => assert!(
                row["score"].is_empty() && row["suppressed"] == "true",
                "{row:?}"
            ),
        }
    }
    for attribute in ["department", "location", "role"] {
        let rows = tables(&format!("turnover_by_{attribute}"));
        let mut hidden_per_period: BTreeMap<String, usize> = BTreeMap::new();
        for row in &rows {
            match (num(row, "headcount_start"), num(row, "headcount_end")) {
                (Some(s), Some(e)) => assert!((s + e) / 2.0 >= 5.0, "{row:?}"),
                _ => *hidden_per_period.entry(row["period"].clone()).or_default() += 1,
            }
        }
        // Never a lone hidden group beside the shown total.
        assert!(
            hidden_per_period.values().all(|n| *n != 1),
            "{attribute}: {hidden_per_period:?}"
        );
    }
    for row in tables("attrition_by_rung") {
        if num(&row, "followed").unwrap() < 5.0 {
            assert!(row["share"].is_empty(), "{row:?}");
        }
    }
    for row in tables("retention_curves").iter().filter(|r| r["t"] == "0") {
        assert!(num(row, "at_risk").unwrap() >= 5.0, "{row:?}");
    }
}

// Team-level survey results and a team KPI from files: scores are shown as given where at
// least five answered, and the KPI is related to engagement like any outcome.
#[test]
fn team_level_surveys_and_team_kpis() {
    let demo = root().join("sample-data/demo");
    let dir = tempfile::tempdir().unwrap();
    // Teams of the demo roster; "Engineering A" had 8 respondents, "Sales B" 3.
    std::fs::write(
        dir.path().join("team_surveys.csv"),
        "team,period,measure,score,respondents\n\
         Engineering A,2026-09,satisfaction,4.25,8\n\
         Sales B,2026-09-20,satisfaction,2.5,3\n\
         Engineering A,2026-09,enps,-20,8\n\
         Nowhere Team,2026-09,satisfaction,3.0,9\n\
         Engineering A,2023-01,satisfaction,3.0,9\n",
    )
    .unwrap();
    let teams: Vec<String> = std::fs::read_to_string(demo.join("people.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let kpi: String = teams
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{t},2026-09,{}\n", i % 7))
        .collect();
    std::fs::write(
        dir.path().join("kpi.csv"),
        format!("team,period,value\n{kpi}"),
    )
    .unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"teams\"\ntimezone = \"Europe/Amsterdam\"\noutput = \"out\"\n\n\
             [[source]]\nkind = \"events\"\npath = {:?}\n\n[people]\npath = {:?}\n\n\
             [surveys]\npath = \"team_surveys.csv\"\n\n[[outcome]]\nname = \"customer_score\"\npath = \"kpi.csv\"\n",
            demo.join("events.csv"),
            demo.join("people.csv")
        ),
    )
    .unwrap();
    engage().arg("run").arg(&pipeline).assert().success();
    let by_team = table(dir.path().join("out/tables/satisfaction_by_team.csv"));
    // The 2023 result lies before the data: left out, and the report says so, as it says that
    // "Nowhere Team" (shown) is not on the roster.
    assert_eq!(by_team.len(), 4);
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("1 of 5 team results in team_surveys.csv fall outside the reported periods (2025-10 to 2026-09) and are left out."), "{html}");
    assert!(
        html.contains("1 team results in team_surveys.csv name teams that are not on the roster")
    );
    let engineering = by_team
        .iter()
        .find(|r| r["team"] == "Engineering A" && r["measure"] == "satisfaction")
        .unwrap();
    assert_eq!(num(engineering, "score"), Some(4.25));
    let sales = by_team.iter().find(|r| r["team"] == "Sales B").unwrap();
    assert_eq!(sales["period"], "2026-09");
    assert_eq!(sales["suppressed"], "true");
    assert!(sales["score"].is_empty());
    assert!(!dir
        .path()
        .join("out/tables/satisfaction_by_rung.csv")
        .exists());
    let correlations = table(dir.path().join("out/tables/outcome_correlations.csv"));
    let kpi_rows: Vec<_> = correlations
        .iter()
        .filter(|r| r["outcome"] == "customer_score")
        .collect();
    assert_eq!(kpi_rows.len(), 4);
    assert!(num(kpi_rows[0], "n_teams").unwrap() >= 30.0);
    // One team with enough respondents is too few to correlate: n = 1, no rho.
    let sat = correlations
        .iter()
        .find(|r| r["outcome"] == "satisfaction")
        .unwrap();
    assert_eq!(sat["n_teams"], "1");
    assert!(sat["rho"].is_empty());
    // The KPI file is accounted for in the manifest.
    let manifest = std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    assert!(manifest.contains("\"role\": \"outcome\""), "{manifest}");
}

// Scores outside their scale are refused with the file, the row and the fix; a 1–10 scale is a
// setting away.
#[test]
fn survey_scores_must_fit_their_scale() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = root().join("tests/fixtures/tiny");
    std::fs::write(
        dir.path().join("surveys.csv"),
        "person_id,answered_at,measure,score\nalice,2025-02-10,satisfaction,4\nbob,2025-02-11,satisfaction,7\n",
    )
    .unwrap();
    let write = |extra: &str| {
        let text = std::fs::read_to_string(tiny.join("pipeline.toml"))
            .unwrap()
            .replace("events.csv", &tiny.join("events.csv").display().to_string())
            .replace("people.csv", &tiny.join("people.csv").display().to_string())
            + &format!("\n[surveys]\npath = \"surveys.csv\"\n{extra}");
        std::fs::write(dir.path().join("p.toml"), text).unwrap();
    };
    write("");
    engage()
        .arg("validate")
        .arg(dir.path().join("p.toml"))
        .assert()
        .failure()
        .code(1)
        .stderr(
            predicates::str::contains("surveys.csv")
                .and(predicates::str::contains(
                    "satisfaction score outside the scale",
                ))
                .and(predicates::str::contains("line 3"))
                .and(predicates::str::contains("satisfaction_scale = 10")),
        );
    write("satisfaction_scale = 10\n");
    engage()
        .arg("validate")
        .arg(dir.path().join("p.toml"))
        .assert()
        .success();
    write("satisfaction_scale = 7\n");
    engage()
        .arg("validate")
        .arg(dir.path().join("p.toml"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("only 5 (1–5) and 10 (1–10)"));
}

// A team KPI that is not a number (here NaN) or names no period stops the run with the file,
// the line, the column as the user wrote it, and the fix.
#[test]
fn team_kpi_values_and_periods_must_be_readable() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = root().join("tests/fixtures/tiny");
    let text = std::fs::read_to_string(tiny.join("pipeline.toml"))
        .unwrap()
        .replace("events.csv", &tiny.join("events.csv").display().to_string())
        .replace("people.csv", &tiny.join("people.csv").display().to_string())
        + "\n[[outcome]]\nname = \"customer_score\"\npath = \"kpi.csv\"\n";
    std::fs::write(dir.path().join("p.toml"), text).unwrap();
    let run = |kpi: &str| {
        std::fs::write(dir.path().join("kpi.csv"), kpi).unwrap();
        engage()
            .arg("run")
            .arg(dir.path().join("p.toml"))
            .arg("--out")
            .arg(dir.path().join("out"))
            .assert()
            .failure()
            .code(1)
    };
    run("team,period,value\nS1,2025-02,0.8\nS1,2025-01,NaN\n").stderr(
        predicates::str::contains("kpi.csv:3: unreadable value in column `value`")
            .and(predicates::str::contains("decimal point")),
    );
    run("team,period,value\nS1,next month,1\n").stderr(predicates::str::contains(
        "kpi.csv, line 2: period \"next month\" is neither a period nor a date in 1900-2199",
    ));
}
