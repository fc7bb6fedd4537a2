//! Microsoft Network Monitor captures (`.cap`): 1.x (magic `RTSS`) and 2.x (magic `GMBU`).
//!
//! A small format: a header with the capture's start time and the offset of a table that
//! lists where each frame record starts. Wireshark's `wiretap/netmon.c` describes it.

use super::file::{Ending, FileInfo, Format, FormatError, RawFrame};
use crate::i18n::messages::ingest::{CaptureCut, HeaderState, IngestHint, IngestProblem};

const HEADER_LEN: usize = 0x48;

/// NetMon's media type 1 is Ethernet; the others (Token Ring, FDDI, ATM) carry no lab traffic.
const NETMON_ETHERNET: u16 = 1;
const LINKTYPE_ETHERNET: u32 = 1;

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

fn convert_hint() -> Option<IngestHint> {
    Some(IngestHint::Convert)
}

pub(super) fn for_each_frame(
    bytes: &[u8],
    on_frame: &mut dyn FnMut(&RawFrame<'_>),
) -> Result<FileInfo, FormatError> {
    let format = match bytes.get(..4) {
        Some(b"RTSS") => Format::NetMon1,
        _ => Format::NetMon2,
    };
    let header_error = |state: HeaderState| FormatError {
        message: IngestProblem::CaptureHeader {
            format: format.name().to_string(),
            state,
        }
        .text(),
        hint: convert_hint(),
    };
    if bytes.len() < HEADER_LEN {
        return Err(header_error(HeaderState::CutShort));
    }
    let network = u16_at(bytes, 6).unwrap_or(0);
    if network != NETMON_ETHERNET {
        return Err(FormatError {
            message: IngestProblem::NetMonMedia {
                format: format.name().to_string(),
                network,
            }
            .text(),
            hint: convert_hint(),
        });
    }
    let start_micros = start_time(bytes).ok_or_else(|| header_error(HeaderState::Malformed))?;
    let table_offset = u32_at(bytes, 0x18).unwrap_or(0) as usize;
    let table_len = u32_at(bytes, 0x1c).unwrap_or(0) as usize;
    let table = table_offset
        .checked_add(table_len)
        .and_then(|end| bytes.get(table_offset..end));
    let Some(table) = table else {
        return Ok(FileInfo {
            format,
            frames: 0,
            ending: Ending::Cut {
                detail: CaptureCut::TableBeyondEnd.text(),
            },
        });
    };
    let mut frames = 0u64;
    for entry in table.chunks_exact(4) {
        let offset = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]) as usize;
        let Some(record) = read_record(format, bytes, offset) else {
            return Ok(FileInfo {
                format,
                frames,
                ending: Ending::Cut {
                    detail: CaptureCut::FrameBeyondEnd { frame: frames + 1 }.text(),
                },
            });
        };
        frames += 1;
        on_frame(&RawFrame {
            number: frames,
            micros: start_micros.saturating_add(record.delta_micros),
            link: LINKTYPE_ETHERNET,
            data: record.data,
        });
    }
    Ok(FileInfo {
        format,
        frames,
        ending: Ending::Complete,
    })
}

struct Record<'a> {
    delta_micros: i64,
    data: &'a [u8],
}

fn read_record(format: Format, bytes: &[u8], offset: usize) -> Option<Record<'_>> {
    let (delta_micros, incl_len, header) = match format {
        Format::NetMon1 => (
            i64::from(u32_at(bytes, offset)?) * 1000,
            usize::from(u16_at(bytes, offset + 6)?),
            8,
        ),
        _ => (
            i64::try_from(u64_at(bytes, offset)?).ok()?,
            u32_at(bytes, offset + 12)? as usize,
            16,
        ),
    };
    let start = offset.checked_add(header)?;
    let data = bytes.get(start..start.checked_add(incl_len)?)?;
    Some(Record { delta_micros, data })
}

/// The header's SYSTEMTIME (year, month, weekday, day, hour, minute, second, ms) in µs.
fn start_time(bytes: &[u8]) -> Option<i64> {
    let field = |i: usize| u16_at(bytes, 8 + 2 * i).map(i64::from);
    let (year, month, day) = (field(0)?, field(1)?, field(3)?);
    let (hour, minute, second, milli) = (field(4)?, field(5)?, field(6)?, field(7)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(seconds * 1_000_000 + milli * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        for (y, m, d, days) in [(1970, 1, 1, 0), (2000, 3, 1, 11_017), (2005, 7, 17, 12_981)] {
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn reads_a_two_frame_netmon2_file() {
        let mut file = vec![0u8; HEADER_LEN];
        file[..4].copy_from_slice(b"GMBU");
        file[5] = 2;
        file[6] = 1; // Ethernet
        for (i, v) in [2005u16, 7, 0, 17, 11, 24, 47, 196].iter().enumerate() {
            file[8 + 2 * i..10 + 2 * i].copy_from_slice(&v.to_le_bytes());
        }
        let mut offsets = Vec::new();
        for (delta, payload) in [(0u64, &b"abc"[..]), (1500, &b"defg"[..])] {
            offsets.push(file.len() as u32);
            file.extend_from_slice(&delta.to_le_bytes());
            file.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            file.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            file.extend_from_slice(payload);
        }
        let table = file.len() as u32;
        file[0x18..0x1c].copy_from_slice(&table.to_le_bytes());
        file[0x1c..0x20].copy_from_slice(&8u32.to_le_bytes());
        for offset in offsets {
            file.extend_from_slice(&offset.to_le_bytes());
        }
        let mut seen = Vec::new();
        let info = for_each_frame(&file, &mut |f| {
            seen.push((f.number, f.micros, f.data.to_vec()))
        })
        .expect("readable");
        assert_eq!(info.frames, 2);
        assert_eq!(info.ending, Ending::Complete);
        let start = (12_981 * 86_400 + 11 * 3600 + 24 * 60 + 47) * 1_000_000 + 196_000;
        assert_eq!(seen[0], (1, start, b"abc".to_vec()));
        assert_eq!(seen[1], (2, start + 1500, b"defg".to_vec()));
    }
}
