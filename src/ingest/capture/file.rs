//! Capture file formats: pcap (either byte order, micro- or nanosecond stamps) and pcapng
//! (several sections and interfaces, each with its own link type and clock) through
//! pcap-parser's streaming readers, so memory stays bounded by the largest block; Microsoft
//! NetMon files are handed to [`super::netmon`].

use std::io::Read;

use pcap_parser::pcapng::Block;
use pcap_parser::{create_reader, PcapBlockOwned, PcapError};

use super::netmon;

/// One frame as the file stores it.
pub(super) struct RawFrame<'a> {
    /// 1-based, as Wireshark numbers frames.
    pub number: u64,
    /// Capture time in microseconds since the Unix epoch.
    pub micros: i64,
    /// The LINKTYPE_* value (tcpdump.org/linktypes.html).
    pub link: u32,
    pub data: &'a [u8],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Pcap,
    PcapNg,
    NetMon1,
    NetMon2,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::PcapNg => "pcapng",
            Format::NetMon1 => "Microsoft NetMon 1.x",
            Format::NetMon2 => "Microsoft NetMon 2.x",
        }
    }

    /// Which format the first bytes announce, if any we know.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        let magic: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
        match magic {
            [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xc3, 0xd4]
            | [0x4d, 0x3c, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x34, 0xcd, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xcd, 0x34] => Some(Format::Pcap),
            [0x0a, 0x0d, 0x0d, 0x0a] => Some(Format::PcapNg),
            [b'R', b'T', b'S', b'S'] => Some(Format::NetMon1),
            [b'G', b'M', b'B', b'U'] => Some(Format::NetMon2),
            _ => None,
        }
    }
}

/// How reading stopped.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Ending {
    Complete,
    /// The file ends (or turns to garbage) in the middle of a block; `detail` says where.
    Cut {
        detail: String,
    },
}

/// What reading the whole file found, besides the frames themselves.
#[derive(Debug)]
pub(super) struct FileInfo {
    pub format: Format,
    pub frames: u64,
    pub ending: Ending,
}

/// Why the file could not be read at all.
#[derive(Debug)]
pub(super) struct FormatError {
    pub message: String,
    pub hint: Option<String>,
}

const INITIAL_BUFFER: usize = 1 << 20;
/// A block larger than this is taken as corruption rather than grown into.
const MAX_BUFFER: usize = 64 << 20;

/// Calls `on_frame` for every frame of the capture, in file order.
pub(super) fn for_each_frame<R: Read>(
    mut input: R,
    on_frame: &mut dyn FnMut(&RawFrame<'_>),
) -> Result<FileInfo, FormatError> {
    // pcap-parser sniffs the header from its first read, so hand it a full first chunk.
    let mut head = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < head.len() {
        match input.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(FormatError {
                    message: format!("cannot read the file: {e}"),
                    hint: None,
                })
            }
        }
    }
    head.truncate(filled);
    let format = Format::sniff(&head).ok_or_else(|| FormatError {
        message: "not a pcap, pcapng or NetMon capture (unknown magic number)".into(),
        hint: Some("save the capture from Wireshark with File → Save As… as pcapng".into()),
    })?;
    let chained = head.as_slice().chain(input);
    match format {
        Format::Pcap | Format::PcapNg => read_pcap(format, chained, on_frame),
        Format::NetMon1 | Format::NetMon2 => {
            let mut bytes = Vec::new();
            let mut chained = chained;
            chained.read_to_end(&mut bytes).map_err(|e| FormatError {
                message: format!("cannot read the file: {e}"),
                hint: None,
            })?;
            netmon::for_each_frame(&bytes, on_frame)
        }
    }
}

/// A pcapng interface: its link type and clock.
#[derive(Clone, Copy)]
struct Interface {
    link: u32,
    units_per_second: u64,
    offset_seconds: i64,
}

/// Reader errors without the borrow of the reader's buffer.
enum Stop {
    Eof,
    NeedMore,
    Cut,
    TooLarge,
    Corrupt(String),
}

fn classify(error: &PcapError<&[u8]>) -> Stop {
    match error {
        PcapError::Eof => Stop::Eof,
        PcapError::Incomplete(_) => Stop::NeedMore,
        PcapError::UnexpectedEof => Stop::Cut,
        PcapError::BufferTooSmall => Stop::TooLarge,
        PcapError::ReadError => Stop::Corrupt("read error".into()),
        PcapError::HeaderNotRecognized => Stop::Corrupt("header not recognised".into()),
        PcapError::NomError(_, kind) | PcapError::OwnedNomError(_, kind) => {
            Stop::Corrupt(format!("malformed block ({kind:?})"))
        }
    }
}

fn read_pcap<R: Read>(
    format: Format,
    input: R,
    on_frame: &mut dyn FnMut(&RawFrame<'_>),
) -> Result<FileInfo, FormatError> {
    let mut reader = create_reader(INITIAL_BUFFER, input).map_err(|e| FormatError {
        message: match e {
            PcapError::Eof | PcapError::Incomplete(_) | PcapError::UnexpectedEof => {
                format!("the {} header is cut short", format.name())
            }
            _ => format!("the {} header is malformed", format.name()),
        },
        hint: Some("save the capture from Wireshark with File → Save As… as pcapng".into()),
    })?;
    let mut capacity = INITIAL_BUFFER;
    let mut frames = 0u64;
    // Legacy pcap: one link type and clock for the file.
    let mut legacy: Option<(u32, bool)> = None;
    let mut interfaces: Vec<Interface> = Vec::new();
    let mut last_micros = 0i64;
    let ending = loop {
        let stop = match reader.next() {
            Ok((offset, block)) => {
                match block {
                    PcapBlockOwned::LegacyHeader(header) => {
                        legacy = Some((header.network.0 as u32, header.is_nanosecond_precision()));
                    }
                    PcapBlockOwned::Legacy(frame) => {
                        let (link, nanos) = legacy.unwrap_or((1, false));
                        let fraction = if nanos {
                            i64::from(frame.ts_usec) / 1000
                        } else {
                            i64::from(frame.ts_usec)
                        };
                        frames += 1;
                        last_micros = i64::from(frame.ts_sec) * 1_000_000 + fraction;
                        on_frame(&RawFrame {
                            number: frames,
                            micros: last_micros,
                            link,
                            data: frame.data,
                        });
                    }
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => interfaces.clear(),
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        interfaces.push(Interface {
                            link: idb.linktype.0 as u32,
                            units_per_second: idb.ts_resolution().unwrap_or(1_000_000).max(1),
                            offset_seconds: idb.ts_offset(),
                        });
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        let interface = interfaces.get(epb.if_id as usize).copied();
                        let interface = interface.unwrap_or(Interface {
                            link: 1,
                            units_per_second: 1_000_000,
                            offset_seconds: 0,
                        });
                        let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                        let micros =
                            u128::from(ticks) * 1_000_000 / u128::from(interface.units_per_second);
                        last_micros = i64::try_from(micros)
                            .unwrap_or(i64::MAX)
                            .saturating_add(interface.offset_seconds.saturating_mul(1_000_000));
                        frames += 1;
                        // EPB data is padded to 32 bits; caplen says what is real.
                        let caplen = (epb.caplen as usize).min(epb.data.len());
                        on_frame(&RawFrame {
                            number: frames,
                            micros: last_micros,
                            link: interface.link,
                            data: &epb.data[..caplen],
                        });
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                        let link = interfaces.first().map_or(1, |i| i.link);
                        let caplen = (spb.origlen as usize).min(spb.data.len());
                        frames += 1;
                        on_frame(&RawFrame {
                            number: frames,
                            micros: last_micros,
                            link,
                            data: &spb.data[..caplen],
                        });
                    }
                    PcapBlockOwned::NG(_) => {}
                }
                reader.consume(offset);
                continue;
            }
            Err(error) => classify(&error),
        };
        match stop {
            Stop::Eof => break Ending::Complete,
            Stop::NeedMore => {
                if reader.refill().is_err() {
                    break cut_after(frames, "the file could not be read further");
                }
            }
            Stop::Cut => break cut_after(frames, "the file ends in the middle of a block"),
            Stop::TooLarge => {
                if capacity >= MAX_BUFFER || !reader.grow(capacity * 2) {
                    break cut_after(frames, "a block claims an impossible length");
                }
                capacity *= 2;
            }
            Stop::Corrupt(why) => break cut_after(frames, &why),
        }
    };
    Ok(FileInfo {
        format,
        frames,
        ending,
    })
}

fn cut_after(frames: u64, why: &str) -> Ending {
    let detail = if frames == 0 {
        format!("{why} before the first frame")
    } else {
        format!(
            "{why} after frame {frames}; frames from {} on are lost",
            frames + 1
        )
    };
    Ending::Cut { detail }
}
