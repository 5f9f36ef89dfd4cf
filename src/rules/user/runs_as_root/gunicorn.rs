//! USR001 for gunicorn configs: `user = "root"` or `user = 0` switches the workers to root.

use super::is_root_user;
use crate::model::gunicorn::GunicornConfig;
use crate::rules::Sink;

pub fn check(config: &GunicornConfig, sink: &mut Sink<'_>) {
    if let Some((user, setting)) = &config.user
        && is_root_user(user)
    {
        sink.report(
            setting.value,
            format!("gunicorn's workers run as root (user = {user})"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{fires_once, quiet};

    #[test]
    fn fail() {
        fires_once(
            "USR001",
            "gunicorn.conf.py",
            &[
                ("user = \"root\"\n", "\"root\""),
                ("bind = \"127.0.0.1:8000\"\nuser = 0\n", "0"),
                ("USER = 'root'\nuser = USER\n", "USER"),
            ],
        );
    }

    #[test]
    fn pass() {
        quiet(
            "USR001",
            "gunicorn.conf.py",
            &[
                "user = \"www-app\"\n",
                "user = 1000\n",
                "import os\nuser = os.environ.get('APP_USER', 'root')\n",
                "def on_starting(server):\n    user = 'root'\n",
                "# user = 'root'\n",
            ],
        );
    }
}
