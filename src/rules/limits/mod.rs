//! Resource limits: request read timeouts and body sizes at the Apache layer (a daemon
//! group's own timeouts and recycling are part of WSG011).

pub mod no_limit_request_body;
pub mod no_request_read_timeout;

use crate::model::apache::{Apache, Mount};
use crate::rules::Sink;

/// Reports, once per scope that serves a WSGI app, when `present` finds nothing in effect
/// there. Only for a whole server's configuration read completely: a fragment's server may
/// set it elsewhere.
pub fn report_per_serving_scope(
    apache: &Apache,
    sink: &mut Sink<'_>,
    present: impl Fn(usize) -> bool,
    message: impl Fn(&Mount) -> String,
) {
    if !apache.server_view() {
        return;
    }
    let mounts = apache.mounts();
    for scope in 0..=apache.vhosts.len() {
        let Some(first) = mounts
            .iter()
            .find(|m| apache.entries[m.entry].scope == scope)
        else {
            continue;
        };
        if apache.is_local(first.entry) && !present(scope) {
            sink.report(apache.node(first.entry).name_span, message(first));
        }
    }
}
