//! `mailgrade serve` as a child process, for tests where the server's own memory is the
//! point: its peak resident memory is read from /proc, and an address-space limit makes a
//! runaway allocation fail inside the child instead of taking the shared machine down.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mailgrade");

/// Address space the child may map at all (a backstop; tests assert on the real peak).
const ADDRESS_SPACE: u64 = 4 << 30;

pub struct ServeChild {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    pub banner: String,
    pub smtp: SocketAddr,
    pub pop3: SocketAddr,
    stderr: PathBuf,
    _dir: tempfile::TempDir,
}

impl ServeChild {
    /// Starts `mailgrade serve` on free loopback ports with `args` and `env` (and no
    /// inherited MAILGRADE_ACCOUNTS), and waits for its banner.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> ServeChild {
        let dir = tempfile::tempdir().expect("temp dir");
        let stderr = dir.path().join("stderr");
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0"])
            .args(args)
            .env_remove("MAILGRADE_ACCOUNTS")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr).expect("stderr file"));
        // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: ADDRESS_SPACE,
                    rlim_max: ADDRESS_SPACE,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().expect("mailgrade serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut banner = String::new();
        while !banner.contains("Ctrl-C") {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                let _ = child.wait();
                let log = std::fs::read_to_string(&stderr).unwrap_or_default();
                panic!("mailgrade serve ended before its banner:\n{banner}\n{log}");
            }
            banner.push_str(&line);
        }
        let address = |label: &str| -> SocketAddr {
            banner
                .lines()
                .find(|l| l.trim_start().starts_with(label))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|a| a.parse().ok())
                .unwrap_or_else(|| panic!("no {label} address in:\n{banner}"))
        };
        let (smtp, pop3) = (address("SMTP"), address("POP3"));
        ServeChild {
            child,
            _stdout: stdout,
            banner,
            smtp,
            pop3,
            stderr,
            _dir: dir,
        }
    }

    /// The peak resident memory of the server so far, in MB (VmHWM).
    pub fn peak_rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server is still running");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb / 1024)
            .expect("VmHWM in /proc status")
    }

    /// Whether the server is still running (it did not die of its input).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Ctrl-C, then the exit code and the log; fails if the server does not stop in 10 s.
    pub fn stop(mut self) -> (Option<i32>, String) {
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("mailgrade serve did not stop on Ctrl-C:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (status.code(), self.log())
    }
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
