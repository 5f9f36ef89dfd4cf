//! Prints, for each systemd unit named on the command line, the least-privilege facts
//! deploylint derives from it (one tab-separated line per unit), for
//! `scripts/compare-systemd-analyze.sh`. Usage: `systemd_facts NAME=PATH...` where NAME is the
//! unit's real name (the corpus flattens directories into file names).

use deploylint::model::deployment::is_root_user;
use deploylint::model::systemd as sbx;
use deploylint::model::systemd::{Scope, Unit, dynamic_user, judged_web_service, user};

fn main() {
    println!(
        "unit\tscope\tweb\troot\tNoNewPrivileges\tProtectSystem\tProtectHome\tPrivateTmp\tCapabilityBoundingSet"
    );
    for arg in std::env::args().skip(1) {
        let Some((name, path)) = arg.split_once('=') else {
            continue;
        };
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let unit = Unit::load(
            std::path::Path::new(name),
            &text,
            &deploylint::files::FileSet::default(),
        );
        let deployment = unit.deployment();
        let root = match user(&unit) {
            Some((u, _)) => is_root_user(&u),
            None => !dynamic_user(&unit),
        };
        let b = |v: bool| if v { "1" } else { "0" };
        println!(
            "{path}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            if unit.scope == Scope::User {
                "user"
            } else {
                "system"
            },
            b(judged_web_service(&unit, &deployment).is_some()),
            b(root),
            b(sbx::no_new_privileges(&unit)),
            b(sbx::protect_system_strict(&unit)),
            b(sbx::protect_home(&unit)),
            b(sbx::private_tmp(&unit)),
            b(sbx::capabilities_bounded(&unit)),
        );
    }
}
