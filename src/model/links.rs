//! Issue references in commit messages: `Fixes: 4k2f`, `Closes 4k2f9x1c0a`,
//! `Refs: 4k2f, q8zn` (trailers, or anywhere in the body). Pure.

/// How a commit mentions an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkKind {
    /// `Fixes`, `Closes`, `Resolves` (and their other forms).
    Fixes,
    /// `Refs`, `References`, `See`.
    Refs,
}

impl LinkKind {
    pub fn word(self) -> &'static str {
        match self {
            LinkKind::Fixes => "fixes",
            LinkKind::Refs => "refs",
        }
    }
}

/// A mention: its kind, the text naming the issue (an id or a prefix), and
/// where that text is in the message (byte range).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub kind: LinkKind,
    pub text: String,
    pub range: std::ops::Range<usize>,
}

fn kind_of(word: &str) -> Option<LinkKind> {
    match word.to_ascii_lowercase().as_str() {
        "fix" | "fixes" | "fixed" | "close" | "closes" | "closed" | "resolve" | "resolves"
        | "resolved" => Some(LinkKind::Fixes),
        "ref" | "refs" | "references" | "see" => Some(LinkKind::Refs),
        _ => None,
    }
}

/// Every mention in `message`: a keyword, an optional `:`, then one or more
/// ids or prefixes (at least 4 characters of the id alphabet; in running
/// text without `:` or `#`, a prefix needs a digit), separated by commas,
/// spaces or `and`.
pub fn mentions(message: &str) -> Vec<Mention> {
    let is_word = |c: char| c.is_ascii_alphanumeric();
    let mut out = Vec::new();
    let bytes = message.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // the next word
        if !(bytes[i] as char).is_ascii_alphabetic() || (i > 0 && is_word(bytes[i - 1] as char)) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i] as char) {
            i += 1;
        }
        let Some(kind) = kind_of(&message[start..i]) else {
            continue;
        };
        // `:`, then the references
        let mut j = i;
        let trailer = j < bytes.len() && bytes[j] == b':';
        if trailer {
            j += 1;
        }
        loop {
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b',') {
                j += 1;
            }
            if message[j..].starts_with("and ") {
                j += 4;
                continue;
            }
            let before = j;
            let hash = j < bytes.len() && bytes[j] == b'#';
            if hash {
                j += 1;
            }
            let from = j;
            while j < bytes.len() && is_word(bytes[j] as char) {
                j += 1;
            }
            let token = &message[from..j];
            // in running text a prefix needs a digit (so that "fixes the
            // build" refers to nothing); after `Fixes:` or `#`, a whole id,
            // or with a digit, any prefix counts
            let plain = trailer
                || hash
                || token.len() >= crate::model::id::NEW_ID_LEN
                || token.bytes().any(|b| b.is_ascii_digit());
            let looks_like_id = token.len() >= 4
                && token.len() <= 32
                && plain
                && crate::model::id::normalize_prefix(token).is_some();
            if !looks_like_id {
                // not a reference: the next word is looked at afresh
                j = before;
                break;
            }
            out.push(Mention {
                kind,
                text: token.to_owned(),
                range: from..j,
            });
        }
        i = j.max(i);
    }
    out
}

/// The references in trailers (`Fixes: 5jb`) too short to name an issue
/// (fewer than 4 characters), which [`mentions`] passes over: a commit
/// hook refuses them rather than let the link be lost without a word.
pub fn too_short(message: &str) -> Vec<(LinkKind, String)> {
    let mut out = Vec::new();
    for line in message.lines().filter(|l| !l.starts_with('#')) {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let Some(kind) = kind_of(key.trim()) else {
            continue;
        };
        for token in value.split([' ', '\t', ',']) {
            let token = token.trim_start_matches('#');
            if (1..4).contains(&token.len())
                && token != "and"
                && token.chars().all(|c| c.is_ascii_alphanumeric())
            {
                out.push((kind, token.to_owned()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_trailer_references_are_found() {
        let message = "Parse\n\nFixes: 5jb\nRefs: #q8z and 4k2f\nSee the docs: a\n# Fixes: ab\n";
        assert_eq!(
            too_short(message),
            vec![
                (LinkKind::Fixes, "5jb".to_owned()),
                (LinkKind::Refs, "q8z".to_owned())
            ]
        );
        assert!(too_short("Fixes: 4k2f9\nCloses the gap: done\n").is_empty());
    }

    #[test]
    fn trailers_and_body_mentions_are_found() {
        let message = "Parse empty files\n\nThis fixes #4k2f and refs q8zn9, 7abc.\n\nCloses: 4k2f9x1c0a\nRefs: 5b6c\nSee-also: nothing here\n";
        let found: Vec<(LinkKind, &str)> = mentions(message)
            .iter()
            .map(|m| (m.kind, &message[m.range.clone()]))
            .collect();
        assert_eq!(
            found,
            [
                (LinkKind::Fixes, "4k2f"),
                (LinkKind::Refs, "q8zn9"),
                (LinkKind::Refs, "7abc"),
                (LinkKind::Fixes, "4k2f9x1c0a"),
                (LinkKind::Refs, "5b6c"),
            ]
        );
        assert!(mentions("fixes the build and closes the gap").is_empty());
    }
}
