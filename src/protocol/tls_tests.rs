use super::*;

fn record(kind: u8, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u16;
    let mut out = vec![kind, 0x03, 0x03, (len >> 8) as u8, len as u8];
    out.extend_from_slice(payload);
    out
}

fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = body.len() as u32;
    let mut out = vec![kind, (len >> 16) as u8, (len >> 8) as u8, len as u8];
    out.extend_from_slice(body);
    out
}

fn extension(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_be_bytes().to_vec();
    out.extend_from_slice(&(data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
    out
}

fn client_hello(sni: &str, versions: &[u16]) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend([0u8; 32]);
    body.push(0); // no session id
    body.extend([0x00, 0x04, 0x13, 0x01, 0xc0, 0x2f]);
    body.extend([0x01, 0x00]);
    let mut name = vec![0u8];
    name.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    name.extend_from_slice(sni.as_bytes());
    let mut list = (name.len() as u16).to_be_bytes().to_vec();
    list.extend(name);
    let mut extensions = extension(0, &list);
    let mut supported = vec![(versions.len() * 2) as u8];
    for v in versions {
        supported.extend_from_slice(&v.to_be_bytes());
    }
    extensions.extend(extension(43, &supported));
    body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
    body.extend(extensions);
    handshake(1, &body)
}

fn server_hello(suite: u16, tls13: bool) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend([0u8; 32]);
    body.push(0);
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0);
    let extensions = if tls13 {
        extension(43, &[0x03, 0x04])
    } else {
        Vec::new()
    };
    body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
    body.extend(extensions);
    handshake(2, &body)
}

/// One direction's bytes and the frame they came in.
type Flight = (Direction, Vec<u8>, u64);

fn tls12() -> Vec<Flight> {
    use Direction::{Client, Server};
    let mut server_flight = record(22, &server_hello(0xc02f, false));
    let mut rest = handshake(12, &[0; 40]);
    rest.extend(handshake(14, &[]));
    server_flight.extend(record(22, &rest));
    let mut client_flight = record(22, &handshake(16, &[0; 33]));
    client_flight.extend(record(20, &[1]));
    client_flight.extend(record(22, &[0xaa; 40]));
    let mut server_finish = record(20, &[1]);
    server_finish.extend(record(22, &[0xbb; 40]));
    vec![
        (
            Client,
            record(22, &client_hello("wx.mail.qq.com", &[0x0303])),
            4,
        ),
        (Server, server_flight, 6),
        (Client, client_flight, 8),
        (Server, server_finish, 9),
        (Client, record(23, &[0xcc; 300]), 10),
        (Server, record(23, &[0xdd; 5000]), 11),
        (Server, record(21, &[0xee; 26]), 12),
    ]
}

fn tls13() -> Vec<Flight> {
    use Direction::{Client, Server};
    let mut server_flight = record(22, &server_hello(0x1301, true));
    server_flight.extend(record(20, &[1]));
    server_flight.extend(record(23, &[0x11; 900]));
    server_flight.extend(record(23, &[0x12; 80]));
    let mut client_finish = record(20, &[1]);
    client_finish.extend(record(23, &[0x13; 53]));
    vec![
        (
            Client,
            record(22, &client_hello("mail.qq.com", &[0x0a0a, 0x0304, 0x0303])),
            4,
        ),
        (Server, server_flight, 6),
        (Client, client_finish, 8),
        (Client, record(23, &[0x14; 200]), 9),
        (Server, record(23, &[0x15; 4000]), 10),
    ]
}

fn observe(flights: &[Flight], chunk: usize) -> TlsHandshake {
    let mut observer = TlsObserver::new();
    for (direction, bytes, frame) in flights {
        for piece in bytes.chunks(chunk) {
            observer.push(*direction, piece, Origin::frame(*frame, 0));
        }
    }
    observer.finish()
}

#[test]
fn reads_tls12_and_tls13_handshakes_in_any_chunking() {
    // (name, flights, messages, version, suite, kx, app data (client, server))
    type Case = (
        &'static str,
        Vec<Flight>,
        &'static [&'static str],
        TlsVersion,
        &'static str,
        &'static str,
        (u64, u64),
    );
    let cases: Vec<Case> = vec![
        (
            "tls 1.2 ecdhe",
            tls12(),
            &[
                "ClientHello",
                "ServerHello",
                "ServerKeyExchange",
                "ServerHelloDone",
                "ClientKeyExchange",
                "ChangeCipherSpec",
                "Finished",
                "ChangeCipherSpec",
                "Finished",
                "ApplicationData",
                "ApplicationData",
                "Alert",
            ],
            TlsVersion::Tls12,
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "ECDHE",
            (1, 1),
        ),
        (
            "tls 1.3",
            tls13(),
            &[
                "ClientHello",
                "ServerHello",
                "ChangeCipherSpec",
                "EncryptedHandshake",
                "ChangeCipherSpec",
                "Finished",
                "ApplicationData",
                "ApplicationData",
            ],
            TlsVersion::Tls13,
            "TLS_AES_128_GCM_SHA256",
            "(EC)DHE",
            (1, 1),
        ),
    ];
    for (name, flights, messages, version, suite, kx, data) in cases {
        for chunk in [1, 2, 3, 7, 64, 100_000] {
            let tls = observe(&flights, chunk);
            assert_eq!(tls.message_names(), messages, "{name} in chunks of {chunk}");
            assert_eq!(tls.version, Some(version), "{name}");
            assert_eq!(tls.cipher_suite.as_deref(), Some(suite), "{name}");
            assert_eq!(tls.key_exchange.as_deref(), Some(kx), "{name}");
            assert!(tls.completed, "{name} in chunks of {chunk}");
            assert_eq!(
                (tls.application_data.client, tls.application_data.server),
                data,
                "{name}"
            );
            assert_eq!(tls.unreadable, None, "{name}");
        }
    }
    let tls = observe(&tls13(), 5);
    assert_eq!(tls.sni.as_deref(), Some("mail.qq.com"));
    // GREASE (0x0a0a) is not a version.
    assert_eq!(tls.offered_versions, [TlsVersion::Tls13, TlsVersion::Tls12]);
    assert_eq!(tls.messages[5].origin.to_string(), "frame 8");
    assert!(tls.messages[5].encrypted);
}

#[test]
fn a_handshake_cut_short_is_not_completed() {
    let mut flights = tls12();
    flights.truncate(3);
    let tls = observe(&flights, 10);
    assert!(!tls.completed);
    let mut flights = tls13();
    flights.truncate(2);
    assert!(!observe(&flights, 10).completed);
}

#[test]
fn bytes_that_are_not_records_stop_reading_without_panicking() {
    // (name, client bytes, why)
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("text", b"EHLO me\r\n".to_vec(), "not a TLS record"),
        (
            "oversized record",
            vec![22, 3, 3, 0xff, 0xff, 1],
            "not a TLS record",
        ),
        (
            "huge handshake",
            record(22, &[1, 0xff, 0xff, 0xff, 0, 0]),
            "too long to read",
        ),
        ("bad version", vec![22, 2, 0, 0, 1, 0], "not a TLS record"),
    ];
    for (name, bytes, why) in cases {
        let mut observer = TlsObserver::new();
        observer.push(Direction::Client, &bytes, Origin::frame(1, 0));
        observer.push(Direction::Client, &tls12()[0].1, Origin::frame(2, 0));
        let tls = observer.finish();
        assert!(tls.messages.is_empty(), "{name}: {:?}", tls.message_names());
        assert!(
            tls.unreadable.as_ref().is_some_and(|u| u.en.contains(why)),
            "{name}: {:?}",
            tls.unreadable
        );
    }
    // A truncated hello parses no fields but is still a ClientHello; a lost segment stops.
    let mut observer = TlsObserver::new();
    observer.push(
        Direction::Client,
        &record(22, &handshake(1, &[3, 3])),
        Origin::frame(1, 0),
    );
    assert!(observer.wants_more());
    observer.gap(Direction::Server);
    assert!(!observer.wants_more());
    let tls = observer.finish();
    assert_eq!(tls.message_names(), ["ClientHello"]);
    assert_eq!(tls.sni, None);
}

#[test]
fn a_clear_alert_says_what_it_is() {
    let mut observer = TlsObserver::new();
    observer.push(Direction::Client, &tls12()[0].1, Origin::frame(1, 0));
    observer.push(
        Direction::Server,
        &record(21, &[2, 40]),
        Origin::frame(2, 0),
    );
    let tls = observer.finish();
    assert_eq!(
        tls.messages[1].detail,
        Text::new("fatal handshake_failure", "致命级告警 handshake_failure")
    );
    assert!(!tls.messages[1].encrypted);
    assert!(!tls.completed);
    assert_eq!(
        alert_text(1, 99),
        Text::new("warning alert 99", "警告级告警 99")
    );
}

#[test]
fn what_stopped_reading_is_said_in_both_languages() {
    let mut observer = TlsObserver::new();
    observer.push(Direction::Client, b"EHLO me\r\n", Origin::frame(1, 0));
    let tls = observer.finish();
    assert_eq!(
        tls.unreadable,
        Some(Text::new(
            "reading the client's TLS stopped: bytes that are not a TLS record",
            "客户端的 TLS 读取到此停止：出现了不是 TLS 记录的字节"
        ))
    );
}

#[test]
fn recognises_record_starts() {
    assert!(is_handshake_record(&[22, 3, 1, 0, 5]));
    assert!(!is_handshake_record(&[23, 3, 3]));
    assert!(is_client_hello(&[22, 3, 1, 0, 5, 1]));
    assert!(is_client_hello(&[22, 3, 1, 0, 5]));
    assert!(!is_client_hello(&[22, 3, 3, 0, 5, 2]));
}

#[test]
fn counting_stops_after_enough_application_data() {
    let mut observer = TlsObserver::new();
    for (direction, bytes, frame) in tls12() {
        observer.push(direction, &bytes, Origin::frame(frame, 0));
    }
    let record = record(23, &[0; 20]);
    // The flights above hold one record from the server already.
    for frame in 1..MAX_COUNTED {
        assert!(observer.wants_more(), "record {frame}");
        observer.push(Direction::Server, &record, Origin::frame(100 + frame, 0));
    }
    assert!(!observer.wants_more());
    let tls = observer.finish();
    assert_eq!(tls.application_data.server, MAX_COUNTED);
    assert!(tls.application_data.more);
}

#[test]
fn key_exchange_words_are_translated_and_names_are_not() {
    let kx = |k| TlsHandshake {
        key_exchange: Some(key_exchange(k).to_string()),
        ..TlsHandshake::default()
    };
    use crate::i18n::Lang;
    assert_eq!(
        kx(TlsCipherKx::Null).key_exchange_in(Lang::ZhCn),
        Some("无")
    );
    assert_eq!(
        kx(TlsCipherKx::Null).key_exchange_in(Lang::En),
        Some("none")
    );
    assert_eq!(
        kx(TlsCipherKx::Aecdh).key_exchange_in(Lang::ZhCn),
        Some("匿名 ECDH")
    );
    assert_eq!(
        kx(TlsCipherKx::Ecdhe).key_exchange_in(Lang::ZhCn),
        Some("ECDHE")
    );
}
