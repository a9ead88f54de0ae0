//! The board: a column per status in the configuration's order, each the
//! answer to the same query for that status (open columns by priority,
//! closed ones most recently updated first), with how many issues it holds.

use crate::query::{ListQuery, ListResult, SortKey};
use crate::store::{ScanMode, StoreError};

use super::{Answers, Session};

/// One column of the board.
pub struct Column<'a> {
    pub status: String,
    /// `initial`, `active`, `open` or `closed`.
    pub role: &'static str,
    /// The first cards; `matched` counts them all.
    pub result: ListResult<'a>,
}

impl Session<'_> {
    /// The board of `base` (a query; its statuses are replaced by each
    /// column's, its limit is each column's).
    pub fn board<'s>(
        &mut self,
        base: &ListQuery,
        mode: ScanMode,
        store: &'s mut Answers,
    ) -> Result<Vec<Column<'s>>, StoreError> {
        let config = self.tracker.config();
        let queries: Vec<ListQuery> = config
            .statuses
            .iter()
            .map(|s| {
                let mut q = base.clone();
                q.statuses = vec![s.name.clone()];
                q.all = true;
                q.count = true;
                q.sort = if config.is_closed(&s.name) {
                    SortKey::Updated
                } else {
                    SortKey::Priority
                };
                q
            })
            .collect();
        let results = self.lists(&queries, mode, store)?;
        Ok(config
            .statuses
            .iter()
            .zip(results)
            .map(|(s, result)| Column {
                status: s.name.clone(),
                role: s.role.name(),
                result,
            })
            .collect())
    }
}

/// The `board --json` answer (without its envelope).
pub fn board_json(columns: &[Column]) -> serde_json::Value {
    let columns: Vec<serde_json::Value> = columns
        .iter()
        .map(|c| {
            serde_json::json!({
                "status": c.status,
                "role": c.role,
                "count": c.result.matched.unwrap_or(c.result.records.len()),
                "cards": c.result.records,
            })
        })
        .collect();
    serde_json::json!({ "columns": columns })
}
