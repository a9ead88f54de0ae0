//! The end-to-end tests that need no session teardown, in one binary (as
//! jj's `runner`): one link of the test code instead of one per file. The
//! watch and daemon tests are binaries of their own (`harness = false`),
//! since they end their session by killing what they started.

mod common;

mod bad_input;
mod cli;
mod clones;
mod concurrency;
mod editing;
mod git;
mod import;
mod index;
mod json_shapes;
mod layers;
mod leases;
mod merge;
mod migrate;
mod planning;
mod query;
mod sync;
