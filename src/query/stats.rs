//! `stats`: counts of issues by status, type, label and assignee, and the
//! issues opened and closed per week. Pure: issues in, counts out.

use std::collections::BTreeMap;

use jiff::{Timestamp, ToSpan, tz::TimeZone};

use crate::model::config::Config;
use crate::model::issue::{Issue, person_key};

/// The counts of a set of issues. Statuses and types come in the
/// configuration's order (a type the configuration does not list after
/// them), labels and assignees by count, then name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub total: usize,
    pub open: usize,
    pub by_status: Vec<(String, usize)>,
    pub by_type: Vec<(String, usize)>,
    pub by_label: Vec<(String, usize)>,
    /// A person is counted once however written (by email), under the
    /// fullest form seen; nobody as `(nobody)`.
    pub by_assignee: Vec<(String, usize)>,
    /// Monday (UTC) of each week, oldest first, with the issues created and
    /// closed in it (a closed issue counts in the week of its last update).
    pub weeks: Vec<(jiff::civil::Date, usize, usize)>,
}

impl Stats {
    /// The counts of `issues`, with `weeks` weeks ending with `now`'s.
    pub fn of(issues: &[&Issue], config: &Config, now: Timestamp, weeks: u16) -> Stats {
        let count = |key: &dyn Fn(&Issue) -> Vec<String>| {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for issue in issues {
                for k in key(issue) {
                    *counts.entry(k).or_default() += 1;
                }
            }
            counts
        };
        let by_status = count(&|i| vec![i.status.clone()]);
        let by_type = count(&|i| vec![i.kind.clone()]);
        let by_label = count(&|i| i.labels.clone());
        // the fullest form seen (`Name <email>` over a bare email)
        let mut shown_as: BTreeMap<String, String> = BTreeMap::new();
        for person in issues.iter().filter_map(|i| i.assignee.as_deref()) {
            let form = shown_as
                .entry(person_key(person))
                .or_insert_with(|| person.trim().to_owned());
            if person.contains('<') && (!form.contains('<') || person.trim() < form.as_str()) {
                *form = person.trim().to_owned();
            }
        }
        let by_assignee = count(&|i| {
            vec![match i.assignee.as_deref() {
                Some(person) => shown_as[&person_key(person)].clone(),
                None => "(nobody)".to_owned(),
            }]
        });
        let ranked = |m: BTreeMap<String, usize>| {
            let mut v: Vec<(String, usize)> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v
        };
        let this_week = week_of(now);
        let mut per_week: BTreeMap<jiff::civil::Date, (usize, usize)> = (0..i64::from(weeks))
            .rev()
            .filter_map(|n| this_week.checked_sub((n * 7).days()).ok())
            .map(|w| (w, (0, 0)))
            .collect();
        for issue in issues {
            if let Some(w) = per_week.get_mut(&week_of(issue.created)) {
                w.0 += 1;
            }
            if config.is_closed(&issue.status)
                && let Some(w) = per_week.get_mut(&week_of(issue.updated))
            {
                w.1 += 1;
            }
        }
        Stats {
            total: issues.len(),
            open: issues
                .iter()
                .filter(|i| !config.is_closed(&i.status))
                .count(),
            by_status: config
                .statuses
                .iter()
                .map(|s| (s.name.clone(), by_status.get(&s.name).copied().unwrap_or(0)))
                .collect(),
            by_type: config
                .types
                .iter()
                .map(|t| (t.clone(), by_type.get(t).copied().unwrap_or(0)))
                .chain(
                    by_type
                        .iter()
                        .filter(|(t, _)| !config.types.contains(t))
                        .map(|(t, n)| (t.clone(), *n)),
                )
                .collect(),
            by_label: ranked(by_label),
            by_assignee: ranked(by_assignee),
            weeks: per_week
                .into_iter()
                .map(|(w, (opened, closed))| (w, opened, closed))
                .collect(),
        }
    }

    pub fn closed(&self) -> usize {
        self.total - self.open
    }
}

/// Monday 00:00 UTC of the week `t` falls in, as a date.
fn week_of(t: Timestamp) -> jiff::civil::Date {
    let date = TimeZone::UTC.to_datetime(t).date();
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(back.days()).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(id: &str, status: &str, extra: &str) -> Issue {
        crate::model::issue::parse_for_test(&format!(
            "id: {id}\ntitle: t\nstatus: {status}\ncreated: 2026-01-05T10:00:00Z\nupdated: 2026-01-13T10:00:00Z\n{extra}"
        ))
    }

    #[test]
    fn counts_in_config_order_and_people_once() {
        let config = Config::default();
        let a = issue(
            "aaaa000001",
            "open",
            "assignee: bob@example.com\nlabels: [ui]",
        );
        let b = issue(
            "aaaa000002",
            "closed",
            "assignee: Bob <bob@example.com>\ntype: bug",
        );
        let c = issue("aaaa000003", "open", "labels: [ui, docs]");
        let now = "2026-01-14T00:00:00Z".parse().expect("time");
        let stats = Stats::of(&[&a, &b, &c], &config, now, 2);
        assert_eq!((stats.total, stats.open, stats.closed()), (3, 2, 1));
        assert_eq!(stats.by_status[0], ("open".to_owned(), 2));
        assert_eq!(
            stats.by_label,
            [("ui".to_owned(), 2), ("docs".to_owned(), 1)]
        );
        assert_eq!(
            stats.by_assignee,
            [
                ("Bob <bob@example.com>".to_owned(), 2),
                ("(nobody)".to_owned(), 1)
            ]
        );
        // weeks start on Monday: created in the week of Jan 5, closed in
        // the week of Jan 12
        let weeks: Vec<(String, usize, usize)> = stats
            .weeks
            .iter()
            .map(|(w, o, c)| (w.to_string(), *o, *c))
            .collect();
        assert_eq!(
            weeks,
            [
                ("2026-01-05".to_owned(), 3, 0),
                ("2026-01-12".to_owned(), 0, 1)
            ]
        );
    }
}
