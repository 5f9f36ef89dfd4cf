//! FS003 for Apache: `umask=` on `WSGIDaemonProcess`.

use super::is_loose_umask;
use crate::model::apache::Apache;
use crate::rules::Sink;

pub fn check(apache: &Apache, sink: &mut Sink<'_>) {
    for daemon in apache.daemons() {
        if let Some(umask) = daemon.opt("umask")
            && apache.is_local(daemon.entry)
            && is_loose_umask(&umask.value) == Some(true)
        {
            sink.report(
                umask.value_span,
                format!(
                    "umask {} lets other local users read what daemon process group {} writes",
                    umask.value, daemon.name
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::is_loose_umask;
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn masks() {
        for loose in ["0022", "022", "0002", "0", "0007", "0020"] {
            assert_eq!(is_loose_umask(loose), Some(true), "{loose}");
        }
        for tight in ["0027", "027", "0077", "0o077", "0037"] {
            assert_eq!(is_loose_umask(tight), Some(false), "{tight}");
        }
        assert_eq!(is_loose_umask("abc"), None);
        assert_eq!(is_loose_umask("0999"), None);
    }

    #[test]
    fn vectors() {
        fires_once(
            "FS003",
            "apache2/site.conf",
            &[("WSGIDaemonProcess app user=app umask=0022\n", "0022")],
        );
        quiet(
            "FS003",
            "apache2/site.conf",
            &[
                "WSGIDaemonProcess app user=app umask=0027\n",
                "WSGIDaemonProcess app user=app\n",
                "WSGIDaemonProcess app umask=${MASK}\n",
            ],
        );
    }
}
