//! Mail connections into [`Session`]s: one `DialogueBuilder` per connection, fed client and
//! server bytes interleaved in capture order, with gaps and implicit TLS reported to it.
//! Once TLS begins (STARTTLS, STLS, implicit TLS, or a `Protocol::Tls` connection) the bytes
//! go to a `protocol::tls::TlsObserver` instead, whose summary becomes `Session::tls`.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;

use super::flows::{Endpoint, FlowId, MailFlow};
use super::reassembly::Meta;
use crate::i18n::messages::notes::{ByteUnit, NoteText, SideName};
use crate::i18n::Text;
use crate::protocol::tls::{self, TlsObserver};
use crate::protocol::{DialogueBuilder, Direction, Expect, Spare};
use crate::session::{Connect, Note, NoteKind, Origin, Protocol, Session, Source};

/// A session and how its connection began.
pub(super) struct Finished {
    pub implicit_tls: bool,
    pub server_port: u16,
    pub session: Session,
}

struct Open {
    builder: DialogueBuilder,
    /// Reads the TLS handshake once TLS began.
    tls: Option<TlsObserver>,
    label: String,
    /// The server the client connected to, as a `telnet host port` line would say.
    connect: Connect,
    first_frame: u64,
    implicit_tls: bool,
    server_port: u16,
    /// False once the TLS handshake is read: the flow stage may still send what it had
    /// reassembled before it heard, and that is not read.
    reading: bool,
}

pub(super) struct SessionAssembler<'p> {
    path: &'p Path,
    /// foldhash rather than SipHash: one lookup per segment of every mail connection, keyed
    /// by our own counter (nothing an attacker chooses).
    open: HashMap<FlowId, Open, foldhash::fast::RandomState>,
    /// Sessions over but not handed on yet, by (first frame, order closed): the order a
    /// stable sort by first frame gives. Boxed: the map's nodes then hold pointers, not
    /// sessions, so a node is small to make and to shift (issue 18).
    finished: BTreeMap<(u64, u64), Box<Finished>>,
    closed: u64,
    /// What closed sessions' builders left for the next ones.
    spare: Spare,
}

impl<'p> SessionAssembler<'p> {
    pub fn new(path: &'p Path) -> Self {
        SessionAssembler {
            path,
            open: HashMap::default(),
            finished: BTreeMap::new(),
            closed: 0,
            spare: Spare::default(),
        }
    }

    /// Hands on, in order, the sessions over that began before `frame`.
    pub fn take_before(&mut self, frame: u64, out: &mut dyn FnMut(Finished)) {
        while let Some(entry) = self.finished.first_entry() {
            if entry.key().0 >= frame {
                break;
            }
            out(*entry.remove());
        }
    }

    /// The capture ended: every session, the open ones closed, in order.
    pub fn take_all(mut self, out: &mut dyn FnMut(Finished)) {
        let open: Vec<FlowId> = self.open.keys().copied().collect();
        for id in open {
            self.close(id);
        }
        for finished in std::mem::take(&mut self.finished).into_values() {
            out(*finished);
        }
    }
}

/// `tcp A → B`, as `format!` with the endpoints' `Display` writes it, and the server's
/// address as `IpAddr`'s `Display` writes it, without the formatting machinery: one pair
/// per session of a capture of thousands (issue 18).
fn label_and_host(client: &Endpoint, server: &Endpoint) -> (String, String) {
    if let (IpAddr::V4(from), IpAddr::V4(to)) = (client.ip, server.ip) {
        // Written on the stack and copied out once: no capacity check per byte. The host
        // is the label's own digits, not written a second time.
        let mut out = LabelBuf::default();
        out.push(b"tcp ");
        out.endpoint(from, client.port);
        out.push(" → ".as_bytes());
        let host_at = out.len;
        out.ipv4(to);
        let host_end = out.len;
        out.byte(b':');
        out.decimal(server.port);
        let label = out.into_string();
        let host = label.get(host_at..host_end).unwrap_or_default().to_string();
        return (label, host);
    }
    let mut label = String::with_capacity(64);
    label.push_str("tcp ");
    push_endpoint(&mut label, client);
    label.push_str(" → ");
    push_endpoint(&mut label, server);
    (label, server.ip.to_string())
}

/// `address:port` as `SocketAddr`'s `Display` writes it (IPv6 left to std, whose
/// shortening rules it keeps).
fn push_endpoint(out: &mut String, endpoint: &Endpoint) {
    use std::fmt::Write as _;
    let _ = write!(out, "{endpoint}");
}

/// Room for `tcp 255.255.255.255:65535 → 255.255.255.255:65535` (51 bytes).
const LABEL_ROOM: usize = 64;

/// Each octet's decimal digits, then how many there are.
const OCTETS: [[u8; 4]; 256] = {
    let mut table = [[0; 4]; 256];
    let mut value = 0;
    while value < 256 {
        let hundreds = b'0' + (value / 100) as u8;
        let tens = b'0' + (value / 10 % 10) as u8;
        let ones = b'0' + (value % 10) as u8;
        table[value] = match value {
            0..=9 => [ones, 0, 0, 1],
            10..=99 => [tens, ones, 0, 2],
            _ => [hundreds, tens, ones, 3],
        };
        value += 1;
    }
    table
};

/// A label written into a buffer on the stack (IPv4 only: the longest fits).
struct LabelBuf {
    bytes: [u8; LABEL_ROOM],
    len: usize,
}

impl Default for LabelBuf {
    fn default() -> Self {
        LabelBuf {
            bytes: [0; LABEL_ROOM],
            len: 0,
        }
    }
}

impl LabelBuf {
    fn push(&mut self, bytes: &[u8]) {
        self.bytes[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn byte(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// Written digit by digit, last first, into its place: no copy of a digits buffer.
    fn decimal(&mut self, value: u16) {
        let digits = match value {
            0..=9 => 1,
            10..=99 => 2,
            100..=999 => 3,
            1000..=9999 => 4,
            _ => 5,
        };
        let mut rest = value;
        for at in (self.len..self.len + digits).rev() {
            self.bytes[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        self.len += digits;
    }

    /// An octet's one to three digits, copied from a table: a third of what working them
    /// out cost, for four octets in each address of a label.
    fn octet(&mut self, value: u8) {
        let [digits @ .., len] = OCTETS[usize::from(value)];
        // All three written, at a fixed length (no call to copy), and only `len` kept: the
        // longest label leaves room behind its last octet.
        self.bytes[self.len..self.len + 3].copy_from_slice(&digits);
        self.len += usize::from(len);
    }

    fn ipv4(&mut self, ip: std::net::Ipv4Addr) {
        let [a, b, c, d] = ip.octets();
        self.octet(a);
        for octet in [b, c, d] {
            self.byte(b'.');
            self.octet(octet);
        }
    }

    fn endpoint(&mut self, ip: std::net::Ipv4Addr, port: u16) {
        self.ipv4(ip);
        self.byte(b':');
        self.decimal(port);
    }

    fn into_string(self) -> String {
        // Only whole `str`s and ASCII digits were written: this cannot fail.
        String::from(std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default())
    }
}

fn origin(meta: Meta) -> Origin {
    Origin::frame(meta.frame, meta.micros)
}

fn side_name(direction: Direction) -> SideName {
    match direction {
        Direction::Client => SideName::Client,
        Direction::Server => SideName::Server,
    }
}

/// What a gap's note says: how much, from whom, between which frames.
pub(super) fn gap_detail(direction: Direction, bytes: u64, before: u64, after: u64) -> Text {
    let side = side_name(direction);
    let unit = if bytes == 1 {
        ByteUnit::Byte
    } else {
        ByteUnit::Bytes
    };
    let note = if bytes == 0 {
        NoteText::GapUnknownSize {
            side,
            before,
            after,
        }
    } else if before == after {
        NoteText::GapSnaplen {
            bytes,
            unit,
            side,
            after,
        }
    } else if before == 0 {
        NoteText::GapBefore {
            bytes,
            unit,
            side,
            after,
        }
    } else {
        NoteText::GapBetween {
            bytes,
            unit,
            side,
            before,
            after,
        }
    };
    note.text()
}

/// What a session is called, made where the connection is found (the flow stage) so that
/// the session stage need not format it.
pub(super) struct FlowNames {
    label: String,
    host: String,
}

impl FlowNames {
    pub fn of(flow: &MailFlow) -> Self {
        let (label, host) = label_and_host(&flow.client, &flow.server);
        FlowNames { label, host }
    }
}

/// The events of `flows::FlowEvents`, as the session stage reads them from a batch
/// (`handoff.rs`).
impl SessionAssembler<'_> {
    pub fn open(&mut self, flow: &MailFlow, names: FlowNames) {
        let mut builder = DialogueBuilder::new_from(flow.protocol, &mut self.spare);
        if let Some(opened) = flow.opened_before {
            builder.note(Note {
                kind: NoteKind::Gap,
                origin: origin(flow.first),
                detail: NoteText::OpenedBefore {
                    opened,
                    first: flow.first.frame,
                }
                .text(),
            });
        }
        if flow.implicit_tls && flow.protocol != Protocol::Tls {
            builder.tls_started(origin(flow.first));
        }
        self.open.insert(
            flow.id,
            Open {
                builder,
                tls: flow.implicit_tls.then(TlsObserver::new),
                label: names.label,
                connect: Connect {
                    host: names.host,
                    port: Some(flow.server.port),
                    origin: origin(flow.first),
                },
                first_frame: flow.first.frame,
                implicit_tls: flow.implicit_tls,
                server_port: flow.server.port,
                reading: true,
            },
        );
    }

    /// Returns false once nothing more of this flow is wanted (its TLS handshake was read).
    pub fn data(&mut self, id: FlowId, direction: Direction, bytes: &[u8], meta: Meta) -> bool {
        let Some(open) = self.open.get_mut(&id).filter(|o| o.reading) else {
            return false;
        };
        if let Some(tls) = &mut open.tls {
            tls.push(direction, bytes, origin(meta));
            open.reading = tls.wants_more();
            return open.reading;
        }
        // A TLS handshake the dialogue did not see coming: the positive reply to STARTTLS
        // was not captured, the server went straight to TLS, or a client expecting implicit
        // TLS sent its hello to a cleartext greeting. Binary records are never commands.
        let expect = open.builder.expect();
        let tls_now = match direction {
            Direction::Server => expect != Expect::ServerContinuation,
            Direction::Client => matches!(expect, Expect::Reply | Expect::Command),
        };
        if tls_now && tls::is_handshake_record(bytes) {
            open.builder.tls_started(origin(meta));
            let mut tls = TlsObserver::new();
            tls.push(direction, bytes, origin(meta));
            open.tls = Some(tls);
            return true;
        }
        match direction {
            Direction::Client => open.builder.client_bytes(bytes, origin(meta)),
            Direction::Server => open.builder.server_bytes(bytes, origin(meta)),
        }
        // STARTTLS / STLS answered: what comes next is the handshake.
        if open.builder.expect() == Expect::Encrypted {
            open.tls = Some(TlsObserver::new());
        }
        true
    }

    pub fn gap(&mut self, id: FlowId, direction: Direction, bytes: u64, before: u64, after: Meta) {
        let Some(open) = self.open.get_mut(&id).filter(|o| o.reading) else {
            return;
        };
        let origin = Origin::Frame {
            frame: if before == 0 { after.frame } else { before },
            last_frame: after.frame,
            micros: after.micros,
        };
        let detail = gap_detail(direction, bytes, before, after.frame);
        match &mut open.tls {
            Some(tls) => tls.gap(direction),
            None => open.builder.gap(direction, origin, detail),
        }
    }

    pub fn close(&mut self, id: FlowId) {
        let Some(open) = self.open.remove(&id) else {
            return;
        };
        let protocol: Protocol = open.builder.protocol();
        let dialogue = open.builder.finish_into(&mut self.spare);
        // Made whole where it goes, not made and then filled in: a session is moved less
        // on its way into the box (issue 18).
        let finished = Box::new(Finished {
            implicit_tls: open.implicit_tls,
            server_port: open.server_port,
            session: Session {
                protocol,
                source: Source {
                    path: self.path.to_path_buf(),
                    label: open.label,
                },
                connect: Some(open.connect),
                exchanges: dialogue.exchanges,
                notes: dialogue.notes,
                encrypted_after: dialogue.encrypted_after,
                tls: open.tls.map(|tls| Box::new(tls.finish())),
                reading: None,
            },
        });
        self.closed += 1;
        self.finished
            .insert((open.first_frame, self.closed), finished);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_hosts_read_as_display_writes_them() {
        let ips: [IpAddr; 6] = [
            "0.0.0.0".parse().unwrap(),
            "10.0.0.1".parse().unwrap(),
            "192.168.100.255".parse().unwrap(),
            "255.255.255.255".parse().unwrap(),
            "::1".parse().unwrap(),
            "2001:db8::25:1".parse().unwrap(),
        ];
        for (ip, port) in ips.iter().zip([0, 9, 25, 587, 10000, 65535]) {
            for server_ip in [ips[0], *ip] {
                let client = Endpoint { ip: *ip, port };
                let server = Endpoint {
                    ip: server_ip,
                    port: 25,
                };
                let (label, host) = label_and_host(&client, &server);
                assert_eq!(label, format!("tcp {client} → {server}"));
                assert_eq!(host, server_ip.to_string());
            }
        }
        // Every octet's digits.
        for octet in 0..=255u8 {
            let ip = IpAddr::from([octet, 255 - octet, octet / 3, 1]);
            let end = Endpoint { ip, port: 110 };
            let (label, host) = label_and_host(&end, &end);
            assert_eq!(label, format!("tcp {end} → {end}"));
            assert_eq!(host, ip.to_string());
        }
    }
}
