//! Capture file formats: pcap (either byte order, micro- or nanosecond stamps) and pcapng
//! (several sections and interfaces, each with its own link type and clock) through
//! pcap-parser — zero-copy over bytes already in memory (there pcap records are read in
//! place, and pcap-parser says what is wrong with one that does not fit), or its streaming
//! reader over a file so memory stays bounded by the largest block. Microsoft NetMon files
//! are handed to [`super::netmon`].

use std::io::Read;

use pcap_parser::nom;
use pcap_parser::pcapng::Block;
use pcap_parser::pcapng::{parse_block_be, parse_block_le};
use pcap_parser::{
    create_reader, parse_pcap_frame, parse_pcap_frame_be, parse_pcap_frame_modified,
    parse_pcap_header, LegacyPcapBlock, PcapBlockOwned, PcapError, PcapNGSlice,
};

use super::netmon;
use super::prefetch::Prefetcher;
use crate::i18n::messages::ingest::{CaptureCut, CutWhy, HeaderState, IngestHint, IngestProblem};
use crate::i18n::Text;

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
    /// The file ends (or turns to garbage) in the middle of a block; `detail` says where,
    /// in both languages (a `CaptureCut`).
    Cut {
        detail: Text,
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
    pub message: Text,
    pub hint: Option<IngestHint>,
}

const INITIAL_BUFFER: usize = 1 << 20;
/// A block larger than this is taken as corruption rather than grown into.
const MAX_BUFFER: usize = 8 << 20;

fn save_as_hint() -> Option<IngestHint> {
    Some(IngestHint::SaveAs)
}

fn header_error(format: Format, cut: bool) -> FormatError {
    let state = if cut {
        HeaderState::CutShort
    } else {
        HeaderState::Malformed
    };
    header_failure(format, state)
}

/// A header that could not be read: cut short only when more bytes could complete it; one
/// claiming a length no capture has is malformed.
fn header_parse_error<E>(format: Format, error: &nom::Err<E>) -> FormatError {
    match error {
        nom::Err::Incomplete(nom::Needed::Size(more)) if more.get() > MAX_BUFFER => {
            header_failure(format, HeaderState::ImpossibleLength)
        }
        nom::Err::Incomplete(_) => header_failure(format, HeaderState::CutShort),
        _ => header_failure(format, HeaderState::Malformed),
    }
}

fn header_failure(format: Format, state: HeaderState) -> FormatError {
    FormatError {
        message: IngestProblem::CaptureHeader {
            format: format.name().to_string(),
            state,
        }
        .text(),
        hint: save_as_hint(),
    }
}

fn sniff(bytes: &[u8]) -> Result<Format, FormatError> {
    let format = Format::sniff(bytes).ok_or_else(|| FormatError {
        message: IngestProblem::NotACapture.text(),
        hint: save_as_hint(),
    })?;
    let shortest = match format {
        Format::Pcap => 24,
        Format::PcapNg => 28,
        Format::NetMon1 | Format::NetMon2 => 0,
    };
    if bytes.len() < shortest {
        return Err(header_error(format, true));
    }
    Ok(format)
}

/// Calls `on_frame` for every frame of a capture held in memory, in file order, without
/// copying any frame.
pub(super) fn for_each_frame_in(
    bytes: &[u8],
    on_frame: &mut dyn FnMut(&RawFrame<'_>),
) -> Result<FileInfo, FormatError> {
    let format = sniff(bytes)?;
    let mut frames = Frames::new(on_frame);
    let ending = match format {
        Format::Pcap => pcap_slice(bytes, &mut frames)?,
        Format::PcapNg => pcapng_slice(bytes, &mut frames)?,
        Format::NetMon1 | Format::NetMon2 => return netmon::for_each_frame(bytes, frames.on_frame),
    };
    Ok(FileInfo {
        format,
        frames: frames.count,
        ending,
    })
}

/// Like [`for_each_frame_in`], streaming from `input`.
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
                    message: IngestProblem::CannotRead {
                        error: e.to_string(),
                    }
                    .text(),
                    hint: None,
                })
            }
        }
    }
    head.truncate(filled);
    let format = sniff(&head)?;
    let mut chained = head.as_slice().chain(input);
    if matches!(format, Format::NetMon1 | Format::NetMon2) {
        // NetMon's frame table sits at the end: the file is read whole.
        let mut bytes = Vec::new();
        chained.read_to_end(&mut bytes).map_err(|e| FormatError {
            message: IngestProblem::CannotRead {
                error: e.to_string(),
            }
            .text(),
            hint: None,
        })?;
        return netmon::for_each_frame(&bytes, on_frame);
    }
    let mut frames = Frames::new(on_frame);
    let ending = pcap_stream(format, chained, &mut frames)?;
    Ok(FileInfo {
        format,
        frames: frames.count,
        ending,
    })
}

/// A pcapng interface: its link type and clock.
#[derive(Clone, Copy)]
struct Interface {
    link: u32,
    units_per_second: u64,
    offset_seconds: i64,
}

/// Turns pcap-parser's blocks into numbered, timed frames.
struct Frames<'f> {
    on_frame: &'f mut dyn FnMut(&RawFrame<'_>),
    count: u64,
    /// Legacy pcap: one link type and clock (µs or ns) for the file.
    legacy: Option<(u32, bool)>,
    /// pcapng: the interfaces of the current section.
    interfaces: Vec<Interface>,
    /// Simple packet blocks carry no time: they get the last one seen.
    last_micros: i64,
}

impl<'f> Frames<'f> {
    fn new(on_frame: &'f mut dyn FnMut(&RawFrame<'_>)) -> Self {
        Frames {
            on_frame,
            count: 0,
            legacy: None,
            interfaces: Vec::new(),
            last_micros: 0,
        }
    }

    fn emit(&mut self, link: u32, data: &[u8]) {
        self.count += 1;
        (self.on_frame)(&RawFrame {
            number: self.count,
            micros: self.last_micros,
            link,
            data,
        });
    }

    /// A legacy pcap record: called straight from [`pcap_slice`], as wrapping every frame
    /// in a [`PcapBlockOwned`] to match it again cost more than reading the record.
    fn legacy_frame(&mut self, frame: &LegacyPcapBlock<'_>) {
        let (link, nanos) = self.legacy.unwrap_or((1, false));
        let fraction = if nanos {
            i64::from(frame.ts_usec) / 1000
        } else {
            i64::from(frame.ts_usec)
        };
        self.last_micros = i64::from(frame.ts_sec) * 1_000_000 + fraction;
        self.emit(link, frame.data);
    }

    fn block(&mut self, block: PcapBlockOwned<'_>) {
        match block {
            PcapBlockOwned::LegacyHeader(header) => {
                self.legacy = Some((header.network.0 as u32, header.is_nanosecond_precision()));
            }
            PcapBlockOwned::Legacy(frame) => self.legacy_frame(&frame),
            PcapBlockOwned::NG(Block::SectionHeader(_)) => self.interfaces.clear(),
            PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                self.interfaces.push(Interface {
                    link: idb.linktype.0 as u32,
                    units_per_second: idb.ts_resolution().unwrap_or(1_000_000).max(1),
                    offset_seconds: idb.ts_offset(),
                });
            }
            PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                let interface = self.interfaces.get(epb.if_id as usize).copied();
                let interface = interface.unwrap_or(Interface {
                    link: 1,
                    units_per_second: 1_000_000,
                    offset_seconds: 0,
                });
                let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                let micros = match interface.units_per_second {
                    // The usual clocks without a 128-bit division per frame.
                    1_000_000 => u128::from(ticks),
                    1_000_000_000 => u128::from(ticks / 1000),
                    units => u128::from(ticks) * 1_000_000 / u128::from(units),
                };
                self.last_micros = i64::try_from(micros)
                    .unwrap_or(i64::MAX)
                    .saturating_add(interface.offset_seconds.saturating_mul(1_000_000));
                // EPB data is padded to 32 bits; caplen says what is real.
                let caplen = (epb.caplen as usize).min(epb.data.len());
                self.emit(interface.link, &epb.data[..caplen]);
            }
            PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                let link = self.interfaces.first().map_or(1, |i| i.link);
                let caplen = (spb.origlen as usize).min(spb.data.len());
                self.emit(link, &spb.data[..caplen]);
            }
            PcapBlockOwned::NG(_) => {}
        }
    }
}

fn describe(error: &PcapError<&[u8]>) -> CutWhy {
    match error {
        PcapError::NomError(_, kind) | PcapError::OwnedNomError(_, kind) => CutWhy::Malformed {
            kind: format!("{kind:?}"),
        },
        PcapError::Eof | PcapError::UnexpectedEof | PcapError::Incomplete(_) => CutWhy::EndsInBlock,
        PcapError::BufferTooSmall => CutWhy::ImpossibleLength,
        PcapError::ReadError => CutWhy::ReadError,
        PcapError::HeaderNotRecognized => CutWhy::HeaderNotRecognised,
    }
}

/// Why a slice parser stopped, as an ending.
fn slice_stop(frames: u64, error: nom::Err<PcapError<&[u8]>>) -> Ending {
    match error {
        // A block that wants more than any real frame is not a cut file but a corrupt length,
        // the same answer the streaming reader gives.
        nom::Err::Incomplete(nom::Needed::Size(more)) if more.get() > MAX_BUFFER => {
            cut_after(frames, CutWhy::ImpossibleLength)
        }
        nom::Err::Incomplete(_) => cut_after(frames, CutWhy::EndsInBlock),
        nom::Err::Error(e) | nom::Err::Failure(e) => cut_after(frames, describe(&e)),
    }
}

fn pcap_slice(bytes: &[u8], frames: &mut Frames<'_>) -> Result<Ending, FormatError> {
    let (mut rest, header) =
        parse_pcap_header(bytes).map_err(|e| header_parse_error(Format::Pcap, &e))?;
    type ParseFrame = fn(&[u8]) -> nom::IResult<&[u8], LegacyPcapBlock<'_>, PcapError<&[u8]>>;
    let parse: ParseFrame = if header.is_modified_format() {
        parse_pcap_frame_modified
    } else if header.is_bigendian() {
        parse_pcap_frame_be
    } else {
        parse_pcap_frame
    };
    let (modified, big_endian) = (header.is_modified_format(), header.is_bigendian());
    frames.block(PcapBlockOwned::LegacyHeader(header));
    let mut prefetcher = Prefetcher::default();
    while !rest.is_empty() {
        // Records are read in place; pcap-parser, called through a pointer for a record of
        // its own cost more than the rest of the frame's reading, reads the modified format
        // and says what is wrong with a record that does not fit.
        let read = if modified {
            None
        } else {
            record(rest, big_endian)
        };
        match read.map_or_else(|| parse(rest), Ok) {
            Ok((after, frame)) => {
                prefetcher.ahead_of(bytes, bytes.len() - after.len());
                frames.legacy_frame(&frame);
                rest = after;
            }
            Err(error) => return Ok(slice_stop(frames.count, error)),
        }
    }
    Ok(Ending::Complete)
}

/// A pcap record (16-byte header) read as `parse_pcap_frame` or `parse_pcap_frame_be`
/// would, with what follows it; `None` when it does not fit in `rest`.
fn record(rest: &[u8], big_endian: bool) -> Option<(&[u8], LegacyPcapBlock<'_>)> {
    let (header, after) = rest.split_first_chunk::<16>()?;
    let field = |at: usize| {
        let bytes = [header[at], header[at + 1], header[at + 2], header[at + 3]];
        if big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        }
    };
    let caplen = field(8);
    let data = after.get(..caplen as usize)?;
    let frame = LegacyPcapBlock {
        ts_sec: field(0),
        ts_usec: field(4),
        caplen,
        origlen: field(12),
        data,
    };
    Some((&after[data.len()..], frame))
}

fn pcapng_slice(bytes: &[u8], frames: &mut Frames<'_>) -> Result<Ending, FormatError> {
    // The first block must be a section header (PcapNGSlice checks); blocks are then parsed
    // here rather than through its iterator, to know where the next one starts.
    PcapNGSlice::from_slice(bytes).map_err(|e| header_parse_error(Format::PcapNg, &e))?;
    let mut prefetcher = Prefetcher::default();
    let mut big_endian = false;
    let mut rest = bytes;
    while !rest.is_empty() {
        let parsed = if big_endian {
            parse_block_be(rest)
        } else {
            parse_block_le(rest)
        };
        match parsed {
            Ok((after, block)) => {
                prefetcher.ahead_of(bytes, bytes.len() - after.len());
                if let Block::SectionHeader(ref section) = block {
                    big_endian = section.big_endian();
                }
                frames.block(PcapBlockOwned::from(block));
                rest = after;
            }
            Err(error) => return Ok(slice_stop(frames.count, error)),
        }
    }
    Ok(Ending::Complete)
}

/// Reader errors without the borrow of the reader's buffer.
enum Stop {
    Eof,
    NeedMore,
    TooLarge,
    Cut(CutWhy),
}

fn pcap_stream<R: Read>(
    format: Format,
    input: R,
    frames: &mut Frames<'_>,
) -> Result<Ending, FormatError> {
    let mut reader = create_reader(INITIAL_BUFFER, input).map_err(|e| {
        let cut = matches!(
            e,
            PcapError::Eof | PcapError::Incomplete(_) | PcapError::UnexpectedEof
        );
        header_error(format, cut)
    })?;
    let mut capacity = INITIAL_BUFFER;
    loop {
        let stop = match reader.next() {
            Ok((offset, block)) => {
                frames.block(block);
                // No shift here: refill moves the unread remainder once per buffer.
                reader.consume_noshift(offset);
                continue;
            }
            Err(PcapError::Eof) => Stop::Eof,
            Err(PcapError::Incomplete(_)) => Stop::NeedMore,
            Err(PcapError::BufferTooSmall) => Stop::TooLarge,
            Err(error) => Stop::Cut(describe(&error)),
        };
        match stop {
            Stop::Eof => return Ok(Ending::Complete),
            Stop::NeedMore => {
                if reader.refill().is_err() {
                    return Ok(cut_after(frames.count, CutWhy::NoFurther));
                }
            }
            Stop::TooLarge => {
                if capacity >= MAX_BUFFER || !reader.grow(capacity * 2) {
                    return Ok(cut_after(frames.count, CutWhy::ImpossibleLength));
                }
                capacity *= 2;
            }
            Stop::Cut(why) => return Ok(cut_after(frames.count, why)),
        }
    }
}

fn cut_after(frames: u64, why: CutWhy) -> Ending {
    let detail = if frames == 0 {
        CaptureCut::BeforeFirst { why }
    } else {
        CaptureCut::After {
            why,
            frames,
            next: frames + 1,
        }
    };
    Ending::Cut {
        detail: detail.text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_in_place_as_pcap_parser_reads_them() {
        let mut bytes = Vec::new();
        for (ts, caplen) in [(1u32, 5u32), (0x0102_0304, 0), (7, 3)] {
            bytes.extend_from_slice(&ts.to_le_bytes());
            bytes.extend_from_slice(&(ts + 1).to_le_bytes());
            bytes.extend_from_slice(&caplen.to_le_bytes());
            bytes.extend_from_slice(&(caplen + 9).to_le_bytes());
            bytes.extend((0..caplen).map(|b| b as u8));
        }
        let fields = |(after, f): (&[u8], LegacyPcapBlock<'_>)| {
            (
                after.len(),
                f.ts_sec,
                f.ts_usec,
                f.caplen,
                f.origlen,
                f.data.to_vec(),
            )
        };
        // Whole records, records cut anywhere, and either byte order.
        for end in 0..=bytes.len() {
            for start in 0..end.min(40) {
                let rest = &bytes[start..end];
                let ours = record(rest, false).map(fields);
                assert_eq!(
                    ours,
                    parse_pcap_frame(rest).ok().map(fields),
                    "{start}..{end}"
                );
                let ours = record(rest, true).map(fields);
                assert_eq!(
                    ours,
                    parse_pcap_frame_be(rest).ok().map(fields),
                    "{start}..{end}"
                );
            }
        }
    }
}
