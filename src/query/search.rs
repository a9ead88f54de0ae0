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

/// A set of words to find as whole words, ignoring case.
#[derive(Clone, Debug)]
pub struct Words {
    words: Vec<String>,
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
            words: unique,
            matcher,
        })
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
            for w in 0..n {
                if title[w] + text[w] > 0 {
                    present |= 1 << w;
                }
            }
            let all = present.count_ones() as usize == n;
            let counts = (all && keep(issue)).then_some(Counted {
                title,
                text,
                length,
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
                title_words: c.title.iter().filter(|&&t| t > 0).count(),
                snippet: None,
                title_highlights: Vec::new(),
            })
        })
        .collect();
    let matched = hits.len();
    hits.sort_by(|a, b| {
        b.title_words
            .cmp(&a.title_words)
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
/// comment, else the title (shown whole, highlighted, anyway).
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
        let found = words.find(text);
        let Some((_, first)) = found.first() else {
            continue;
        };
        // a window of SNIPPET characters with the first match a third in
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let at = chars.partition_point(|(i, _)| *i < first.start);
        let start = at.saturating_sub(SNIPPET / 3);
        let end = (start + SNIPPET).min(chars.len());
        let from = chars.get(start).map_or(text.len(), |c| c.0);
        let to = chars.get(end).map_or(text.len(), |c| c.0);
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        let offset = out.len();
        // one line: every line break or tab is a space (same byte length)
        out.extend(text[from..to].chars().map(|c| {
            if c.is_whitespace() && c.len_utf8() == 1 {
                ' '
            } else {
                c
            }
        }));
        let highlights = found
            .iter()
            .filter(|(_, r)| r.start >= from && r.end <= to)
            .map(|(_, r)| (r.start - from + offset, r.end - from + offset))
            .collect();
        if end < chars.len() {
            out.push('…');
        }
        return Some(Snippet {
            field,
            text: out,
            highlights,
        });
    }
    None
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
        assert_eq!(s.text.chars().count(), SNIPPET + 2);
    }
}
