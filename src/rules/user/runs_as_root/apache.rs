//! USR001 for Apache: `WSGIDaemonProcess … user=root` (or `0`) keeps the app's daemon as root
//! instead of dropping privileges.

use super::is_root_user;
use crate::model::apache::Apache;
use crate::rules::Sink;

pub fn check(apache: &Apache, sink: &mut Sink<'_>) {
    for daemon in apache.daemons() {
        if let Some(user) = daemon.opt("user")
            && apache.is_local(daemon.entry)
            && is_root_user(&user.value)
        {
            sink.report(
                user.value_span,
                format!("daemon process group {} runs as root", daemon.name),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn vectors() {
        fires_once(
            "USR001",
            "apache2/site.conf",
            &[
                ("WSGIDaemonProcess app user=root group=root\n", "root"),
                ("WSGIDaemonProcess app \\\n  user=0\n", "0"),
            ],
        );
        quiet(
            "USR001",
            "apache2/site.conf",
            &[
                "WSGIDaemonProcess app user=app group=app\n",
                "WSGIDaemonProcess app user=app script-user=root\n",
                "User root\n",
            ],
        );
    }
}
