//! Where adapters hand message bodies when themes are on (README "Themes"), so that only counts leave
//! the adapter: each body waits in a small buffer, is cut into terms on every core (rayon) and
//! dropped; what stays is, per period, space, term and account, how often it was used. At the
//! end those become the source's counts per period, space and term (mentions and distinct
//! people) and nothing per person leaves.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use polars::prelude::*;
use rayon::prelude::*;

use super::terms::{name_words, Terms};
use super::uses::{per_term, Use, Uses, ALL_SPACES, LIMIT};
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
    period: u32,
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
    /// Word stems and written words. A phrase is a pair of stems, so no phrase is ever kept
    /// as a string while counting.
    keys: Interner,
    forms: Interner,
    /// Per language number and written word, its stem (`u32::MAX` until met) and its uses:
    /// each word is stemmed once, not at every use.
    stem_of: Vec<Vec<u32>>,
    written: Vec<Vec<u64>>,

    /// Every use of a word or phrase by an account in a period and space.
    uses: Uses,
    /// Bodies counted per period and account.
    messages: PlHashMap<(u32, u32), u32>,
    /// Words of people's names met in the export (display names, user lists).
    names: HashSet<String>,
    /// The ids of the bodies taken (hashed), so a repeated id counts once.
    seen: PlHashSet<u64>,
}

/// What a source's bodies gave: per period, space (null: all spaces) and term, its mentions
/// and distinct people (`vocabulary::themes` columns), and per period the bodies counted and
/// the mentions of every term (`messages`, `mentions`).
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
        // Periods are placed after 1970, so their keys are positive and small.
        let Some(period) = (self.period_of)(at)
            .and_then(|p| u32::try_from(p).ok())
            .filter(|p| *p < LIMIT)
        else {
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
    /// Only terms at least `min_people` people used in a period (and space) leave: no other
    /// could ever be shown. Each period's mentions of every term are kept as its total.
    pub fn finish(
        self,
        source: &str,
        excluded: &HashSet<String>,
        names: &HashSet<String>,
        min_people: u32,
    ) -> Result<TermCounts> {
        let mut state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        count(self.terms, &mut state);
        // Stems past the limit were never counted; the ones counted all fit.
        let canon = merged_keys(&state);
        let forms = shown_forms(&state, &canon, names);
        let fail = || internal("counting terms");
        let actors_out: Vec<bool> = state
            .actors
            .names
            .iter()
            .map(|a| {
                excluded.contains(a) || a.contains('@') && excluded.contains(&a.to_lowercase())
            })
            .collect();
        let uses = std::mem::take(&mut state.uses).sorted();
        let (mut uses, totals) = kept_uses(uses, &state.messages, &canon, &forms, &actors_out);
        let mut rows = per_term(&uses, min_people);
        // The same uses over every space: a person who used a term in two spaces counts once.
        for key in uses.iter_mut() {
            let u = Use::unpack(*key);
            *key = Use {
                space: ALL_SPACES,
                ..u
            }
            .pack();
        }
        uses.par_sort_unstable();
        rows.extend(per_term(&uses, min_people));
        let names = Names {
            spaces: &state.spaces.names,
            stems: &state.keys.names,
            forms: &forms,
        };
        let terms_frame = label(&rows, source, &names).map_err(fail())?;
        let messages = DataFrame::new(
            totals.len(),
            vec![
                Column::new(column::SOURCE.into(), vec![source; totals.len()]),
                Column::new(
                    column::PERIOD.into(),
                    totals.keys().copied().collect::<Vec<_>>(),
                ),
                Column::new(
                    column::MESSAGES.into(),
                    totals.values().map(|t| t.0).collect::<Vec<_>>(),
                ),
                Column::new(
                    column::MENTIONS.into(),
                    totals.values().map(|t| t.1).collect::<Vec<_>>(),
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

/// Cuts the waiting bodies into words on every core, counts the words and the phrases of two
/// words side by side, and drops the bodies.
fn count(terms: &Terms, state: &mut State) {
    let pending = std::mem::take(&mut state.pending);
    let cut: Vec<_> = pending.par_iter().map(|p| terms.written(&p.text)).collect();
    if state.stem_of.is_empty() {
        state.stem_of = vec![Vec::new(); terms.language_count()];
        state.written = vec![Vec::new(); terms.language_count()];
    }
    for (p, (language, words)) in pending.iter().zip(cut) {
        *state.messages.entry((p.period, p.actor)).or_insert(0) += 1;
        if p.space >= ALL_SPACES {
            continue;
        }
        let mut previous = None;
        for slot in words {
            let Some(word) = slot else {
                previous = None;
                continue;
            };
            let form = state.forms.id(&word);
            let key = stem_id(terms, state, language, form, &word);
            if key >= LIMIT - 1 {
                // Past 16 million distinct stems: not counted (no real vocabulary is so large).
                previous = None;
                continue;
            }
            state.written[language][form as usize] += 1;
            let at = |first, second| Use {
                period: p.period,
                space: p.space,
                first,
                second,
                actor: p.actor,
            };
            state.uses.push(at(key, 0));
            if let Some(first) = previous {
                state.uses.push(at(first, key + 1));
            }
            previous = Some(key);
        }
    }
}

/// The stem id of written word `form` in language number `language`, stemmed the first time.
fn stem_id(terms: &Terms, state: &mut State, language: usize, form: u32, word: &str) -> u32 {
    let (stems, uses) = (&mut state.stem_of[language], &mut state.written[language]);
    if stems.len() <= form as usize {
        stems.resize(form as usize + 1, u32::MAX);
        uses.resize(form as usize + 1, 0);
    }
    if stems[form as usize] == u32::MAX {
        // A stem is a language's: English "hybrid" and Dutch "hybride" (stem "hybrid") stay
        // two words, each shown as its language writes it, and so do their phrases.
        let key = format!(
            "{}:{}",
            terms.language_code(language),
            terms.stem(language, word)
        );
        stems[form as usize] = state.keys.id(&key);
    }
    stems[form as usize]
}

/// Every (stem, written word) met with its uses.
fn written(state: &State) -> Vec<(u32, u32, u64)> {
    let mut out = Vec::new();
    for (stems, uses) in state.stem_of.iter().zip(&state.written) {
        for (form, (&key, &n)) in stems.iter().zip(uses).enumerate() {
            if key != u32::MAX && n > 0 {
                out.push((key, form as u32, n));
            }
        }
    }
    out
}

/// Per stem, the stem it is counted under: stems whose most used written word is the same are
/// one (a Dutch word in a message taken for English is stemmed otherwise, yet written the
/// same), counted under the first of them in sort order. Stems that merely share a rarer form
/// stay apart, so English "hybrid" and Dutch "hybride" remain two words.
fn merged_keys(state: &State) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..state.keys.names.len() as u32).collect();
    fn root(parent: &mut [u32], mut k: u32) -> u32 {
        while parent[k as usize] != k {
            parent[k as usize] = parent[parent[k as usize] as usize];
            k = parent[k as usize];
        }
        k
    }
    // Each stem's most used written word (the first in sort order on a tie).
    let mut top: Vec<Option<(u64, u32)>> = vec![None; state.keys.names.len()];
    for (key, form, n) in written(state) {
        let forms = &state.forms.names;
        let slot = &mut top[key as usize];
        let better =
            slot.is_none_or(|(m, f)| n > m || (n == m && forms[form as usize] < forms[f as usize]));
        if better {
            *slot = Some((n, form));
        }
    }
    let mut first_of_form: PlHashMap<u32, u32> = PlHashMap::new();
    let tops = top.iter().enumerate();
    for (key, form) in tops.filter_map(|(k, t)| t.map(|(_, f)| (k as u32, f))) {
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

/// Per stem (after [`merged_keys`]), the word it is shown in (its most used written form,
/// the first in sort order on a tie), or `None` for a word of a name. A phrase is shown as its
/// two words.
fn shown_forms(state: &State, canon: &[u32], names: &HashSet<String>) -> Vec<Option<String>> {
    let mut uses: PlHashMap<(u32, u32), u64> = PlHashMap::new();
    for (key, form, n) in written(state) {
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

/// The uses that count, each under its merged stems, and per period the bodies and the
/// mentions of every term: uses by excluded accounts and of words of names are left out.
fn kept_uses(
    mut uses: Vec<u128>,
    messages: &PlHashMap<(u32, u32), u32>,
    canon: &[u32],
    forms: &[Option<String>],
    actors_out: &[bool],
) -> (Vec<u128>, BTreeMap<u32, (u64, u64)>) {
    let mut totals: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
    let named = |k: u32| forms[k as usize].is_none();
    let merged = canon.iter().enumerate().any(|(k, c)| k as u32 != *c);
    let mut kept = 0;
    for i in 0..uses.len() {
        let u = Use::unpack(uses[i]);
        let first = canon[u.first as usize];
        let second = u.second.checked_sub(1).map(|s| canon[s as usize]);
        if actors_out[u.actor as usize] || named(first) || second.is_some_and(named) {
            continue;
        }
        totals.entry(u.period).or_default().1 += 1;
        let second = second.map_or(0, |s| s + 1);
        uses[kept] = Use { first, second, ..u }.pack();
        kept += 1;
    }
    uses.truncate(kept);
    for (&(period, actor), &n) in messages {
        if !actors_out[actor as usize] {
            totals.entry(period).or_default().0 += u64::from(n);
        }
    }
    // Merged stems put some uses out of order; leaving uses out keeps the order.
    if merged {
        uses.par_sort_unstable();
    }
    (uses, totals)
}

/// What the numbers in the uses stand for.
struct Names<'a> {
    spaces: &'a [String],
    stems: &'a [String],
    forms: &'a [Option<String>],
}

/// The terms that leave, with the source, space names, term keys and shown forms in place of
/// numbers, sorted. Only these few are ever written out as text.
fn label(rows: &[(Use, u64, u32)], source: &str, names: &Names) -> PolarsResult<DataFrame> {
    let n = rows.len();
    let text = |of: &dyn Fn(u32) -> String, u: &Use| match u.second.checked_sub(1) {
        None => of(u.first),
        Some(second) => format!("{} {}", of(u.first), of(second)),
    };
    let stem = |k: u32| names.stems[k as usize].clone();
    let shown = |k: u32| names.forms[k as usize].clone().unwrap_or_default();
    let space = |u: &Use| match u.space {
        ALL_SPACES => None,
        0 => Some(""),
        i => Some(names.spaces[i as usize].as_str()),
    };
    let frame = DataFrame::new(
        n,
        vec![
            Column::new(column::SOURCE.into(), vec![source; n]),
            Column::new(
                column::PERIOD.into(),
                rows.iter().map(|r| r.0.period as i32).collect::<Vec<_>>(),
            ),
            Column::new(
                column::SPACE.into(),
                rows.iter().map(|r| space(&r.0)).collect::<Vec<_>>(),
            ),
            Column::new(
                column::TERM.into(),
                rows.iter().map(|r| text(&stem, &r.0)).collect::<Vec<_>>(),
            ),
            Column::new(
                column::FORM.into(),
                rows.iter().map(|r| text(&shown, &r.0)).collect::<Vec<_>>(),
            ),
            Column::new(
                column::MENTIONS.into(),
                rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            ),
            Column::new(
                column::PEOPLE.into(),
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            ),
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
    /// is a name, so "anna" and "budget anna" go. Keys are English stems ("en:"). All spaces: budget 3 mentions by 2 people
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
        let counted = sink.finish("s", &HashSet::new(), &names, 1).unwrap();
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
                s("en:budget"),
                s("en:budget en:review"),
                s("en:review"),
                s("en:budget"),
                s("en:budget en:review"),
                s("en:review"),
                s("en:budget")
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
        let counted = sink.finish("s", &excluded, &HashSet::new(), 1).unwrap();
        assert_eq!(counted.terms.height(), 0);
    }
}
