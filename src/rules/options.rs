//! Options that tune what rules consider safe (`[options]` in the configuration file).

/// Options that tune what rules consider safe.
#[derive(Debug, Clone)]
pub struct RuleOptions {
    /// Accounts shared by many services, which do not isolate an app (the mod_wsgi hardening
    /// guide names the Apache accounts and `nobody`).
    pub shared_accounts: Vec<String>,
    /// Base images known to run as an unprivileged user by default (prefixes of image
    /// references, matched case-insensitively, beside the built-in `:nonroot` tags).
    pub nonroot_images: Vec<String>,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            shared_accounts: [
                "www-data", "apache", "http", "httpd", "nobody", "daemon", "nogroup",
            ]
            .map(String::from)
            .to_vec(),
            nonroot_images: vec!["cgr.dev/chainguard/".to_string()],
        }
    }
}
