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
//!    attributes, config); the only user of gix, and the one place that
//!    runs the `git` program, where gix cannot write (config, commits).
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
//!    the serve loop): an accelerator that answers like the files do; and
//!    its engine inside a long-running front end's process.
//! 7. [`ops`]: the one door of every front end, through the daemon (or an
//!    engine) when one answers and from the files otherwise: resolving
//!    what a person typed, short ids, answering queries, what is around an
//!    issue, reading every issue or a revision's, creating and changing
//!    issues named by what was typed (typed reports), an issue's history
//!    in words.
//!
//! The library never prints, never exits and never reads argv. The
//! binary's front ends sit above it: `src/front/` (what they share: the
//! error, typed requests, the session setup), `src/cli/` (the only place
//! that knows clap), and `src/web/` (`yit serve`) and `src/mcp/` (`yit
//! mcp`), the only async code, which call this library on blocking
//! threads.

pub mod daemon;
pub mod git;
pub mod model;
pub mod ops;
pub mod query;
pub mod store;
pub mod watch;
