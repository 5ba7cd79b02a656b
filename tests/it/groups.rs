//! Group-level outputs on the demo organisation (sample-data/demo, pipelines/demo.toml):
//! breakdowns by roster attribute with §7 suppression, the department interaction matrix,
//! targets and ambassador candidates. Checks that no group figure under min_group_size is
//! printed and that no suppressed cell can be worked out from a shown total.

use crate::common;

use common::{num, root, table};

use std::collections::BTreeMap;

use assert_cmd::Command;

const K: f64 = 5.0;

fn demo_run() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("engage")
        .unwrap()
        .env("ENGAGE_PSEUDONYM_KEY", "test-key-0123456789")
        .arg("run")
        .arg(root().join("pipelines/demo.toml"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    out
}

#[test]
fn breakdowns_show_no_small_group_and_give_nothing_away() {
    let out = demo_run();
    let totals: BTreeMap<String, BTreeMap<String, String>> =
        table(out.path().join("tables/period_metrics.csv"))
            .into_iter()
            .map(|r| (r["period"].clone(), r))
            .collect();
    let ladder = table(out.path().join("tables/ladder.csv"));
    let rungs: Vec<String> = ladder.iter().map(|r| r["rung"].clone()).take(7).collect();
    let counts = ["headcount", "active", "contributors", "creators"];
    for attribute in ["department", "location", "role"] {
        let rows = table(out.path().join(format!("tables/breakdown_{attribute}.csv")));
        assert!(!rows.is_empty(), "{attribute}");
        let mut by_period: BTreeMap<String, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
        for row in &rows {
            // Every people count shown rests on at least K people; so does every rate, since
            // rate × headcount is the count behind it.
            let headcount = num(row, "headcount");
            for c in counts {
                if let Some(v) = num(row, c) {
                    assert!(v >= K, "{attribute} {row:?}: {c} = {v}");
                }
            }
            for (rate, behind) in [
                ("participation_rate", "active"),
                ("contribution_rate", "contributors"),
                ("creation_rate", "creators"),
                ("reach_rate", "viewers"),
            ] {
                if let Some(r) = num(row, rate) {
                    let n = (r * headcount.expect("a rate implies its headcount")).round();
                    assert!(
                        n >= K,
                        "{attribute} {row:?}: {rate} rests on {n} ({behind})"
                    );
                }
            }
            let mut hidden_rungs = 0;
            for rung in &rungs {
                match num(row, &format!("rung_share:{rung}")) {
                    Some(s) => assert!((s * headcount.unwrap()).round() >= K, "{row:?} {rung}"),
                    None => hidden_rungs += 1,
                }
            }
            // The rung shares of a shown headcount add up to 1: never exactly one hidden.
            if headcount.is_some() {
                assert_ne!(hidden_rungs, 1, "{attribute} {row:?}");
            }
            by_period
                .entry(row["period"].clone())
                .or_default()
                .push(row);
        }
        // Down each column the groups add up to the period's total in period_metrics (or
        // ladder.csv): never exactly one cell hidden, and the shown headcounts with the hidden
        // ones add up to the total.
        for (period, group_rows) in &by_period {
            if group_rows.len() < 2 {
                continue;
            }
            let columns: Vec<String> = counts
                .iter()
                .map(|c| c.to_string())
                .chain(rungs.iter().map(|r| format!("rung_share:{r}")))
                .collect();
            for c in &columns {
                let hidden = group_rows.iter().filter(|r| num(r, c).is_none()).count();
                assert_ne!(hidden, 1, "{attribute} {period} {c}");
            }
            let shown: f64 = group_rows.iter().filter_map(|r| num(r, "headcount")).sum();
            let total = num(&totals[period], "headcount").unwrap();
            assert!(shown <= total, "{attribute} {period}");
            if group_rows.iter().all(|r| num(r, "headcount").is_some()) {
                assert_eq!(shown, total, "{attribute} {period}: groups cover headcount");
            }
        }
    }
    // The demo has 6 leaders: the leader rows show their headcount but no rate resting on
    // fewer than 5 of them.
    let roles = table(out.path().join("tables/breakdown_role.csv"));
    let leaders = roles.iter().find(|r| r["role"] == "leader").unwrap();
    assert_eq!(num(leaders, "headcount"), Some(6.0));
    assert_eq!(leaders["suppressed"], "true");

    // The department matrix: a shown cell rests on at least K people.
    for row in table(out.path().join("tables/department_interactions.csv")) {
        match num(&row, "people") {
            Some(p) => assert!(p >= K && row["suppressed"] == "false", "{row:?}"),
            None => assert_eq!(row["suppressed"], "true"),
        }
    }
}

#[test]
fn demo_targets_and_ambassadors() {
    let out = demo_run();
    let metrics = table(out.path().join("tables/period_metrics.csv"));
    let first = num(&metrics[0], "participation_rate").unwrap();
    let last = num(metrics.last().unwrap(), "participation_rate").unwrap();
    // participation 2025-10 -> 0.75 by 2026-12 (14 months); 2026-09 is 11 months on:
    // expected = baseline + (0.75 - baseline) · 11/14.
    let targets = table(out.path().join("tables/targets.csv"));
    assert_eq!(targets.len(), 2);
    let t = &targets[0];
    assert_eq!(num(t, "baseline"), Some(first));
    assert_eq!(num(t, "current"), Some(last));
    let expected = first + (0.75 - first) * 11.0 / 14.0;
    assert!((num(t, "expected").unwrap() - expected).abs() < 1e-12);
    assert_eq!(
        t["on_track"],
        if last >= expected { "true" } else { "false" }
    );

    // Ambassadors: pseudonyms (64 hex digits), the observed ones ranked 1.., at least 5
    // responders each; then the profile survey's respondents who want to contribute but were
    // seen below Conversationalists, unranked.
    let all = table(out.path().join("tables/ambassadors.csv"));
    let (ambassadors, willing): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|r| r["source"] != "self-reported");
    assert!(!ambassadors.is_empty() && !willing.is_empty());
    for row in &willing {
        assert_eq!(
            (row["rank"].as_str(), row["wants_to_contribute"].as_str()),
            ("", "yes")
        );
        assert!(!["Creators", "Conversationalists"].contains(&row["rung"].as_str()));
        assert_eq!(row["person"].len(), 64);
    }
    let mut last_partners = f64::MAX;
    for (i, row) in ambassadors.iter().enumerate() {
        assert!(["observed", "both"].contains(&row["source"].as_str()));
        assert_eq!(row["rank"], (i + 1).to_string());
        assert_eq!(row["person"].len(), 64);
        assert!(row["person"].chars().all(|c| c.is_ascii_hexdigit()));
        assert!(num(row, "responders").unwrap() >= 5.0);
        let partners = num(row, "distinct_partners").unwrap();
        assert!(partners <= last_partners);
        last_partners = partners;
        assert!(["Creators", "Conversationalists"].contains(&row["rung"].as_str()));
    }
}

// With reveal_ambassadors = true the pipeline opts in to ids and emails for this one table.
#[test]
fn ambassadors_are_revealed_only_on_request() {
    let demo = root().join("sample-data/demo");
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"reveal\"\ntimezone = \"Europe/Amsterdam\"\noutput = \"out\"\n\
             reveal_ambassadors = true\nambassador_min_partners = 10\n\n\
             [[source]]\nkind = \"events\"\npath = {:?}\n\n[people]\npath = {:?}\n",
            demo.join("events.csv"),
            demo.join("people.csv")
        ),
    )
    .unwrap();
    Command::cargo_bin("engage")
        .unwrap()
        .env("ENGAGE_PSEUDONYM_KEY", "test-key-0123456789")
        .arg("run")
        .arg(&pipeline)
        .assert()
        .success();
    let rows = table(dir.path().join("out/tables/ambassadors.csv"));
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(row["person"].starts_with('P'), "{row:?}");
        assert_eq!(
            row["email"],
            format!("{}@example.com", row["person"].to_lowercase())
        );
        assert!(num(row, "responders").unwrap() >= 10.0);
    }
}
