//! Full-text search: whole words, ignoring case, in titles, bodies and
//! comments; ranked by BM25F with title matches first; a snippet around the
//! first match of each hit. Shared by the CLI (over a scan) and the daemon
//! (over its memory), so that both rank the same way. Pure.
//!
//! Every query word is found in one pass over each text by an Aho-Corasick
//! automaton (ASCII case folded inside the automaton, with SIMD prefilters);
//! a text with non-ASCII letters, searched for a word with non-ASCII
//! letters, is folded to lowercase first.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::issue::Issue;

/// BM25 parameters: term frequency saturation and length normalization.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// A word in the title counts this many times a word in the body.
const TITLE_WEIGHT: f64 = 3.0;
/// Snippet width in characters.
const SNIPPET: usize = 100;
/// The most different words one search takes (their presence is a bit
/// set of one `u64`).
pub const MAX_WORDS: usize = 64;

/// The words of a text: runs of letters and digits, lowercased.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The id prefix a typed word can be (`4K2F` is `4k2f`): four characters
/// or more, all of the id alphabet (with Crockford's aliases).
pub fn id_prefix(word: &str) -> Option<String> {
    (word.chars().count() >= crate::model::id::MIN_SHORT_LEN)
        .then(|| crate::model::id::normalize_prefix(word))
        .flatten()
}

/// A set of words to find as whole words, ignoring case.
#[derive(Clone, Debug)]
pub struct Words {
    words: Vec<String>,
    /// For each word that can be an issue id's prefix (four characters
    /// or more of the id alphabet), that prefix: a bare id typed in a
    /// query finds its issue (`yit search 4k2f`).
    ids: Vec<Option<String>>,
    matcher: AhoCorasick,
    /// Some word has non-ASCII letters: texts with such letters are folded.
    unicode: bool,
}

impl Words {
    /// `None` for no words, or more than [`MAX_WORDS`].
    pub fn new(words: &[String]) -> Option<Words> {
        let mut unique: Vec<String> = Vec::new();
        for w in words.iter().flat_map(|w| tokens(w)) {
            if !unique.contains(&w) {
                unique.push(w);
            }
        }
        if unique.is_empty() || unique.len() > MAX_WORDS {
            return None;
        }
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&unique)
            .ok()?;
        Some(Words {
            unicode: unique.iter().any(|w| !w.is_ascii()),
            ids: unique.iter().map(|w| id_prefix(w)).collect(),
            words: unique,
            matcher,
        })
    }

    /// Whether word `w` names the issue `id` by a prefix of it.
    pub fn names(&self, w: usize, id: &crate::model::id::IssueId) -> bool {
        self.ids
            .get(w)
            .and_then(Option::as_ref)
            .is_some_and(|p| id.as_str().starts_with(p.as_str()))
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether every word is ASCII (then ASCII case folding finds every
    /// match: what the word cache relies on).
    pub fn ascii(&self) -> bool {
        !self.unicode
    }

    /// Every whole-word match in `text`: (word index, byte range in `text`).
    pub fn find(&self, text: &str) -> Vec<(usize, std::ops::Range<usize>)> {
        if self.folds(text) {
            let (folded, origin) = fold(text);
            return self
                .find_in(&folded)
                .into_iter()
                .map(|(w, r)| (w, origin[r.start]..origin[r.end]))
                .collect();
        }
        self.find_in(text)
    }

    fn find_in(&self, text: &str) -> Vec<(usize, std::ops::Range<usize>)> {
        self.each_in(text).collect()
    }

    /// The whole-word matches in `text`, lazily. Overlapping: "go" and
    /// "going" are both found in "go going"; a match of UTF-8 in UTF-8
    /// starts and ends on character boundaries.
    fn each_in<'t>(
        &'t self,
        text: &'t str,
    ) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + 't {
        self.matcher
            .find_overlapping_iter(text)
            .filter(|m| {
                let before = text[..m.start()].chars().next_back();
                let after = text[m.end()..].chars().next();
                let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                !word(before) && !word(after)
            })
            .map(|m| (m.pattern().as_usize(), m.start()..m.end()))
    }

    /// Whether `text` must be folded before matching.
    fn folds(&self, text: &str) -> bool {
        self.unicode && !text.is_ascii()
    }

    /// How often each word occurs in `text`, added to `counts`.
    pub fn count(&self, text: &str, counts: &mut [u32]) {
        if self.folds(text) {
            for (w, _) in self.find(text) {
                counts[w] += 1;
            }
        } else {
            for (w, _) in self.each_in(text) {
                counts[w] += 1;
            }
        }
    }

    /// Whether every word occurs in one of `texts`.
    pub fn all_in<'t>(&self, texts: impl Iterator<Item = &'t str>) -> bool {
        let mut seen = 0u64;
        let all = if self.words.len() == 64 {
            u64::MAX
        } else {
            (1u64 << self.words.len()) - 1
        };
        for text in texts {
            if self.folds(text) {
                for (w, _) in self.find(text) {
                    seen |= 1 << w;
                }
            } else {
                // stops at the match that completes the set
                for (w, _) in self.each_in(text) {
                    seen |= 1 << w;
                    if seen == all {
                        return true;
                    }
                }
            }
            if seen == all {
                return true;
            }
        }
        false
    }
}

/// `text` lowercased, with the byte offset in `text` of every byte of the
/// result (and of its end).
fn fold(text: &str) -> (String, Vec<usize>) {
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    for (at, c) in text.char_indices() {
        for lower in c.to_lowercase() {
            let before = folded.len();
            folded.push(lower);
            origin.extend(std::iter::repeat_n(at, folded.len() - before));
        }
    }
    origin.push(text.len());
    (folded, origin)
}

/// A word matcher built on first use and never serialized: the filter of
/// a query carries one per word, in the CLI and in the daemon.
#[derive(Clone, Debug, Default)]
pub struct LazyWords(OnceLock<Option<Words>>);

impl LazyWords {
    pub fn get(&self, word: &str) -> Option<&Words> {
        self.0
            .get_or_init(|| Words::new(std::slice::from_ref(&word.to_owned())))
            .as_ref()
    }
}

impl PartialEq for LazyWords {
    fn eq(&self, _: &LazyWords) -> bool {
        true
    }
}

impl Eq for LazyWords {}

/// Where a snippet comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Body,
    Comment,
}

/// A line of text around the first match, with the matches in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snippet {
    pub field: Field,
    /// One line: line breaks are spaces; `…` where text was cut.
    pub text: String,
    /// Byte ranges of the matched words in `text`.
    pub highlights: Vec<(usize, usize)>,
}

/// One ranked issue.
pub struct Hit<'a> {
    pub issue: &'a Issue,
    pub score: f64,
    /// A word of the query is a prefix of its id.
    pub named: bool,
    /// How many of the query's words the title has.
    pub title_words: usize,
    pub snippet: Option<Snippet>,
    /// Byte ranges of the matched words in the title.
    pub title_highlights: Vec<(usize, usize)>,
}

/// What one issue contributes: the words it has, and its score parts.
struct Counted {
    title: Vec<u32>,
    text: Vec<u32>,
    length: usize,
    /// A word of the query is a prefix of its id.
    named: bool,
}

/// Ranks the issues that contain every word and pass `keep` (the query's
/// other terms): BM25F over the title (weighted) and the body with the
/// comments, the title's matches first; statistics (document frequency,
/// average length) come from every issue given. Returns the first `limit`
/// hits with snippets, and how many matched. `text_total` is the issues'
/// total [`Issue::text_len`] when their bodies are not all at hand (those
/// of the issues that may match are).
pub fn rank<'a>(
    issues: &[&'a Issue],
    words: &Words,
    keep: &(dyn Fn(&Issue) -> bool + Sync),
    limit: Option<usize>,
    text_total: Option<u64>,
) -> (Vec<Hit<'a>>, usize) {
    let n = words.len();
    // one parallel pass: each issue's counts, kept only for the issues
    // that contain every word; every issue counts for the statistics
    let counted: Vec<(Option<Counted>, u64, usize)> = issues
        .par_iter()
        .map(|issue| {
            let mut title = vec![0u32; n];
            let mut text = vec![0u32; n];
            words.count(&issue.title, &mut title);
            words.count(&issue.body, &mut text);
            for c in &issue.comments {
                words.count(&c.body, &mut text);
            }
            let length = issue.text_len();
            let mut present = 0u64;
            let mut named = false;
            for w in 0..n {
                if title[w] + text[w] > 0 {
                    present |= 1 << w;
                } else if words.names(w, &issue.id) {
                    // its id, typed: as good as found, and ranked first
                    present |= 1 << w;
                    named = true;
                }
            }
            let all = present.count_ones() as usize == n;
            let counts = (all && keep(issue)).then_some(Counted {
                title,
                text,
                length,
                named,
            });
            (counts, present, length)
        })
        .collect();
    let total_length = text_total.map_or_else(|| counted.iter().map(|c| c.2).sum(), |t| t as usize);
    let average = (total_length as f64 / issues.len().max(1) as f64).max(1.0);
    let mut df = vec![0usize; n];
    for (_, present, _) in &counted {
        for (w, d) in df.iter_mut().enumerate() {
            if present & (1 << w) != 0 {
                *d += 1;
            }
        }
    }
    let docs = issues.len() as f64;
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| (1.0 + (docs - d as f64 + 0.5) / (d as f64 + 0.5)).ln())
        .collect();
    let mut hits: Vec<Hit<'a>> = counted
        .into_iter()
        .zip(issues)
        .filter_map(|((counts, _, _), issue)| {
            let c = counts?;
            let norm = K1 * (1.0 - B + B * c.length as f64 / average);
            let score = (0..n)
                .map(|w| {
                    let tf = TITLE_WEIGHT * f64::from(c.title[w]) + f64::from(c.text[w]);
                    idf[w] * tf * (K1 + 1.0) / (tf + norm)
                })
                .sum();
            Some(Hit {
                issue,
                score,
                named: c.named,
                title_words: c.title.iter().filter(|&&t| t > 0).count(),
                snippet: None,
                title_highlights: Vec::new(),
            })
        })
        .collect();
    let matched = hits.len();
    hits.sort_by(|a, b| {
        b.named
            .cmp(&a.named)
            .then(b.title_words.cmp(&a.title_words))
            .then(b.score.total_cmp(&a.score))
            .then(a.issue.priority.cmp(&b.issue.priority))
            .then(a.issue.created.cmp(&b.issue.created))
            .then(a.issue.id.cmp(&b.issue.id))
    });
    if let Some(limit) = limit {
        hits.truncate(limit);
    }
    for hit in &mut hits {
        // scores are shown to three places: round here, so that the CLI
        // and the daemon print the same bytes
        hit.score = (hit.score * 1000.0).round() / 1000.0;
        hit.snippet = snippet(hit.issue, words);
        hit.title_highlights = words
            .find(&hit.issue.title)
            .into_iter()
            .map(|(_, r)| (r.start, r.end))
            .collect();
    }
    (hits, matched)
}

/// The snippet of an issue: around the first match in the body, else in a
/// comment, else the title (shown whole, highlighted, anyway). HTML
/// comments (`<!-- … -->`, the hidden text of issue templates) are left
/// out, unless only they match.
pub fn snippet(issue: &Issue, words: &Words) -> Option<Snippet> {
    let fields = std::iter::once((Field::Body, issue.body.as_str()))
        .chain(
            issue
                .comments
                .iter()
                .map(|c| (Field::Comment, c.body.as_str())),
        )
        .chain(std::iter::once((Field::Title, issue.title.as_str())));
    for (field, text) in fields {
        if words.find(text).is_empty() {
            continue;
        }
        let (shown, found) = [false, true]
            .into_iter()
            .map(|keep_inside| without_html_comments(text, keep_inside))
            .map(|shown| {
                let found = words.find(&shown);
                (shown, found)
            })
            .find(|(_, found)| !found.is_empty())
            .unwrap_or_else(|| (text.to_owned(), words.find(text)));
        return Some(window(field, &shown, &found));
    }
    None
}

/// `text` without its HTML comments (each replaced by a space), or with
/// only their `<!--` and `-->` taken out when `keep_inside`.
fn without_html_comments(text: &str, keep_inside: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("<!--") {
        out.push_str(&rest[..open]);
        out.push(' ');
        let inside = &rest[open + 4..];
        let (comment, after) = match inside.find("-->") {
            Some(close) => (&inside[..close], &inside[close + 3..]),
            None => (inside, ""),
        };
        if keep_inside {
            out.push_str(comment);
            out.push(' ');
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// One line of about [`SNIPPET`] characters of `text` with its first match
/// a third in: cut between words (`…` where it was cut), every run of
/// spaces and line breaks one space.
fn window(field: Field, text: &str, found: &[(usize, std::ops::Range<usize>)]) -> Snippet {
    let first = found.first().map_or(0..0, |(_, r)| r.clone());
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = chars.partition_point(|(i, _)| *i < first.start);
    let at_end = chars.partition_point(|(i, _)| *i < first.end);
    let blank = |i: usize| chars.get(i).is_some_and(|c| c.1.is_whitespace());
    let mut start = at.saturating_sub(SNIPPET / 3);
    // not in the middle of a word, nor on a space
    while start > 0 && start < at && !blank(start - 1) {
        start += 1;
    }
    while start < at && blank(start) {
        start += 1;
    }
    let mut end = (start + SNIPPET).max(at_end).min(chars.len());
    if end < chars.len() {
        let mut cut = end;
        while cut > at_end && !blank(cut) {
            cut -= 1;
        }
        if cut > at_end {
            end = cut;
        }
    }
    while end > at_end && blank(end - 1) {
        end -= 1;
    }
    let byte = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let (from, to) = (byte(start), byte(end));
    let mut out = String::new();
    if start > 0 && from > 0 && text[..from].trim() != "" {
        out.push('…');
    }
    // where each character of the window went in `out`, for highlights
    let mut placed: Vec<(usize, usize)> = Vec::with_capacity(end - start + 1);
    for &(i, c) in &chars[start..end] {
        placed.push((i, out.len()));
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    placed.push((to, out.len()));
    let place = |i: usize| {
        placed
            .binary_search_by_key(&i, |p| p.0)
            .map_or(out.len(), |k| placed[k].1)
    };
    let highlights = found
        .iter()
        .filter(|(_, r)| r.start >= from && r.end <= to)
        .map(|(_, r)| (place(r.start), place(r.end)))
        .collect();
    if end < chars.len() && text[to..].trim() != "" {
        out.push('…');
    }
    Snippet {
        field,
        text: out,
        highlights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(title: &str, body: &str) -> Issue {
        let text = format!(
            "id: abcd{:06}\ntitle: {title:?}\nstatus: open\ncreated: 2026-01-10T00:00:00Z\nbody: {body:?}\n",
            title.len() * 1000 + body.len()
        );
        crate::model::issue::parse_for_test(&text)
    }

    fn words(w: &[&str]) -> Words {
        Words::new(&w.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("words")
    }

    #[test]
    fn whole_words_ignoring_case_in_any_script() {
        let w = words(&["Index", "ÉTÉ"]);
        assert_eq!(w.words(), ["index", "été"]);
        fn found<'t>(w: &Words, t: &'t str) -> Vec<(usize, &'t str)> {
            w.find(t).into_iter().map(|(i, r)| (i, &t[r])).collect()
        }
        let found = |t: &'static str| found(&w, t);
        assert_eq!(
            found("the INDEX, reindexed; index."),
            [(0, "INDEX"), (0, "index")]
        );
        assert_eq!(found("Un été chaud, ÉTÉ"), [(1, "été"), (1, "ÉTÉ")]);
        assert!(w.all_in(["index", "été"].into_iter()));
        assert!(!w.all_in(["indexes été"].into_iter()));
        assert!(Words::new(&["--".to_owned()]).is_none());
    }

    #[test]
    fn title_matches_rank_first_then_bm25() {
        let filler = "word ".repeat(40);
        let a = issue("Daemon crash", &format!("{filler} nothing here"));
        let b = issue(
            "Something else",
            &format!("crash crash crash daemon {filler}"),
        );
        let c = issue("Other", &format!("daemon crash {filler}{filler}{filler}"));
        let d = issue("Unrelated", "no match at all");
        let all = [&a, &b, &c, &d];
        let (hits, matched) = rank(&all, &words(&["crash", "daemon"]), &|_| true, None, None);
        assert_eq!(matched, 3);
        let titles: Vec<&str> = hits.iter().map(|h| h.issue.title.as_str()).collect();
        // the title match first; then more matches in a shorter text
        assert_eq!(titles, ["Daemon crash", "Something else", "Other"]);
        let snippet = hits[1].snippet.as_ref().expect("snippet");
        assert_eq!(snippet.field, Field::Body);
        let marked: Vec<&str> = snippet
            .highlights
            .iter()
            .map(|&(s, e)| &snippet.text[s..e])
            .collect();
        assert_eq!(marked, ["crash", "crash", "crash", "daemon"]);
        // `keep` filters, but every issue counts for the statistics
        let (none, _) = rank(
            &all,
            &words(&["crash"]),
            &|i| i.title == "Other",
            Some(5),
            None,
        );
        assert_eq!(none.len(), 1);
    }

    #[test]
    fn snippets_are_one_line_and_cut_with_ellipses() {
        let long = format!(
            "{}needle\nin the\thaystack{}",
            "x ".repeat(100),
            " y".repeat(100)
        );
        let i = issue("T", &long);
        let s = snippet(&i, &words(&["needle"])).expect("snippet");
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(!s.text.contains(['\n', '\t']));
        let (start, end) = s.highlights[0];
        assert_eq!(&s.text[start..end], "needle");
        assert!(s.text.chars().count() <= SNIPPET + 2, "{}", s.text);
    }

    #[test]
    fn snippets_start_and_end_between_words() {
        let body = format!(
            "{} the needle is here {}",
            "abcdefghij ".repeat(10),
            "klmnopqrst ".repeat(20)
        );
        let i = issue("T", &body);
        let s = snippet(&i, &words(&["needle"])).expect("snippet");
        let inner = s.text.trim_start_matches('…').trim_end_matches('…');
        for word in inner.split(' ') {
            assert!(
                ["abcdefghij", "klmnopqrst", "the", "needle", "is", "here"].contains(&word),
                "a cut word {word:?} in {:?}",
                s.text
            );
        }
        let (start, end) = s.highlights[0];
        assert_eq!(&s.text[start..end], "needle");
    }

    #[test]
    fn snippets_leave_out_html_comments_unless_only_they_match() {
        let body = "<!-- Describe the bug: what needle did you see? -->\n\nThe needle   broke\n\nthe build.";
        let i = issue("T", body);
        let s = snippet(&i, &words(&["needle"])).expect("snippet");
        assert_eq!(s.text, "The needle broke the build.");
        let (start, end) = s.highlights[0];
        assert_eq!(&s.text[start..end], "needle");
        let s = snippet(&i, &words(&["describe"])).expect("snippet");
        assert!(
            !s.text.contains("<!--") && !s.text.contains("-->"),
            "{}",
            s.text
        );
        assert!(s.text.contains("Describe the bug"), "{}", s.text);
    }
}
