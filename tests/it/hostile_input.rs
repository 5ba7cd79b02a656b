//! Careless and hostile input, one test per fault found by trying to break engage: wrong
//! ladders, data lost without a word, leaks, overwrites and misleading answers. Each test
//! drives the real binary on the hand-worked tiny fixture (tests/fixtures/tiny, whose figures
//! tests/it/cli.rs works out) or on a small export written here, and fails on the old behaviour.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use polars::prelude::*;
use predicates::prelude::*;

use common::{engage, read, root, run_code as run, KEY};

/// January and February of the tiny fixture: headcount, active, participation (tests/it/cli.rs).
const TINY_PARTICIPATION: &str =
    "period,headcount,active,participation_rate\n2025-01,5,4,0.8\n2025-02,4,4,1.0\n";

/// The tiny fixture copied into a temporary folder, so a test can damage it.
fn tiny() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tiny(dir.path());
    dir
}

fn copy_tiny(to: &Path) {
    for entry in std::fs::read_dir(root().join("tests/fixtures/tiny")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Runs a pipeline whose key comes from its key file (no `ENGAGE_PSEUDONYM_KEY`), expecting
/// it to be refused; its stderr.
fn refused_with_key_file(pipeline: &Path) -> String {
    let output = Command::cargo_bin("engage")
        .unwrap()
        .env_remove("ENGAGE_PSEUDONYM_KEY")
        .arg("run")
        .arg(pipeline)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{err}");
    err
}

/// Replaces `from` by `to` in a file, which must hold it.
fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Runs `engage validate`, expecting `code`; its stderr.
fn validate(pipeline: &Path, code: i32) -> String {
    let output = engage().arg("validate").arg(pipeline).output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{err}");
    err
}

fn participation(out: &Path) -> String {
    let text = read(out.join("tables/period_metrics.csv"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let wanted = ["period", "headcount", "active", "participation_rate"];
    let at: Vec<usize> = wanted
        .iter()
        .map(|w| header.iter().position(|h| h == w).unwrap())
        .collect();
    let mut s = wanted.join(",") + "\n";
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        s += &at.iter().map(|i| cells[*i]).collect::<Vec<_>>().join(",");
        s += "\n";
    }
    s
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&read(out.join("manifest.json"))).unwrap()
}

/// Every file below `dir`, as `/`-separated relative paths.
fn files_below(dir: &Path) -> BTreeSet<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.insert(name);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, "", &mut out);
    out
}

// 1. Counts are unsigned; a condition must still compute in signed arithmetic. In the tiny
// fixture the most replies anyone has is 1 (carol, January), so `replies - 5 > 100` holds for
// nobody; `posts - replies < 0` holds where replies exceed posts: carol in January only (1
// reply, 0 posts). Everyone else lands on the catch-all.
#[test]
fn subtraction_in_a_rung_condition_is_signed() {
    let dir = tiny();
    let pipeline = dir.path().join("pipeline.toml");
    let text = read(&pipeline)
        + "\n[ladder]\n[[ladder.rung]]\nname = \"Wraps\"\nwhen = \"replies - 5 > 100\"\n\n\
           [[ladder.rung]]\nname = \"Negative\"\nwhen = \"posts - replies < 0\"\n\n\
           [[ladder.rung]]\nname = \"Rest\"\n";
    std::fs::write(&pipeline, text).unwrap();
    validate(&pipeline, 0);
    let out = tempfile::tempdir().unwrap();
    run(&pipeline, out.path(), 0);
    let file = std::fs::File::open(out.path().join("tables/activity.parquet")).unwrap();
    let activity = ParquetReader::new(file).finish().unwrap();
    let carol =
        engage::outcomes::privacy::Pseudonymizer::new(KEY.as_bytes().to_vec()).pseudonym("carol");
    let rungs = activity
        .lazy()
        .filter(col("rung").neq(lit("Rest")))
        .select([col("person"), col("period"), col("rung")])
        .collect()
        .unwrap();
    assert_eq!(rungs.height(), 1, "{rungs}");
    let cell = |c: &str| {
        rungs
            .column(c)
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap()
            .to_string()
    };
    assert_eq!(cell("person"), carol);
    assert_eq!(cell("period"), "2025-01");
    assert_eq!(cell("rung"), "Negative");
}

// 2. Lines that end in a bare carriage return (old Mac, some Excel exports) are lines: the
// tiny fixture with every line end turned into `\r` gives the same figures, and its 11 rows.
#[test]
fn files_with_carriage_return_line_ends_are_read() {
    let dir = tiny();
    for file in ["events.csv", "people.csv"] {
        let path = dir.path().join(file);
        let text = read(&path).replace("\r\n", "\n").replace('\n', "\r");
        assert!(!text.contains('\n'));
        std::fs::write(&path, text).unwrap();
    }
    let pipeline = dir.path().join("pipeline.toml");
    validate(&pipeline, 0);
    let out = tempfile::tempdir().unwrap();
    run(&pipeline, out.path(), 0);
    assert_eq!(participation(out.path()), TINY_PARTICIPATION);
    assert_eq!(manifest(out.path())["inputs"][0]["rows_read"], 11);
}

// 3. An input where an output goes is refused before anything is written, and stays as it was.
// So is a key file among the outputs (outputs are shared; the key is secret).
#[test]
fn outputs_never_overwrite_inputs() {
    let dir = tiny();
    std::fs::create_dir_all(dir.path().join("out/tables")).unwrap();
    let events = dir.path().join("out/tables/spaces.csv");
    std::fs::rename(dir.path().join("events.csv"), &events).unwrap();
    let before = std::fs::read(&events).unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    edit(
        &pipeline,
        "path = \"events.csv\"",
        "path = \"out/tables/spaces.csv\"",
    );
    let output = engage().arg("run").arg(&pipeline).output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("out/tables/spaces.csv"), "{err}");
    assert!(err.contains("overlap"), "{err}");
    assert_eq!(std::fs::read(&events).unwrap(), before);
    validate(&pipeline, 1);

    let dir = tiny();
    let pipeline = dir.path().join("pipeline.toml");
    edit(
        &pipeline,
        "output = \"out\"",
        "output = \"out\"\npseudonym_key_file = \"out/k.key\"",
    );
    let err = refused_with_key_file(&pipeline);
    assert!(err.contains("key file"), "{err}");
    assert!(!dir.path().join("out/k.key").exists());
}

// 4. After a run the output folder holds exactly what the manifest lists (and the manifest):
// files an earlier run left, a crashed run's temporary file, an empty folder, all go. A folder
// that engage did not write is refused rather than emptied.
#[test]
fn stale_outputs_are_removed_and_foreign_folders_refused() {
    let out = tempfile::tempdir().unwrap();
    let pipeline = root().join("tests/fixtures/tiny/pipeline.toml");
    run(&pipeline, out.path(), 0);
    for stale in [
        "charts/satisfaction.svg",
        "tables/old.csv",
        ".engage-abc123",
        "rejects/gone.csv",
    ] {
        let path = out.path().join(stale);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "stale").unwrap();
    }
    std::fs::create_dir(out.path().join("empty")).unwrap();
    run(&pipeline, out.path(), 0);
    let listed: BTreeSet<String> = manifest(out.path())["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap().to_string())
        .chain(["manifest.json".to_string()])
        .collect();
    assert_eq!(files_below(out.path()), listed);
    assert!(!out.path().join("empty").exists());
    assert!(!out.path().join("rejects").exists());

    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(foreign.path().join("thesis.docx"), "mine").unwrap();
    let err = run(&pipeline, foreign.path(), 1);
    assert!(
        err.contains("holds files engage did not write (thesis.docx)"),
        "{err}"
    );
    assert_eq!(read(foreign.path().join("thesis.docx")), "mine");
    assert_eq!(files_below(foreign.path()).len(), 1);
}

// 5. When every row is rejected, the error says so, with the commonest reason, and the rejects
// file is written: 11 rows read, all with an unreadable timestamp.
#[test]
fn every_row_rejected_says_so_and_writes_the_rejects() {
    let dir = tiny();
    let events = dir.path().join("events.csv");
    let text: String = read(&events)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                let cells: Vec<&str> = l.split(',').collect();
                [&cells[..2], &["yesterday"], &cells[3..]]
                    .concat()
                    .join(",")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&events, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let err = run(&dir.path().join("pipeline.toml"), out.path(), 1);
    assert!(
        err.contains("every row the sources hold was rejected"),
        "{err}"
    );
    assert!(err.contains("11 rows read, 11 rejected"), "{err}");
    assert!(
        err.contains("most often \"unreadable timestamp\" (11)"),
        "{err}"
    );
    let rejects = read(out.path().join("rejects/events.csv"));
    assert_eq!(rejects.lines().count(), 12, "{rejects}");
    assert!(
        rejects.contains("events.csv,line 2,yesterday,unreadable timestamp"),
        "{rejects}"
    );
}

// 6. A parse error names the file and line and quotes nothing of the file: a roster whose
// line 5 opens a quote that never closes, followed by 20,000 ids and a 5 MB line, gives a short
// message in text and in JSON logs, and no id from after line 5.
#[test]
fn parse_errors_name_the_line_and_do_not_echo_the_input() {
    let dir = tiny();
    let people = dir.path().join("people.csv");
    let mut text = read(&people).replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut broken: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    assert!(broken[4].starts_with("dave,"));
    broken[4] = broken[4].replacen(",IT,", ",\"IT,", 1);
    for i in 0..20_000 {
        broken.push(format!(
            "secret-id-{i},x@example.com,IT,I1,Utrecht,,employee,2020-01-01,,,X"
        ));
    }
    broken.push("y".repeat(5 << 20));
    text = broken.join("\n");
    std::fs::write(&people, text).unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    for format in ["text", "json"] {
        let output = engage()
            .args(["--log-format", format, "run"])
            .arg(&pipeline)
            .arg("--out")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{err}");
        assert!(
            err.len() < 2_000,
            "{} bytes: {}",
            err.len(),
            &err[..2_000.min(err.len())]
        );
        assert!(err.contains("people.csv:5"), "{err}");
        assert!(err.contains("never closed"), "{err}");
        assert!(!err.contains("secret-id-"), "{err}");
        assert!(!err.contains("yyyyyyyy"), "{err}");
    }
}

/// A small Slack export: one good message, one with a bad `ts` that carries text and whose
/// author has a real name.
fn slack_export(dir: &Path) -> PathBuf {
    let export = dir.join("export");
    std::fs::create_dir_all(export.join("general")).unwrap();
    std::fs::write(
        export.join("users.json"),
        r#"[{"id":"U1","name":"jane","profile":{"email":"jane@example.com","real_name":"Jane Secretname"}}]"#,
    )
    .unwrap();
    std::fs::write(
        export.join("channels.json"),
        r#"[{"id":"C1","name":"general"}]"#,
    )
    .unwrap();
    std::fs::write(
        export.join("general/2025-01-31.json"),
        r#"[{"type":"message","user":"U1","text":"fine","ts":"1738367000.000100"},
            {"type":"message","user":"U1","text":"the merger is off","ts":"soon","user_profile":{"real_name":"Jane Secretname"}}]"#,
    )
    .unwrap();
    let pipeline = dir.join("p.toml");
    std::fs::write(
        &pipeline,
        "[pipeline]\nname = \"s\"\nmax_reject_share = 1.0\n\n[[source]]\nkind = \"slack\"\npath = \"export\"\n",
    )
    .unwrap();
    pipeline
}

// 7. A rejected record keeps what identifies it (its ts, its user id), never its text or the
// names it carries.
#[test]
fn rejects_carry_ids_not_message_text_or_names() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = slack_export(dir.path());
    let out = tempfile::tempdir().unwrap();
    run(&pipeline, out.path(), 0);
    let rejects = read(out.path().join("rejects/slack.csv"));
    assert_eq!(rejects.lines().count(), 2, "{rejects}");
    assert!(rejects.contains("unreadable ts"), "{rejects}");
    assert!(
        rejects.contains("soon") && rejects.contains("U1"),
        "{rejects}"
    );
    for (file, text) in common::all_output_text(out.path()) {
        assert!(!text.contains("merger"), "message text in {file}");
        assert!(!text.contains("Secretname"), "a name in {file}");
    }
}

// 8. A link out of an unpacked export is refused, as `..` in a zip is: a day file linked to a
// file elsewhere, and a folder linked to a folder elsewhere. Nothing of their content leaks.
#[cfg(unix)]
#[test]
fn links_out_of_an_export_are_refused() {
    let secret_dir = tempfile::tempdir().unwrap();
    std::fs::write(
        secret_dir.path().join("2025-01-30.json"),
        "[{\"ts\":\"top-secret\"}]",
    )
    .unwrap();
    for linked_folder in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let pipeline = slack_export(dir.path());
        let export = dir.path().join("export");
        if linked_folder {
            std::os::unix::fs::symlink(secret_dir.path(), export.join("random")).unwrap();
        } else {
            std::os::unix::fs::symlink(
                secret_dir.path().join("2025-01-30.json"),
                export.join("general/2025-01-30.json"),
            )
            .unwrap();
        }
        let out = dir.path().join("out");
        let err = run(&pipeline, &out, 1);
        assert!(err.contains("outside the export"), "{err}");
        assert!(!err.contains("top-secret"), "{err}");
        assert!(!out.join("rejects").exists());
    }
    // A link that stays inside the export is followed.
    let dir = tempfile::tempdir().unwrap();
    let pipeline = slack_export(dir.path());
    let export = dir.path().join("export");
    std::os::unix::fs::symlink(export.join("general"), export.join("alias")).unwrap();
    run(&pipeline, &dir.path().join("out"), 0);
}

// 9. Names that hold HTML reach report.md as text: a target and a space named to inject markup.
#[test]
fn report_markdown_escapes_names() {
    let dir = tiny();
    let events = dir.path().join("events.csv");
    let text = read(&events).replace(",general", ",\"\"\"><img src=x onerror=alert(1)>\"");
    std::fs::write(&events, text).unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    let text = read(&pipeline)
        + "\n[[target]]\nname = \"<script>alert(1)</script> [click](javascript:alert(2))\"\nmetric = \"participation_rate\"\nbaseline = \"2025-01\"\ntarget = 0.9\nby = \"2025-02\"\n";
    std::fs::write(&pipeline, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    run(&pipeline, out.path(), 0);
    let md = read(out.path().join("report.md"));
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(md.contains("\\[click\\](javascript:alert(2))"), "{md}");
    assert!(!md.contains("<script"), "{md}");
    assert!(!md.contains("<img"), "{md}");
    assert!(!md.contains("[click]"), "{md}");
}

// 10. Names are labels, never paths: a pipeline or source name that climbs out of its folder
// is refused with its key and line, and no key file is written outside.
#[test]
fn names_cannot_write_outside_the_folder() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("p");
    std::fs::create_dir(&dir).unwrap();
    copy_tiny(&dir);
    let pipeline = dir.join("pipeline.toml");
    edit(&pipeline, "name = \"tiny\"", "name = \"../escaped\"");
    let err = refused_with_key_file(&pipeline);
    assert!(
        err.contains("pipeline.toml:3: pipeline.name = \"../escaped\" contains a path separator"),
        "{err}"
    );
    assert!(!parent.path().join("escaped.engage-key").exists());

    edit(&pipeline, "name = \"../escaped\"", "name = \"tiny\"");
    edit(
        &pipeline,
        "path = \"events.csv\"",
        "path = \"events.csv\"\nname = \"../../x\"",
    );
    let err = validate(&pipeline, 1);
    assert!(
        err.contains("source[1].name = \"../../x\" contains a path separator"),
        "{err}"
    );
}

// 11. A wrong command line exits 64 (EX_USAGE), never 2, which means "finished with too many
// rejects"; help exits 0.
#[test]
fn usage_errors_exit_64() {
    for args in [
        vec!["run", "p.toml", "--as-of", "2025-02-30"],
        vec!["run", "p.toml", "--bogus"],
        vec!["frobnicate"],
        vec![],
    ] {
        let output = engage().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(64), "{args:?}");
    }
    engage().arg("--help").assert().code(0);
    engage()
        .args(["run", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--as-of"));
}

// 12 and 13 (encodings). validate reads what run reads: a Latin-1 roster, an unterminated
// quote and a row with more fields than the header fail both, naming the line.
#[test]
fn validate_refuses_what_run_refuses() {
    // "Zoë" in Latin-1 on line 3 of the roster (0xEB).
    let dir = tiny();
    let people = dir.path().join("people.csv");
    let mut bytes = std::fs::read(&people).unwrap();
    let at = bytes.windows(5).position(|w| w == b"Brink").unwrap();
    bytes.splice(at..at + 5, b"Zo\xEB".iter().copied());
    std::fs::write(&people, bytes).unwrap();
    both_refuse(dir.path(), &["people.csv:3", "0xEB is not UTF-8", "iconv"]);

    let dir = tiny();
    edit(&dir.path().join("events.csv"), "e4,,2025", "e4,,\"2025");
    both_refuse(dir.path(), &["events.csv:5", "never closed"]);

    let dir = tiny();
    let events = dir.path().join("events.csv");
    edit(&events, ",general\r\n", ",general,extra\r\n");
    both_refuse(
        dir.path(),
        &["events.csv:2", "this row has 10 fields, the header 9"],
    );
}

/// `validate` and `run` both refuse the pipeline in `dir` with messages holding `expected`.
fn both_refuse(dir: &Path, expected: &[&str]) {
    let pipeline = dir.join("pipeline.toml");
    for err in [validate(&pipeline, 1), run(&pipeline, &dir.join("out"), 1)] {
        for e in expected {
            assert!(err.contains(e), "{e:?} missing from: {err}");
        }
    }
}

// Found by the fuzz targets: quotes that polars 0.55's CSV reader misreads made its parser
// slice out of bounds (an abort in a debug build, undefined behaviour in a release build): a
// file whose last value is a lone opening quote, and a row with an odd number of quotes inside
// unquoted values (`5" screen`). Both are refused with their line before polars reads them;
// the last case is the fuzz target's own input, byte for byte.
#[test]
fn quotes_polars_would_misread_are_refused() {
    let dir = tiny();
    let events = dir.path().join("events.csv");
    let original = read(&events).trim_end().to_string();
    for end in ["", "\r", "\r\n\n"] {
        std::fs::write(&events, original.clone() + "\ne11,,\"" + end).unwrap();
        both_refuse(
            dir.path(),
            &["events.csv:13: a quoted value starts on this line and is never closed"],
        );
    }
    std::fs::write(
        &events,
        original.replacen(",general\r\n", ",5\" screen\r\n", 2),
    )
    .unwrap();
    both_refuse(
        dir.path(),
        &["events.csv:2: a value that does not start with a quote holds a quote"],
    );
    // Two stray quotes in a row (`say "hi"`) keep polars in step: read, not refused.
    std::fs::write(
        &events,
        original.replacen(",general\r\n", ",say \"hi\"\r\n", 1),
    )
    .unwrap();
    validate(&dir.path().join("pipeline.toml"), 0);

    let fuzzed = "event_id,occurred_at,actor,action\n\n\tpost\"\t,f9 ;2025-01-0\r\n2025-01-02025-01-0\tpost2025-01-0\r\r\r\n\r\"32025-01-0\r\n\r\t\r\n,\r\t,\r\r\nT09:00:00Z2025-01-0T09:00:00Z2025-01-0\t,post\t,\"";
    std::fs::write(&events, fuzzed).unwrap();
    both_refuse(
        dir.path(),
        &["events.csv:3: a value that does not start with a quote"],
    );
}

// 13 (delimiters). A semicolon-separated events file and roster (Dutch Excel) read as the comma
// versions do.
#[test]
fn semicolon_separated_files_are_read() {
    let dir = tiny();
    for file in ["events.csv", "people.csv"] {
        let path = dir.path().join(file);
        let text = read(&path);
        // The tiny fixture quotes nothing, so every comma is a separator.
        assert!(!text.contains('"') && !text.contains(';'));
        std::fs::write(&path, text.replace(',', ";")).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    run(&dir.path().join("pipeline.toml"), out.path(), 0);
    assert_eq!(participation(out.path()), TINY_PARTICIPATION);
}

// 13 (conditions). A condition on a column that does not exist names the rung, the column and
// the columns there are, without polars' plan.
#[test]
fn a_condition_on_an_unknown_column_names_it() {
    let dir = tiny();
    let pipeline = dir.path().join("pipeline.toml");
    let text = read(&pipeline)
        + "\n[ladder]\n[[ladder.rung]]\nname = \"Talkers\"\nwhen = \"replys >= 2 AND posts >= 1\"\n\n[[ladder.rung]]\nname = \"Rest\"\n";
    std::fs::write(&pipeline, text).unwrap();
    let err = validate(&pipeline, 1);
    assert!(err.contains("rung `Talkers`"), "{err}");
    assert!(
        err.contains("it names `replys`, which is not an activity column"),
        "{err}"
    );
    assert!(err.contains("distinct_partners"), "{err}");
    assert!(!err.contains("FROM") && !err.contains("SELECT"), "{err}");
    assert!(err.len() < 1_000, "{err}");
}

// 13 (paths). A folder where a file belongs is named as a folder, with the key.
#[test]
fn a_folder_where_a_file_belongs_is_named() {
    let dir = tiny();
    let pipeline = dir.path().join("pipeline.toml");
    edit(&pipeline, "path = \"people.csv\"", "path = \".\"");
    let err = validate(&pipeline, 1);
    assert!(err.contains("people.path"), "{err}");
    assert!(
        err.contains("is a folder, and this input is a file"),
        "{err}"
    );
    assert!(!err.contains("file not found"), "{err}");
}

// 13 (time zones). In Amsterdam, 2025-03-30 02:30 does not exist (clocks jump from 02:00 to
// 03:00): the row is rejected saying so. 2025-10-26 02:30 happens twice: it is read as the
// first, 00:30 UTC (CEST, +02:00), and the notes say which rule applies.
#[test]
fn local_times_in_the_daylight_saving_gap_and_overlap() {
    let dir = tiny();
    let events = dir.path().join("events.csv");
    let mut text = read(&events);
    text.push_str(
        "g1,,2025-03-30 02:30:00,alice,view,,,,\ng2,,2025-10-26 02:30:00,alice,view,,,,\n",
    );
    std::fs::write(&events, text).unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    edit(
        &pipeline,
        "kind = \"events\"",
        "kind = \"events\"\ntimezone = \"Europe/Amsterdam\"",
    );
    edit(
        &pipeline,
        "min_group_size = 5",
        "min_group_size = 5\nmax_reject_share = 1.0",
    );
    let out = tempfile::tempdir().unwrap();
    run(&pipeline, out.path(), 0);
    let rejects = read(out.path().join("rejects/events.csv"));
    assert!(
        rejects.contains("line 13,2025-03-30 02:30:00,local time that does not exist in Europe/Amsterdam: clocks skip it when daylight saving starts"),
        "{rejects}"
    );
    assert_eq!(rejects.lines().count(), 2, "{rejects}");
    let notes = manifest(out.path())["inputs"][0]["notes"].to_string();
    assert!(notes.contains("read as its first occurrence"), "{notes}");
    // g2 is accepted: 11 rows read before, e3 a duplicate, g1 rejected.
    assert_eq!(manifest(out.path())["inputs"][0]["accepted"], 11);
}

// 14. One event dated 1970 (a zero timestamp) stretches the report from 1970-01 to 2025-02:
// 662 months. The run says so in the log, the manifest and the report.
#[test]
fn a_stray_event_far_from_the_rest_is_reported() {
    let dir = tiny();
    let events = dir.path().join("events.csv");
    let mut text = read(&events);
    text.push_str("z0,,1970-01-01T00:00:00Z,alice,view,,,,\n");
    std::fs::write(&events, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let err = run(&dir.path().join("pipeline.toml"), out.path(), 0);
    // 1970-01 .. 2025-02 = 55 years and 2 months = 662 months.
    let warning = "1 event lies far from the rest, in 1970-01 (the others run from 2025-01 to 2025-02), so the report spans 662 periods from 1970-01 to 2025-02";
    assert!(err.contains(warning), "{err}");
    let m = manifest(out.path());
    assert_eq!(m["periods"]["count"], 662);
    assert!(m["periods"]["warning"].as_str().unwrap().contains(warning));
    assert!(read(out.path().join("report.html")).contains("1 event lies far from the rest"));

    // Without the stray event there is no warning.
    let out = tempfile::tempdir().unwrap();
    let err = run(
        &root().join("tests/fixtures/tiny/pipeline.toml"),
        out.path(),
        0,
    );
    assert!(!err.contains("far from the rest"), "{err}");
    assert!(manifest(out.path())["periods"].get("warning").is_none());
}

/// A successful run reading its exports `batch_rows` rows at a time; its output folder.
fn run_in_batches(pipeline: &Path, batch_rows: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    engage()
        .arg("run")
        .arg(pipeline)
        .arg("--out")
        .arg(out.path())
        .env("ENGAGE_BATCH_ROWS", batch_rows)
        .assert()
        .success();
    out
}

// 12. An export is read a batch at a time; a bad row in any batch is still rejected with its
// file and line (CSV) or row (Parquet), and the rows reconcile. Two rows per batch against one
// batch for the whole file: the same rejects, the same counts, the same tables.
#[test]
fn bad_rows_in_later_batches_are_rejected_with_their_line() {
    let dir = tiny();
    let events = dir.path().join("events.csv");
    let text = read(&events);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Line 3 loses its id, line 9 its time, line 12 (the last) gets an unknown action.
    lines[2] = lines[2].replacen("e2,", ",", 1);
    lines[8] = {
        let cells: Vec<&str> = lines[8].split(',').collect();
        [&cells[..2], &["yesterday"], &cells[3..]]
            .concat()
            .join(",")
    };
    lines[11] = lines[11].replace(",reaction,", ",dance,");
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    let text = read(&pipeline).replace(
        "min_group_size = 5",
        "min_group_size = 5\nmax_reject_share = 0.5",
    );
    std::fs::write(&pipeline, text).unwrap();

    let outputs = |batch_rows: &str| {
        let out = run_in_batches(&pipeline, batch_rows);
        let manifest: serde_json::Value =
            serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
        let tables: Vec<String> = ["ladder.csv", "period_metrics.csv", "post_reach.csv"]
            .iter()
            .map(|t| read(out.path().join("tables").join(t)))
            .collect();
        (
            read(out.path().join("rejects/events.csv")),
            manifest["inputs"][0].clone(),
            tables,
        )
    };
    let (rejects, counts, tables) = outputs("2");
    assert!(
        rejects.contains("events.csv,line 3,\"\",missing event_id"),
        "{rejects}"
    );
    assert!(
        rejects.contains("events.csv,line 9,yesterday,unreadable timestamp"),
        "{rejects}"
    );
    assert!(
        rejects.contains("events.csv,line 12,dance,unknown action"),
        "{rejects}"
    );
    assert_eq!(rejects.lines().count(), 4, "{rejects}");
    // 11 rows read = 7 accepted + 1 duplicate (the fixture repeats one event) + 3 rejected.
    assert_eq!(counts["rows_read"], 11);
    assert_eq!(counts["accepted"], 7);
    assert_eq!(counts["duplicates"], 1);
    assert_eq!(counts["rejected"], 3);
    assert_eq!(outputs("1000000"), (rejects, counts, tables));
}

// 13. The same for a typed export: a Parquet file whose 5th row has no id.
#[test]
fn bad_rows_of_a_parquet_export_are_rejected_with_their_row() {
    let dir = tiny();
    let text = read(dir.path().join("events.csv"));
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let values: Vec<Option<&str>> = rows
                .iter()
                .enumerate()
                // Row 5 (index 4) loses its id.
                .map(|(r, row)| Some(row[c]).filter(|v| !(v.is_empty() || (c == 0 && r == 4))))
                .collect();
            Column::new((*name).into(), values)
        })
        .collect();
    let mut frame = DataFrame::new_infer_height(columns).unwrap();
    let file = std::fs::File::create(dir.path().join("events.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    let text = read(&pipeline)
        .replace("path = \"events.csv\"", "path = \"events.parquet\"")
        .replace(
            "min_group_size = 5",
            "min_group_size = 5\nmax_reject_share = 0.5",
        );
    std::fs::write(&pipeline, text).unwrap();
    for batch_rows in ["3", "1000000"] {
        let out = run_in_batches(&pipeline, batch_rows);
        let rejects = read(out.path().join("rejects/events.csv"));
        assert_eq!(
            rejects.lines().skip(1).collect::<Vec<_>>(),
            ["events.parquet,row 5,\"\",missing event_id"],
            "{batch_rows}"
        );
    }
}

// Names of thousands of characters (a space, a department) are cut on the page and in the
// charts after 31 characters and an ellipsis, and kept whole in the tables.
#[test]
fn long_names_are_cut_in_the_report_and_whole_in_the_tables() {
    let dir = tiny();
    let space = "s".repeat(5000);
    let events = dir.path().join("events.csv");
    std::fs::write(
        &events,
        read(&events).replace(",general", &format!(",{space}")),
    )
    .unwrap();
    let department = format!("Sales{}", "x".repeat(5000));
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        read(&people).replace(",Sales,", &format!(",{department},")),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run(&dir.path().join("pipeline.toml"), out.path(), 0);
    let o = out.path();
    let (html, md) = (read(o.join("report.html")), read(o.join("report.md")));
    for (name, kept) in [
        (&space, "s".repeat(31)),
        (&department, format!("Sales{}", "x".repeat(26))),
    ] {
        for (file, text) in [("report.html", &html), ("report.md", &md)] {
            assert!(!text.contains(name.as_str()), "{file} holds a whole name");
        }
        assert!(html.contains(&format!("{kept}…")), "{kept}");
    }
    assert!(!read(o.join("charts/departments.svg")).contains(&department));
    assert!(read(o.join("tables/spaces.csv")).contains(&space));
    assert!(read(o.join("tables/department_interactions.csv")).contains(&department));
}
