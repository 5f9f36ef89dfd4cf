//! The JSON exec form, mirroring Go's `encoding/json` decoding into `[]interface{}`.

use crate::source::{MappedText, Span};

use super::text::push_mapped;

/// Go's `encoding/json` nesting limit.
const MAX_JSON_DEPTH: usize = 10000;

pub(super) enum Json {
    Array(Vec<MappedText>),
    /// Valid JSON array with a non-string element: BuildKit rejects the instruction.
    NotStringArray,
    /// Not a JSON array at all: BuildKit falls back to the shell form.
    Invalid,
}

pub(super) fn parse_json_array(args: &MappedText) -> Json {
    let text = args.as_str();
    let start = text.len() - text.trim_start().len();
    if !text[start..].starts_with('[') {
        return Json::Invalid;
    }
    let bytes = text.as_bytes();
    let mut items = Vec::new();
    let mut all_strings = true;
    let mut bad_number = false;
    let mut i = skip_json_ws(bytes, start + 1);
    if bytes.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            i = skip_json_ws(bytes, i);
            if bytes.get(i) == Some(&b'"') {
                let Some((item, next)) = decode_json_string(args, i) else {
                    return Json::Invalid;
                };
                items.push(item);
                i = next;
            } else {
                let Some(next) = skip_json_value(bytes, i, 1, &mut bad_number) else {
                    return Json::Invalid;
                };
                all_strings = false;
                i = next;
            }
            i = skip_json_ws(bytes, i);
            match bytes.get(i) {
                Some(b',') => i += 1,
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return Json::Invalid,
            }
        }
    }
    if skip_json_ws(bytes, i) != bytes.len() || bad_number {
        return Json::Invalid;
    }
    if all_strings {
        Json::Array(items)
    } else {
        Json::NotStringArray
    }
}

fn skip_json_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Skips one JSON value (iteratively, so deep nesting cannot overflow the stack).
fn skip_json_value(
    bytes: &[u8],
    start: usize,
    depth: usize,
    bad_number: &mut bool,
) -> Option<usize> {
    let mut closers: Vec<u8> = Vec::new();
    let mut i = start;
    loop {
        i = skip_json_ws(bytes, i);
        match *bytes.get(i)? {
            b'{' | b'[' => {
                let close = if bytes[i] == b'{' { b'}' } else { b']' };
                if depth + closers.len() + 1 > MAX_JSON_DEPTH {
                    return None;
                }
                i = skip_json_ws(bytes, i + 1);
                if bytes.get(i) == Some(&close) {
                    i += 1;
                } else {
                    closers.push(close);
                    if close == b'}' {
                        i = skip_json_key(bytes, i)?;
                    }
                    continue;
                }
            }
            b'"' => i = skip_json_string(bytes, i)?,
            b't' => i = skip_literal(bytes, i, b"true")?,
            b'f' => i = skip_literal(bytes, i, b"false")?,
            b'n' => i = skip_literal(bytes, i, b"null")?,
            b'-' | b'0'..=b'9' => i = skip_json_number(bytes, i, bad_number)?,
            _ => return None,
        }
        // A value is complete: close containers until one wants another element.
        loop {
            let Some(&close) = closers.last() else {
                return Some(i);
            };
            i = skip_json_ws(bytes, i);
            match *bytes.get(i)? {
                b',' => {
                    i += 1;
                    if close == b'}' {
                        i = skip_json_key(bytes, skip_json_ws(bytes, i))?;
                    }
                    break;
                }
                c if c == close => {
                    closers.pop();
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

/// Skips `"key" :` inside an object.
fn skip_json_key(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let i = skip_json_ws(bytes, skip_json_string(bytes, i)?);
    (bytes.get(i) == Some(&b':')).then_some(i + 1)
}

fn skip_literal(bytes: &[u8], i: usize, literal: &[u8]) -> Option<usize> {
    bytes[i..].starts_with(literal).then_some(i + literal.len())
}

fn skip_json_string(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *bytes.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    hex4(bytes, i + 2)?;
                    i += 6;
                }
                _ => return None,
            },
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
}

fn skip_json_number(bytes: &[u8], start: usize, bad_number: &mut bool) -> Option<usize> {
    let digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = start;
    if bytes[i] == b'-' {
        i += 1;
    }
    match bytes.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(i),
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        let after = digits(i + 1);
        if after == i + 1 {
            return None;
        }
        i = after;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let after = digits(i);
        if after == i {
            return None;
        }
        i = after;
    }
    // Go decodes numbers into float64 and fails on overflow.
    let text = std::str::from_utf8(&bytes[start..i]).ok()?;
    if !matches!(text.parse::<f64>(), Ok(v) if v.is_finite()) {
        *bad_number = true;
    }
    Some(i)
}

fn hex4(bytes: &[u8], i: usize) -> Option<u32> {
    let digits = bytes.get(i..i + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// Decodes the JSON string starting at `start` (the opening quote), as Go does: a lone
/// surrogate becomes U+FFFD.
fn decode_json_string(src: &MappedText, start: usize) -> Option<(MappedText, usize)> {
    let text = src.as_str();
    let bytes = text.as_bytes();
    let mut out = MappedText::new(src.origin(start + 1));
    let mut i = start + 1;
    loop {
        let c = text[i..].chars().next()?;
        match c {
            '"' => {
                // The element points at the whole string literal, quotes included.
                let literal = Span::new(src.origin(start), src.origin(i) + 1);
                return Some((out.with_span(literal), i + 1));
            }
            '\\' => {
                let (decoded, len) = match *bytes.get(i + 1)? {
                    b'"' => ('"', 2),
                    b'\\' => ('\\', 2),
                    b'/' => ('/', 2),
                    b'b' => ('\u{8}', 2),
                    b'f' => ('\u{c}', 2),
                    b'n' => ('\n', 2),
                    b'r' => ('\r', 2),
                    b't' => ('\t', 2),
                    b'u' => {
                        let first = hex4(bytes, i + 2)?;
                        if (0xD800..0xE000).contains(&first) {
                            let second = (bytes.get(i + 6..i + 8) == Some(&b"\\u"[..]))
                                .then(|| hex4(bytes, i + 8))
                                .flatten();
                            match second {
                                Some(low)
                                    if (0xD800..0xDC00).contains(&first)
                                        && (0xDC00..0xE000).contains(&low) =>
                                {
                                    let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                                    (char::from_u32(code).unwrap_or('\u{fffd}'), 12)
                                }
                                _ => ('\u{fffd}', 6),
                            }
                        } else {
                            (char::from_u32(first).unwrap_or('\u{fffd}'), 6)
                        }
                    }
                    _ => return None,
                };
                let span = src.span_of(i..i + len);
                out.push_char(decoded, span.start, span.end);
                i += len;
            }
            c if (c as u32) < 0x20 => return None,
            c => {
                push_mapped(&mut out, src, i..i + c.len_utf8());
                i += c.len_utf8();
            }
        }
    }
}
