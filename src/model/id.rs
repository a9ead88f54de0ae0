//! Issue ids: random, lowercase Crockford base32, shown by their shortest
//! unique prefix.
//!
//! This module owns the id alphabet, parsing of user input (case, Crockford
//! aliases, prefixes) and the random source. It never touches the disk: the
//! store decides which ids exist.

use std::fmt;

/// Crockford's base32 alphabet in lowercase: no i, l, o or u.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// `IN_ALPHABET[b]` says whether byte `b` is in [`ALPHABET`]: listing a
/// directory of 100,000 issues checks a million bytes.
const IN_ALPHABET: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = true;
        i += 1;
    }
    table
};

/// Length of the ids yit creates: 10 characters, 50 bits.
pub const NEW_ID_LEN: usize = 10;
/// Shortest prefix yit prints, even where a shorter one would be unique.
pub const MIN_SHORT_LEN: usize = 4;
/// Bounds on ids accepted from files written by hand.
pub const MIN_ID_LEN: usize = 4;
pub const MAX_ID_LEN: usize = 32;

/// The id of one issue, also its file name without `.yaml`.
///
/// Always canonical: lowercase Crockford base32, 4 to 32 characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct IssueId(String);

impl IssueId {
    /// Parses a complete id exactly as stored (file names, `id:` fields).
    /// No aliases are applied: a stored id is already canonical.
    pub fn parse_canonical(text: &str) -> Option<IssueId> {
        let ok = (MIN_ID_LEN..=MAX_ID_LEN).contains(&text.len())
            && text.bytes().all(|b| IN_ALPHABET[usize::from(b)]);
        ok.then(|| IssueId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The file name of this issue inside `.issues/`.
    pub fn file_name(&self) -> String {
        format!("{}.yaml", self.0)
    }

    /// The id a file named `<id>.yaml` holds; `None` for any other name.
    pub fn from_file_name(name: &str) -> Option<IssueId> {
        IssueId::parse_canonical(name.strip_suffix(".yaml")?)
    }
}

/// Ids compare, hash and sort as their text (`Ord`, `Eq` and `Hash` are the
/// inner string's), so maps keyed by ids can be searched by a prefix.
impl std::borrow::Borrow<str> for IssueId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IssueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for IssueId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Normalizes what a person typed as an id or id prefix: lowercase, with
/// Crockford's aliases (o → 0, i and l → 1). Returns `None` when the text
/// cannot be an id prefix at all (e.g. `../x`, `u`, empty), before any path
/// is built from it.
pub fn normalize_prefix(input: &str) -> Option<String> {
    if input.is_empty() || input.len() > MAX_ID_LEN {
        return None;
    }
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        let c = match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        };
        if !c.is_ascii() || !IN_ALPHABET[c as usize] {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// The length of `id`'s shortest unique prefix (at least
/// [`MIN_SHORT_LEN`]) given the other ids that could share a prefix with it
/// (its neighbours in sorted order suffice).
pub fn short_len<'a>(id: &str, others: impl IntoIterator<Item = &'a str>) -> usize {
    let shared = others
        .into_iter()
        .filter(|o| *o != id)
        .map(|o| {
            id.bytes()
                .zip(o.bytes())
                .take_while(|(a, b)| a == b)
                .count()
        })
        .max()
        .unwrap_or(0);
    (shared + 1).clamp(MIN_SHORT_LEN, id.len())
}

/// Source of random ids: OS-seeded, or reproducible from `YIT_SEED`.
pub struct IdSource {
    rng: fastrand::Rng,
}

impl IdSource {
    /// A generator seeded from the OS, or from `seed` alone (`YIT_SEED`):
    /// the same seed draws the same ids, so a test that gives each command
    /// its own seed gets the same output on every run.
    pub fn new(seed: Option<u64>) -> IdSource {
        let rng = match seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        IdSource { rng }
    }

    /// A fresh 10-character (50-bit) issue id.
    pub fn issue_id(&mut self) -> IssueId {
        IssueId(self.token(NEW_ID_LEN))
    }

    /// A random token in the id alphabet, e.g. for comment ids.
    pub fn token(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| ALPHABET[self.rng.usize(..ALPHABET.len())] as char)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_applies_aliases_and_rejects_paths() {
        assert_eq!(normalize_prefix("OIL9").as_deref(), Some("0119"));
        assert_eq!(normalize_prefix("../x"), None);
        assert_eq!(normalize_prefix("abu"), None);
        assert_eq!(normalize_prefix(""), None);
        assert_eq!(normalize_prefix("é"), None);
    }

    #[test]
    fn canonical_parse_is_strict() {
        assert!(IssueId::parse_canonical("0123456789").is_some());
        assert!(IssueId::parse_canonical("ABCDEFGHJK").is_none());
        assert!(IssueId::parse_canonical("abc").is_none());
        assert!(
            IssueId::parse_canonical("abcdefghij").is_none(),
            "i is not canonical"
        );
    }

    #[test]
    fn ids_are_canonical_and_seeds_reproduce() {
        let a = IdSource::new(Some(7)).issue_id();
        let b = IdSource::new(Some(7)).issue_id();
        assert_eq!(a, b);
        assert!(IssueId::parse_canonical(a.as_str()).is_some());
        assert_ne!(IdSource::new(Some(8)).issue_id(), a);
    }
}
