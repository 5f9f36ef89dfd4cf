//! Shell patterns for `${var#pattern}`, `${var%pattern}` and `${var/pattern/replacement}`.

/// Shell-pattern operations on values bigger than this are not evaluated (they return unknown).
const MAX_PATTERN_WORK: usize = 1 << 20;

/// A shell pattern as `${var#pattern}` and `${var/pattern/x}` use it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Glob {
    Any,
    One,
    Lit(char),
}

fn compile_glob(pattern: &str) -> Result<Vec<Glob>, String> {
    let mut out = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push(Glob::Any),
            '?' => out.push(Glob::One),
            // `\}` and `\/` are escapes for `${}` itself, not part of the pattern.
            '\\' if matches!(chars.peek(), Some('}' | '/')) => {}
            '\\' => match chars.next() {
                Some(next @ ('*' | '?' | '\\')) => out.push(Glob::Lit(next)),
                other => {
                    return Err(format!(
                        "invalid pattern ({pattern}) in substitution: invalid escape '\\{}'",
                        other.map(String::from).unwrap_or_default()
                    ));
                }
            },
            c => out.push(Glob::Lit(c)),
        }
    }
    Ok(out)
}

/// For each `end` in `0..=text.len()`, whether `glob` matches `text[..end]` exactly.
fn glob_prefix_matches(glob: &[Glob], text: &[char]) -> Result<Vec<bool>, String> {
    if (glob.len() + 1).saturating_mul(text.len() + 1) > MAX_PATTERN_WORK {
        return Err("pattern too large to evaluate".to_string());
    }
    // row[j]: glob[..j] matches the text consumed so far.
    let mut row = vec![false; glob.len() + 1];
    row[0] = true;
    for j in 0..glob.len() {
        row[j + 1] = row[j] && glob[j] == Glob::Any;
    }
    let mut ends = vec![row[glob.len()]];
    for &c in text {
        let mut next = vec![false; glob.len() + 1];
        for j in 0..glob.len() {
            next[j + 1] = match glob[j] {
                Glob::Any => next[j] || row[j + 1],
                Glob::One => row[j],
                Glob::Lit(l) => row[j] && l == c,
            };
        }
        row = next;
        ends.push(row[glob.len()]);
    }
    Ok(ends)
}

/// `${var#pat}`/`${var##pat}` (prefix) and `${var%pat}`/`${var%%pat}` (suffix).
pub(super) fn trim_pattern(
    pattern: &str,
    value: &str,
    greedy: bool,
    prefix: bool,
) -> Result<String, String> {
    let mut glob = compile_glob(pattern)?;
    let mut chars: Vec<char> = value.chars().collect();
    if !prefix {
        glob.reverse();
        chars.reverse();
    }
    let ends = glob_prefix_matches(&glob, &chars)?;
    let mut matching = ends.iter().enumerate().filter(|&(_, &m)| m).map(|(i, _)| i);
    let cut = if greedy {
        matching.next_back()
    } else {
        matching.next()
    };
    let Some(cut) = cut else {
        return Ok(value.to_string());
    };
    let mut rest: Vec<char> = chars[cut..].to_vec();
    if !prefix {
        rest.reverse();
    }
    Ok(rest.into_iter().collect())
}

/// `${var/pat/rep}` and `${var//pat/rep}` with a leftmost, longest match.
pub(super) fn replace_pattern(
    pattern: &str,
    value: &str,
    replacement: &str,
    all: bool,
) -> Result<String, String> {
    let glob = compile_glob(pattern)?;
    // Empty matches and `$` in the replacement (Go template syntax) are not modelled.
    if glob.iter().all(|g| *g == Glob::Any) || replacement.contains('$') {
        return Err("pattern substitution not evaluated".to_string());
    }
    let chars: Vec<char> = value.chars().collect();
    // Each start position runs its own match, so bound the total work.
    if (glob.len() + 1).saturating_mul((chars.len() + 1).pow(2)) > MAX_PATTERN_WORK {
        return Err("pattern too large to evaluate".to_string());
    }
    let mut out = String::new();
    let mut pos = 0;
    let mut replaced = false;
    while (all || !replaced) && pos <= chars.len() {
        let found = (pos..=chars.len()).find_map(|start| {
            let ends = glob_prefix_matches(&glob, &chars[start..]).ok()?;
            ends.iter()
                .rposition(|&m| m)
                .map(|len| (start, start + len))
        });
        let Some((start, end)) = found else {
            break;
        };
        if end == start {
            return Err("pattern substitution not evaluated".to_string());
        }
        out.extend(&chars[pos..start]);
        out.push_str(replacement);
        pos = end;
        replaced = true;
    }
    out.extend(chars.get(pos..).unwrap_or_default());
    Ok(out)
}
