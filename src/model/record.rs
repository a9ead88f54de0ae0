//! The JSON record of an issue (schema_version 1, docs/format.md): what
//! `--json` prints and what the daemon sends for `list`.
//!
//! A [`Record`] borrows from the issue it describes where it can, so the
//! daemon serializes thousands of them without copying; read back (by a
//! client of the daemon), it owns its text. Serialization writes the keys in
//! the documented order; deserialization reads them in any order and needs
//! no intermediate tree, which keeps a large `list` cheap on both ends.

use std::borrow::Cow;
use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::issue::{self, Issue};

/// The fields a table shows, and with `details` everything else.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Record<'a> {
    pub id: Cow<'a, str>,
    pub short_id: Cow<'a, str>,
    pub title: Cow<'a, str>,
    pub status: Cow<'a, str>,
    pub priority: u8,
    /// `type` in the record.
    pub kind: Cow<'a, str>,
    pub labels: Labels<'a>,
    pub assignee: Option<Cow<'a, str>>,
    /// A merge recorded conflicts in it (`conflicts:`): a table marks it.
    pub conflicted: bool,
    pub details: Option<Box<Details<'a>>>,
}

/// An issue's labels: a list, or (on the daemon's wire, where a label
/// cannot contain a comma) the labels joined by commas, which a table
/// shows as they are.
#[derive(Clone, Debug)]
pub enum Labels<'a> {
    List(Cow<'a, [String]>),
    Joined(Cow<'a, str>),
}

impl Default for Labels<'_> {
    fn default() -> Self {
        Labels::List(Cow::Borrowed(&[]))
    }
}

impl Labels<'_> {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (list, joined) = match self {
            Labels::List(list) => (Some(list.iter().map(String::as_str)), None),
            Labels::Joined(text) => (None, Some(text.split(',').filter(|l| !l.is_empty()))),
        };
        list.into_iter()
            .flatten()
            .chain(joined.into_iter().flatten())
    }

    /// The labels joined by commas.
    pub fn joined(&self) -> Cow<'_, str> {
        match self {
            Labels::Joined(text) => Cow::Borrowed(text),
            Labels::List(list) => match &list[..] {
                [] => Cow::Borrowed(""),
                [one] => Cow::Borrowed(one),
                many => Cow::Owned(many.join(",")),
            },
        }
    }

    fn into_owned(self) -> Labels<'static> {
        match self {
            Labels::List(list) => Labels::List(Cow::Owned(list.into_owned())),
            Labels::Joined(text) => Labels::Joined(Cow::Owned(text.into_owned())),
        }
    }
}

impl PartialEq for Labels<'_> {
    fn eq(&self, other: &Labels<'_>) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Serialize for Labels<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// The fields of a record that only `--json` shows.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Details<'a> {
    pub author: Option<Cow<'a, str>>,
    /// RFC 3339, UTC, seconds.
    pub created: String,
    pub updated: String,
    pub body: Cow<'a, str>,
    pub comments: Vec<CommentRecord<'a>>,
    pub parent: Option<Cow<'a, str>>,
    pub depends_on: Vec<Cow<'a, str>>,
    pub github: Option<Cow<'a, serde_json::Value>>,
    pub conflicts: Cow<'a, [serde_json::Value]>,
    pub extra: Cow<'a, IndexMap<String, serde_json::Value>>,
}

/// One comment of a record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommentRecord<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub author: Option<Cow<'a, str>>,
    pub created: String,
    #[serde(borrow)]
    pub body: Cow<'a, str>,
}

impl<'a> Record<'a> {
    /// The record of `issue`, whose short id is `short_id`.
    pub fn of(issue: &'a Issue, short_id: &'a str, details: bool) -> Record<'a> {
        Record {
            id: Cow::Borrowed(issue.id.as_str()),
            short_id: Cow::Borrowed(short_id),
            title: Cow::Borrowed(&issue.title),
            status: Cow::Borrowed(&issue.status),
            priority: issue.priority,
            kind: Cow::Borrowed(&issue.kind),
            labels: Labels::List(Cow::Borrowed(&issue.labels)),
            assignee: issue.assignee.as_deref().map(Cow::Borrowed),
            conflicted: !issue.conflicts.is_empty(),
            details: details.then(|| {
                Box::new(Details {
                    author: issue.author.as_deref().map(Cow::Borrowed),
                    created: issue::format_time(issue.created),
                    updated: issue::format_time(issue.updated),
                    body: Cow::Borrowed(&issue.body),
                    comments: issue
                        .comments
                        .iter()
                        .map(|c| CommentRecord {
                            id: Cow::Borrowed(&c.id),
                            author: c.author.as_deref().map(Cow::Borrowed),
                            created: issue::format_time(c.created),
                            body: Cow::Borrowed(&c.body),
                        })
                        .collect(),
                    parent: issue.parent.as_ref().map(|p| Cow::Borrowed(p.as_str())),
                    depends_on: issue
                        .depends_on
                        .iter()
                        .map(|d| Cow::Borrowed(d.as_str()))
                        .collect(),
                    github: issue.github.as_ref().map(Cow::Borrowed),
                    conflicts: Cow::Borrowed(&issue.conflicts),
                    extra: Cow::Borrowed(&issue.extra),
                })
            }),
        }
    }

    /// The record as a JSON value (for output that embeds it).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = if self.details.is_some() { 18 } else { 8 };
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("short_id", &self.short_id)?;
        map.serialize_entry("title", &self.title)?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("priority", &self.priority)?;
        map.serialize_entry("type", &self.kind)?;
        map.serialize_entry("labels", &self.labels)?;
        map.serialize_entry("assignee", &self.assignee)?;
        // (only when true: most issues never have one)
        if self.conflicted {
            map.serialize_entry("conflicted", &true)?;
        }
        if let Some(d) = &self.details {
            map.serialize_entry("author", &d.author)?;
            map.serialize_entry("created", &d.created)?;
            map.serialize_entry("updated", &d.updated)?;
            map.serialize_entry("body", &d.body)?;
            map.serialize_entry("comments", &d.comments)?;
            map.serialize_entry("parent", &d.parent)?;
            map.serialize_entry("depends_on", &d.depends_on)?;
            map.serialize_entry("github", &d.github)?;
            map.serialize_entry("conflicts", &d.conflicts)?;
            map.serialize_entry("extra", &d.extra)?;
        }
        map.end()
    }
}

/// A record in the daemon's wire form (a line of a `list` answer): without
/// details, an array `[id, short id length, title, status, priority, type,
/// labels joined by commas, assignee]` (a third smaller than the object,
/// and faster to read); with details, the object.
pub struct Compact<'r, 'a>(pub &'r Record<'a>);

/// The wire form of `issue`'s record without details, in two parts: before
/// and after the short id length (`head`, the length, `tail` is the row).
pub fn compact_row_parts(issue: &Issue) -> (String, String) {
    fn json<T: Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_string(value).unwrap_or_default()
    }
    let record = Record::of(issue, issue.id.as_str(), false);
    let head = format!("[{},", json(&record.id));
    let tail = format!(
        ",{},{},{},{},{},{}{}]",
        json(&record.title),
        json(&record.status),
        record.priority,
        json(&record.kind),
        json(&record.labels.joined()),
        json(&record.assignee),
        if record.conflicted { ",true" } else { "" },
    );
    (head, tail)
}

impl Serialize for Compact<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let r = self.0;
        if r.details.is_some() {
            return r.serialize(serializer);
        }
        let mut tuple = serializer.serialize_tuple(8 + usize::from(r.conflicted))?;
        tuple.serialize_element(&r.id)?;
        tuple.serialize_element(&r.short_id.len())?;
        tuple.serialize_element(&r.title)?;
        tuple.serialize_element(&r.status)?;
        tuple.serialize_element(&r.priority)?;
        tuple.serialize_element(&r.kind)?;
        tuple.serialize_element(&r.labels.joined())?;
        tuple.serialize_element(&r.assignee)?;
        if r.conflicted {
            tuple.serialize_element(&true)?;
        }
        tuple.end()
    }
}

/// Reads a record as an object (the public form) or as the daemon's array;
/// text without escapes is borrowed from the input.
impl<'de: 'a, 'a> Deserialize<'de> for Record<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RecordVisitor(std::marker::PhantomData))
    }
}

/// A string borrowed from the input when it can be.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor(std::marker::PhantomData))
    }
}

struct RecordVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for RecordVisitor<'a> {
    type Value = Record<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an issue record")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        fn next<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(
            seq: &mut A,
            at: usize,
        ) -> Result<T, A::Error> {
            seq.next_element()?
                .ok_or_else(|| de::Error::invalid_length(at, &"a record of 8 elements"))
        }
        let Text(id) = next(&mut seq, 0)?;
        let short_len: usize = next(&mut seq, 1)?;
        if !id.is_char_boundary(short_len) || short_len > id.len() {
            return Err(de::Error::custom("short id longer than the id"));
        }
        let short_id = match &id {
            Cow::Borrowed(id) => Cow::Borrowed(&id[..short_len]),
            Cow::Owned(id) => Cow::Owned(id[..short_len].to_owned()),
        };
        let record = Record {
            id,
            short_id,
            title: next::<Text, _>(&mut seq, 2)?.0,
            status: next::<Text, _>(&mut seq, 3)?.0,
            priority: next(&mut seq, 4)?,
            kind: next::<Text, _>(&mut seq, 5)?.0,
            labels: Labels::Joined(next::<Text, _>(&mut seq, 6)?.0),
            assignee: next::<Option<Text>, _>(&mut seq, 7)?.map(|t| t.0),
            // a ninth element, `true`, marks a conflicted issue
            conflicted: seq.next_element::<bool>()?.unwrap_or(false),
            details: None,
        };
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(
                10,
                &"a record of 8 or 9 elements",
            ));
        }
        Ok(record)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut id, mut short_id, mut title, mut status, mut priority, mut kind) =
            (None, None, None, None, None, None);
        let mut labels = Vec::new();
        let mut assignee = None;
        let mut conflicted = false;
        let mut details: Option<Box<Details<'a>>> = None;
        while let Some(Text(key)) = map.next_key::<Text>()? {
            let text = |map: &mut A| map.next_value::<Text>().map(|t| t.0);
            let maybe = |map: &mut A| map.next_value::<Option<Text>>().map(|t| t.map(|t| t.0));
            match key.as_ref() {
                "id" => id = Some(text(&mut map)?),
                "short_id" => short_id = Some(text(&mut map)?),
                "title" => title = Some(text(&mut map)?),
                "status" => status = Some(text(&mut map)?),
                "priority" => priority = Some(map.next_value::<u8>()?),
                "type" => kind = Some(text(&mut map)?),
                "labels" => labels = map.next_value()?,
                "assignee" => assignee = maybe(&mut map)?,
                "conflicted" => conflicted = map.next_value()?,
                other => {
                    let d = details.get_or_insert_with(Box::default);
                    match other {
                        "author" => d.author = maybe(&mut map)?,
                        "created" => d.created = map.next_value()?,
                        "updated" => d.updated = map.next_value()?,
                        "body" => d.body = text(&mut map)?,
                        "comments" => d.comments = map.next_value()?,
                        "parent" => d.parent = maybe(&mut map)?,
                        "depends_on" => {
                            let ids: Vec<Text> = map.next_value()?;
                            d.depends_on = ids.into_iter().map(|t| t.0).collect();
                        }
                        "github" => d.github = map.next_value::<Option<_>>()?.map(Cow::Owned),
                        "conflicts" => d.conflicts = Cow::Owned(map.next_value()?),
                        "extra" => d.extra = Cow::Owned(map.next_value()?),
                        _ => {
                            // a newer writer's key: not ours to refuse
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        Ok(Record {
            short_id: short_id.unwrap_or_else(|| id.clone()),
            id,
            title: title.ok_or_else(|| de::Error::missing_field("title"))?,
            status: status.ok_or_else(|| de::Error::missing_field("status"))?,
            priority: priority.ok_or_else(|| de::Error::missing_field("priority"))?,
            kind: kind.ok_or_else(|| de::Error::missing_field("type"))?,
            labels: Labels::List(Cow::Owned(labels)),
            assignee,
            conflicted,
            details,
        })
    }
}

impl Record<'_> {
    /// The same record, owning its text.
    pub fn into_owned(self) -> Record<'static> {
        fn own(text: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(text.into_owned())
        }
        Record {
            id: own(self.id),
            short_id: own(self.short_id),
            title: own(self.title),
            status: own(self.status),
            priority: self.priority,
            kind: own(self.kind),
            labels: self.labels.into_owned(),
            assignee: self.assignee.map(own),
            conflicted: self.conflicted,
            details: self.details.map(|d| {
                Box::new(Details {
                    author: d.author.map(own),
                    created: d.created,
                    updated: d.updated,
                    body: own(d.body),
                    comments: d
                        .comments
                        .into_iter()
                        .map(|c| CommentRecord {
                            id: own(c.id),
                            author: c.author.map(own),
                            created: c.created,
                            body: own(c.body),
                        })
                        .collect(),
                    parent: d.parent.map(own),
                    depends_on: d.depends_on.into_iter().map(own).collect(),
                    github: d.github.map(|g| Cow::Owned(g.into_owned())),
                    conflicts: Cow::Owned(d.conflicts.into_owned()),
                    extra: Cow::Owned(d.extra.into_owned()),
                })
            }),
        }
    }
}

/// The version of every JSON answer's shape (docs/format.md).
pub const SCHEMA_VERSION: u32 = 1;

/// The envelope of every JSON answer: `schema_version` first, then the
/// answer's own fields.
pub fn envelope(fields: serde_json::Value) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert("schema_version".to_owned(), SCHEMA_VERSION.into());
    if let serde_json::Value::Object(fields) = fields {
        map.extend(fields);
    }
    serde_json::Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue() -> Issue {
        let path = std::path::Path::new("fixtures/issues/valid-hand-written.yaml");
        let bytes = include_bytes!("../../fixtures/issues/valid-hand-written.yaml");
        Issue::parse(bytes, path, None, &crate::model::config::Config::default()).expect("valid")
    }

    #[test]
    fn a_record_reads_back_as_it_was_written() {
        let issue = issue();
        for details in [false, true] {
            let record = Record::of(&issue, &issue.id.as_str()[..4], details);
            let json = serde_json::to_string(&record).unwrap();
            let back: Record = serde_json::from_str(&json).unwrap();
            assert_eq!(back, record);
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
            let compact = serde_json::to_vec(&Compact(&record)).unwrap();
            assert_eq!(compact.first(), Some(if details { &b'{' } else { &b'[' }));
            let back: Record = serde_json::from_slice(&compact).unwrap();
            assert_eq!(back, record);
        }
    }

    #[test]
    fn a_row_from_its_parts_is_the_compact_record() {
        let mut issue = issue();
        for assignee in [None, Some("Bob \"B\" <bob@example.com>".to_owned())] {
            issue.assignee = assignee;
            let record = Record::of(&issue, &issue.id.as_str()[..5], false);
            let (head, tail) = compact_row_parts(&issue);
            let wire = serde_json::to_vec(&Compact(&record)).unwrap();
            assert_eq!(format!("{head}5{tail}").into_bytes(), wire);
        }
    }

    #[test]
    fn keys_come_in_the_documented_order() {
        let issue = issue();
        let value = Record::of(&issue, issue.id.as_str(), true).to_value();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        // the file's keys in their canonical order, the short id after the
        // id, and the keys yit does not know at the end
        let mut want = vec!["id", "short_id"];
        want.extend(&crate::model::issue::KNOWN_KEYS[1..]);
        want.push("extra");
        assert_eq!(keys, want);
        assert_eq!(value["extra"]["estimate"], "3d");
        assert_eq!(value["comments"][0]["author"], "Bob <bob@example.com>");
    }
}
