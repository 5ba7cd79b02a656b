//! Terms of a message body (README "Themes"): themes need the words people use without ever keeping
//! what they wrote, so a body is turned into its terms here and then forgotten. Markup, code,
//! links, addresses, mentions, numbers and emoji go first; what is left is cut into words at
//! anything that is not a letter, stop words of every configured language go, and each word is
//! stemmed with Snowball in the language whose stop words the message uses most. Two content
//! words that stood side by side make a phrase.

use std::collections::HashSet;

use polars::prelude::PlHashSet;
use rust_stemmers::{Algorithm, Stemmer};

use crate::vocabulary::Language;

/// One use of a term in a message: its key (stems, joined by a space for a phrase) and the
/// lower-cased words as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub key: String,
    pub form: String,
}

/// What turns bodies into terms: the stop words and a stemmer per language.
pub struct Terms {
    stop: PlHashSet<String>,
    languages: Vec<(Stemmer, HashSet<&'static str>)>,
    codes: Vec<&'static str>,
}

/// What chat adds to written language's stop words, in every language: laughter, greetings,
/// assent and shorthand. NLTK's lists are made from written text and lack them.
#[rustfmt::skip]
pub const CHAT: &[&str] = &[
    "lol", "lmao", "rofl", "haha", "hahaha", "hehe", "hihi", "xd", "ok", "okay", "oke", "oké",
    "yeah", "yep", "yup", "nope", "thx", "thanks", "thank", "ty", "pls", "plz", "please", "btw",
    "imo", "imho", "fyi", "tbh", "idk", "omg", "wow", "cool", "nice", "hey", "hi", "hello",
    "ah", "oh", "hmm", "uh", "um", "eh", "gonna", "wanna", "gotta", "u", "ur", "ya",
];

/// English words NLTK's list keeps that say nothing of a subject: modal and light verbs,
/// hedges, vague nouns and time words, the filler of any month's messages ("would like to
/// see", "think we need to get"). Written by hand: the fuller general lists (Stopwords ISO)
/// also drop subjects a workplace talks about ("work", "system", "problem", "home").
#[rustfmt::skip]
const ENGLISH: &[&str] = &[
    "would", "could", "should", "might", "must", "shall", "will", "can", "may", "also", "like",
    "just", "really", "get", "gets", "got", "getting", "go", "goes", "going", "went", "gone",
    "think", "thinking", "thought", "know", "knew", "known", "need", "needs", "want", "wants",
    "see", "seen", "saw", "say", "said", "says", "make", "makes", "made", "let", "lets", "take",
    "come", "comes", "give", "look", "looking", "try", "trying", "keep", "put", "mean", "seems",
    "feel", "back", "one", "two", "else", "thing", "things", "something", "anything",
    "everything", "nothing", "anyone", "everyone", "someone", "lot", "lots", "bit", "way",
    "well", "still", "even", "much", "many", "yet", "though", "maybe", "perhaps", "sure",
    "actually", "already", "always", "never", "ever", "right", "good", "great", "best",
    "better", "first", "last", "next", "today", "tomorrow", "yesterday", "tonight", "week",
    "weeks", "day", "days", "morning", "yes", "hope",
];

/// Dutch words NLTK's list keeps that say nothing of a subject, as [`ENGLISH`].
#[rustfmt::skip]
const DUTCH: &[&str] = &[
    "ook", "nog", "even", "wel", "gewoon", "echt", "al", "zo", "nu", "kan", "kunnen", "moet",
    "moeten", "zou", "zouden", "wil", "willen", "gaan", "gaat", "ging", "doen", "doet", "deed",
    "zien", "zie", "weet", "weten", "denk", "denken", "komt", "komen", "maken", "laten", "heb",
    "hebben", "heeft", "goed", "mooi", "leuk", "graag", "prima", "top", "dag", "week", "weken",
    "vandaag", "morgen", "gisteren", "iets", "niets", "alles", "iemand", "iedereen", "veel",
    "weinig", "beetje", "eens", "misschien", "zeker", "eigenlijk", "natuurlijk", "toch", "dus",
    "want", "omdat", "ja", "nee", "jep", "bedankt", "dank", "dankje", "dankjewel", "hoi",
    "hallo", "hè", "nou", "eerst", "laatste", "volgende", "beter", "beste", "mee", "staat",
    "zit",
];

/// Words shorter than this (in characters) are not terms.
const MIN_CHARS: usize = 2;
/// Nor are longer ones: hashes, run-together words, keyboard mash.
const MAX_CHARS: usize = 40;

impl Terms {
    /// Stop words of `languages` (NLTK's lists, through the stop-words crate, with each
    /// language's own filler: [`ENGLISH`], [`DUTCH`]), chat's ([`CHAT`]) and `extra`.
    pub fn new(languages: &[Language], extra: &[String]) -> Terms {
        let languages_given = languages;
        let mut stop: PlHashSet<String> = extra
            .iter()
            .map(|w| normal(w))
            .chain(CHAT.iter().map(|w| normal(w)))
            .collect();
        let languages = languages
            .iter()
            .map(|&language| {
                let (code, algorithm) = match language {
                    Language::En => ("en", Algorithm::English),
                    Language::Nl => ("nl", Algorithm::Dutch),
                };
                let own = match language {
                    Language::En => ENGLISH,
                    Language::Nl => DUTCH,
                };
                let words: HashSet<&'static str> = stop_words::lookup(code)
                    .unwrap_or_default()
                    .iter()
                    .chain(own)
                    .copied()
                    .collect();
                stop.extend(words.iter().map(|w| normal(w)));
                (Stemmer::create(algorithm), words)
            })
            .collect();
        let codes = languages_given.iter().map(|l| l.code()).collect();
        Terms {
            stop,
            languages,
            codes,
        }
    }

    /// Every use of a word or two-word phrase in `text`, in order: the words first, then the
    /// phrases (two kept words side by side in [`Terms::words`]).
    pub fn of(&self, text: &str) -> Vec<Term> {
        let words = self.words(text);
        let mut out: Vec<Term> = words
            .iter()
            .flatten()
            .map(|(key, form)| Term {
                key: key.clone(),
                form: form.clone(),
            })
            .collect();
        for pair in words.windows(2) {
            if let [Some((k1, f1)), Some((k2, f2))] = pair {
                out.push(Term {
                    key: format!("{k1} {k2}"),
                    form: format!("{f1} {f2}"),
                });
            }
        }
        out
    }

    /// The words of `text` in order, each as (stem, written form), with `None` wherever a
    /// phrase must not span: punctuation, removed parts, stop words and words too short or
    /// too long.
    pub fn words(&self, text: &str) -> Vec<Option<(String, String)>> {
        let (language, words) = self.written(text);
        words
            .into_iter()
            .map(|w| w.map(|w| (self.stem(language, &w), w)))
            .collect()
    }

    /// The words of `text` as written (see [`Terms::words`]), and the language number to stem
    /// them in ([`Terms::stem`]): stemming is left to the caller, which meets most words
    /// again and again.
    pub fn written(&self, text: &str) -> (usize, Vec<Option<String>>) {
        let tokens = tokens(&clean(text));
        let language = self
            .stemmer(&tokens)
            .map_or(self.languages.len(), |(i, _)| i);
        let words = tokens
            .into_iter()
            .map(|t| {
                let w = t?;
                let n = w.chars().count();
                let kept = (MIN_CHARS..=MAX_CHARS).contains(&n) && !self.stop.contains(&w);
                kept.then_some(w)
            })
            .collect();
        (language, words)
    }

    /// How many language numbers [`Terms::written`] gives: one per language, and one more
    /// for a pipeline without languages (words kept as written).
    pub fn language_count(&self) -> usize {
        self.languages.len() + 1
    }

    /// The code of language number `language` (`-` for words kept as written).
    pub fn language_code(&self, language: usize) -> &'static str {
        self.codes.get(language).copied().unwrap_or("-")
    }

    /// The stem of a written word in language number `language`.
    pub fn stem(&self, language: usize, word: &str) -> String {
        match self.languages.get(language) {
            Some((stemmer, _)) => stemmer.stem(word).into_owned(),
            None => word.to_string(),
        }
    }

    /// The stemmer of the language whose stop words the message uses most (the first
    /// configured on a tie).
    fn stemmer(&self, tokens: &[Option<String>]) -> Option<(usize, &Stemmer)> {
        let mut best: Option<(usize, &Stemmer, usize)> = None;
        for (i, (stemmer, words)) in self.languages.iter().enumerate() {
            let hits = tokens
                .iter()
                .flatten()
                .filter(|t| words.contains(t.as_str()))
                .count();
            if best.is_none_or(|(_, _, b)| hits > b) {
                best = Some((i, stemmer, hits));
            }
        }
        best.map(|(i, s, _)| (i, s))
    }
}

/// A word as terms compare it: lower case, typographic apostrophes made plain.
pub fn normal(word: &str) -> String {
    word.trim().to_lowercase().replace('’', "'")
}

/// The words of a name (a display name, an e-mail's local part, an account name), as terms
/// would write them: `Anna de Vries` and `anna.devries@x.nl` give `anna`, `de`, `vries`,
/// `devries`.
pub fn name_words(name: &str) -> Vec<String> {
    let local = name.split('@').next().unwrap_or_default();
    local
        .split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’')
        .map(normal)
        .filter(|w| w.chars().count() >= MIN_CHARS)
        .collect()
}

/// The body without what never makes a term: code blocks and inline code, Teams mentions with
/// the name inside, HTML tags and Slack's `<…>` links and mentions (each replaced by a full
/// stop, so no phrase spans it), and HTML entities (a space, as `&nbsp;` is).
pub fn clean(text: &str) -> String {
    // Most messages hold no markup at all: then nothing is copied.
    if !text.contains(['`', '<', '&']) {
        return text.to_string();
    }
    let text = between(text, "```", "```");
    let text = between(&text, "`", "`");
    let text = between_ci(&text, "<pre", "</pre>");
    let text = between_ci(&text, "<code", "</code>");
    let text = between_ci(&text, "<at", "</at>");
    let text = tags(&text);
    entities(&text)
}

/// `text` with every span from `open` to the next `close` replaced by a full stop (an open
/// span without its close runs to the end).
fn between(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        out.push_str(" . ");
        let after = &rest[start + open.len()..];
        rest = match after.find(close) {
            Some(end) => &after[end + close.len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// [`between`] for HTML elements, whatever their case.
fn between_ci(text: &str, open: &str, close: &str) -> String {
    if !text.contains('<') {
        return text.to_string();
    }
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find(open) {
        let start = at + found;
        let next = lower.as_bytes().get(start + open.len()).copied();
        // `<at` must not match `<atom>`; `<pre` not `<prefix>`.
        if !matches!(next, Some(b'>' | b' ' | b'\t' | b'\n' | b'/')) {
            out.push_str(&text[at..start + open.len()]);
            at = start + open.len();
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(" . ");
        at = match lower[start..].find(close) {
            Some(end) => start + end + close.len(),
            None => text.len(),
        };
    }
    out.push_str(&text[at..]);
    out
}

/// Tags (`<p>`, `</div>`) and Slack's links and mentions (`<@U123>`, `<#C1|general>`,
/// `<https://x|label>`, `<!here>`) replaced by a full stop. A `<` followed by a space or
/// without a `>` is text.
fn tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let opens = after
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '<');
        match after.find(['>', '<']) {
            Some(end) if opens && after.as_bytes()[end] == b'>' => {
                out.push_str(" . ");
                rest = &after[end + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// HTML entities (`&amp;`, `&nbsp;`, `&#39;`) replaced by a space.
fn entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let name_len = after
            .bytes()
            .take(10)
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
            .count();
        if name_len > 0 && after.as_bytes().get(name_len) == Some(&b';') {
            out.push(' ');
            rest = &after[name_len + 1..];
        } else {
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The words of a cleaned body, lower-cased, with `None` wherever a phrase must not span:
/// punctuation, links, addresses, mentions, numbers, emoji codes and words with digits.
pub fn tokens(text: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for chunk in text.split_whitespace() {
        let lower = chunk.to_lowercase();
        if lower.contains("://") || lower.starts_with("www.") || lower.contains('@') {
            out.push(None);
            continue;
        }
        chunk_words(&lower, &mut out);
    }
    out
}

/// The words of one whitespace-free chunk: runs of letters, digits, inner hyphens and
/// apostrophes; a run with a digit, an emoji code (`:tada:`) or any other mark breaks.
fn chunk_words(chunk: &str, out: &mut Vec<Option<String>>) {
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '-' | '\'' | '’');
    let mut rest = chunk;
    while !rest.is_empty() {
        let start = rest.find(is_word).unwrap_or(rest.len());
        if start > 0 {
            // `:tada:` and `:+1:` are emoji codes: their inside is no word.
            if rest.starts_with(':') {
                if let Some(end) = rest[1..].find(':') {
                    let inside = &rest[1..1 + end];
                    if !inside.is_empty()
                        && inside
                            .chars()
                            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '+' | '-'))
                    {
                        out.push(None);
                        rest = &rest[end + 2..];
                        continue;
                    }
                }
            }
            out.push(None);
            rest = &rest[start..];
            continue;
        }
        let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        let run = &rest[..end];
        rest = &rest[end..];
        let word = run.trim_matches(['-', '\'', '’']);
        if word.is_empty() || word.chars().any(|c| c.is_numeric()) {
            out.push(None);
        } else {
            out.push(Some(word.replace('’', "'")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both() -> Terms {
        Terms::new(&[Language::En, Language::Nl], &[])
    }

    fn keys(terms: &[Term]) -> Vec<&str> {
        terms.iter().map(|t| t.key.as_str()).collect()
    }

    /// By hand: the stop words our, is, and, or, the (NLTK English; Dutch knows only "is", so
    /// English stems) and great (engage's English filler) leave new, onboarding, process,
    /// check, ask, onboarding, process, works; the link, @anna and <@U123> go. Snowball
    /// English: onboarding -> onboard, works -> work. Phrases only where two kept words stood
    /// side by side: "new onboarding", "onboarding process" twice, "process works".
    #[test]
    fn english_words_stems_and_phrases() {
        let text = "Our new onboarding process is great! Check https://intranet.example.com/x \
                    and ask @anna or <@U123>. The onboarding process works.";
        let terms = both().of(text);
        assert_eq!(
            keys(&terms),
            vec![
                "new",
                "onboard",
                "process",
                "check",
                "ask",
                "onboard",
                "process",
                "work",
                "new onboard",
                "onboard process",
                "onboard process",
                "process work",
            ]
        );
        assert_eq!(terms[1].form, "onboarding");
        assert_eq!(terms[7].form, "works");
        assert_eq!(terms[11].form, "process works");
    }

    /// By hand: Dutch stop words de (3), is (2), maar, in outnumber the English is, in, we, so
    /// Dutch stems. Kept: nieuwe, werkplek, fijn, koffie, kantine, slecht, werken, samen ("we"
    /// is an English stop word). Snowball Dutch: nieuwe -> nieuw (e after a consonant),
    /// kantine -> kantin, koffie keeps its e (after a vowel), werken -> werk, samen -> sam (en
    /// after a consonant in R1). The one phrase: "nieuwe werkplek".
    #[test]
    fn dutch_words_stems_and_phrases() {
        let text =
            "De nieuwe werkplek is fijn, maar de koffie in de kantine is slecht. Werken we samen?";
        let terms = both().of(text);
        assert_eq!(
            keys(&terms),
            vec![
                "nieuw",
                "werkplek",
                "fijn",
                "koffie",
                "kantin",
                "slecht",
                "werk",
                "sam",
                "nieuw werkplek",
            ]
        );
        assert_eq!(terms[8].form, "nieuwe werkplek");
    }

    /// HTML (a Teams body), code, the name in a Teams mention, numbers, emoji codes and e-mail
    /// addresses make no term; `&nbsp;` is a space, so "review meeting" stays a phrase, while
    /// the mention between "budget" and "review" breaks one.
    #[test]
    fn markup_code_numbers_and_emoji_go() {
        let text = "<div><p>Budget <at id=\"0\">Jan Jansen</at> review&nbsp;meeting</p>\
                    <pre>let secret = 1;</pre> ```fn hidden()``` `inline` covid19 2024 \
                    :tada: jan@example.com</div>";
        let terms = both().of(text);
        assert_eq!(
            keys(&terms),
            vec!["budget", "review", "meet", "review meet"]
        );
    }

    /// Extra stop words (the organisation's own name) go like the built-in ones.
    #[test]
    fn extra_stop_words_go() {
        let terms = Terms::new(&[Language::En], &["Contoso".into()]).of("Contoso launches");
        assert_eq!(keys(&terms), vec!["launch"]);
    }

    #[test]
    fn name_words_split_names_and_addresses() {
        assert_eq!(name_words("Anna de Vries"), vec!["anna", "de", "vries"]);
        assert_eq!(name_words("anna.devries@x.nl"), vec!["anna", "devries"]);
    }
}
