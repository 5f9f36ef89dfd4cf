//! Parser tests: spans, flags, heredocs, quoting, directives and variable scope, with cases
//! from BuildKit's parser tests.

use super::instructions::{ERR_NOT_STRING_ARRAY, parse_words};
use super::*;

fn shell(instr: &Instruction) -> &str {
    match &instr.args {
        Args::Shell(text) => text.as_str(),
        Args::Exec(_) => panic!("expected shell form"),
    }
}

fn exec(instr: &Instruction) -> Vec<&str> {
    match &instr.args {
        Args::Exec(items) => items.iter().map(MappedText::as_str).collect(),
        Args::Shell(_) => panic!("expected exec form"),
    }
}

fn strs(words: &[MappedText]) -> Vec<&str> {
    words.iter().map(MappedText::as_str).collect()
}

/// Every span the parser hands out lies inside the text, on character boundaries.
fn check_spans(text: &str, df: &Dockerfile) {
    let check = |span: Span, what: &str| {
        assert!(
            span.start <= span.end
                && span.end <= text.len()
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end),
            "bad {what} span {span:?} in {text:?}"
        );
    };
    let check_mapped = |m: &MappedText, what: &str| {
        check(m.span(), what);
        for (i, c) in m.as_str().char_indices() {
            check(m.span_of(i..i + c.len_utf8()), what);
        }
    };
    for d in &df.directives {
        check(d.span, "directive");
        check(d.value_span, "directive value");
    }
    for e in &df.errors {
        check(e.span, "error");
    }
    let mut stack: Vec<&Instruction> = df.instructions.iter().collect();
    while let Some(instr) = stack.pop() {
        check(instr.span, "instruction");
        check(instr.keyword_span, "keyword");
        for f in &instr.flags {
            check(f.span, "flag");
            if let Some(v) = &f.value {
                check_mapped(v, "flag value");
            }
        }
        match &instr.args {
            Args::Shell(t) => check_mapped(t, "args"),
            Args::Exec(items) => items.iter().for_each(|i| check_mapped(i, "exec item")),
        }
        for h in &instr.heredocs {
            check(h.span, "heredoc");
            check(h.marker, "heredoc marker");
            check_mapped(&h.body, "heredoc body");
        }
        for w in instr.words(df.escape) {
            check_mapped(&w, "word");
        }
        for kv in instr.key_values(df.escape) {
            check_mapped(&kv.key, "key");
            if let Some(v) = &kv.value {
                check_mapped(v, "value");
            }
        }
        if let Some(trigger) = &instr.onbuild {
            stack.push(trigger);
        }
    }
}

#[test]
fn spans_point_at_original_bytes() {
    let text = "FROM alpine\nRUN apk add \\\n    # a comment\n    curl   \\\n  jq\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    check_spans(text, &df);
    let run = &df.instructions[1];
    assert_eq!(&text[run.keyword_span.range()], "RUN");
    assert_eq!(shell(run), "apk add     curl     jq");
    assert_eq!(&text[run.span.range()], &text[12..text.len() - 1]);
    let words = run.words(df.escape);
    assert_eq!(strs(&words), ["apk", "add", "curl", "jq"]);
    assert_eq!(&text[words[2].span().range()], "curl");
    assert_eq!(&text[words[3].span().range()], "jq");
    // A span across the continuation covers the original bytes in between.
    let args = match &run.args {
        Args::Shell(t) => t,
        Args::Exec(_) => unreachable!(),
    };
    let from = args.as_str().find("add").unwrap();
    let to = args.as_str().find("jq").unwrap() + 2;
    assert_eq!(
        &text[args.span_of(from..to).range()],
        "add \\\n    # a comment\n    curl   \\\n  jq"
    );
}

#[test]
fn flags_are_split_off() {
    let text = "FROM python:3.12 AS build\nCOPY --chown=app:app --from=build \"/a b\" /dst\nRUN --mount=type=cache,target=/root/.cache pip install -r req.txt\n";
    let df = parse(text);
    check_spans(text, &df);
    let copy = &df.instructions[1];
    let names: Vec<&str> = copy.flags.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["chown", "from"]);
    assert_eq!(copy.flags[1].value.as_ref().unwrap().as_str(), "build");
    assert_eq!(&text[copy.flags[0].span.range()], "--chown=app:app");
    assert_eq!(shell(copy), "\"/a b\" /dst");
    let run = &df.instructions[2];
    let mount = run.flags[0].value.as_ref().unwrap();
    assert_eq!(mount.as_str(), "type=cache,target=/root/.cache");
    assert_eq!(
        &text[mount.span().range()],
        "type=cache,target=/root/.cache"
    );
    assert_eq!(shell(run), "pip install -r req.txt");
}

#[test]
fn heredoc_bodies() {
    let text = "FROM alpine\nRUN <<EOF\necho hi\necho there\nEOF\nRUN <<-'END' sh\n\tindented $X\n\tEND\nCOPY <<A <<\"B\" /dst/\na\nA\nb\nB\nRUN echo done\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    check_spans(text, &df);
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 1);
    let doc = &run.heredocs[0];
    assert_eq!(doc.name, "EOF");
    assert_eq!(doc.body.as_str(), "echo hi\necho there\n");
    assert!(!doc.quoted && !doc.chomp_tabs);
    assert_eq!(&text[doc.marker.range()], "<<EOF");
    assert!(text[run.span.range()].ends_with("echo there\nEOF"));

    let chomped = &df.instructions[2].heredocs[0];
    assert_eq!(chomped.name, "END");
    assert!(chomped.quoted && chomped.chomp_tabs);
    assert_eq!(chomped.body.as_str(), "indented $X\n");
    assert_eq!(&text[chomped.body.span().range()], "indented $X\n");

    let copy = &df.instructions[3];
    let docs: Vec<(&str, &str, bool)> = copy
        .heredocs
        .iter()
        .map(|h| (h.name.as_str(), h.body.as_str(), h.quoted))
        .collect();
    assert_eq!(docs, [("A", "a\n", false), ("B", "b\n", true)]);
    assert_eq!(shell(&df.instructions[4]), "echo done");

    // JSON form, quoted markers and other instructions have no heredocs.
    let df = parse("FROM a\nRUN [\"<<EOF\"]\nRUN echo '<<EOF'\nUSER <<EOF\nRUN x\n");
    assert!(df.instructions.iter().all(|i| i.heredocs.is_empty()));
    assert_eq!(df.instructions.len(), 5);

    // Unterminated: an error, and the body runs to the end.
    let text = "FROM a\nRUN <<EOF\necho hi\n";
    let df = parse(text);
    assert_eq!(df.errors.len(), 1, "{:?}", df.errors);
    assert_eq!(df.errors[0].message, "unterminated heredoc");
    assert_eq!(df.instructions[1].heredocs[0].body.as_str(), "echo hi\n");
    check_spans(text, &df);
}

/// BuildKit's TestParseExtractsHeredoc, with bodies chomped for `<<-` as instructions see them.
#[test]
fn buildkit_heredoc_cases() {
    let text = "\nFROM alpine:3.6\n\nENV NAME=me\n\nRUN ls\n\nUSER <<INVALID\nINVALID\n\n\
        RUN <<EMPTY\nEMPTY\n\nRUN 3<<EMPTY2\nEMPTY2\n\nRUN \"<<NOHEREDOC\"\n\n\
        RUN <<INDENT\n\tfoo\n\tbar\nINDENT\n\nRUN <<-UNINDENT\n\tbaz\n\tquux\nUNINDENT\n\n\
        RUN <<-UNINDENT2\n\tbaz\n\tquux\n\tUNINDENT2\n\nRUN <<-EXPAND\n\texpand $NAME\nEXPAND\n\n\
        RUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n\n\
        RUN <<COPY\necho hello world\necho foo bar\nCOPY\n\n\
        RUN <<COMMENT\n# internal comment\necho hello world\necho foo bar # trailing comment\nCOMMENT\n\n\
        RUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n\n\
        COPY <<FILE1 <<FILE2 /dest\ncontent 1\nFILE1\ncontent 2\nFILE2\n\n\
        COPY <<X <<Y /dest\nY\nX\nX\nY\n\t";
    let df = parse(text);
    check_spans(text, &df);
    // The parser keeps `INVALID` as an instruction; BuildKit rejects it later.
    let messages: Vec<&str> = df.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["unknown instruction: INVALID"]);
    let expected: &[&[(&str, &str, bool)]] = &[
        &[],
        &[],
        &[],
        &[],
        &[("EMPTY", "", false)],
        &[("EMPTY2", "", false)],
        &[],
        &[("INDENT", "\tfoo\n\tbar\n", false)],
        &[("UNINDENT", "baz\nquux\n", false)],
        &[("UNINDENT2", "baz\nquux\n", false)],
        &[("EXPAND", "expand $NAME\n", false)],
        &[("NOEXPAND", "don't expand $NAME\n", true)],
        &[("COPY", "echo hello world\necho foo bar\n", false)],
        &[(
            "COMMENT",
            "# internal comment\necho hello world\necho foo bar # trailing comment\n",
            false,
        )],
        &[("MOUNT", "echo hello\n", false)],
        &[
            ("FILE1", "content 1\n", false),
            ("FILE2", "content 2\n", false),
        ],
        &[("X", "Y\n", false), ("Y", "X\n", false)],
    ];
    assert_eq!(df.instructions.len(), expected.len() + 1);
    for (instr, want) in df.instructions[1..].iter().zip(expected) {
        let got: Vec<(&str, &str, bool)> = instr
            .heredocs
            .iter()
            .map(|h| (h.name.as_str(), h.body.as_str(), h.quoted))
            .collect();
        assert_eq!(&got, want, "{}", &text[instr.span.range()]);
    }
    assert!(df.instructions[9].heredocs[0].chomp_tabs);
}

/// BuildKit's TestParseWords.
#[test]
fn parse_words_keeps_quotes() {
    let cases: &[(&str, &[&str])] = &[
        ("foo", &["foo"]),
        ("foo bar", &["foo", "bar"]),
        ("foo\\ bar", &["foo\\ bar"]),
        ("foo=bar", &["foo=bar"]),
        ("foo bar 'abc xyz'", &["foo", "bar", "'abc xyz'"]),
        ("foo bar \"abc xyz\"", &["foo", "bar", "\"abc xyz\""]),
        ("àöû", &["àöû"]),
        ("föo bàr \"âbc xÿz\"", &["föo", "bàr", "\"âbc xÿz\""]),
    ];
    for (input, expected) in cases {
        let words: Vec<&str> = parse_words(input, '\\')
            .into_iter()
            .map(|r| &input[r])
            .collect();
        assert_eq!(&words, expected);
    }
}

#[test]
fn comments_and_continuations() {
    let text = "FROM a\n  # indented comment\nRUN echo hi # not a comment\nRUN echo \\\\\nRUN echo \\  \t\n\n  done\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let args: Vec<&str> = df.instructions.iter().map(shell).collect();
    // An escaped escape token does not continue the line; blank lines are skipped.
    assert_eq!(
        args,
        ["a", "echo hi # not a comment", "echo \\\\", "echo   done"]
    );
    check_spans(text, &df);
}

#[test]
fn onbuild_heredoc_attaches_to_onbuild() {
    let df = parse("FROM a\nONBUILD RUN <<EOF\nls\nEOF\n");
    let onbuild = &df.instructions[1];
    assert_eq!(onbuild.onbuild.as_ref().unwrap().keyword, "RUN");
    assert_eq!(onbuild.heredocs[0].body.as_str(), "ls\n");
    assert_eq!(df.dump(), "(from \"a\")\n(onbuild (run \"<<EOF\"))");
}

#[test]
fn backtick_escape() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir C:\\ `\n    && echo `\"hi`\"\nWORKDIR C:\\app\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives[0].name, "escape");
    assert_eq!(df.directives[0].value, "`");
    assert_eq!(shell(&df.instructions[1]), "dir C:\\     && echo `\"hi`\"");
    let words = df.instructions[2].words(df.escape);
    assert_eq!(strs(&words), ["C:\\app"]);
    check_spans(text, &df);
}

#[test]
fn directives_only_at_top() {
    let df = parse("# syntax=docker/dockerfile:1\n# CHECK = skip=all\n\n# escape=`\nFROM a\n");
    let names: Vec<&str> = df.directives.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["syntax", "check"]);
    assert_eq!(df.directives[1].value, "skip=all");
    assert_eq!(df.escape, '\\');

    let df = parse("# escape=x\n# escape=`\nFROM a\n");
    assert_eq!(df.errors.len(), 2, "{:?}", df.errors);
}

#[test]
fn exec_form_and_shell_fallback() {
    let text = "FROM a\nCMD [\"python\", \"-m\", \"app\"]\nENTRYPOINT [\"a\\u00e9\\\"b\"]\nCMD ['single']\nCMD [\"unterminated\"\nRUN [\"ok\"] trailing\nCOPY [\"a b\", \"/c\"]\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    check_spans(text, &df);
    let i = &df.instructions;
    assert_eq!(exec(&i[1]), ["python", "-m", "app"]);
    assert_eq!(
        &text[match &i[1].args {
            Args::Exec(items) => items[1].span(),
            Args::Shell(_) => unreachable!(),
        }
        .range()],
        "\"-m\"",
        "an exec element's span covers its quotes"
    );
    assert_eq!(exec(&i[2]), ["a\u{e9}\"b"]);
    assert_eq!(shell(&i[3]), "['single']");
    assert_eq!(shell(&i[4]), "[\"unterminated\"");
    assert_eq!(shell(&i[5]), "[\"ok\"] trailing");
    assert_eq!(exec(&i[6]), ["a b", "/c"]);

    // A valid array of something else is an error, as in BuildKit.
    let df = parse("FROM a\nCMD [\"echo\", [\"nested\"]]\n");
    assert_eq!(df.errors[0].message, ERR_NOT_STRING_ARRAY);
    let df = parse("FROM a\nSHELL /bin/bash -c\n");
    assert_eq!(df.errors.len(), 1);
}

#[test]
fn env_label_arg_pairs() {
    let text = "ARG A B=\"two words\"\nFROM x\nENV PATH=/usr/bin:$PATH LANG=\"C.UTF-8\" X=a\\ b\nENV LEGACY some value here\nLABEL \"org.key\"='v'\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    check_spans(text, &df);
    let pairs = |n: usize| -> Vec<(String, Option<String>)> {
        df.instructions[n]
            .key_values(df.escape)
            .into_iter()
            .map(|kv| {
                (
                    kv.key.as_str().to_string(),
                    kv.value.map(|v| v.as_str().to_string()),
                )
            })
            .collect()
    };
    let owned = |k: &str, v: Option<&str>| (k.to_string(), v.map(str::to_string));
    assert_eq!(pairs(0), [owned("A", None), owned("B", Some("two words"))]);
    assert_eq!(
        pairs(2),
        [
            owned("PATH", Some("/usr/bin:$PATH")),
            owned("LANG", Some("C.UTF-8")),
            owned("X", Some("a b"))
        ]
    );
    assert_eq!(pairs(3), [owned("LEGACY", Some("some value here"))]);
    assert_eq!(pairs(4), [owned("org.key", Some("v"))]);
    let lang = &df.instructions[2].key_values(df.escape)[1];
    assert_eq!(
        &text[lang.value.as_ref().unwrap().span().range()],
        "\"C.UTF-8\"",
        "a quoted value's span covers its quotes"
    );

    let df = parse("FROM a\nENV PATH\n");
    assert_eq!(df.errors[0].message, "ENV must have two arguments");
    let df = parse("FROM a\nENV a=b c\n");
    assert!(df.errors[0].message.contains("can't find = in \"c\""));
}

#[test]
fn from_takes_an_image_and_an_optional_stage_name() {
    for ok in [
        "FROM a\n",
        "FROM --platform=$BUILDPLATFORM python:3.12 AS build-1.x_y\n",
        "FROM python as Builder\n",
        "FROM \"scratch\"\n",
        "FROM ${BASE}:${TAG}\n",
        // A project template's placeholder, with spaces inside its braces.
        "FROM docker.io/postgres:{{ cookiecutter.postgresql_version }}\n",
        "FROM {% if gpu %}nvidia/cuda{% else %}python{% endif %}\n",
    ] {
        let df = parse(ok);
        assert!(df.errors.is_empty(), "{ok:?}: {:?}", df.errors);
    }
    let text = "FROM a b c\n";
    let df = parse(text);
    assert_eq!(df.errors.len(), 1, "{:?}", df.errors);
    assert!(
        df.errors[0]
            .message
            .starts_with("FROM requires either one or three")
    );
    assert_eq!(&text[df.errors[0].span.range()], "b c");
    let df = parse("FROM a AS\n");
    assert!(
        df.errors[0]
            .message
            .starts_with("FROM requires either one or three")
    );
    let text = "FROM a AS 1st\n";
    let df = parse(text);
    assert!(
        df.errors[0]
            .message
            .starts_with("invalid name for build stage")
    );
    assert_eq!(&text[df.errors[0].span.range()], "1st");
    assert_eq!(parse("FROM a AS x/y\n").errors.len(), 1);
}

#[test]
fn scope_expansion() {
    let text = "ARG BASE=python:3.12\nARG TAG\nARG GLOBAL_ONLY=g\nFROM ${BASE}-slim AS builder\nARG TAG\nARG BASE\nARG V=1\nENV V=2 W=$V\nENV HOME=/home/$USER\nRUN echo\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let global = Scope::global(&df);
    assert_eq!(global.get("BASE"), Some("python:3.12"));
    assert_eq!(global.get("TAG"), None);
    assert_eq!(
        global.expand("${BASE}-slim", '\\').as_deref(),
        Some("python:3.12-slim")
    );
    assert_eq!(global.expand("img:$TAG", '\\'), None);
    assert_eq!(global.expand("${TAG:-latest}", '\\'), None);

    let mut scope = Scope::for_stage(&df, &global);
    // Global ARGs are not visible in the stage until redeclared.
    assert_eq!(scope.expand("$BASE", '\\'), None);
    for instr in &df.instructions[4..] {
        scope.apply(instr, df.escape);
    }
    assert_eq!(scope.get("BASE"), Some("python:3.12"));
    assert_eq!(scope.get("GLOBAL_ONLY"), None);
    assert_eq!(scope.get("TAG"), None);
    // ENV wins over ARG; values of one ENV see the scope before it.
    assert_eq!(scope.get("V"), Some("2"));
    assert_eq!(scope.get("W"), Some("1"));
    assert_eq!(scope.get("HOME"), None);
    let e = |s: &str| scope.expand(s, '\\');
    assert_eq!(e("${V:-x}").as_deref(), Some("2"));
    assert_eq!(e("${V:+set}").as_deref(), Some("set"));
    assert_eq!(e("${V-x}${V+y}").as_deref(), Some("2y"));
    assert_eq!(e("'$V' \"$V\" \\$V").as_deref(), Some("$V 2 $V"));
    assert_eq!(e("${MISSING:-x}"), None);
    assert_eq!(e("${V:-$MISSING}").as_deref(), Some("2"));
    assert_eq!(e("${BASE%%:*} ${BASE#*:}").as_deref(), Some("python 3.12"));
    assert_eq!(e("${BASE/3/4}").as_deref(), Some("python:4.12"));
    assert_eq!(e("${V"), None);

    let mut empty = Scope::default();
    empty.apply(&parse("FROM a\nARG E=\n").instructions[1], '\\');
    assert_eq!(
        empty
            .expand("${E:-d}|${E-d}|${E:+p}|${E+p}", '\\')
            .as_deref(),
        Some("d|||p")
    );
}

#[test]
fn stages_with_names() {
    let df = parse(
        "ARG V=1\nFROM python:3.12 as Builder\nRUN a\nFROM builder AS final\nFROM --platform=$BUILDPLATFORM \"scratch\"\nCOPY . .\n",
    );
    let stages = df.stages();
    assert_eq!(stages.len(), 3);
    assert_eq!(stages[0].image.as_str(), "python:3.12");
    assert_eq!(stages[0].name.as_ref().unwrap().as_str(), "Builder");
    assert_eq!(stages[0].body.len(), 1);
    assert_eq!(stages[1].name.as_ref().unwrap().as_str(), "final");
    assert!(stages[1].body.is_empty());
    assert_eq!(stages[2].image.as_str(), "scratch");
    assert_eq!(stages[2].index, 2);
    assert!(stages[2].name.is_none());
    assert_eq!(stages[2].from.flags[0].name, "platform");
}

#[test]
fn crlf_and_bom() {
    let text = "\u{feff}FROM alpine\r\nRUN echo a \\\r\n  b\r\nRUN <<EOF\r\nls\r\nEOF\r\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    check_spans(text, &df);
    let from = &df.instructions[0];
    assert_eq!(from.span.start, 3);
    assert_eq!(&text[from.span.range()], "FROM alpine");
    assert_eq!(&text[from.keyword_span.range()], "FROM");
    assert_eq!(shell(&df.instructions[1]), "echo a   b");
    assert_eq!(df.instructions[2].heredocs[0].body.as_str(), "ls\r\n");
    assert_eq!(
        df.dump(),
        "(from \"alpine\")\n(run \"echo a   b\")\n(run \"<<EOF\")"
    );

    let df = parse("\u{feff}# escape=`\nFROM a\n");
    assert_eq!(df.escape, '`');
}

#[test]
fn dump_matches_buildkit_quoting() {
    let df = parse(
        "FROM a\nCMD [\"\\u0000\\t\\u00a0\\u00e9\"]\nRUN --x=\"a b\" echo\nFOO bar\nENV a=b c=d\nONBUILD\n",
    );
    assert_eq!(
        df.dump(),
        "(from \"a\")\n(cmd \"\\x00\\t\\u00a0\u{e9}\")\n(run [\"--x=a b\"] \"echo\")\n(foo \"\")\n(env \"a\" \"b\" \"=\" \"c\" \"d\" \"=\")\n(onbuild)"
    );
    assert_eq!(df.errors.len(), 1);
    assert!(df.errors[0].message.starts_with("unknown instruction"));
}

#[test]
fn empty_and_comment_only_files() {
    for text in ["", "\n\n", "# just a comment\n", "\u{feff}", "   \t\n"] {
        let df = parse(text);
        assert_eq!(df.errors.len(), 1, "{text:?}");
        assert_eq!(df.errors[0].message, "file with no instructions");
    }
}

#[test]
fn no_panic_on_malformed_input() {
    // Keywords and the characters that steer the parser, glued at random.
    let mut pieces: Vec<&str> =
        "FROM RUN ENV ARG LABEL COPY ONBUILD HEALTHCHECK CMD SHELL USER AS EOF x null 1e999"
            .split(' ')
            .collect();
    pieces.extend([
        " ",
        "\t",
        "\n",
        "\r\n",
        "\\",
        "`",
        "#",
        "# escape=`\n",
        "=",
        "\"",
        "'",
        "[",
        "]",
        ",",
        "{",
        "}",
        "$",
        "${",
        ":-",
        "/",
        "%",
        "<<",
        "<<-",
        "--",
        "--a=",
        "\\u",
        "\\ud800",
        "é",
        "日本",
        "\u{feff}",
        "\u{a0}",
    ]);
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..4000 {
        let len = (next() % 24) as usize;
        let text: String = (0..len)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let df = parse(&text);
        check_spans(&text, &df);
        let _ = df.dump();
        let global = Scope::global(&df);
        for stage in df.stages() {
            let mut scope = Scope::for_stage(&df, &global);
            for instr in stage.body {
                scope.apply(instr, df.escape);
                let _ = scope.expand(&text, df.escape);
            }
        }
    }
    for text in [
        "\\",
        "`",
        "# escape=`\n`",
        "RUN <<",
        "RUN <<EOF",
        "ONBUILD ONBUILD ONBUILD RUN x",
    ] {
        check_spans(text, &parse(text));
    }
    let deep = format!("FROM a\nCMD {}\n", "[".repeat(20000));
    assert!(parse(&deep).errors.is_empty());
    let chain = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(5000));
    assert!(!parse(&chain).errors.is_empty());
    let long = format!("FROM a\nRUN {}\n", "x".repeat(70000));
    assert_eq!(parse(&long).errors.len(), 1);
}
