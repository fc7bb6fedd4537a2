//! The connection table: TCP segments demultiplexed into connections, each direction
//! reassembled, each connection decided mail or not on its first bytes. Mail connections
//! pass their bytes on to [`FlowEvents`] in capture order; the rest are only watched for
//! their end, so non-mail traffic costs one hash lookup per packet.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::net::IpAddr;

use super::detect::{self, Decision, OtherKind, PREFIX_LIMIT};
use super::ip::Addr;
use super::reassembly::{Chunk, Meta, Stream};
use super::tcp::{Segment, ACK, FIN, RST, SYN};
use super::waiting::Waiting;
use crate::protocol::Direction;
use crate::session::Protocol;

pub(super) type FlowId = u64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            IpAddr::V4(ip) => write!(f, "{ip}:{}", self.port),
            IpAddr::V6(ip) => write!(f, "[{ip}]:{}", self.port),
        }
    }
}

/// A connection found to carry SMTP or POP3, or TLS from its first byte (`Protocol::Tls`).
#[derive(Clone, Debug)]
pub(super) struct MailFlow {
    pub id: FlowId,
    pub protocol: Protocol,
    pub client: Endpoint,
    pub server: Endpoint,
    /// The connection's first frame.
    pub first: Meta,
    /// TLS from the first byte: only its handshake will be readable.
    pub implicit_tls: bool,
    /// The frame the connection opened in, when it was set aside before its first byte
    /// (too many connections were waiting) and is read from that byte on.
    pub opened_before: Option<u64>,
}

/// Where mail connections' bytes go, in capture order.
pub(super) trait FlowEvents {
    fn open(&mut self, flow: &MailFlow);
    /// Returns false once nothing more of this flow is wanted (its TLS handshake was read).
    fn data(&mut self, id: FlowId, direction: Direction, bytes: &[u8], meta: Meta) -> bool;
    /// `bytes` were lost between frame `before` (0: none yet) and `after`.
    fn gap(&mut self, id: FlowId, direction: Direction, bytes: u64, before: u64, after: Meta);
    fn close(&mut self, id: FlowId);
}

/// What the connections were, for the "nothing found" explanation.
#[derive(Debug, Default)]
pub(super) struct FlowStats {
    pub connections: u64,
    pub mail: u64,
    pub other: BTreeMap<OtherKind, u64>,
    /// Connections that never carried a byte (port scans, refused connections).
    pub empty: u64,
    /// Their server ports (the first few).
    pub empty_ports: BTreeSet<u16>,
    /// Connections set aside because more than `waiting::MAX_WAITING` not known to carry
    /// mail were open at once.
    pub set_aside: u64,
}

/// One end of a connection as the table keeps it, packed into integers: the address's
/// bits, and its family and port together; IPv4 and IPv6 never compare equal. It is made
/// straight from the headers, and an [`Endpoint`] from it only when a mail flow opens.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct End {
    addr: u128,
    /// The family (1 for IPv6) above the port.
    family_port: u32,
}

impl End {
    pub fn new(addr: Addr, port: u16) -> Self {
        End {
            addr: addr.bits,
            family_port: u32::from(addr.v6) << 16 | u32::from(port),
        }
    }

    fn port(self) -> u16 {
        self.family_port as u16
    }

    fn endpoint(self) -> Endpoint {
        let addr = Addr {
            bits: self.addr,
            v6: self.family_port >> 16 != 0,
        };
        Endpoint {
            ip: addr.into(),
            port: self.port(),
        }
    }
}

impl From<Endpoint> for End {
    fn from(end: Endpoint) -> Self {
        End::new(end.ip.into(), end.port)
    }
}

/// Both ends of a connection, the lower first: one lookup per packet is most of the cost
/// of skipping traffic that is not mail, and hashing or comparing two `IpAddr` enums field
/// by field cost three times more.
#[derive(Clone, Copy, PartialEq, Eq)]
struct FlowKey([End; 2]);

impl FlowKey {
    fn new(a: End, b: End) -> Self {
        // Any fixed order will do: ports tell almost every pair apart, and compare cheapest.
        let a_first = (a.family_port, a.addr) <= (b.family_port, b.addr);
        FlowKey(if a_first { [a, b] } else { [b, a] })
    }

    fn of(conn: &Connection) -> Self {
        FlowKey::new(conn.facts.ends[0], conn.facts.ends[1])
    }
}

impl std::hash::Hash for FlowKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b] = self.0;
        state.write_u128(a.addr);
        state.write_u128(b.addr);
        state.write_u64(u64::from(a.family_port) << 32 | u64::from(b.family_port));
    }
}

enum Pending {
    Data(usize, Vec<u8>, Meta),
    Gap(usize, u64, u64, Meta),
}

enum State {
    Undecided {
        pending: Vec<Pending>,
        prefix: [Vec<u8>; 2],
        bytes: usize,
    },
    Mail {
        server_side: usize,
    },
    /// A mail connection that turned to TLS: only its end matters now.
    Encrypted,
    Other,
}

/// What a connection's chunks need to know of it besides its state: lent to a
/// [`Consumer`] beside the streams, not copied into it for every segment.
struct Facts {
    id: FlowId,
    /// See [`MailFlow::opened_before`]; 0 for none.
    opened_before: u64,
    /// Side 0 opened the connection (sent the SYN), or is our best guess.
    ends: [End; 2],
    from_start: bool,
    first: Meta,
}

impl Facts {
    fn ports(&self) -> [u16; 2] {
        [self.ends[0].port(), self.ends[1].port()]
    }
}

struct Connection {
    facts: Facts,
    /// The last frame that carried a segment of it.
    last_seen: u64,
    streams: [Stream; 2],
    state: State,
    fin: [bool; 2],
    reset: bool,
}

const MAIL_PORTS: [u16; 7] = [25, 587, 465, 2525, 1025, 110, 995];

impl Connection {
    fn new(id: FlowId, src: End, dst: End, seg: &Segment<'_>, meta: Meta) -> Self {
        let src_is_client = if seg.has(SYN) {
            !seg.has(ACK)
        } else if MAIL_PORTS.contains(&dst.port()) {
            true
        } else if MAIL_PORTS.contains(&src.port()) {
            false
        } else {
            dst.port() < src.port()
        };
        Connection {
            facts: Facts {
                id,
                opened_before: 0,
                ends: if src_is_client {
                    [src, dst]
                } else {
                    [dst, src]
                },
                from_start: seg.has(SYN),
                first: meta,
            },
            last_seen: meta.frame,
            streams: [Stream::default(), Stream::default()],
            state: State::Undecided {
                pending: Vec::new(),
                prefix: [Vec::new(), Vec::new()],
                bytes: 0,
            },
            fin: [false, false],
            reset: false,
        }
    }

    /// Not known to carry mail: capped, and set aside when the cap is reached.
    fn is_waiting(&self) -> bool {
        matches!(self.state, State::Undecided { .. } | State::Other)
    }

    /// Whether it was set aside before either side sent a byte.
    fn is_unopened(&self) -> bool {
        !self.streams.iter().any(|s| s.had_payload)
    }

    /// Whether a segment of it changes nothing but when it was last seen: the fast path of
    /// most packets. A connection we are not reading only needs its end noticed; one we
    /// read takes nothing from a bare ACK (half the packets of a mail session) once the
    /// direction has begun, unless the ACK reveals lost bytes.
    #[inline]
    fn changes_nothing(&self, src: End, seg: &Segment<'_>) -> bool {
        if seg.flags & (SYN | FIN | RST) != 0 {
            return false;
        }
        if matches!(self.state, State::Other | State::Encrypted) {
            return true;
        }
        if seg.len() != 0 {
            return false;
        }
        let side = usize::from(self.facts.ends[0] != src);
        self.streams[side].has_begun()
            && (!seg.has(ACK) || self.streams[1 - side].acknowledges_nothing_new(seg.ack))
    }

    fn is_over(&self) -> bool {
        match self.state {
            State::Undecided { .. } | State::Mail { .. } => {
                self.reset || (self.streams[0].is_closed() && self.streams[1].is_closed())
            }
            State::Encrypted | State::Other => self.reset || (self.fin[0] && self.fin[1]),
        }
    }
}

/// Everything a connection's chunks may touch besides its streams.
struct Consumer<'a> {
    facts: &'a Facts,
    state: &'a mut State,
    events: &'a mut dyn FlowEvents,
    stats: &'a mut FlowStats,
}

impl Consumer<'_> {
    fn accept(&mut self, side: usize, chunk: Chunk<'_>) {
        match self.state {
            State::Mail { server_side } => {
                let (server_side, id) = (*server_side, self.facts.id);
                match chunk {
                    Chunk::Data(bytes, meta) => {
                        if !self
                            .events
                            .data(id, direction(side, server_side), bytes, meta)
                        {
                            *self.state = State::Encrypted;
                        }
                    }
                    Chunk::Gap {
                        bytes,
                        before,
                        after,
                    } => self
                        .events
                        .gap(id, direction(side, server_side), bytes, before, after),
                }
            }
            State::Undecided { .. } => self.undecided(side, chunk),
            State::Encrypted | State::Other => {}
        }
    }

    /// A chunk of a connection not decided yet: looked at, and held until it decides.
    /// Out of line: once per connection or so, while [`Consumer::accept`] runs for every
    /// chunk of a mail connection.
    #[inline(never)]
    fn undecided(&mut self, side: usize, chunk: Chunk<'_>) {
        let State::Undecided {
            pending,
            prefix,
            bytes,
        } = &mut *self.state
        else {
            return;
        };
        match chunk {
            // The connection's first bytes, most often a greeting that decides it
            // at once: looked at where they lie, copied to be held only if they do
            // not decide (issue 18). Nothing is held yet, so they are all there is.
            Chunk::Data(data, meta) if pending.is_empty() => {
                let mut first: [&[u8]; 2] = [&[], &[]];
                first[side] = &data[..PREFIX_LIMIT.min(data.len())];
                let last_chance = data.len() > 4 * PREFIX_LIMIT;
                let decision = detect::decide(
                    first,
                    self.facts.ports(),
                    self.facts.from_start,
                    last_chance,
                );
                if decision == Decision::Wait {
                    prefix[side].extend_from_slice(first[side]);
                    *bytes += data.len();
                    pending.push(Pending::Data(side, data.to_vec(), meta));
                    return;
                }
                let mail = matches!(decision, Decision::Mail { .. });
                self.apply(decision);
                if mail {
                    self.accept(side, Chunk::Data(data, meta));
                }
                return;
            }
            Chunk::Data(data, meta) => {
                let room = PREFIX_LIMIT.saturating_sub(prefix[side].len());
                prefix[side].extend_from_slice(&data[..room.min(data.len())]);
                *bytes += data.len();
                pending.push(Pending::Data(side, data.to_vec(), meta));
            }
            Chunk::Gap {
                bytes: lost,
                before,
                after,
            } => pending.push(Pending::Gap(side, lost, before, after)),
        }
        let last_chance = *bytes > 4 * PREFIX_LIMIT;
        let decision = detect::decide(
            [&prefix[0], &prefix[1]],
            self.facts.ports(),
            self.facts.from_start,
            last_chance,
        );
        self.apply(decision);
    }

    /// Acts on a detection: opens the mail flow and replays what was held, or drops it.
    fn apply(&mut self, decision: Decision) {
        match decision {
            Decision::Wait => {}
            Decision::Other(kind) => {
                *self.stats.other.entry(kind).or_default() += 1;
                *self.state = State::Other;
            }
            Decision::Mail {
                protocol,
                server_side,
                implicit_tls,
            } => {
                self.stats.mail += 1;
                let flow = MailFlow {
                    id: self.facts.id,
                    protocol,
                    client: self.facts.ends[1 - server_side].endpoint(),
                    server: self.facts.ends[server_side].endpoint(),
                    first: self.facts.first,
                    implicit_tls,
                    opened_before: (self.facts.opened_before > 0)
                        .then_some(self.facts.opened_before),
                };
                self.events.open(&flow);
                // Implicit TLS too: its handshake is read, until `data` says it is done.
                let held = std::mem::replace(self.state, State::Mail { server_side });
                if let State::Undecided { pending, .. } = held {
                    for item in pending {
                        match item {
                            Pending::Data(side, data, meta) => {
                                self.accept(side, Chunk::Data(&data, meta))
                            }
                            Pending::Gap(side, bytes, before, after) => self.accept(
                                side,
                                Chunk::Gap {
                                    bytes,
                                    before,
                                    after,
                                },
                            ),
                        }
                    }
                }
            }
        }
    }
}

fn direction(side: usize, server_side: usize) -> Direction {
    if side == server_side {
        Direction::Server
    } else {
        Direction::Client
    }
}

/// Out-of-order data held back by all connections together (each also has its own cap):
/// past this, a connection that holds more gives up on its holes, so a capture crafted with
/// holes in thousands of connections cannot make memory grow with the file.
const MAX_HELD_IN_ALL: usize = 64 << 20;

#[derive(Default)]
pub(super) struct FlowTable {
    /// foldhash rather than SipHash: one lookup per packet is most of the cost of skipping
    /// a packet that is not mail.
    connections: HashMap<FlowKey, Connection, foldhash::fast::RandomState>,
    next_id: FlowId,
    /// What all streams hold out of order, in bytes (`Stream::held_bytes` summed).
    held_in_all: usize,
    /// The connections not known to carry mail, capped.
    waiting: Waiting<FlowKey>,
    pub stats: FlowStats,
}

impl FlowTable {
    /// Takes one TCP segment from `src` to `dst`.
    pub fn segment(
        &mut self,
        src: End,
        dst: End,
        seg: &Segment<'_>,
        meta: Meta,
        events: &mut dyn FlowEvents,
    ) {
        let key = FlowKey::new(src, dst);
        // One lookup for a segment of a connection in the table, the common case; a new
        // connection costs a second one once it is in.
        let conn = match self.connections.get_mut(&key) {
            Some(conn) if !opens_anew(conn, src, seg) => {
                conn.last_seen = meta.frame;
                if conn.changes_nothing(src, seg) {
                    return;
                }
                conn
            }
            found => {
                if found.is_some() {
                    // A new connection on the same ports: the old one is over.
                    if let Some(old) = self.remove(&key) {
                        self.finish(old, events);
                    }
                } else if seg.len() == 0 && !seg.has(SYN) {
                    // A bare ACK, FIN or RST of a connection we do not know (often the last
                    // ACK of one just finished) opens nothing.
                    return;
                }
                self.open(key, src, dst, seg, meta, events);
                let Some(conn) = self.connections.get_mut(&key) else {
                    return;
                };
                conn
            }
        };
        let held_in_all = &mut self.held_in_all;
        let stats = &mut self.stats;
        let was_waiting = conn.is_waiting();
        let side = usize::from(conn.facts.ends[0] != src);
        if seg.has(FIN) {
            conn.fin[side] = true;
        }
        if seg.has(RST) {
            conn.reset = true;
        }
        if !matches!(conn.state, State::Other | State::Encrypted) {
            let Connection {
                facts,
                streams,
                state,
                ..
            } = conn;
            let mut consumer = Consumer {
                facts,
                state,
                events,
                stats,
            };
            let [stream0, stream1] = streams;
            let (this, peer) = if side == 0 {
                (stream0, stream1)
            } else {
                (stream1, stream0)
            };
            let held_before = this.held_bytes() + peer.held_bytes();
            if seg.has(ACK) {
                peer.acknowledged(seg.ack, meta, &mut |c| consumer.accept(1 - side, c));
            }
            this.segment(seg, meta, &mut |c| consumer.accept(side, c));
            if *held_in_all - held_before + this.held_bytes() + peer.held_bytes() > MAX_HELD_IN_ALL
            {
                this.give_up_holding(&mut |c| consumer.accept(side, c));
            }
            *held_in_all = *held_in_all - held_before + this.held_bytes() + peer.held_bytes();
        }
        if was_waiting && !conn.is_waiting() {
            self.waiting.left();
        }
        if conn.is_over() {
            if let Some(old) = self.remove(&key) {
                self.finish(old, events);
            }
        }
    }

    /// Opens a connection for `key`, setting waiting ones aside first when there are too
    /// many.
    fn open(
        &mut self,
        key: FlowKey,
        src: End,
        dst: End,
        seg: &Segment<'_>,
        meta: Meta,
        events: &mut dyn FlowEvents,
    ) {
        while self.waiting.is_full() {
            let connections = &self.connections;
            let next = self
                .waiting
                .next_out(|key, id| waiting_seen(connections, key, id));
            let Some(old) = next.and_then(|key| self.remove(&key)) else {
                break;
            };
            self.stats.set_aside += 1;
            if old.is_unopened() {
                self.waiting
                    .remember_unopened(&FlowKey::of(&old), old.facts.first.frame);
            }
            self.finish(old, events);
        }
        self.next_id += 1;
        self.stats.connections += 1;
        let mut conn = Connection::new(self.next_id, src, dst, seg, meta);
        if !seg.has(SYN) {
            conn.facts.opened_before = self.waiting.opened_before(&key).unwrap_or(0);
        }
        self.waiting.joined(key, conn.facts.id, meta.frame);
        self.connections.insert(key, conn);
        let connections = &self.connections;
        self.waiting
            .tidy(|key, id| waiting_seen(connections, key, id));
    }

    /// Takes a connection out of the table.
    fn remove(&mut self, key: &FlowKey) -> Option<Connection> {
        let conn = self.connections.remove(key)?;
        if conn.is_waiting() {
            self.waiting.left();
        }
        Some(conn)
    }

    /// Stops reassembling mail connection `id` between `client` and `server`: its reader
    /// said [`FlowEvents::data`] is no longer wanted, after the fact (`handoff.rs`).
    pub fn stop_reading(&mut self, id: FlowId, client: Endpoint, server: Endpoint) {
        let conn = self
            .connections
            .get_mut(&FlowKey::new(client.into(), server.into()));
        if let Some(conn) = conn.filter(|c| c.facts.id == id) {
            if matches!(conn.state, State::Mail { .. }) {
                conn.state = State::Encrypted;
            }
        }
    }

    /// Connections in the table, for what a scan of them costs.
    pub fn len(&self) -> usize {
        self.connections.len()
    }

    /// The first frame of the oldest connection not decided yet: a mail session may still
    /// turn out to have begun there.
    pub fn oldest_undecided(&self) -> Option<u64> {
        self.connections
            .values()
            .filter(|c| matches!(c.state, State::Undecided { .. }))
            .map(|c| c.facts.first.frame)
            .min()
    }

    /// Sets aside the undecided connections that began before `frame`, as when too many
    /// wait: sessions that ended after them have waited for them long enough.
    pub fn set_aside_undecided_before(&mut self, frame: u64, events: &mut dyn FlowEvents) {
        let mut old: Vec<(u64, FlowKey)> = self
            .connections
            .iter()
            .filter(|(_, c)| {
                matches!(c.state, State::Undecided { .. }) && c.facts.first.frame < frame
            })
            .map(|(key, c)| (c.facts.id, *key))
            .collect();
        old.sort_unstable_by_key(|(id, _)| *id);
        for (_, key) in old {
            let Some(conn) = self.remove(&key) else {
                continue;
            };
            self.stats.set_aside += 1;
            if conn.is_unopened() {
                self.waiting.remember_unopened(&key, conn.facts.first.frame);
            }
            self.finish(conn, events);
        }
    }

    /// The capture ended: every connection still open is finished, oldest first.
    pub fn finish_all(&mut self, events: &mut dyn FlowEvents) {
        self.waiting.clear();
        let mut open: Vec<Connection> = self.connections.drain().map(|(_, c)| c).collect();
        open.sort_by_key(|c| c.facts.id);
        for conn in open {
            self.finish(conn, events);
        }
    }

    fn finish(&mut self, mut conn: Connection, events: &mut dyn FlowEvents) {
        self.held_in_all -= conn.streams.iter().map(Stream::held_bytes).sum::<usize>();
        let ports = conn.facts.ports();
        let had_payload = conn.streams.iter().any(|s| s.had_payload);
        let Connection {
            facts,
            streams,
            state,
            ..
        } = &mut conn;
        let mut consumer = Consumer {
            facts,
            state,
            events,
            stats: &mut self.stats,
        };
        for (side, stream) in streams.iter_mut().enumerate() {
            stream.close(&mut |c| consumer.accept(side, c));
        }
        if let State::Undecided { prefix, .. } = consumer.state {
            if !had_payload {
                consumer.stats.empty += 1;
                if consumer.stats.empty_ports.len() < 8 {
                    consumer.stats.empty_ports.insert(ports[1]);
                }
                return;
            }
            let from_start = consumer.facts.from_start;
            let decision = detect::decide([&prefix[0], &prefix[1]], ports, from_start, true);
            consumer.apply(decision);
        }
        if matches!(conn.state, State::Mail { .. } | State::Encrypted) {
            events.close(conn.facts.id);
        }
    }
}

/// The frame waiting connection `id` was last seen in, while it is in the table under `key`.
fn waiting_seen(
    connections: &HashMap<FlowKey, Connection, foldhash::fast::RandomState>,
    key: &FlowKey,
    id: FlowId,
) -> Option<u64> {
    connections
        .get(key)
        .filter(|c| c.facts.id == id && c.is_waiting())
        .map(|c| c.last_seen)
}

/// Whether a segment opens a new connection on the ports of `conn`, which is then over.
fn opens_anew(conn: &Connection, src: End, seg: &Segment<'_>) -> bool {
    seg.has(SYN) && !seg.has(ACK) && !conn_is_same_open(conn, src, seg)
}

/// Whether a SYN belongs to the connection already in the table (a retransmitted SYN)
/// rather than opening a new one on the same ports.
fn conn_is_same_open(conn: &Connection, src: End, seg: &Segment<'_>) -> bool {
    let side = usize::from(conn.facts.ends[0] != src);
    match conn.streams[side].isn() {
        Some(isn) => isn == seg.seq,
        None => !conn.streams.iter().any(|s| s.had_payload || s.is_closed()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::waiting::MAX_WAITING;
    use super::*;

    struct Ignore {
        gaps: u64,
    }

    impl FlowEvents for Ignore {
        fn open(&mut self, _: &MailFlow) {}
        fn data(&mut self, _: FlowId, _: Direction, _: &[u8], _: Meta) -> bool {
            true
        }
        fn gap(&mut self, _: FlowId, _: Direction, _: u64, _: u64, _: Meta) {
            self.gaps += 1;
        }
        fn close(&mut self, _: FlowId) {}
    }

    /// Records which flows opened, and where their sessions say they began.
    #[derive(Default)]
    struct Opened(Vec<(FlowId, Option<u64>)>);

    impl FlowEvents for Opened {
        fn open(&mut self, flow: &MailFlow) {
            self.0.push((flow.id, flow.opened_before));
        }
        fn data(&mut self, _: FlowId, _: Direction, _: &[u8], _: Meta) -> bool {
            true
        }
        fn gap(&mut self, _: FlowId, _: Direction, _: u64, _: u64, _: Meta) {}
        fn close(&mut self, _: FlowId) {}
    }

    fn syn(port: u16, seq: u32) -> Segment<'static> {
        Segment {
            src_port: port,
            dst_port: 25,
            seq,
            ack: 0,
            flags: SYN,
            payload: &[],
            missing: 0,
        }
    }

    #[test]
    fn a_syn_flood_is_capped_and_mail_after_it_still_opens() {
        let mut table = FlowTable::default();
        let mut events = Opened::default();
        let server = Endpoint {
            ip: IpAddr::from([10, 0, 0, 1]),
            port: 25,
        };
        let client = |i: u32| Endpoint {
            ip: IpAddr::from(std::net::Ipv4Addr::from(0x0a01_0000 + i / 60_000)),
            port: 1024 + (i % 60_000) as u16,
        };
        let mut frame = 0;
        let mut meta = || {
            frame += 1;
            Meta { frame, micros: 0 }
        };
        // Two mail connections: one opens first, one after two caps' worth of SYNs that go
        // nowhere; then a third cap's worth. One connection keeps sending keep-alives, so it
        // is never the least recently seen.
        let mail = [0, 2 * MAX_WAITING as u32 + 1];
        let mut opened_in = Vec::new();
        for i in 0..=(3 * MAX_WAITING as u32 + 1) {
            let at = meta();
            if mail.contains(&i) {
                opened_in.push(at.frame);
            }
            let (from, to) = (client(i).into(), server.into());
            table.segment(from, to, &syn(client(i).port, i), at, &mut events);
            let keep_alive = Segment {
                flags: ACK,
                ..syn(client(1).port, 1)
            };
            table.segment(
                client(1).into(),
                server.into(),
                &keep_alive,
                meta(),
                &mut events,
            );
            assert!(table.connections.len() <= MAX_WAITING);
        }
        assert_eq!(table.stats.set_aside, 2 * MAX_WAITING as u64 + 2);
        assert!(table
            .connections
            .contains_key(&FlowKey::new(client(1).into(), server.into())));
        // Only now do the mail servers greet: fresh connections, the later of which still
        // knows where it began (the earlier is longer ago than is remembered).
        for i in mail {
            let greeting = Segment {
                src_port: 25,
                dst_port: client(i).port,
                seq: 5000,
                ack: i + 1,
                flags: ACK,
                payload: b"220 mail.lab.test ESMTP\r\n",
                missing: 0,
            };
            table.segment(
                server.into(),
                client(i).into(),
                &greeting,
                meta(),
                &mut events,
            );
        }
        let opened: Vec<Option<u64>> = events.0.iter().map(|(_, o)| *o).collect();
        assert_eq!(opened, [None, Some(opened_in[1])]);
        table.finish_all(&mut events);
        assert_eq!(table.stats.empty, 3 * MAX_WAITING as u64 + 2);
    }

    #[test]
    fn holes_in_many_connections_together_stay_within_the_cap() {
        // 48 connections, each with a hole at its start and 2 MiB held behind it: under the
        // per-stream cap, three times over the cap for all of them together.
        let mut table = FlowTable::default();
        let mut events = Ignore { gaps: 0 };
        let payload = vec![b'x'; 1400];
        let server = Endpoint {
            ip: IpAddr::from([10, 0, 0, 1]),
            port: 25,
        };
        let mut frame = 0;
        let mut most = 0;
        for i in 0..48u16 {
            let client = Endpoint {
                ip: IpAddr::from([10, 0, 1, 1]),
                port: 40_000 + i,
            };
            // The SYN fixes where data starts; the first segment after it is lost.
            for k in 0..=(2 << 20) / payload.len() as u32 {
                frame += 1;
                let seg = Segment {
                    src_port: client.port,
                    dst_port: server.port,
                    seq: 1_000 + k * payload.len() as u32,
                    ack: 0,
                    flags: if k == 0 { SYN } else { 0 },
                    payload: if k == 0 { &[] } else { &payload },
                    missing: 0,
                };
                let meta = Meta { frame, micros: 0 };
                table.segment(client.into(), server.into(), &seg, meta, &mut events);
                most = most.max(table.held_in_all);
            }
        }
        assert!(
            most <= MAX_HELD_IN_ALL + payload.len() + 64,
            "held {most} bytes"
        );
        assert!(
            most > MAX_HELD_IN_ALL / 2,
            "the holes were held ({most} bytes)"
        );
        assert_eq!(table.connections.len(), 48);
        table.finish_all(&mut events);
        assert_eq!(table.held_in_all, 0);
    }
}
