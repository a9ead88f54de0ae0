//! yit: an issue tracker that lives inside a git repository.
//!
//! Layers, bottom to top; each may use only those below it:
//!
//! 1. [`id`], [`problem`], [`yaml`]: ids, positioned problems, the YAML
//!    dialect. Pure functions. [`atomic`]: the one temporary-file writer.
//! 2. [`config`], [`issue`], [`edit`]: the committed file format, its
//!    validation, and lossless changes to it. Pure: text in, values or
//!    problems out.
//! 3. [`lock`], [`git`]: advisory per-issue locks as guards; the only user
//!    of gix.
//! 4. [`index`]: the on-disk cache of parsed issue files and its
//!    freshness rules (stat data, racy entries, content hashes, journal).
//! 5. [`store`]: finds a tracker, reads issue files (through the index),
//!    writes them atomically.
//! 6. [`query`]: filters, order and JSON records of `list`, shared by the
//!    CLI and the daemon.
//! 7. [`watch`]: directory change events, coalesced; no process control;
//!    [`lifeline`]: noticing that an owner process or pipe is gone.
//! 8. [`daemon`]: the watch daemon (pidfile, socket protocol, start/stop,
//!    the serve loop): an accelerator that answers like the files do.
//!
//! The library never prints, never exits and never reads argv; `src/cli/`
//! and `src/main.rs` are the only places that know clap and the terminal.

pub mod atomic;
pub mod config;
pub mod daemon;
pub mod deps;
pub mod edit;
pub mod filter;
pub mod git;
pub mod github;
pub mod history;
pub mod id;
pub mod index;
pub mod issue;
pub mod lifeline;
pub mod links;
pub mod lock;
pub mod merge;
pub mod problem;
pub mod query;
pub mod record;
pub mod search;
pub mod store;
pub mod watch;
pub mod words;
pub mod yaml;
