//! The spanned YAML parser (compose files) on arbitrary text: no panic, no blow-up, spans inside the text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| deploylint::invariants::check_yaml(text));
