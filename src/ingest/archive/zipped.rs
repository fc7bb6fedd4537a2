//! Zip archives read in memory, entry by entry, within [`Limits`]: nothing is extracted, so
//! no entry name can write anywhere, and sizes are checked before and while reading.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use super::class::RawEntry;
use super::Limits;
use crate::i18n::messages::ingest::IngestProblem;
use crate::i18n::Text;

/// Whether bytes are a zip archive (local file header or an empty archive's end record).
pub(super) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// The entries of a zip, `display` naming the archive (`class.zip`, `…/lab.zip`). Every
/// entry that cannot be used becomes an entry with a refusal, never an error of the whole
/// archive; `Err` only when the archive itself cannot be opened.
pub(super) fn read_zip<R: Read + Seek>(
    reader: R,
    display: &Path,
    limits: &Limits,
    budget: &mut u64,
) -> Result<Vec<RawEntry>, Text> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| {
        IngestProblem::ZipUnreadable {
            error: e.to_string(),
        }
        .text()
    })?;
    let mut entries = Vec::new();
    let count = archive.len();
    if count > limits.max_entries {
        entries.push(RawEntry::refused(
            Vec::new(),
            display.to_path_buf(),
            IngestProblem::TooManyEntries {
                count,
                max: limits.max_entries,
            }
            .text(),
        ));
    }
    for index in 0..count.min(limits.max_entries) {
        let raw_name = archive.name_for_index(index).unwrap_or("?").to_string();
        let mut file = match archive.by_index(index) {
            Ok(file) => file,
            Err(error) => {
                let name = raw_name;
                entries.push(RawEntry::refused(
                    components(&name),
                    display.join(&name),
                    IngestProblem::EntryUnreadable {
                        error: error.to_string(),
                    }
                    .text(),
                ));
                continue;
            }
        };
        let name = entry_name(file.name_raw(), file.name());
        let parts = components(&name);
        if file.is_dir()
            || parts.iter().any(|p| p.starts_with('.') && p != "..")
            || parts.first().is_some_and(|p| p == "__MACOSX")
        {
            continue;
        }
        let shown = display.join(parts.join("/"));
        if file.enclosed_name().is_none() || !is_relative(&name, &parts) {
            // An absolute name belongs to no student; never `join` it (it would replace
            // the archive's own path).
            let owner = if is_absolute(&name, &parts) {
                Vec::new()
            } else {
                parts
            };
            entries.push(RawEntry::refused(
                owner,
                PathBuf::from(format!("{}/{}", display.display(), name.replace('\\', "/"))),
                IngestProblem::EntryLeaves.text(),
            ));
            continue;
        }
        if file.is_symlink() {
            entries.push(RawEntry::refused(
                parts,
                shown,
                IngestProblem::EntrySymlink.text(),
            ));
            continue;
        }
        if let Some(refusal) = size_refusal(file.size(), file.compressed_size(), limits, *budget) {
            entries.push(RawEntry::refused(parts, shown, refusal));
            continue;
        }
        let mut bytes = Vec::new();
        let read = (&mut file)
            .take(limits.max_file_bytes.min(*budget) + 1)
            .read_to_end(&mut bytes);
        match read {
            Err(error) => entries.push(RawEntry::refused(
                parts,
                shown,
                IngestProblem::EntryUndecompressable {
                    error: error.to_string(),
                }
                .text(),
            )),
            // The header may understate the size: what counts is what came out.
            Ok(n) if n as u64 > limits.max_file_bytes.min(*budget) => entries.push(
                RawEntry::refused(parts, shown, IngestProblem::EntryBomb.text()),
            ),
            Ok(n) => {
                *budget -= n as u64;
                entries.push(RawEntry::file(parts, shown, bytes));
            }
        }
    }
    Ok(entries)
}

/// An entry's name as its author typed it. Names flagged UTF-8 (bit 11) and plain ASCII are
/// what the zip crate gives. A name without the flag is CP437 by the zip spec, but the tools
/// of a Chinese Windows (Explorer's "Send to", old WinRAR) write the system code page, GBK:
/// CP437 turns `实验5` into `╩╡╤Θ5` and splits one student in two when their other entries
/// are flagged UTF-8. So bytes that are valid UTF-8 are read as UTF-8 (tools that forget
/// the flag), else bytes that decode as GBK without an error as GBK, else CP437. A CP437
/// name with accents (`café`: `0x82` then `.`) is rarely valid GBK, whose trail bytes are
/// `0x40` and up.
fn entry_name(raw: &[u8], decoded: &str) -> String {
    if raw.is_ascii() {
        return decoded.to_string();
    }
    if let Ok(utf8) = std::str::from_utf8(raw) {
        return utf8.to_string();
    }
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(raw)
        .map_or_else(|| decoded.to_string(), |gbk| gbk.into_owned())
}

/// Why an entry of these sizes is not read, if it is not.
fn size_refusal(size: u64, compressed: u64, limits: &Limits, budget: u64) -> Option<Text> {
    if size > limits.max_file_bytes {
        return Some(
            IngestProblem::EntryTooBig {
                size,
                max: limits.max_file_bytes,
            }
            .text(),
        );
    }
    if size > budget {
        return Some(IngestProblem::ClassPastTotal.text());
    }
    if size > 1 << 20 && size / compressed.max(1) > limits.max_ratio {
        return Some(
            IngestProblem::EntryRatio {
                ratio: size / compressed.max(1),
                max: limits.max_ratio,
            }
            .text(),
        );
    }
    None
}

/// An entry's path components; both separators count, since Windows tools write `\`.
pub(super) fn components(name: &str) -> Vec<String> {
    name.split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_string)
        .collect()
}

fn is_relative(name: &str, parts: &[String]) -> bool {
    !is_absolute(name, parts) && !parts.iter().any(|p| p == "..")
}

fn is_absolute(name: &str, parts: &[String]) -> bool {
    name.starts_with(['/', '\\']) || parts.first().is_some_and(|p| p.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::entry_name;

    #[test]
    fn names_are_read_as_utf8_then_gbk_then_cp437() {
        // 实验5 in GBK, as CP437 would show it.
        let gbk = [0xca, 0xb5, 0xd1, 0xe9, b'5'];
        assert_eq!(entry_name(&gbk, "╩╡╤Θ5"), "实验5");
        assert_eq!(entry_name("实验5".as_bytes(), "whatever"), "实验5");
        assert_eq!(
            entry_name(b"lab/report.md", "lab/report.md"),
            "lab/report.md"
        );
        // café.txt in CP437: not UTF-8, not GBK (0x82 then `.`): CP437 stays.
        assert_eq!(entry_name(b"caf\x82.txt", "café.txt"), "café.txt");
    }
}
