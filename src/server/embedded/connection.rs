use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What one read of a line gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Input {
    /// A line without its line end (CRLF or a bare LF, which Postfix also accepts).
    Line(Vec<u8>),
    /// The line grew past the limit; its rest is being skipped and will not come back as a
    /// line. Reported once, as soon as the limit is crossed.
    TooLong,
    /// More than `max_skip` bytes went by without a line end while skipping.
    Flood,
    /// The client closed the connection (a partial last line is dropped).
    Closed,
    /// Nothing arrived for the idle time.
    TimedOut,
}

/// The only place that reads from or writes to a client's socket.
///
/// Replies are buffered and sent when the client's input runs dry, so a pipelining client
/// gets its replies in one write (RFC 2920 §3.1) and a client typing by hand gets each at once.
pub struct Connection<S> {
    stream: S,
    input: Vec<u8>,
    /// Bytes of `input` already searched for a line end.
    scanned: usize,
    output: Vec<u8>,
    skipping: bool,
    skipped: usize,
    idle: Duration,
}

const READ_CHUNK: usize = 8 * 1024;

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub fn new(stream: S, idle: Duration) -> Self {
        Connection {
            stream,
            input: Vec::with_capacity(READ_CHUNK),
            scanned: 0,
            output: Vec::with_capacity(1024),
            skipping: false,
            skipped: 0,
            idle,
        }
    }

    /// Reads the next line of at most `max` bytes. Memory stays bounded by `max` plus one
    /// read chunk whatever the client sends. Cancel-safe: input read so far stays buffered.
    pub async fn read_line(&mut self, max: usize, max_skip: usize) -> std::io::Result<Input> {
        loop {
            if let Some(pos) = self.input[self.scanned..].iter().position(|&b| b == b'\n') {
                let end = self.scanned + pos;
                let mut line: Vec<u8> = self.input.drain(..=end).collect();
                self.scanned = 0;
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if self.skipping {
                    self.skipping = false;
                    self.skipped = 0;
                    continue;
                }
                if line.len() > max {
                    self.skipping = false;
                    return Ok(Input::TooLong);
                }
                return Ok(Input::Line(line));
            }
            self.scanned = self.input.len();
            if self.skipping {
                self.skipped += self.input.len();
                self.input.clear();
                self.scanned = 0;
                if self.skipped > max_skip {
                    return Ok(Input::Flood);
                }
            } else if self.input.len() > max + 1 {
                // `max + 1` leaves room for the CR of a line that is exactly `max` long.
                self.skipping = true;
                self.skipped = self.input.len();
                self.input.clear();
                self.scanned = 0;
                return Ok(Input::TooLong);
            }
            self.flush().await?;
            self.input.reserve(READ_CHUNK);
            let read = tokio::time::timeout(self.idle, self.stream.read_buf(&mut self.input)).await;
            match read {
                Err(_) => return Ok(Input::TimedOut),
                Ok(Err(e)) if is_disconnect(&e) => return Ok(Input::Closed),
                Ok(Err(e)) => return Err(e),
                Ok(Ok(0)) => return Ok(Input::Closed),
                Ok(Ok(_)) => {}
            }
        }
    }

    /// Queues one line; `\r\n` is added.
    pub fn queue_line(&mut self, line: &str) {
        self.output.extend_from_slice(line.as_bytes());
        self.output.extend_from_slice(b"\r\n");
    }

    /// Queues raw bytes (a dot-stuffed POP3 body already ending in CRLF).
    pub fn queue_bytes(&mut self, bytes: &[u8]) {
        self.output.extend_from_slice(bytes);
    }

    /// Sends what is queued. A client that stopped reading cannot hold the session for
    /// longer than the idle time.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        if self.output.is_empty() {
            return Ok(());
        }
        let write = async {
            self.stream.write_all(&self.output).await?;
            self.stream.flush().await
        };
        match tokio::time::timeout(self.idle, write).await {
            Ok(result) => {
                self.output.clear();
                result
            }
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "client stopped reading",
            )),
        }
    }

    /// Sends what is queued and closes the sending side.
    pub async fn close(&mut self) -> std::io::Result<()> {
        self.flush().await?;
        let _ = tokio::time::timeout(self.idle, self.stream.shutdown()).await;
        Ok(())
    }
}

fn is_disconnect(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    async fn lines_of(input: &[u8], max: usize) -> Vec<Input> {
        let (mut client, server) = tokio::io::duplex(64);
        let input = input.to_vec();
        let writer = tokio::spawn(async move {
            client.write_all(&input).await.unwrap();
            drop(client);
        });
        let mut conn = Connection::new(server, Duration::from_secs(5));
        let mut got = Vec::new();
        loop {
            let item = conn.read_line(max, 100).await.unwrap();
            let end = matches!(item, Input::Closed | Input::Flood | Input::TimedOut);
            got.push(item);
            if end {
                break;
            }
        }
        writer.await.unwrap();
        got
    }

    fn line(s: &str) -> Input {
        Input::Line(s.as_bytes().to_vec())
    }

    #[tokio::test]
    async fn splits_lines_and_bounds_them() {
        let cases: Vec<(&[u8], Vec<Input>)> = vec![
            (b"a\r\nb\n\n", vec![line("a"), line("b"), line(""), Input::Closed]),
            (b"abcd\r\nabcde\r\nx\r\n", vec![line("abcd"), Input::TooLong, line("x"), Input::Closed]),
            (b"par", vec![Input::Closed]),
            (b"partial", vec![Input::TooLong, Input::Closed]),
            (b"a\0b\r\n", vec![Input::Line(b"a\0b".to_vec()), Input::Closed]),
            (&[b'x'; 300], vec![Input::TooLong, Input::Flood]),
        ];
        for (input, expected) in cases {
            assert_eq!(lines_of(input, 4).await, expected, "{input:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_client_times_out() {
        let (_client, server) = tokio::io::duplex(64);
        let mut conn = Connection::new(server, Duration::from_secs(300));
        assert_eq!(conn.read_line(10, 10).await.unwrap(), Input::TimedOut);
    }
}
