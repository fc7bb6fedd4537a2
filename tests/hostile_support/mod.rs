//! Runs the real `mailgrade` binary on hostile input under a wall-clock limit and a memory
//! cap, and reports how long it took and its peak resident memory.
#![allow(dead_code)]

pub mod pcap;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mailgrade");

/// What one run may use.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub seconds: u64,
    /// Peak resident memory (VmHWM / ru_maxrss).
    pub rss_mb: u64,
}

/// The usual budget: a debug build on a shared CI machine, with room to spare.
pub const SMALL: Budget = Budget {
    seconds: 30,
    rss_mb: 256,
};

#[derive(Debug)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub peak_rss_mb: u64,
}

impl Outcome {
    pub fn shown(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Address space the child may map at all: a backstop, so a runaway allocation fails inside
/// the child instead of taking the machine down; the test checks the real peak against the
/// budget.
const ADDRESS_SPACE: u64 = 8 << 30;

/// Runs `mailgrade args…` in `cwd`; kills it and fails when it outlives the budget, fails when
/// its peak memory was over it or it died of a signal (a panic is exit code 101: also a fail).
pub fn run(args: &[&str], cwd: &Path, budget: Budget) -> Outcome {
    run_capped(args, cwd, budget, ADDRESS_SPACE)
}

/// [`run`] with the address space capped at `address_space` bytes: an allocation past it
/// aborts the child (exit by signal, a failure), as a class run on a small machine would.
pub fn run_capped(args: &[&str], cwd: &Path, budget: Budget, address_space: u64) -> Outcome {
    let out_path = cwd.join(".stdout");
    let err_path = cwd.join(".stderr");
    let stdout = std::fs::File::create(&out_path).expect("stdout file");
    let stderr = std::fs::File::create(&err_path).expect("stderr file");
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: address_space,
                rlim_max: address_space,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    // Reaped below with wait4 (for its rusage), not through `Child::wait`.
    #[allow(clippy::zombie_processes)]
    let child = command.spawn().expect("mailgrade starts");
    let pid = child.id() as libc::pid_t;
    let deadline = started + Duration::from_secs(budget.seconds);
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value; wait4 fills it in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our own child; status and usage are valid for writes.
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if done == pid {
            break (status, usage);
        }
        assert!(
            done == 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if Instant::now() > deadline {
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            panic!(
                "mailgrade {args:?} still running after {} s: killed",
                budget.seconds
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let outcome = Outcome {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        stdout: String::from_utf8_lossy(&std::fs::read(&out_path).unwrap_or_default()).into(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into(),
        elapsed,
        // ru_maxrss is in KiB on Linux.
        peak_rss_mb: usage.ru_maxrss as u64 / 1024,
    };
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    assert!(
        libc::WIFEXITED(status),
        "mailgrade {args:?} died of signal {}:\n{}",
        libc::WTERMSIG(status),
        tail(&outcome.stderr)
    );
    assert_ne!(
        outcome.code,
        Some(101),
        "mailgrade {args:?} panicked:\n{}",
        tail(&outcome.stderr)
    );
    assert!(
        outcome.peak_rss_mb <= budget.rss_mb,
        "mailgrade {args:?} peaked at {} MB, budget {} MB",
        outcome.peak_rss_mb,
        budget.rss_mb
    );
    outcome
}

/// The end of a long text, for failure messages.
pub fn tail(text: &str) -> &str {
    let start = text.len().saturating_sub(2000);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    &text[start..]
}
