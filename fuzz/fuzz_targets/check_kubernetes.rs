//! The whole check on arbitrary bytes read as a Kubernetes manifest.
#![no_main]
use deploylint::catalog::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    deploylint::invariants::check_bytes(Format::Kubernetes, "k8s/deployment.yaml", bytes);
});
