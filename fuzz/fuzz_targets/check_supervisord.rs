//! The whole check on arbitrary bytes read as a supervisord configuration.
#![no_main]
use deploylint::catalog::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    deploylint::invariants::check_bytes(Format::Supervisord, "supervisord.conf", bytes);
});
