//! Writing a fixed file: atomically (a temporary file in the same directory renamed over the
//! original, so a crash leaves the old or the new file, never half of one), with the original's
//! permissions, and only when the file still holds the text that was fixed.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Replaces the contents of `path`, which must still be `expected`, with `new`.
pub fn replace_file(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), String> {
    let reason = |e: std::io::Error| crate::discover::io_reason(&e);
    let meta = fs::symlink_metadata(path).map_err(reason)?;
    if meta.file_type().is_symlink() {
        return Err("a symbolic link; not rewritten (fix the file it points to)".into());
    }
    if !meta.is_file() {
        return Err("not a regular file; not rewritten".into());
    }
    if fs::read(path).map_err(reason)? != expected {
        return Err("changed while it was being fixed; not rewritten".into());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let mut attempt = 0;
    let (tmp, mut file) = loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.deploylint-{}-{n}.tmp", std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&tmp) {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(format!("cannot create a temporary file: {}", reason(e))),
        }
    };
    let mut finish = || -> std::io::Result<()> {
        file.write_all(new)?;
        file.sync_all()?;
        fs::set_permissions(&tmp, meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Keep the owner where we may (running as root); elsewhere the file is ours.
            let _ = std::os::unix::fs::chown(&tmp, Some(meta.uid()), Some(meta.gid()));
        }
        fs::rename(&tmp, path)
    };
    finish().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write: {}", reason(e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_atomically_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.service");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        replace_file(&path, b"old", b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // A file changed since it was read is not overwritten.
        assert!(replace_file(&path, b"old", b"newer").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"new");
        // A symbolic link is not replaced by a file.
        let link = dir.path().join("link.service");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(replace_file(&link, b"new", b"x").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }
}
