//! Processes running as root or a shared account.

pub mod runs_as_root;
pub mod shared_account;
