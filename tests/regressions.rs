//! Reproducers of crashes and broken invariants found by fuzzing and property tests, each
//! kept as a test named after what broke. They run through the same checks as the fuzz
//! targets (`deploylint::invariants`), so a regression fails here first.

use deploylint::catalog::Format;
use deploylint::invariants;

/// A backslash-escaped multi-byte character (`\𞗐`) in a shell word: the word's span ended
/// inside the character (the escape's start plus the character's length), so rendering a
/// finding on it could slice a string off a char boundary. Found by proptest.
#[test]
fn escaped_multibyte_char_span_ends_on_a_boundary() {
    invariants::check_command_line("\\𞗐¡");
    invariants::check_command_line("CMD \"\\é\" '€'x \\€");
    invariants::check_dockerfile("FROM a\nRUN echo \\é \"\\€\"\nCMD [\"\\u00e9\", \"é\"]\n");
    invariants::check_bytes(
        Format::Dockerfile,
        "Dockerfile",
        "FROM a\nCMD gunicorn -b \\é\n".as_bytes(),
    );
}
