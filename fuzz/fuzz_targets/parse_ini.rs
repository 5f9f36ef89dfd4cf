//! The ini readers (uWSGI's and supervisord's) and both models on arbitrary text: no panic,
//! every span inside the text on char boundaries.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| deploylint::invariants::check_ini(text));
