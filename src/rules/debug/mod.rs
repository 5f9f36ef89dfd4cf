//! Debug modes left on: interactive debuggers and verbose error pages in production.

pub mod debug_env_enabled;
pub mod debug_logging;
pub mod debug_mode_enabled;
pub mod django_debug_enabled;
pub mod werkzeug_debugger_enabled;
