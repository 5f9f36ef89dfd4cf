//! The whole check on arbitrary bytes read as an Apache site: every rule, diagnostics inside the text, every output format renders.
#![no_main]
use deploylint::catalog::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    deploylint::invariants::check_bytes(Format::Apache, "apache2/sites-available/site.conf", bytes);
});
