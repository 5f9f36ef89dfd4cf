//! The whole check on arbitrary bytes read as nginx configuration, and the parser's spans.
#![no_main]
use deploylint::catalog::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        deploylint::invariants::check_nginx(text);
    }
    deploylint::invariants::check_bytes(Format::Nginx, "nginx/nginx.conf", bytes);
});
