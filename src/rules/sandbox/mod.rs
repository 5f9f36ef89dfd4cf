//! Sandboxing: privileges and isolation the deployed process runs with.

pub mod privileged_container;
