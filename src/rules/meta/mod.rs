//! Rules about deploylint's own markup in linted files.

pub mod unused_suppression;
