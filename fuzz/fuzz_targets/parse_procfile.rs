//! The Procfile reader and its launches on arbitrary text: no panic, spans inside the text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| deploylint::invariants::check_procfile(text));
