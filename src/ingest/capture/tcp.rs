//! The TCP header: ports, sequence numbers, flags and where the payload starts.

pub(super) const FIN: u8 = 0x01;
pub(super) const SYN: u8 = 0x02;
pub(super) const RST: u8 = 0x04;
pub(super) const ACK: u8 = 0x10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Segment<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub payload: &'a [u8],
    /// Payload bytes the capture's snaplen cut off.
    pub missing: u32,
}

impl Segment<'_> {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Sequence space the segment covers after SYN (payload, captured or not).
    pub fn len(&self) -> u32 {
        self.payload.len() as u32 + self.missing
    }
}

/// Parses a TCP header; `missing` is what the IP layer says the snaplen cut. `None` when the
/// header itself is cut or malformed.
#[inline]
pub(super) fn parse(bytes: &[u8], missing: u32) -> Option<Segment<'_>> {
    let header = bytes.get(..20)?;
    let offset = usize::from(header[12] >> 4) * 4;
    if offset < 20 {
        return None;
    }
    let payload = bytes.get(offset..)?;
    Some(Segment {
        src_port: u16::from_be_bytes([header[0], header[1]]),
        dst_port: u16::from_be_bytes([header[2], header[3]]),
        seq: u32::from_be_bytes([header[4], header[5], header[6], header[7]]),
        ack: u32::from_be_bytes([header[8], header[9], header[10], header[11]]),
        flags: header[13],
        payload,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_and_options() {
        let mut s = vec![
            0xc8, 0xfa, 0, 25, 0, 0, 0, 1, 0, 0, 0, 2, 0x60, 0x18, 0, 0, 0, 0, 0, 0,
        ];
        s.extend_from_slice(&[2, 4, 5, 0xb4]);
        s.extend_from_slice(b"EHLO x\r\n");
        let seg = parse(&s, 3).expect("parses");
        assert_eq!(
            (seg.src_port, seg.dst_port, seg.seq, seg.ack),
            (51450, 25, 1, 2)
        );
        assert!(seg.has(ACK) && !seg.has(SYN));
        assert_eq!((seg.payload, seg.len()), (&b"EHLO x\r\n"[..], 11));
        assert_eq!(parse(&s[..18], 0), None);
        s[12] = 0x40;
        assert_eq!(parse(&s, 0), None);
    }
}
