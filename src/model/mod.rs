//! The file format: ids, problems with positions, the YAML dialect, the
//! configuration, issues and their validation, lossless edits, the
//! field-aware merge, the words for a change, JSON records, commit-message
//! references, GitHub's issues as yit's, and the facts of issues among
//! themselves (the dependency graph, readiness), and a claim's lease. Pure: text in, values or
//! problems out; no file system, no git, no processes.

pub mod config;
pub mod deps;
pub mod edit;
pub mod field;
pub mod github;
pub mod history;
pub mod id;
pub mod issue;
pub mod lease;
pub mod links;
pub mod merge;
pub mod migrate;
pub mod problem;
pub mod ready;
pub mod record;
pub mod yaml;
