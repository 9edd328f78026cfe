//! Integration tests: build and check fixture sites through the library and the binary.
#![allow(missing_docs, unreachable_pub)]

mod bad_input;
mod build;
mod cli;
mod deploy;
mod example;
mod harness;
mod hostile;
mod images;
mod init;
mod lsp;
mod outcomes;
#[cfg(unix)]
mod output;
mod pages;
mod related;
mod review;
mod robustness;
mod schema;
mod search;
mod serve;
mod snapshots;
