use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

/// What waiting for the client's next input gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Read<T> {
    /// A whole input, as the receiver framed it.
    Input(T),
    /// The client closed the connection (a partial input is dropped).
    Closed,
    /// Nothing arrived for the idle time.
    TimedOut,
    /// More than the allowed bytes went by without a whole input (an endless line).
    Flood,
}

/// The only place that reads from or writes to a client's socket.
///
/// Framing is the protocol's receivers' job: [`next`](Self::next) hands them the bytes.
/// Replies are buffered and sent when the client's input runs dry, so a pipelining client
/// gets its replies in one write (RFC 2920 §3.1) and a client typing by hand gets each at once.
pub struct Connection<S> {
    stream: S,
    input: Vec<u8>,
    /// Bytes of `input` the receivers have taken.
    taken: usize,
    /// Bytes taken since the last whole input.
    pending: usize,
    output: Vec<u8>,
    idle: Duration,
    /// When waiting for the current input began: each input must be whole within the idle
    /// time, so a client dribbling a byte now and then (slowloris) cannot hold a slot.
    waiting_since: Option<Instant>,
}

const READ_CHUNK: usize = 16 * 1024;
/// Replies queued past this are sent before the next input is taken, so a client that
/// pipelines a thousand `RETR 1` without reading cannot make the server buffer a thousand
/// messages: the write waits for the client, and times out if it never reads.
const OUTPUT_HIGH_WATER: usize = 64 * 1024;

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub fn new(stream: S, idle: Duration) -> Self {
        Connection {
            stream,
            input: Vec::with_capacity(READ_CHUNK),
            taken: 0,
            pending: 0,
            output: Vec::with_capacity(1024),
            idle,
            waiting_since: None,
        }
    }

    /// Feeds buffered and newly read bytes to `ingest` (a receiver's `ingest`, `None` for
    /// "needs more data") until it yields a whole input. The buffer holds at most one read;
    /// the receivers bound what they keep. Cancel-safe: unread bytes stay buffered.
    pub async fn next<T>(
        &mut self,
        max_pending: usize,
        mut ingest: impl FnMut(&mut &[u8]) -> Option<T>,
    ) -> std::io::Result<Read<T>> {
        loop {
            if self.output.len() >= OUTPUT_HIGH_WATER {
                self.flush().await?;
            }
            let mut rest = &self.input[self.taken..];
            let before = rest.len();
            let item = if before == 0 { None } else { ingest(&mut rest) };
            let taken = before - rest.len();
            self.taken += taken;
            self.pending += taken;
            if let Some(item) = item {
                self.pending = 0;
                self.waiting_since = None;
                return Ok(Read::Input(item));
            }
            if self.pending > max_pending {
                return Ok(Read::Flood);
            }
            if self.taken < self.input.len() && taken > 0 {
                // The receiver stopped short without a whole input; offer the rest again.
                continue;
            }
            self.input.drain(..self.taken);
            self.taken = 0;
            self.flush().await?;
            self.input.reserve(READ_CHUNK);
            let since = *self.waiting_since.get_or_insert_with(Instant::now);
            let left = self.idle.saturating_sub(since.elapsed());
            let read = tokio::time::timeout(left, self.stream.read_buf(&mut self.input));
            match read.await {
                Err(_) => return Ok(Read::TimedOut),
                Ok(Err(e)) if is_disconnect(&e) => return Ok(Read::Closed),
                Ok(Err(e)) => return Err(e),
                Ok(Ok(0)) => return Ok(Read::Closed),
                Ok(Ok(_)) => {}
            }
        }
    }

    /// Queues bytes to send (a reply as `to_wire` made it).
    pub fn queue(&mut self, bytes: &[u8]) {
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
    use crate::protocol::{LineEvent, LineReceiver};
    use tokio::io::AsyncWriteExt;

    async fn lines_of(input: &[u8], max: usize) -> Vec<Read<String>> {
        let (mut client, server) = tokio::io::duplex(64);
        let input = input.to_vec();
        let writer = tokio::spawn(async move {
            let _ = client.write_all(&input).await;
        });
        let mut conn = Connection::new(server, Duration::from_secs(5));
        let mut lines = LineReceiver::new(max);
        let mut got = Vec::new();
        loop {
            let item = conn
                .next(100, |input| match lines.ingest(input) {
                    LineEvent::Line(line) => Some(line.text()),
                    LineEvent::TooLong { .. } => Some("(too long)".to_string()),
                    LineEvent::NeedsMoreData => None,
                })
                .await
                .unwrap();
            let end = !matches!(item, Read::Input(_));
            got.push(item);
            if end {
                break;
            }
        }
        writer.abort();
        got
    }

    fn line(s: &str) -> Read<String> {
        Read::Input(s.to_string())
    }

    #[tokio::test]
    async fn hands_bytes_to_the_receiver_and_bounds_them() {
        let cases: Vec<(&[u8], Vec<Read<String>>)> = vec![
            (
                b"a\r\nb\n\n",
                vec![line("a"), line("b"), line(""), Read::Closed],
            ),
            (
                b"abcd\r\nabcde\r\nx\r\n",
                vec![line("abcd"), line("(too long)"), line("x"), Read::Closed],
            ),
            (b"partial", vec![Read::Closed]),
            (b"a\0b\r\n", vec![line("a\0b"), Read::Closed]),
            (&[b'x'; 300], vec![Read::Flood]),
        ];
        for (input, expected) in cases {
            assert_eq!(lines_of(input, 4).await, expected, "{input:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_client_times_out() {
        let (_client, server) = tokio::io::duplex(64);
        let mut conn = Connection::new(server, Duration::from_secs(300));
        let got = conn.next(10, |_: &mut &[u8]| None::<()>).await.unwrap();
        assert_eq!(got, Read::TimedOut);
    }
}
