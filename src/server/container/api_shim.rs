//! A pass-through for Docker engines older than the API version testcontainers speaks.
//!
//! testcontainers (through bollard) sends every request as `/v1.47/...` and never negotiates;
//! an engine whose newest API is older (Debian 12's docker.io 20.10 speaks 1.41) refuses
//! them with "client version 1.47 is too new". This shim listens on a Unix socket of its own,
//! rewrites the version in each request line to the engine's, and copies everything else
//! unchanged. It asks the engine to close each connection after one response
//! (`Connection: close`), so it never has to parse HTTP framing beyond the first request
//! head; upgraded connections (exec attach) are copied as they are.
//!
//! It runs on a thread of its own for the rest of the process, because testcontainers' Drop
//! and Ctrl-C watchdog use the engine from other runtimes.

use std::io;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

/// Shim sockets are `<temp>/mailgrade-docker-<pid>.sock`.
const SOCKET_PREFIX: &str = "mailgrade-docker-";

/// Longest request head accepted; bollard's are a few hundred bytes.
const MAX_HEAD: usize = 64 * 1024;

/// Starts the shim between `engine_socket` and a new socket in the temp directory; returns
/// that socket's path. `api_version` is the engine's, e.g. "1.41".
pub fn spawn(engine_socket: PathBuf, api_version: String) -> io::Result<PathBuf> {
    let dir = std::env::temp_dir();
    remove_dead_sockets(&dir);
    let path = dir.join(format!("{SOCKET_PREFIX}{}.sock", std::process::id()));
    // A socket left by an earlier process with the same pid.
    let _ = std::fs::remove_file(&path);
    let std_listener = std::os::unix::net::UnixListener::bind(&path)?;
    std_listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("mailgrade-docker-shim".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = UnixListener::from_std(std_listener) else {
                    return;
                };
                while let Ok((client, _)) = listener.accept().await {
                    let engine_socket = engine_socket.clone();
                    let api_version = api_version.clone();
                    tokio::spawn(async move {
                        // A failed connection only fails the request it carried.
                        let _ = relay(client, &engine_socket, &api_version).await;
                    });
                }
            });
        })?;
    Ok(path)
}

/// Sockets of shims whose process has ended (nothing removes a socket file at exit).
fn remove_dead_sockets(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name
            .to_str()
            .and_then(|name| name.strip_prefix(SOCKET_PREFIX))
            .and_then(|rest| rest.strip_suffix(".sock"))
            .and_then(|pid| pid.parse::<u32>().ok());
        if pid.is_some_and(|pid| !super::engine::process_alive(pid)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

async fn relay(mut client: UnixStream, engine_socket: &Path, api_version: &str) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(1024);
    let head_len = loop {
        if let Some(end) = find_head_end(&buffer) {
            break end;
        }
        if buffer.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too long",
            ));
        }
        let mut chunk = [0u8; 4096];
        let read = client.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_len]).into_owned();
    let mut engine = UnixStream::connect(engine_socket).await?;
    engine
        .write_all(rewrite_head(&head, api_version).as_bytes())
        .await?;
    engine.write_all(&buffer[head_len..]).await?;
    tokio::io::copy_bidirectional(&mut client, &mut engine).await?;
    Ok(())
}

/// Index just past the blank line that ends an HTTP request head.
fn find_head_end(buffer: &[u8]) -> Option<usize> {
    buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
}

/// The request head with the API version replaced and, unless the request upgrades the
/// connection, `Connection: close` so that the next request comes on a new connection.
fn rewrite_head(head: &str, api_version: &str) -> String {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut out = String::with_capacity(head.len() + 32);
    out.push_str(&rewrite_request_line(request_line, api_version));
    out.push_str("\r\n");
    let mut upgrades = false;
    for line in lines.filter(|line| !line.is_empty()) {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("upgrade") {
            upgrades = true;
        }
        if name.eq_ignore_ascii_case("connection") && !line.to_ascii_lowercase().contains("upgrade")
        {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    if !upgrades {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    out
}

/// `POST /v1.47/containers/create HTTP/1.1` → `POST /v1.41/containers/create HTTP/1.1`.
fn rewrite_request_line(line: &str, api_version: &str) -> String {
    let Some((method, rest)) = line.split_once(' ') else {
        return line.to_owned();
    };
    let Some(after_v) = rest.strip_prefix("/v") else {
        return line.to_owned();
    };
    let version_len = after_v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(after_v.len());
    if version_len == 0 || !after_v[version_len..].starts_with('/') {
        return line.to_owned();
    }
    format!("{method} /v{api_version}{}", &after_v[version_len..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        let cases = [
            (
                "POST /v1.47/containers/create HTTP/1.1",
                "POST /v1.41/containers/create HTTP/1.1",
            ),
            (
                "GET /v1.47/images/a%2Fb:1/json HTTP/1.1",
                "GET /v1.41/images/a%2Fb:1/json HTTP/1.1",
            ),
            ("GET /version HTTP/1.1", "GET /version HTTP/1.1"),
            ("GET /volumes HTTP/1.1", "GET /volumes HTTP/1.1"),
            ("garbage", "garbage"),
        ];
        for (input, expected) in cases {
            assert_eq!(rewrite_request_line(input, "1.41"), expected, "{input}");
        }
    }

    #[test]
    fn heads() {
        let cases = [
            (
                "GET /v1.47/info HTTP/1.1\r\nhost: docker\r\n\r\n",
                "GET /v1.41/info HTTP/1.1\r\nhost: docker\r\nConnection: close\r\n\r\n",
            ),
            (
                "GET /v1.47/info HTTP/1.1\r\nConnection: keep-alive\r\n\r\n",
                "GET /v1.41/info HTTP/1.1\r\nConnection: close\r\n\r\n",
            ),
            (
                "POST /v1.47/exec/x/start HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
                "POST /v1.41/exec/x/start HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(rewrite_head(input, "1.41"), expected);
        }
    }

    #[test]
    fn head_end() {
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n\r\nbody"), Some(18));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n"), None);
    }
}
