//! Runs the binary with a time limit (killed and failed when exceeded) and reports its peak
//! memory, for the hostile-input and guarantee tests.
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Bounded {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident memory of the child (its own rusage), in bytes.
    pub peak_rss: u64,
    pub elapsed: Duration,
}

/// Forks the measured program from a small process and reports its rusage: a child forked
/// straight from the test harness inherits the harness's memory high-water mark in its
/// `ru_maxrss` (the kernel keeps the pre-exec peak), which made the bounds flaky.
const MEASURE: &str = r#"
import os, resource, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status = os.waitpid(pid, 0)
sys.stderr.write("\n@@maxrss %d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.flush()
if os.WIFSIGNALED(status):
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.WEXITSTATUS(status))
"#;

/// Runs `cmd` in `cwd`; panics (after killing it) if it runs longer than `limit`.
// Reaped with wait4 (for its rusage) rather than Child::wait.
#[allow(clippy::zombie_processes)]
pub fn run_bounded(cmd: Command, cwd: &Path, limit: Duration) -> Bounded {
    use std::os::unix::process::CommandExt;
    let started = Instant::now();
    let measured = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let mut cmd = if measured {
        let mut wrapper = Command::new("python3");
        wrapper
            .arg("-c")
            .arg(MEASURE)
            .arg(cmd.get_program())
            .args(cmd.get_args());
        for (key, value) in cmd.get_envs() {
            match value {
                Some(value) => wrapper.env(key, value),
                None => wrapper.env_remove(key),
            };
        }
        wrapper
    } else {
        cmd
    };
    // Its own process group, so the watchdog kills the program too, not only the wrapper.
    cmd.process_group(0);
    let mut child = cmd
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn deploylint");
    let pid = child.id() as libc::pid_t;
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = read(Box::new(child.stdout.take().unwrap()));
    let err = read(Box::new(child.stderr.take().unwrap()));
    // The watchdog kills the child unless it has been reaped.
    let reaped = Arc::new(Mutex::new(false));
    let timed_out = Arc::new(Mutex::new(false));
    {
        let (reaped, timed_out) = (reaped.clone(), timed_out.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + limit;
            while Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
                if *reaped.lock().unwrap() {
                    return;
                }
            }
            let reaped = reaped.lock().unwrap();
            if !*reaped {
                *timed_out.lock().unwrap() = true;
                // SAFETY: plain syscall on the process group of a child we have not reaped.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
            }
        });
    }
    let mut status = 0;
    // SAFETY: rusage is plain data, filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    *reaped.lock().unwrap() = true;
    assert_eq!(r, pid, "wait4 failed");
    let stdout = out.join().unwrap();
    let mut stderr = err.join().unwrap();
    let mut peak_rss = usage.ru_maxrss as u64 * 1024;
    if let Some(at) = stderr.rfind("\n@@maxrss ") {
        peak_rss = stderr[at + 11..].trim().parse::<u64>().unwrap_or(0) * 1024;
        stderr.truncate(at);
    }
    assert!(
        !*timed_out.lock().unwrap(),
        "deploylint did not finish within {limit:?}; killed. stderr: {stderr}"
    );
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    assert!(
        code.is_some(),
        "deploylint died from signal {}: {stderr}",
        libc::WTERMSIG(status)
    );
    Bounded {
        code,
        stdout,
        stderr,
        peak_rss,
        elapsed: started.elapsed(),
    }
}
