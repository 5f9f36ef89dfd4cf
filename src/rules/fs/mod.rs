//! Filesystem layout: world-writable modes and writable state under shared temporary
//! directories.

pub mod loose_umask;
pub mod world_writable_permissions;
pub mod writable_dir_in_tmp;
