//! Templates that deploy: `site.conf.j2`, `app.service.in`, `vhost.conf.example`. They are
//! read as the kind of file they render to, with their markup masked so that a placeholder is
//! never read as a literal value nor reported as a syntax error.

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use std::path::{Path, PathBuf};

/// Suffixes that make a file a template for the file named without them.
const SUFFIXES: &[&str] = &[
    "j2", "jinja", "jinja2", "tmpl", "tpl", "template", "example", "sample", "in",
];

/// The name the template renders to (`site.conf.j2` → `site.conf`), if it is one.
pub fn rendered_name(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let (rendered, suffix) = name.rsplit_once('.')?;
    let suffix = suffix.to_ascii_lowercase();
    // `.in` is also a plain extension; only `x.conf.in`-style names are templates.
    let needs_extension = suffix == "in";
    let valid = SUFFIXES.contains(&suffix.as_str())
        && !rendered.is_empty()
        && !rendered.starts_with('.')
        && (!needs_extension || rendered.contains('.'));
    valid.then(|| path.with_file_name(rendered))
}

/// Whether a file is a template by its name.
pub fn is_template(path: &Path) -> bool {
    rendered_name(path).is_some()
}

/// The text with Jinja/cookiecutter markup masked, byte for byte in place so spans stay
/// true: `{{ app_dir }}` becomes one word (`___app_dir___`) that no rule reads as a host,
/// user or mode, and `{% … %}` / `{# … #}` become blanks (line breaks kept). None when the text
/// has no such markup. `@VAR@`, `%(var)s` and `${VAR}` are single words already and are left
/// to the formats, which know them.
pub fn mask(text: &str) -> Option<String> {
    mask_with_placeholders(text).map(|(masked, _)| masked)
}

/// `mask`, and each placeholder's mask with the text it stands for.
fn mask_with_placeholders(text: &str) -> Option<(String, Vec<(String, String)>)> {
    if !text.contains("{{") && !text.contains("{%") && !text.contains("{#") {
        return None;
    }
    let mut placeholders = Vec::new();
    let mut out = text.as_bytes().to_vec();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        let close: &[u8] = match (bytes[i], bytes[i + 1]) {
            (b'{', b'{') => b"}}",
            (b'{', b'%') => b"%}",
            (b'{', b'#') => b"#}",
            _ => {
                i += 1;
                continue;
            }
        };
        let Some(len) = find(&bytes[i + 2..], close) else {
            break;
        };
        let end = i + 2 + len + 2;
        let expression = bytes[i + 1] == b'{';
        for (k, byte) in out[i..end].iter_mut().enumerate() {
            let original = bytes[i + k];
            *byte = match original {
                b'\n' | b'\r' => original,
                _ if !expression => b' ',
                // Keep the name readable, as one ASCII word (multi-byte characters become
                // one `_` per byte, so the text stays valid UTF-8 of the same length).
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => original,
                _ => b'_',
            };
        }
        if expression {
            placeholders.push((
                String::from_utf8_lossy(&out[i..end]).into_owned(),
                text[i..end].to_string(),
            ));
        }
        i = end;
    }
    Some((String::from_utf8(out).ok()?, placeholders))
}

/// The file a template is linted as: named as it renders, so that what a format reads from
/// the name (a unit's type, a drop-in directory) holds, with its markup masked. `.in` build
/// templates keep their name: the formats that have them read their `@VAR@` placeholders
/// themselves. None for a file that is not a template.
pub fn lint_as(source: &SourceFile) -> Option<Rendered> {
    let rendered = rendered_name(source.path())?;
    let in_template = source
        .path()
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("in"));
    let path = if in_template {
        source.path().to_path_buf()
    } else {
        rendered
    };
    let (text, placeholders) = mask_with_placeholders(source.text())
        .unwrap_or_else(|| (source.text().to_string(), Vec::new()));
    Some(Rendered {
        source: SourceFile::new(path, text),
        placeholders,
    })
}

/// A template as it is linted.
pub struct Rendered {
    pub source: SourceFile,
    /// Each placeholder's mask (`___app_dir___`) and its text (`{{ app_dir }}`).
    placeholders: Vec<(String, String)>,
}

impl Rendered {
    /// Points findings made on the rendered name back at the template, with placeholders
    /// quoted as written, and drops their fixes: an edit computed on the masked text could
    /// write the mask into the file.
    pub fn restore(&self, diagnostics: &mut [Diagnostic], template: &Path) {
        let linted_as = self.source.path();
        for d in diagnostics {
            d.fix = None;
            if d.path == linted_as {
                d.path = template.to_path_buf();
            }
            d.message = self.unmask(&d.message);
            for label in &mut d.labels {
                if label.path.as_deref() == Some(linted_as) {
                    label.path = Some(template.to_path_buf());
                }
                label.message = self.unmask(&label.message);
            }
        }
    }

    fn unmask(&self, message: &str) -> String {
        let mut message = message.to_string();
        for (masked, original) in &self.placeholders {
            if message.contains(masked.as_str()) {
                message = message.replace(masked.as_str(), original);
            }
        }
        message
    }
}

/// Whether the template's structure depends on rendering (`{% if %}`, `{% for %}`): then what
/// does not parse in it is not an error of the file it renders to.
pub fn has_control_blocks(text: &str) -> bool {
    text.contains("{%")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let rendered = |n: &str| rendered_name(Path::new(n)).map(|p| p.display().to_string());
        assert_eq!(rendered("site.conf.j2").as_deref(), Some("site.conf"));
        assert_eq!(
            rendered("etc/app.service.in").as_deref(),
            Some("etc/app.service")
        );
        assert_eq!(
            rendered("vhost.conf.EXAMPLE").as_deref(),
            Some("vhost.conf")
        );
        assert_eq!(
            rendered("Dockerfile.template").as_deref(),
            Some("Dockerfile")
        );
        assert_eq!(
            rendered("gunicorn.conf.py.jinja2").as_deref(),
            Some("gunicorn.conf.py")
        );
        for not in [
            "setup.in",
            "MANIFEST.in",
            "site.conf",
            ".j2",
            "app.py",
            "x..j2x",
        ] {
            assert_eq!(rendered(not), None, "{not}");
        }
    }

    #[test]
    fn masking_keeps_offsets_and_words() {
        let text = "User={{ app_user }}\n{% if tls %}\nListen 443\n{% endif %}\n{# note #}Bind=x\n";
        let masked = mask(text).unwrap();
        assert_eq!(masked.len(), text.len());
        assert_eq!(
            masked,
            "User=___app_user___\n            \nListen 443\n           \n          Bind=x\n"
        );
        // Unicode inside a placeholder stays valid UTF-8 of the same length.
        let text = "home={{ 'réalité' }}";
        let masked = mask(text).unwrap();
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains(' '));
        // No markup, nothing to do; an unclosed one is left alone.
        assert_eq!(mask("User=app\n"), None);
        assert_eq!(mask("x={{ open").as_deref(), Some("x={{ open"));
        // A block spanning lines keeps its line breaks.
        assert_eq!(mask("{% if a\n %}x").as_deref(), Some("       \n   x"));
    }
}
