//! One parser per format. Each keeps byte spans for every token it hands on.

pub mod apache;
pub mod dockerfile;
pub mod dotenv;
pub mod ini;
pub mod nginx;
pub mod python;
pub mod python_tokens;
pub mod shell;
pub mod systemd;
pub mod yaml;
