//! BDAT chunks (RFC 3030): exactly `size` bytes follow the command, with no stuffing.

/// What [`BdatReceiver::ingest`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BdatEvent {
    Chunk(Vec<u8>),
    NeedsMoreData,
}

/// Receives one chunk of a known size in any chunking. `max_kept` bounds what is kept; the
/// rest is counted and dropped so an over-large chunk cannot exhaust memory.
#[derive(Clone, Debug)]
pub struct BdatReceiver {
    chunk: Vec<u8>,
    remaining: u64,
    max_kept: u64,
}

impl BdatReceiver {
    pub fn new(size: u64, max_kept: u64) -> Self {
        BdatReceiver {
            chunk: Vec::new(),
            remaining: size,
            max_kept,
        }
    }

    /// Takes up to the remaining bytes of the chunk from the front of `input`.
    pub fn ingest(&mut self, input: &mut &[u8]) -> BdatEvent {
        let take = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(input.len());
        let room = usize::try_from(self.max_kept.saturating_sub(self.chunk.len() as u64))
            .unwrap_or(usize::MAX);
        self.chunk.extend_from_slice(&input[..take.min(room)]);
        *input = &input[take..];
        self.remaining -= take as u64;
        if self.remaining > 0 {
            return BdatEvent::NeedsMoreData;
        }
        BdatEvent::Chunk(std::mem::take(&mut self.chunk))
    }

    /// Bytes still to come.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_exactly_the_announced_size() {
        let wire = b"Subject: x\r\n.\r\nBDAT 0 LAST\r\n";
        for split in 0..=wire.len() {
            let mut rx = BdatReceiver::new(15, 100);
            let mut first = &wire[..split];
            let mut event = rx.ingest(&mut first);
            let mut second = &wire[split..];
            if event == BdatEvent::NeedsMoreData {
                event = rx.ingest(&mut second);
            }
            assert_eq!(
                event,
                BdatEvent::Chunk(b"Subject: x\r\n.\r\n".to_vec()),
                "split at {split}"
            );
            assert_eq!(
                [first, second].concat(),
                b"BDAT 0 LAST\r\n",
                "split at {split}"
            );
        }
        assert_eq!(
            BdatReceiver::new(0, 10).ingest(&mut &b"x"[..]),
            BdatEvent::Chunk(vec![])
        );
        assert_eq!(
            BdatReceiver::new(4, 2).ingest(&mut &b"abcd"[..]),
            BdatEvent::Chunk(b"ab".to_vec())
        );
    }
}
