//! checkdown's integration tests: one binary, fixtures in tests/fixtures, snapshots in
//! tests/it/snapshots. Tests that read the real Well-Architected pages take them in place
//! from ../shared/corpus/waf and print that they skipped where it is absent.

mod common;

mod anchors;
mod bad_input;
mod cli;
mod config;
mod corners;
mod corpus;
mod dialect;
mod fields;
mod forms;
mod fuzz_corpus;
mod growth;
mod hardening;
mod html;
mod html_progress;
mod outputs;
mod perf;
mod progress;
mod progress_cli;
mod props;
mod regen;
mod reports;
mod seed;
mod stream;
mod sync;
mod trackers;
