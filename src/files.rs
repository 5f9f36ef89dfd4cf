//! The file set: every file deploylint reads after discovery (an Apache include, a systemd
//! drop-in or environment file, a compose service's `env_file` or Dockerfile, a launcher
//! beside a gunicorn config, a file a finding points into) is read here: only inside the
//! linted trees (symlinks resolved), at most `MAX_FILE_BYTES`, never a binary file, and
//! cached by its canonical path with an id, so a second lookup (another unit sharing a
//! drop-in, the renderer wanting a label's text) does not read it again unless the file
//! changed on disk (a long-lived set: the language server's).
//! The linted files themselves are read with `read_file` too, under the same limit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Bytes examined for NUL when deciding whether a file is binary (git and ripgrep do the same).
const BINARY_SNIFF_LEN: usize = 8192;

/// Values worked out once and shared, one of each type: what the files of a set or of a run
/// tell several readers (each type is a reader's own), without this module knowing them.
#[derive(Default)]
pub struct Memos(Mutex<HashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>);

impl Memos {
    /// The value of type `T`, made by `make` on first use (outside the lock: `make` may ask
    /// for another type's).
    pub fn get<T: std::any::Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Arc<T> {
        let id = std::any::TypeId::of::<T>();
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        let known = lock().get(&id).cloned();
        let value = match known {
            Some(value) => value,
            None => {
                let made: Arc<dyn std::any::Any + Send + Sync> = Arc::new(make());
                lock().entry(id).or_insert(made).clone()
            }
        };
        value.downcast().expect("kept by its own type")
    }
}

impl std::fmt::Debug for Memos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memos").finish_non_exhaustive()
    }
}

/// A file's identity within one run: the same file (whatever path named it) has one id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u32);

/// A file read through the set.
#[derive(Debug)]
pub struct File {
    pub id: FileId,
    /// Its canonical path (inside one of the roots).
    pub canonical: PathBuf,
    /// Its text, invalid UTF-8 replaced.
    pub text: String,
    /// Whether any invalid UTF-8 was replaced.
    pub lossy: bool,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// It does not lie inside the linted trees (or there are none: a buffer from stdin).
    Outside,
    /// Missing, unreadable, not a regular file or too large, with the reason.
    Failed(String),
    Binary,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Outside => write!(f, "not read: outside the linted paths"),
            Unreadable::Failed(reason) => write!(f, "{reason}"),
            Unreadable::Binary => write!(f, "not read: a binary file"),
        }
    }
}

/// The files of one run, confined to its roots.
#[derive(Debug, Default)]
pub struct FileSet {
    roots: Vec<PathBuf>,
    cache: Mutex<Cache>,
    /// Directory listings (`files_in`), by the directory's path, with its stamp.
    listings: Mutex<HashMap<PathBuf, (Option<Stamp>, Listing)>>,
    /// What readers work out from the set's files once for all (what the Python modules read
    /// through it define: `model::project`).
    memos: Memos,
}

/// The entries of a directory that its listing does not call directories, in listing order,
/// each with whether the listing calls it a regular file (else its type is unknown or a link).
pub type Listing = Arc<Vec<(PathBuf, bool)>>;

#[derive(Debug, Default)]
struct Cache {
    by_path: HashMap<PathBuf, Entry>,
    next_id: u32,
}

/// What a file looked like when it was read: a long-lived set (the language server's) reads
/// it again once it changes on disk.
/// With the inode where there is one: a file replaced by a rename (`--fix` writes so) within
/// the clock's granularity, at the same length, is still another file.
type Stamp = (u64, Option<std::time::SystemTime>, u64);

/// A file's stamp when it was read, and what reading it gave.
type Entry = (Option<Stamp>, Result<Arc<File>, Unreadable>);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.len(), meta.modified().ok(), inode))
}

impl FileSet {
    /// The files inside `roots` (canonical directories); with none, nothing is readable.
    pub fn new(roots: Vec<PathBuf>) -> FileSet {
        FileSet {
            roots,
            cache: Mutex::default(),
            listings: Mutex::default(),
            memos: Memos::default(),
        }
    }

    /// The set's memo of type `T` (made empty on first use), shared by the threads reading
    /// through it. A memo must tell a file read again (a new `File`) from the one it knew.
    pub fn memo<T: std::any::Any + Default + Send + Sync>(&self) -> Arc<T> {
        self.memos.get(|| T::default())
    }

    /// The canonical roots of the linted trees.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The canonical form of `path` when it exists inside the roots.
    pub fn inside(&self, path: &Path) -> Option<PathBuf> {
        let canonical = std::fs::canonicalize(path).ok()?;
        self.roots
            .iter()
            .any(|root| canonical.starts_with(root))
            .then_some(canonical)
    }

    /// Whether `path` (canonical) lies inside the roots.
    pub fn contains(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|root| canonical.starts_with(root))
    }

    /// Reads `path` if it lies inside the roots; each file is read once, and again only when
    /// it changed on disk since.
    pub fn read(&self, path: &Path) -> Result<Arc<File>, Unreadable> {
        if self.roots.is_empty() {
            return Err(Unreadable::Outside);
        }
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(e) => return Err(Unreadable::Failed(io_reason(&e))),
        };
        if !self.contains(&canonical) {
            return Err(Unreadable::Outside);
        }
        let now = stamp(&canonical);
        if let Some((seen, known)) = self.lock().by_path.get(&canonical)
            && *seen == now
        {
            return known.clone();
        }
        // Read without holding the lock, so threads reading different files do not wait on
        // each other; two threads racing for one file both read it, and the first result
        // is kept.
        let read = match read_file(&canonical) {
            Ok(bytes) => decode(bytes).ok_or(Unreadable::Binary),
            Err(Unread::Failed(reason) | Unread::Skipped(reason)) => {
                Err(Unreadable::Failed(reason))
            }
        };
        let mut cache = self.lock();
        let next_id = cache.next_id;
        let slot = cache
            .by_path
            .entry(canonical.clone())
            .or_insert_with(|| (None, Err(Unreadable::Outside)));
        if slot.0 != now || slot.0.is_none() {
            // A file keeps its id when it is read again.
            let id = slot.1.as_ref().map_or(FileId(next_id), |f| f.id);
            *slot = (
                now,
                read.map(|(text, lossy)| {
                    Arc::new(File {
                        id,
                        canonical,
                        text,
                        lossy,
                    })
                }),
            );
        }
        let entry = slot.1.clone();
        if entry.as_ref().is_ok_and(|f| f.id == FileId(next_id)) {
            cache.next_id += 1;
        }
        entry
    }

    /// The entries of `dir` that are not directories, listed once and again only when the
    /// directory changed: every config in a tree may look at the same parent directories (a
    /// root of thousands of projects), and listing them for each would grow with the square of
    /// the tree. None when it cannot be listed.
    pub fn files_in(&self, dir: &Path) -> Option<Listing> {
        let now = stamp(dir);
        let mut listings = self.listings.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, listing)) = listings.get(dir)
            && *seen == now
            && now.is_some()
        {
            return Some(listing.clone());
        }
        drop(listings);
        let listing: Listing = Arc::new(
            std::fs::read_dir(dir)
                .ok()?
                .flatten()
                .filter_map(|entry| {
                    let listed = entry.file_type().ok();
                    (!listed.is_some_and(|t| t.is_dir()))
                        .then(|| (entry.path(), listed.is_some_and(|t| t.is_file())))
                })
                .collect(),
        );
        listings = self.listings.lock().unwrap_or_else(|e| e.into_inner());
        listings.insert(dir.to_path_buf(), (now, listing.clone()));
        Some(listing)
    }

    /// The id of a file already read, by any path that names it.
    pub fn id(&self, path: &Path) -> Option<FileId> {
        let canonical = std::fs::canonicalize(path).ok()?;
        match &self.lock().by_path.get(&canonical)?.1 {
            Ok(file) => Some(file.id),
            Err(_) => None,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A file's bytes as the text that is linted: None for a binary file (a NUL byte near the
/// start), else the text with invalid UTF-8 replaced, and whether any was.
pub fn decode(bytes: Vec<u8>) -> Option<(String, bool)> {
    if bytes[..bytes.len().min(BINARY_SNIFF_LEN)].contains(&0) {
        return None;
    }
    Some(match String::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    })
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Files larger than this are skipped with a note: deployment files are kilobytes, and a
/// parser's working memory is a multiple of its input (see README "Reliability").
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a discovered file was not read.
pub enum Unread {
    /// Not linted, with the reason (too large, not a regular file); the run goes on.
    Skipped(String),
    /// Could not be read (exit 2).
    Failed(String),
}

/// Reads a file to lint, at most `MAX_FILE_BYTES`. Opened without blocking and checked to be
/// a regular file on the open handle, so a FIFO or device that replaced a file after the walk
/// is never read from (opening a FIFO for reading would wait for a writer).
pub fn read_file(path: &Path) -> Result<Vec<u8>, Unread> {
    use std::io::Read;
    let failed = |e: std::io::Error| Unread::Failed(io_reason(&e));
    let (file, meta) = open_regular(path)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` bounds a file that grows while it is read.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens a file without blocking and checks on the open handle that it is a regular file.
fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), Unread> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let failed = |e: std::io::Error| Unread::Failed(io_reason(&e));
    let file = options.open(path).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    if !meta.is_file() {
        return Err(Unread::Skipped("not a regular file".into()));
    }
    Ok((file, meta))
}

/// The first `len` bytes of a file, as text (invalid UTF-8 replaced), opened as `read_file`
/// opens files.
pub fn read_head(path: &Path, len: usize) -> Result<String, Unread> {
    use std::io::Read;
    let (file, _) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(len);
    file.take(len as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| Unread::Failed(io_reason(&e)))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn too_large(len: u64) -> Unread {
    Unread::Skipped(format!(
        "{:.1} MiB is over the {} MiB limit for one file",
        len as f64 / 1048576.0,
        MAX_FILE_BYTES / 1048576
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memos_keep_one_value_of_each_type_made_once() {
        let memos = Memos::default();
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = || {
            made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            vec![1u8]
        };
        let first = memos.get(make);
        assert!(Arc::ptr_eq(&first, &memos.get(make)));
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(*memos.get(|| String::from("other")), "other");
        assert_eq!(*memos.get(|| vec![2u8]), vec![1u8]);
    }

    #[test]
    fn reads_inside_the_roots_once_while_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let inside = root.join("a.conf");
        std::fs::write(&inside, "x\n").unwrap();
        std::fs::write(root.join("bin"), b"a\0b").unwrap();
        let outside_dir = tempfile::tempdir().unwrap();
        let outside = outside_dir.path().join("b.conf");
        std::fs::write(&outside, "y\n").unwrap();
        let files = FileSet::new(vec![root.clone()]);
        let first = files.read(&inside).unwrap();
        assert_eq!(first.text, "x\n");
        // A second lookup, through another spelling of the path, is the same read.
        let again = files.read(&root.join(".").join("a.conf")).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(files.id(&inside), Some(first.id));
        assert_eq!(files.read(&outside).unwrap_err(), Unreadable::Outside);
        assert_eq!(
            files.read(&root.join("bin")).unwrap_err(),
            Unreadable::Binary
        );
        assert!(matches!(
            files.read(&root.join("missing")),
            Err(Unreadable::Failed(_))
        ));
        assert_eq!(
            FileSet::default().read(&inside).unwrap_err(),
            Unreadable::Outside
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_roots_is_outside() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let outside_dir = tempfile::tempdir().unwrap();
        let target = outside_dir.path().join("secret");
        std::fs::write(&target, "s\n").unwrap();
        std::os::unix::fs::symlink(&target, root.join("link")).unwrap();
        let files = FileSet::new(vec![root.clone()]);
        assert_eq!(
            files.read(&root.join("link")).unwrap_err(),
            Unreadable::Outside
        );
    }

    /// Regression (found by the language server's test): a long-lived set served a file's
    /// first text after the file changed on disk, so a compose file kept a finding its
    /// Dockerfile had fixed.
    #[test]
    fn a_changed_file_is_read_again_under_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let path = root.join("Dockerfile");
        std::fs::write(&path, "FROM a\n").unwrap();
        let files = FileSet::new(vec![root.clone()]);
        let first = files.read(&path).unwrap();
        assert_eq!(first.text, "FROM a\n");
        assert!(Arc::ptr_eq(&first, &files.read(&path).unwrap()), "cached");
        std::fs::write(&path, "FROM a\nUSER app\n").unwrap();
        let second = files.read(&path).unwrap();
        assert_eq!(second.text, "FROM a\nUSER app\n");
        assert_eq!(second.id, first.id);
    }

    /// `--fix` replaces a file by renaming a new one over it, and a fix may keep its length
    /// (`True` → `0   `, a port for a port) within the clock's granularity: the set must not
    /// give the old text to the run that reports what is left (the file named on the command
    /// line is read through the set).
    #[test]
    fn a_file_replaced_at_the_same_length_and_time_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let path = root.join("Dockerfile");
        std::fs::write(&path, "FROM a\n").unwrap();
        let when = std::fs::metadata(&path).unwrap().modified().unwrap();
        let files = FileSet::new(vec![root.clone()]);
        assert_eq!(files.read(&path).unwrap().text, "FROM a\n");
        let new = root.join(".Dockerfile.tmp");
        std::fs::write(&new, "FROM b\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&new)
            .unwrap()
            .set_modified(when)
            .unwrap();
        std::fs::rename(&new, &path).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), when);
        assert_eq!(files.read(&path).unwrap().text, "FROM b\n");
    }

    #[test]
    fn a_listing_has_the_files_not_directories_and_sees_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(root.join("Procfile"), "web: gunicorn app:app\n").unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        let files = FileSet::new(vec![root.clone()]);
        let names = |listing: Listing| {
            let mut names: Vec<(String, bool)> = listing
                .iter()
                .map(|(p, file)| (p.file_name().unwrap().to_string_lossy().into(), *file))
                .collect();
            names.sort();
            names
        };
        let first = files.files_in(&root).unwrap();
        assert_eq!(names(first.clone()), [("Procfile".to_string(), true)]);
        assert!(Arc::ptr_eq(&first, &files.files_in(&root).unwrap()));
        std::fs::write(root.join("Dockerfile"), "FROM python\n").unwrap();
        assert_eq!(
            names(files.files_in(&root).unwrap()),
            [
                ("Dockerfile".to_string(), true),
                ("Procfile".to_string(), true)
            ]
        );
        assert!(files.files_in(&root.join("missing")).is_none());
    }
}
