//! The embedded server's sessions over a real loopback socket: the first byte picks SMTP or
//! POP3, the rest is what the client sends before it closes its side. The server must answer
//! and hang up without panicking (a panicking session task would leave the read below
//! without an end, which libFuzzer reports as a timeout).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer, Limits};
use mailgrade::server::MailServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

struct Lab {
    runtime: Runtime,
    server: EmbeddedServer,
}

fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    LAB.get_or_init(|| {
        let runtime = Runtime::new().expect("runtime");
        let config = EmbeddedConfig {
            limits: Limits {
                max_line: 512,
                max_message: 64 << 10,
                idle_timeout: Duration::from_secs(5),
                ..Limits::default()
            },
            ..EmbeddedConfig::default()
        };
        let server = runtime
            .block_on(EmbeddedServer::start(config))
            .expect("server starts");
        Lab { runtime, server }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let lab = lab();
    let endpoints = lab.server.endpoints();
    let addr = if pick & 1 == 0 {
        endpoints.smtp
    } else {
        endpoints.pop3
    };
    lab.runtime.block_on(async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        // The server may hang up first (too many errors): a failed write is fine.
        let _ = stream.write_all(bytes).await;
        let _ = stream.shutdown().await;
        let mut answer = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer));
        assert!(
            read.await.is_ok(),
            "the server neither answered nor hung up"
        );
    });
});
