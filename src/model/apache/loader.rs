//! Reads the Apache httpd configuration around one linted file: the file itself, the files
//! it includes (`Include`/`IncludeOptional`, wildcards, confined to the linted trees, cycles
//! detected), and — for a fragment such as `sites-available/x.conf` — the server's main
//! configuration (`apache2.conf`/`httpd.conf` found above it in the tree), so that each
//! `VirtualHost` is seen with the server-level directives it inherits.
//!
//! Every directive becomes an `Entry` in the order httpd reads it, with the scope it belongs to
//! (the main server or one `VirtualHost`) and the container section around it (`Directory`,
//! `Location`, `Files`, …). Conditional sections (`IfModule`, `IfDefine`, `IfVersion`, `If`,
//! …) are transparent: what they hold is taken to apply, except `<IfDefine>` on a name whose
//! `Define` state is known. `Macro` bodies are not evaluated (they apply only where `Use`d).
//!
//! `${VAR}` is replaced from `Define`s read so far, then from Debian's `envvars` defaults
//! (`APACHE_RUN_USER`/`APACHE_RUN_GROUP` = `www-data`, `APACHE_LOG_DIR` = `/var/log/apache2`,
//! …), which that file sets on every Debian system; other variables stay unresolved and paths
//! that contain them are not compared. httpd substitutes on the whole line before splitting
//! words; here each word is substituted, which differs only for values holding spaces.

use super::{Apache, Entry, Unit, is_main_name};
use crate::files::FileSet;
use crate::model::include::{Directories, expand_glob, has_wildcard};
use crate::source::SourceFile;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// httpd refuses deeper include nesting (`AP_MAX_INCLUDE_DEPTH` is 128); we stop earlier.
const MAX_INCLUDE_DEPTH: usize = 32;
/// Files read for one configuration at most (a wildcard over a huge tree stops here).
const MAX_FILES: usize = 2000;

/// Values Debian's `/etc/apache2/envvars` gives the variables `apache2.conf` uses.
const DEBIAN_ENVVARS: &[(&str, &str)] = &[
    ("APACHE_RUN_USER", "www-data"),
    ("APACHE_RUN_GROUP", "www-data"),
    ("APACHE_PID_FILE", "/var/run/apache2/apache2.pid"),
    ("APACHE_RUN_DIR", "/var/run/apache2"),
    ("APACHE_LOCK_DIR", "/var/lock/apache2"),
    ("APACHE_LOG_DIR", "/var/log/apache2"),
];

/// Sections whose content applies conditionally on something deploylint cannot know.
const CONDITIONALS: &[&str] = &[
    "ifmodule",
    "ifdefine",
    "ifversion",
    "iffile",
    "ifdirective",
    "ifsection",
    "if",
    "elseif",
    "else",
];

/// Loads the configuration around `source`. Files other than the linted one are read only
/// through `files`, inside the linted trees only.
pub fn load(source: &SourceFile, files: &FileSet) -> Apache {
    let roots = files.roots();
    let path = source.path().to_path_buf();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_string();
    let mut apache = Apache {
        units: vec![Unit::new(path.clone(), source.text())],
        complete: true,
        htaccess: name == ".htaccess",
        ..Apache::default()
    };
    let linted_canonical = std::fs::canonicalize(&path).ok();
    let main = if apache.htaccess || is_main_name(&name) {
        None
    } else {
        linted_canonical.as_ref().and_then(|c| find_main(c, roots))
    };
    let base = main
        .as_ref()
        .and_then(|m| m.parent().map(Path::to_path_buf))
        .or_else(|| {
            linted_canonical
                .as_ref()
                .and_then(|c| c.parent().map(Path::to_path_buf))
        })
        .unwrap_or_default();
    let mut reader = Reader {
        apache: &mut apache,
        files,
        defines: HashMap::new(),
        server_root: base.clone(),
        base,
        stack: Vec::new(),
        linted: linted_canonical,
        spliced: false,
    };
    let server = Ctx {
        scope: 0,
        section: None,
    };
    if let Some(main) = &main {
        reader.apache.main = Some(main.clone());
        if let Ok(file) = files.read(main) {
            let unit = reader.apache.units.len();
            reader
                .apache
                .units
                .push(Unit::new(main.clone(), &file.text));
            reader.stack.push(main.clone());
            reader.walk(unit, server);
            reader.stack.pop();
        }
    }
    if !reader.spliced {
        if let Some(c) = reader.linted.clone() {
            reader.stack.push(c);
        }
        reader.walk(0, server);
    }
    apache
}

/// The server's main configuration above a fragment, inside the linted trees.
fn find_main(linted: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    let inside = |p: &Path| roots.iter().any(|r| p.starts_with(r));
    let mut dir = linted.parent()?;
    for _ in 0..3 {
        if !inside(dir) {
            return None;
        }
        for name in ["apache2.conf", "httpd.conf", "conf/httpd.conf"] {
            let candidate = dir.join(name);
            if candidate.is_file()
                && let Ok(c) = std::fs::canonicalize(&candidate)
                && inside(&c)
                && c != linted
            {
                return Some(c);
            }
        }
        dir = dir.parent()?;
    }
    None
}

#[derive(Clone, Copy)]
struct Ctx {
    scope: usize,
    section: Option<usize>,
}

struct Reader<'a> {
    apache: &'a mut Apache,
    files: &'a FileSet,
    defines: HashMap<String, String>,
    /// Where relative includes are resolved first (ServerRoot mapped into the tree).
    server_root: PathBuf,
    /// The main configuration's directory (anchors absolute paths mapped into the tree).
    base: PathBuf,
    /// Canonical paths of the files being read, for cycle detection.
    stack: Vec<PathBuf>,
    linted: Option<PathBuf>,
    spliced: bool,
}

impl Reader<'_> {
    fn walk(&mut self, unit: usize, ctx: Ctx) {
        let top = self.apache.units[unit].conf.top.clone();
        let mut work: Vec<(usize, Ctx)> = top.into_iter().rev().map(|n| (n, ctx)).collect();
        while let Some((n, ctx)) = work.pop() {
            let node = &self.apache.units[unit].conf.nodes[n];
            let name = node.name.to_ascii_lowercase();
            let args: Vec<String> = node.args.iter().map(|a| self.expand(a.as_str())).collect();
            let children = node.children.clone();
            let section = node.section;
            let entry = self.apache.entries.len();
            self.apache.entries.push(Entry {
                unit,
                node: n,
                name: name.clone(),
                args: args.clone(),
                scope: ctx.scope,
                section: ctx.section,
            });
            if section {
                let inner = if name == "macro" {
                    // A macro body applies only where it is `Use`d.
                    continue;
                } else if name == "virtualhost" {
                    self.apache.vhosts.push(entry);
                    Ctx {
                        scope: self.apache.vhosts.len(),
                        section: None,
                    }
                } else if CONDITIONALS.contains(&name.as_str()) {
                    if name == "ifdefine" && self.known_false(args.first()) {
                        continue;
                    }
                    ctx
                } else {
                    Ctx {
                        scope: ctx.scope,
                        section: Some(entry),
                    }
                };
                work.extend(children.into_iter().rev().map(|c| (c, inner)));
                continue;
            }
            match name.as_str() {
                "define" => {
                    if let Some(key) = args.first() {
                        let value = args.get(1).cloned().unwrap_or_default();
                        self.defines.insert(key.clone(), value);
                    }
                }
                "undefine" => {
                    if let Some(key) = args.first() {
                        self.defines.remove(key);
                    }
                }
                "serverroot" => {
                    if let Some(root) = args.first()
                        && let Some(mapped) = self.map_absolute(Path::new(root))
                    {
                        self.server_root = mapped;
                    }
                }
                "include" | "includeoptional" => {
                    if let Some(pattern) = args.first() {
                        self.include(unit, n, pattern, name == "includeoptional", ctx);
                    }
                }
                _ => {}
            }
        }
    }

    fn known_false(&self, arg: Option<&String>) -> bool {
        let Some(arg) = arg else { return false };
        match arg.strip_prefix('!') {
            Some(name) => self.defines.contains_key(name),
            None => false,
        }
    }

    fn expand(&self, text: &str) -> String {
        if !text.contains("${") {
            return text.to_string();
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find('}') {
                Some(end) => {
                    let name = &after[..end];
                    let value = self.defines.get(name).map(String::as_str).or_else(|| {
                        DEBIAN_ENVVARS
                            .iter()
                            .find(|(k, _)| *k == name)
                            .map(|(_, v)| *v)
                    });
                    match value {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&rest[start..start + 3 + end]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A note about an include of the linted file (those of other files are given when
    /// those files are linted).
    fn note(&mut self, unit: usize, node: usize, message: String) {
        if unit != 0 {
            return;
        }
        let u = &self.apache.units[0];
        let line = u.line(u.conf.nodes[node].span.start);
        self.apache
            .notes
            .push(format!("{}:{line}: {message}", u.path.display()));
    }

    fn include(&mut self, unit: usize, node: usize, pattern: &str, optional: bool, ctx: Ctx) {
        if pattern.contains("${") {
            self.apache.complete = false;
            self.note(
                unit,
                node,
                format!("include {pattern} not followed: its variable has no known value"),
            );
            return;
        }
        if self.files.roots().is_empty() {
            self.apache.complete = false;
            return;
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            self.error(
                unit,
                node,
                format!("includes nested deeper than {MAX_INCLUDE_DEPTH} levels"),
            );
            return;
        }
        let pattern_path = Path::new(pattern);
        let bases: Vec<PathBuf> = if pattern_path.is_absolute() {
            self.map_absolute(pattern_path).into_iter().collect()
        } else {
            let including = self.apache.units[unit]
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let including = std::fs::canonicalize(&including).unwrap_or(including);
            let mut bases = vec![self.server_root.join(pattern)];
            if including != self.server_root {
                bases.push(including.join(pattern));
            }
            bases
        };
        let mut files = Vec::new();
        for base in &bases {
            files = expand_glob(base, Directories::AllFiles, MAX_FILES);
            if !files.is_empty() {
                break;
            }
        }
        if files.is_empty() {
            if bases.is_empty() {
                self.apache.complete = false;
                self.note(
                    unit,
                    node,
                    format!("include {pattern} not read: it is outside the linted tree"),
                );
            } else if !optional && !has_wildcard(pattern) {
                self.apache.complete = false;
                self.note(
                    unit,
                    node,
                    format!("include {pattern} not found in the linted tree"),
                );
            } else if !bases.iter().any(|b| static_dir(b).is_dir()) {
                // A copied tree without `mods-enabled/`: what the server loads is unknown.
                self.apache.complete = false;
                self.note(
                    unit,
                    node,
                    format!("include {pattern} not read: its directory is not in the linted tree"),
                );
            }
            return;
        }
        for file in files {
            let Ok(canonical) = std::fs::canonicalize(&file) else {
                continue;
            };
            if !self.files.contains(&canonical) {
                self.apache.complete = false;
                self.note(
                    unit,
                    node,
                    format!(
                        "{} not read: it is outside the linted tree",
                        canonical.display()
                    ),
                );
                continue;
            }
            if self.stack.contains(&canonical) {
                self.error(
                    unit,
                    node,
                    format!("include cycle: {} includes itself", canonical.display()),
                );
                continue;
            }
            if self.linted.as_ref() == Some(&canonical) {
                if !self.spliced {
                    self.spliced = true;
                    self.stack.push(canonical);
                    self.walk(0, ctx);
                    self.stack.pop();
                }
                continue;
            }
            if self.apache.units.len() >= MAX_FILES {
                self.apache.complete = false;
                return;
            }
            // A binary or unreadable file is not configuration httpd would read either.
            let Ok(read) = self.files.read(&canonical) else {
                continue;
            };
            let index = self.apache.units.len();
            self.apache.units.push(Unit::new(file, &read.text));
            self.stack.push(canonical);
            self.walk(index, ctx);
            self.stack.pop();
        }
    }

    fn error(&mut self, unit: usize, node: usize, message: String) {
        if unit == 0 {
            let span = self.apache.units[0].conf.nodes[node].span;
            self.apache.errors.push((span, message));
        } else {
            self.note(unit, node, message);
        }
    }

    /// An absolute path of the deployed system, in the linted tree: the path itself when it
    /// is inside the tree, else the tree directory that ends with the path's leading
    /// components (`/etc/apache2/conf.d` in a copy at `…/etc/apache2`).
    fn map_absolute(&self, path: &Path) -> Option<PathBuf> {
        if let Some(c) = self.files.inside(path) {
            return Some(c);
        }
        let parts: Vec<&std::ffi::OsStr> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(p) => Some(p),
                _ => None,
            })
            .collect();
        for k in (1..=parts.len()).rev() {
            let prefix: PathBuf = parts[..k].iter().collect();
            let mut dir = Some(self.base.as_path());
            while let Some(d) = dir {
                if d.ends_with(&prefix) {
                    let mut mapped = d.to_path_buf();
                    mapped.extend(&parts[k..]);
                    if self.files.contains(&mapped) {
                        return Some(mapped);
                    }
                }
                dir = d.parent();
            }
        }
        None
    }
}

/// The leading part of a path before its first component with a wildcard.
fn static_dir(path: &Path) -> PathBuf {
    path.components()
        .take_while(|c| !has_wildcard(&c.as_os_str().to_string_lossy()))
        .collect()
}
