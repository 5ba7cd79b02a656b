//! Where adapters hand message bodies when themes are on (spec §8), so that only counts leave
//! the adapter: each body waits in a small buffer, is cut into terms on every core (rayon) and
//! dropped; what stays is, per period, space, term and account, how often it was used. At the
//! end those become the source's counts per period, space and term (mentions and distinct
//! people) and nothing per person leaves.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use polars::prelude::*;
use rayon::prelude::*;

use super::terms::{name_words, Terms};
use crate::error::{internal, Result};
use crate::vocabulary::themes as column;

/// Bodies cut into terms together, on every core: enough to keep the cores busy, few enough
/// that the buffer stays a few megabytes.
const BUFFER: usize = 8_192;

/// The period of a moment (microseconds, UTC), or `None` after the run's as-of day.
pub type PeriodOf = Box<dyn Fn(i64) -> Option<i32> + Send + Sync>;

/// Counts the terms of one source's message bodies.
pub struct TextSink<'a> {
    terms: &'a Terms,
    period_of: PeriodOf,
    state: Mutex<State>,
}

impl std::fmt::Debug for TextSink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextSink")
    }
}

/// A body waiting to be cut into terms.
struct Pending {
    period: i32,
    space: u32,
    actor: u32,
    text: String,
}

/// Strings seen, each numbered once, so the counts are kept on integers.
#[derive(Default)]
struct Interner {
    ids: PlHashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }
}

#[derive(Default)]
struct State {
    pending: Vec<Pending>,
    actors: Interner,
    /// Space 0 is "no space".
    spaces: Interner,
    keys: Interner,
    forms: Interner,
    /// (term, written form) -> uses, for the form a term is shown in.
    written: PlHashMap<(u32, u32), u64>,
    /// (period, space, term, actor) -> uses.
    uses: PlHashMap<(i32, u32, u32, u32), u32>,
    /// Bodies counted per period.
    messages: BTreeMap<i32, u64>,
    /// Words of people's names met in the export (display names, user lists).
    names: HashSet<String>,
    /// The ids of the bodies taken (hashed), so a repeated id counts once.
    seen: PlHashSet<u64>,
}

/// What a source's bodies gave: per period, space (null: all spaces) and term, its mentions
/// and distinct people (`vocabulary::themes` columns), and the bodies counted per period.
#[derive(Debug, Clone)]
pub struct TermCounts {
    pub terms: DataFrame,
    pub messages: DataFrame,
}

impl<'a> TextSink<'a> {
    pub fn new(terms: &'a Terms, period_of: PeriodOf) -> TextSink<'a> {
        let mut state = State::default();
        state.spaces.id("");
        TextSink {
            terms,
            period_of,
            state: Mutex::new(state),
        }
    }

    /// Takes the body of post or reply `id` by `actor` in `space` at `at` (µs, UTC). A body
    /// whose id was seen before (an earlier version of an edited message) is not counted
    /// again: the first is the one the events keep.
    pub fn add(&self, id: &str, at: i64, actor: &str, space: Option<&str>, text: &str) {
        let Some(period) = (self.period_of)(at) else {
            return;
        };
        let mut state = self.lock();
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(id, &mut hasher);
        if !state.seen.insert(std::hash::Hasher::finish(&hasher)) {
            return;
        }
        let pending = Pending {
            period,
            space: space.map_or(0, |s| state.spaces.id(s)),
            actor: state.actors.id(actor),
            text: text.to_string(),
        };
        state.pending.push(pending);
        if state.pending.len() >= BUFFER {
            count(self.terms, &mut state);
        }
    }

    /// Takes people's names the export shows (user lists, display names): no term holds one.
    pub fn names<'n>(&self, names: impl IntoIterator<Item = &'n str>) {
        let mut state = self.lock();
        for name in names {
            state.names.extend(name_words(name));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere while counting leaves counts, not a broken invariant.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The source's counts, leaving out the accounts in `excluded` and every term that holds a
    /// word of a name in `names` or in the names the export showed.
    pub fn finish(
        self,
        source: &str,
        excluded: &HashSet<String>,
        names: &HashSet<String>,
    ) -> Result<TermCounts> {
        let mut state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        count(self.terms, &mut state);
        let canon = merged_keys(&state);
        let forms = shown_forms(&state, &canon, names);
        let fail = || internal("counting terms");
        let actors_out: Vec<bool> = state
            .actors
            .names
            .iter()
            .map(|a| excluded.contains(a))
            .collect();
        let mut rows = Rows::default();
        for (&(period, space, key, actor), &n) in &state.uses {
            let key = canon[key as usize];
            if actors_out[actor as usize] || forms[key as usize].is_none() {
                continue;
            }
            rows.push(period, space, key, actor, n);
        }
        let uses = rows.frame().map_err(fail())?;
        let counted = per_space_and_all(uses)
            .and_then(LazyFrame::collect)
            .map_err(fail())?;
        let terms_frame = label(
            counted,
            source,
            &state.spaces.names,
            &state.keys.names,
            &forms,
        )
        .map_err(fail())?;
        let messages = DataFrame::new(
            state.messages.len(),
            vec![
                Column::new(column::SOURCE.into(), vec![source; state.messages.len()]),
                Column::new(
                    column::PERIOD.into(),
                    state.messages.keys().copied().collect::<Vec<i32>>(),
                ),
                Column::new(
                    column::MESSAGES.into(),
                    state.messages.values().copied().collect::<Vec<u64>>(),
                ),
            ],
        )
        .map_err(fail())?;
        Ok(TermCounts {
            terms: terms_frame,
            messages,
        })
    }
}

/// `body` where bodies are wanted (themes on), else an empty column: a CSV adapter reads a
/// body column only then.
pub fn body_column(wanted: Option<&TextSink>, body: Expr) -> Expr {
    match wanted {
        Some(_) => body,
        None => lit(NULL).cast(DataType::String),
    }
}

/// Hands the bodies in a read frame to `sink`: its rows whose `text` column holds one, with
/// the id, moment (µs, UTC, or a UTC datetime), actor and space from the named columns. Only
/// rows already accepted as posts or replies belong here.
pub fn from_frame(
    sink: &TextSink,
    frame: &DataFrame,
    [id, at, actor, space, text]: [&str; 5],
) -> Result<()> {
    let fail = || internal("handing bodies on for themes");
    let frame = frame
        .clone()
        .lazy()
        .filter(col(text).is_not_null().and(col(actor).is_not_null()))
        .select([
            col(id).cast(DataType::String).alias("id"),
            col(at).cast(DataType::Int64).alias("at"),
            col(actor).cast(DataType::String).alias("actor"),
            col(space).cast(DataType::String).alias("space"),
            col(text).cast(DataType::String).alias("text"),
        ])
        .collect()
        .map_err(fail())?;
    let column = |name: &str| frame.column(name).and_then(|c| c.str().cloned());
    let ats = frame
        .column("at")
        .and_then(|c| c.i64().cloned())
        .map_err(fail())?;
    let (ids, actors, spaces, texts) = (
        column("id").map_err(fail())?,
        column("actor").map_err(fail())?,
        column("space").map_err(fail())?,
        column("text").map_err(fail())?,
    );
    let rows = ids.iter().zip(ats.iter()).zip(actors.iter());
    for (((id, at), actor), (space, text)) in rows.zip(spaces.iter().zip(texts.iter())) {
        if let (Some(id), Some(at), Some(actor), Some(text)) = (id, at, actor, text) {
            sink.add(id, at, actor, space, text);
        }
    }
    Ok(())
}

/// Cuts the waiting bodies into terms on every core, counts them and drops the bodies.
fn count(terms: &Terms, state: &mut State) {
    let pending = std::mem::take(&mut state.pending);
    let cut: Vec<_> = pending.par_iter().map(|p| terms.of(&p.text)).collect();
    for (p, terms) in pending.iter().zip(cut) {
        *state.messages.entry(p.period).or_insert(0) += 1;
        for term in terms {
            let key = state.keys.id(&term.key);
            let form = state.forms.id(&term.form);
            *state.written.entry((key, form)).or_insert(0) += 1;
            *state
                .uses
                .entry((p.period, p.space, key, p.actor))
                .or_insert(0) += 1;
        }
    }
}

/// Per term key, the key it is counted under: keys that share a written form are one term
/// (a Dutch word in a message taken for English is stemmed otherwise, yet written the same),
/// counted under the first of them in sort order.
fn merged_keys(state: &State) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..state.keys.names.len() as u32).collect();
    fn root(parent: &mut [u32], mut k: u32) -> u32 {
        while parent[k as usize] != k {
            parent[k as usize] = parent[parent[k as usize] as usize];
            k = parent[k as usize];
        }
        k
    }
    let mut first_of_form: PlHashMap<u32, u32> = PlHashMap::new();
    for &(key, form) in state.written.keys() {
        let other = *first_of_form.entry(form).or_insert(key);
        let (a, b) = (root(&mut parent, key), root(&mut parent, other));
        if a != b {
            let names = &state.keys.names;
            let (keep, give) = if names[a as usize] <= names[b as usize] {
                (a, b)
            } else {
                (b, a)
            };
            parent[give as usize] = keep;
        }
    }
    (0..parent.len() as u32)
        .map(|k| root(&mut parent, k))
        .collect()
}

/// Per term key (after [`merged_keys`]), the form it is shown in (its most used written form,
/// the first in sort order on a tie), or `None` for a term that holds a word of a name.
fn shown_forms(state: &State, canon: &[u32], names: &HashSet<String>) -> Vec<Option<String>> {
    let mut uses: PlHashMap<(u32, u32), u64> = PlHashMap::new();
    for (&(key, form), &n) in &state.written {
        *uses.entry((canon[key as usize], form)).or_insert(0) += n;
    }
    let mut best: Vec<Option<(u64, &str)>> = vec![None; state.keys.names.len()];
    let mut named = vec![false; state.keys.names.len()];
    for (&(key, form), &n) in &uses {
        let written = state.forms.names[form as usize].as_str();
        if written
            .split(' ')
            .any(|w| names.contains(w) || state.names.contains(w))
        {
            named[key as usize] = true;
        }
        let slot = &mut best[key as usize];
        let better = match slot {
            None => true,
            Some((m, f)) => n > *m || (n == *m && written < *f),
        };
        if better {
            *slot = Some((n, written));
        }
    }
    best.into_iter()
        .zip(named)
        .map(|(b, named)| b.filter(|_| !named).map(|(_, f)| f.to_string()))
        .collect()
}

/// The uses as columns.
#[derive(Default)]
struct Rows {
    period: Vec<i32>,
    space: Vec<u32>,
    key: Vec<u32>,
    actor: Vec<u32>,
    uses: Vec<u32>,
}

impl Rows {
    fn push(&mut self, period: i32, space: u32, key: u32, actor: u32, uses: u32) {
        self.period.push(period);
        self.space.push(space);
        self.key.push(key);
        self.actor.push(actor);
        self.uses.push(uses);
    }

    fn frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new(
            self.period.len(),
            vec![
                Column::new("period".into(), self.period),
                Column::new("space".into(), self.space),
                Column::new("key".into(), self.key),
                Column::new("actor".into(), self.actor),
                Column::new("uses".into(), self.uses),
            ],
        )
    }
}

/// Mentions and distinct people per period, space and term, and per period and term over all
/// spaces (space `u32::MAX`): someone who used a term in two spaces counts once there.
fn per_space_and_all(uses: DataFrame) -> PolarsResult<LazyFrame> {
    let by = |keys: &[&str]| {
        uses.clone()
            .lazy()
            .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
            .agg([col("uses").cast(DataType::UInt64).sum().alias("mentions")])
    };
    let people = |frame: LazyFrame, keys: &[&str]| {
        frame
            .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
            .agg([
                col("mentions").sum(),
                len().cast(DataType::UInt32).alias("people"),
            ])
    };
    let spaces = people(
        by(&["period", "space", "key", "actor"]),
        &["period", "space", "key"],
    );
    let all = people(by(&["period", "key", "actor"]), &["period", "key"])
        .with_column(lit(u32::MAX).cast(DataType::UInt32).alias("space"));
    let columns = ["period", "space", "key", "mentions", "people"].map(col);
    concat(
        [spaces.select(columns.clone()), all.select(columns)],
        UnionArgs::default(),
    )
}

/// The counts with the source, space names, term keys and shown forms in place of numbers,
/// sorted.
fn label(
    counted: DataFrame,
    source: &str,
    spaces: &[String],
    keys: &[String],
    forms: &[Option<String>],
) -> PolarsResult<DataFrame> {
    let n = counted.height();
    let space = counted.column("space")?.u32()?;
    let key = counted.column("key")?.u32()?;
    let space_names: Vec<Option<&str>> = space
        .iter()
        .map(|s| match s {
            Some(u32::MAX) | None => None,
            Some(0) => Some(""),
            Some(i) => Some(spaces[i as usize].as_str()),
        })
        .collect();
    let key_names: Vec<Option<&str>> = key
        .iter()
        .map(|k| k.map(|k| keys[k as usize].as_str()))
        .collect();
    let form_names: Vec<Option<&str>> = key
        .iter()
        .map(|k| k.and_then(|k| forms[k as usize].as_deref()))
        .collect();
    let frame = DataFrame::new(
        n,
        vec![
            Column::new(column::SOURCE.into(), vec![source; n]),
            counted
                .column("period")?
                .clone()
                .with_name(column::PERIOD.into()),
            Column::new(column::SPACE.into(), space_names),
            Column::new(column::TERM.into(), key_names),
            Column::new(column::FORM.into(), form_names),
            counted
                .column("mentions")?
                .clone()
                .with_name(column::MENTIONS.into()),
            counted
                .column("people")?
                .clone()
                .with_name(column::PEOPLE.into()),
        ],
    )?;
    frame.sort(
        [column::PERIOD, column::SPACE, column::TERM],
        SortMultipleOptions::default().with_nulls_last(false),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Language;

    /// By hand: u1 writes "budget review" in c and "budget anna" in d, u2 "budget" in c; Anna
    /// is a name, so "anna" and "budget anna" go. All spaces: budget 3 mentions by 2 people
    /// (u1 counts once over c and d), review and "budget review" 1 by 1. Space c: budget 2 by
    /// 2; space d: budget 1 by 1. Three bodies in the period.
    #[test]
    fn counts_mentions_and_distinct_people_without_names() {
        let terms = Terms::new(&[Language::En], &[]);
        let sink = TextSink::new(&terms, Box::new(|_| Some(7)));
        sink.add("m1", 1, "u1", Some("c"), "budget review");
        sink.add("m2", 2, "u2", Some("c"), "Budget!");
        // An earlier version of m2 (an edited message): counted once, as the events keep it.
        sink.add("m2", 2, "u2", Some("c"), "Budget budget budget");
        sink.add("m3", 3, "u1", Some("d"), "budget Anna");
        let names: HashSet<String> = ["anna".to_string()].into();
        let counted = sink.finish("s", &HashSet::new(), &names).unwrap();
        let f = &counted.terms;
        let text = |c: &str| -> Vec<Option<String>> {
            f.column(c)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect()
        };
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            text(column::SPACE),
            vec![None, None, None, s("c"), s("c"), s("c"), s("d")]
        );
        assert_eq!(
            text(column::TERM),
            vec![
                s("budget"),
                s("budget review"),
                s("review"),
                s("budget"),
                s("budget review"),
                s("review"),
                s("budget")
            ]
        );
        let num = |c: &str| -> Vec<u64> {
            f.column(c)
                .unwrap()
                .cast(&DataType::UInt64)
                .unwrap()
                .u64()
                .unwrap()
                .into_no_null_iter()
                .collect()
        };
        assert_eq!(num(column::MENTIONS), vec![3, 1, 1, 2, 1, 1, 1]);
        assert_eq!(num(column::PEOPLE), vec![2, 1, 1, 2, 1, 1, 1]);
        let messages = counted
            .messages
            .column(column::MESSAGES)
            .unwrap()
            .u64()
            .unwrap()
            .get(0);
        assert_eq!(messages, Some(3));
    }

    /// An excluded account's words count nowhere; a body after the as-of day is not counted.
    #[test]
    fn excluded_accounts_and_late_bodies_count_nowhere() {
        let terms = Terms::new(&[Language::En], &[]);
        let sink = TextSink::new(&terms, Box::new(|at| (at < 100).then_some(1)));
        sink.add("m1", 1, "bot", Some("c"), "deploy finished");
        sink.add("m2", 200, "u1", Some("c"), "late news");
        let excluded: HashSet<String> = ["bot".to_string()].into();
        let counted = sink.finish("s", &excluded, &HashSet::new()).unwrap();
        assert_eq!(counted.terms.height(), 0);
    }
}
