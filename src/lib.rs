//! deploylint: a linter for the deployment configuration of Python web applications.

pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod config_error;
pub mod diagnostic;
pub mod discover;
pub mod edit;
pub mod engine;
pub mod files;
pub mod fix;
pub mod frontend;
pub mod graph;
#[doc(hidden)]
pub mod invariants;
pub mod kinds;
pub mod model;
pub mod report;
pub mod rulepack;
pub mod rules;
pub mod server;
pub mod show;
pub mod source;
pub mod statements;
pub mod suppress;
pub mod syntax;
pub mod template;
