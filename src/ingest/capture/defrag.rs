//! IP fragment reassembly (IPv4 and IPv6), bounded: a few hundred datagrams in flight at
//! most, each at most 64 KiB, the oldest given up first.

use super::ip::{Addr, Fragment};
use std::collections::{HashMap, VecDeque};

const MAX_DATAGRAMS: usize = 256;
const MAX_DATAGRAM_LEN: u32 = 65_535;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    src: Addr,
    dst: Addr,
    protocol: u8,
    id: u32,
}

#[derive(Default)]
struct Partial {
    pieces: Vec<(u32, Vec<u8>)>,
    /// Known once the last piece (more = false) arrived.
    total: Option<u32>,
}

#[derive(Default)]
pub(super) struct Defragmenter {
    pending: HashMap<Key, Partial>,
    order: VecDeque<Key>,
    /// Datagrams completed and given up (never completed or evicted).
    pub reassembled: u64,
    pub abandoned: u64,
}

impl Defragmenter {
    /// Adds one fragment's payload; returns the whole datagram payload once complete.
    pub fn add(
        &mut self,
        src: Addr,
        dst: Addr,
        protocol: u8,
        fragment: Fragment,
        payload: &[u8],
    ) -> Option<Vec<u8>> {
        let end = fragment.offset.checked_add(payload.len() as u32)?;
        if end > MAX_DATAGRAM_LEN {
            return None;
        }
        let key = Key {
            src,
            dst,
            protocol,
            id: fragment.id,
        };
        if !self.pending.contains_key(&key) {
            if self.order.len() >= MAX_DATAGRAMS {
                if let Some(oldest) = self.order.pop_front() {
                    self.pending.remove(&oldest);
                    self.abandoned += 1;
                }
            }
            self.order.push_back(key);
        }
        let partial = self.pending.entry(key).or_default();
        if !fragment.more {
            partial.total = Some(end);
        }
        partial.pieces.push((fragment.offset, payload.to_vec()));
        let total = partial.total?;
        let whole = assemble(&mut partial.pieces, total)?;
        self.pending.remove(&key);
        self.order.retain(|k| *k != key);
        self.reassembled += 1;
        Some(whole)
    }

    /// Datagrams still waiting for pieces when the capture ended.
    pub fn finish(&mut self) {
        self.abandoned += self.pending.len() as u64;
        self.pending.clear();
        self.order.clear();
    }
}

/// Joins the pieces if they cover `0..total` without a hole; the first copy of a byte wins.
fn assemble(pieces: &mut [(u32, Vec<u8>)], total: u32) -> Option<Vec<u8>> {
    pieces.sort_by_key(|(offset, _)| *offset);
    let mut whole = Vec::with_capacity(total as usize);
    for (offset, bytes) in pieces.iter() {
        let (offset, have) = (*offset as usize, whole.len());
        if offset > have {
            return None;
        }
        let skip = have - offset;
        if skip < bytes.len() {
            whole.extend_from_slice(&bytes[skip..]);
        }
    }
    (whole.len() >= total as usize).then(|| {
        whole.truncate(total as usize);
        whole
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn reassembles_in_any_order() {
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let (a, b) = (Addr::from(a), Addr::from(b));
        let frag = |offset, more| Fragment {
            id: 7,
            offset,
            more,
        };
        let mut d = Defragmenter::default();
        assert_eq!(d.add(a, b, 6, frag(16, false), b"tail"), None);
        assert_eq!(d.add(a, b, 6, frag(0, true), b"01234567"), None);
        // An overlapping retransmitted piece fills nothing new.
        assert_eq!(d.add(a, b, 6, frag(0, true), b"0123"), None);
        let whole = d.add(a, b, 6, frag(8, true), b"89abcdef");
        assert_eq!(whole.as_deref(), Some(&b"0123456789abcdeftail"[..]));
        assert_eq!(d.reassembled, 1);
        assert_eq!(d.add(a, b, 6, frag(8, false), b"lonely"), None);
        d.finish();
        assert_eq!(d.abandoned, 1);
    }
}
