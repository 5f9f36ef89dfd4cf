//! What environment variables mean to the frameworks that read them.

/// Why setting `name` to `value` turns on a debug mode, if it does.
pub fn debug_setting(name: &str, value: &str) -> Option<&'static str> {
    let v = value.trim();
    match name {
        // Flask's get_debug_flag: anything but empty, "0", "false" or "no" is on.
        "FLASK_DEBUG" if flask_truthy(v) => {
            Some("turns on Flask's debug mode and its interactive debugger")
        }
        // Quart reads it the same way; its debug mode shows tracebacks to clients.
        "QUART_DEBUG" if flask_truthy(v) => {
            Some("turns on Quart's debug mode, showing tracebacks to clients")
        }
        "FLASK_ENV" if v.eq_ignore_ascii_case("development") => {
            Some("puts Flask in development mode, which turns on the debugger")
        }
        "QUART_ENV" if v.eq_ignore_ascii_case("development") => {
            Some("puts Quart in development mode, which turns on its debug mode")
        }
        // Not read by Django itself, but the conventional switch its settings read.
        "DJANGO_DEBUG" if common_truthy(v) => Some("is the switch Django settings read for DEBUG"),
        "WERKZEUG_DEBUG_PIN" if v.eq_ignore_ascii_case("off") => {
            Some("removes the PIN that guards the Werkzeug debugger console")
        }
        _ => None,
    }
}

fn flask_truthy(v: &str) -> bool {
    !v.is_empty()
        && !["0", "false", "no"]
            .iter()
            .any(|f| v.eq_ignore_ascii_case(f))
}

fn common_truthy(v: &str) -> bool {
    ["1", "true", "yes", "on"]
        .iter()
        .any(|t| v.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::debug_setting;

    #[test]
    fn values() {
        assert!(debug_setting("FLASK_DEBUG", "1").is_some());
        assert!(debug_setting("FLASK_DEBUG", "True").is_some());
        assert!(debug_setting("FLASK_DEBUG", "0").is_none());
        assert!(debug_setting("FLASK_DEBUG", "False").is_none());
        assert!(debug_setting("FLASK_DEBUG", "").is_none());
        assert!(debug_setting("FLASK_ENV", "development").is_some());
        assert!(debug_setting("FLASK_ENV", "production").is_none());
        assert!(debug_setting("DJANGO_DEBUG", "True").is_some());
        assert!(debug_setting("DJANGO_DEBUG", "False").is_none());
        assert!(debug_setting("DEBUG", "1").is_none());
    }

    #[test]
    fn quart_is_not_called_flask() {
        assert!(debug_setting("QUART_DEBUG", "1").unwrap().contains("Quart"));
        assert!(
            debug_setting("QUART_ENV", "development")
                .unwrap()
                .contains("Quart")
        );
        assert!(debug_setting("QUART_DEBUG", "0").is_none());
    }
}
