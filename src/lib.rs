//! yit: an issue tracker that lives inside a git repository.
//!
//! Layers, bottom to top; each may use only those below it (the directory
//! tree of `src/` is this list; tests/layers.rs checks the imports):
//!
//! 1. [`model`]: the file format. Ids, positioned problems, the YAML
//!    dialect, the rules of each field, the configuration, issues and
//!    their validation, lossless edits, the field-aware merge, JSON
//!    records, commit-message references, GitHub's issues as yit's, and
//!    the facts of issues among themselves: the dependency graph
//!    (`model::deps`) and readiness (`model::ready`). Pure: text in,
//!    values or problems out.
//! 2. [`git`]: the repository through gix (trees, blobs, history,
//!    attributes, config); the only user of gix.
//! 3. [`query`]: the query language and filters, full-text search, the
//!    order and records of `list`. Pure: issues in, answers out; shared by
//!    the daemon and `ops`.
//! 4. [`store`]: finds a tracker, reads issue files (through the index
//!    cache), writes them atomically under typed lock guards, plans, the
//!    trash, and the caches (index, search words, commit history). It
//!    asks nothing of `query`.
//! 5. [`watch`]: directory change events, coalesced, and noticing that an
//!    owner process or pipe is gone; no process control.
//! 6. [`daemon`]: the watch daemon (pidfile, socket protocol, start/stop,
//!    the serve loop): an accelerator that answers like the files do.
//! 7. [`ops`]: what every front end does, through the daemon when one
//!    answers and from the files otherwise: resolving what a person typed,
//!    short ids, answering queries, what is around an issue, creating and
//!    changing issues named by what was typed (typed reports), an issue's
//!    history in words.
//!
//! The library never prints, never exits and never reads argv; `src/cli/`
//! and `src/main.rs` are the only places that know clap and the terminal.
//! The binary's other front end, `src/web/` (`yit serve`), is the only
//! async code: it calls this library on blocking threads.

pub mod daemon;
pub mod git;
pub mod model;
pub mod ops;
pub mod query;
pub mod store;
pub mod watch;
