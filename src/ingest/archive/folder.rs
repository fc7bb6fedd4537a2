//! A folder of submissions walked without following links, each file read within [`Limits`].

use std::path::Path;

use super::class::RawEntry;
use super::Limits;
use crate::i18n::messages::ingest::FolderProblem;

/// Every file below `root` (hidden ones skipped) as entries named relative to `root`.
pub(super) fn read_folder(
    root: &Path,
    limits: &Limits,
    budget: &mut u64,
) -> std::io::Result<Vec<RawEntry>> {
    let mut entries = Vec::new();
    let mut pending = vec![(root.to_path_buf(), Vec::<String>::new())];
    while let Some((dir, parts)) = pending.pop() {
        let mut children: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
        children.sort_by_key(|c| c.file_name());
        for child in children {
            let name = child.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "__MACOSX" {
                continue;
            }
            let mut child_parts = parts.clone();
            child_parts.push(name);
            let path = child.path();
            let kind = match std::fs::symlink_metadata(&path) {
                Ok(meta) => meta,
                Err(error) => {
                    entries.push(RawEntry::refused(
                        child_parts,
                        path,
                        FolderProblem::CannotRead {
                            error: error.to_string(),
                        }
                        .text(),
                    ));
                    continue;
                }
            };
            if kind.file_type().is_symlink() {
                entries.push(RawEntry::refused(
                    child_parts,
                    path,
                    FolderProblem::Symlink.text(),
                ));
            } else if kind.is_dir() {
                pending.push((path, child_parts));
            } else if kind.len() > limits.max_file_bytes || kind.len() > *budget {
                entries.push(RawEntry::refused(
                    child_parts,
                    path,
                    FolderProblem::TooBig {
                        size: kind.len(),
                        max: limits.max_file_bytes.min(*budget),
                    }
                    .text(),
                ));
            } else {
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        *budget = budget.saturating_sub(bytes.len() as u64);
                        entries.push(RawEntry::file(child_parts, path, bytes));
                    }
                    Err(error) => entries.push(RawEntry::refused(
                        child_parts,
                        path,
                        FolderProblem::CannotRead {
                            error: error.to_string(),
                        }
                        .text(),
                    )),
                }
            }
        }
    }
    Ok(entries)
}
