//! FS003 for Apache: `umask=` on `WSGIDaemonProcess`.

use super::{is_loose_umask, tighten};
use crate::model::apache::Apache;
use crate::rules::{FileContext, Sink};

pub fn check(ctx: &FileContext<'_>, apache: &Apache, sink: &mut Sink<'_>) {
    for daemon in apache.daemons() {
        if let Some(umask) = daemon.opt("umask")
            && apache.is_local(daemon.entry)
            && is_loose_umask(&umask.value) == Some(true)
        {
            let fix = sink.fix(tighten(ctx, umask.value_span, &umask.value));
            sink.report(
                umask.value_span,
                format!(
                    "umask {} lets other local users read what daemon process group {} writes",
                    umask.value, daemon.name
                ),
            )
            .set_fix(fix);
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
    fn fix_tightens_the_mask() {
        let fix = |src: &str| crate::rules::testing::fixed("FS003", "apache2/site.conf", src);
        assert_eq!(
            fix("WSGIDaemonProcess app umask=0022 threads=5\n"),
            "WSGIDaemonProcess app umask=0027 threads=5\n"
        );
        assert_eq!(
            fix("WSGIDaemonProcess app umask=070\n"),
            "WSGIDaemonProcess app umask=077\n"
        );
        let quoted = "WSGIDaemonProcess app \"umask=0002\"\n";
        assert_eq!(fix(quoted), quoted);
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
