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

/// A UTF-8 byte-order mark was kept in the text, so every column on line 1 was one too far
/// (and a Python finding there differed from the same file without a BOM). Found by the
/// hostile-input suite; SourceFile now drops it.
#[test]
fn byte_order_mark_does_not_shift_columns() {
    use deploylint::source::SourceFile;
    for (format, name, text) in [
        (Format::Python, "app.py", "app.run(debug=True)\n"),
        (Format::Dockerfile, "Dockerfile", "FROM python\nUSER root\n"),
    ] {
        let plain = invariants::check_bytes(format, name, text.as_bytes());
        let with_bom = invariants::check_bytes(format, name, format!("\u{feff}{text}").as_bytes());
        assert!(!plain.is_empty());
        let columns = |ds: &[deploylint::diagnostic::Diagnostic], t: &str| {
            let source = SourceFile::new(name, t);
            ds.iter()
                .map(|d| (d.code.clone(), source.line_col(d.span.start)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            columns(&plain, text),
            columns(&with_bom, &format!("\u{feff}{text}"))
        );
    }
}

/// An exec-form ENTRYPOINT with a shell-form CMD: Docker runs the CMD as `/bin/sh -c "…"`, and
/// the image model adds `/bin/sh` and `-c` as words that are not in the file, each character
/// mapped to the CMD's start. A sub-range of those words ended one byte after that point:
/// past the end of the file when the CMD was empty at the end. Found by the
/// `parse_dockerfile` fuzz target (its input first, as found).
#[test]
fn implied_shell_words_have_empty_spans() {
    invariants::check_dockerfile(
        "FROM python:3.12ython:3.12-slim\nUSER app\nENTRYPOINT [\"/opt/venv/bin/gunicorn\"]\n# exp`ct: DEV000\nCMD [\"--reload\", \"--bin[\\\\\nCMD",
    );
    invariants::check_dockerfile("FROM a\nENTRYPOINT [\"gunicorn\"]\nCMD ");
    invariants::check_dockerfile("FROM a\nENTRYPOINT [\"gunicorn\"]\nCMD é --bind 0.0.0.0");
    invariants::check_bytes(
        Format::Dockerfile,
        "Dockerfile",
        b"FROM a\nENTRYPOINT [\"gunicorn\"]\nCMD ",
    );
}

/// `sh -c \ \ᘐ` (here inside a Procfile line): re-splitting the `-c` script, a character
/// that stood for an escape (`\ᘐ`) got a span ending inside it, because the shell lexer took
/// a character's end from its first byte (found by fuzzing parse_procfile).
#[test]
fn procfile_escaped_space_before_multibyte_character() {
    let bytes = include_bytes!("data/procfile-escaped-multibyte.bin");
    let text = String::from_utf8_lossy(bytes);
    deploylint::invariants::check_procfile(&text);
}

/// `script_text` (a word re-split as `sh -c WORD`) decided whether the word's first byte had
/// been mapped onto an opening quote from the gap after it; for a multi-byte first character
/// followed by empty quotes (`ᙓ""`) it moved the start one byte into the character. Found by
/// the `parse_dockerfile` fuzz target (its input first, cut at its first invalid UTF-8 byte).
#[test]
fn script_text_of_a_multibyte_word_starts_on_a_boundary() {
    invariants::check_dockerfile("F-bn:3.12-slim\n app\nM[\nDEC ᙓ\"\"\n(");
    invariants::check_dockerfile("FROM a\nRUN sh -c ᙓ\"\" 'é' \"€\"x é''\n");
    invariants::check_command_line("sh -c ᙓ\"\" && bash -c 'é'\"\"");
}

/// A uWSGI option's value after substitution is not in the file byte for byte, so its words
/// stood for the value's span character by character, and a part of a multi-byte value (the
/// module before `:`, say) got a span ending inside a character. Such text now stands for
/// the whole span. Found by the `parse_ini` fuzz target.
#[test]
fn substituted_multibyte_value_spans_whole_characters() {
    invariants::check_ini("[uwsgi]\nmodule =的时候:app\nhttp = 0.0.0.0:8000\n");
    invariants::check_ini("[uwsgi]\nset-ph = m=é\nmodule = %(m):€pp\nsocket = :80\n");
}
