//! What a front end hands the rules besides the deployment: the format's own typed view (for
//! the few rules that are about one format, such as `ServerTokens` or a Dockerfile `chmod`)
//! and the file's parse errors.

use crate::model::apache::Apache;
use crate::model::compose::ComposeFile;
use crate::model::container::Image;
use crate::model::gunicorn::GunicornConfig;
use crate::model::kubernetes::Manifest;
use crate::model::nginx::Nginx;
use crate::model::procfile::Procfile;
use crate::model::python::Semantic;
use crate::model::supervisord::SupervisorConfig;
use crate::model::systemd::Unit;
use crate::model::uwsgi::UwsgiConfig;
use crate::source::Span;
use crate::syntax::dockerfile::Dockerfile;

/// Part of a file that does not parse as its format.
#[derive(Debug, Clone)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// A format's own view of a file.
#[derive(Clone, Copy)]
pub enum View<'a> {
    /// An Apache httpd file with the configuration read around it.
    Apache(&'a Apache),
    Dockerfile {
        file: &'a Dockerfile,
        image: &'a Image<'a>,
    },
    Compose(&'a ComposeFile),
    Procfile(&'a Procfile),
    Gunicorn {
        python: &'a Semantic<'a>,
        config: &'a GunicornConfig,
    },
    Python(&'a Semantic<'a>),
    /// A Kubernetes manifest's workloads, every document of the file.
    Kubernetes(&'a Manifest),
    /// An nginx configuration with what it includes.
    Nginx(&'a Nginx),
    /// A systemd unit merged with its drop-ins.
    Systemd(&'a Unit),
    /// A uWSGI configuration with its includes.
    Uwsgi(&'a UwsgiConfig),
    /// A supervisord configuration.
    Supervisord(&'a SupervisorConfig),
    /// The file could not be parsed into anything rules can read.
    None,
}
