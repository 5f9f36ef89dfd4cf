//! Files that cannot be read as their format.

pub mod syntax_error;
