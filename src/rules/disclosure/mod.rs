//! What Apache tells clients and writes to its logs about the host and the requests.

pub mod server_signature_on;
pub mod server_tokens_not_prod;
pub mod verbose_log_level;

use crate::model::apache::Apache;

/// Whether no later directive of the same name in the same scope and section overrides `e`.
pub fn is_last_in_context(apache: &Apache, e: usize) -> bool {
    let entry = &apache.entries[e];
    !apache.named(&entry.name).any(|o| {
        o > e
            && apache.entries[o].scope == entry.scope
            && apache.entries[o].section == entry.section
    })
}
