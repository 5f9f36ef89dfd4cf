//! Filesystem layout: world-writable modes and writable state under shared temporary
//! directories.

pub mod loose_umask;
pub mod world_writable_permissions;
pub mod writable_dir_in_tmp;

/// Whether a path lies in a directory every local user can write to.
pub fn is_shared_tmp(path: &str) -> bool {
    let path = path.trim();
    ["/tmp", "/var/tmp", "/dev/shm"].iter().any(|tmp| {
        path == *tmp
            || path
                .strip_prefix(tmp)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}
