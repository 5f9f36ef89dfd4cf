//! The deployment model: what each format says about how the app runs in production
//! (launchers, users, environment), lowered from the syntax trees so rules ask about concerns.

pub mod apache;
pub mod compose;
pub mod compose_fix;
pub mod container;
pub mod deployment;
pub mod env;
pub mod gunicorn;
pub mod images;
pub mod include;
pub mod kubernetes;
pub mod launcher;
pub mod listen;
pub mod nginx;
pub mod procfile;
pub mod project;
pub mod python;
pub mod script;
pub mod server_env;
pub mod supervisord;
pub mod systemd;
pub mod uwsgi;
pub mod view;
