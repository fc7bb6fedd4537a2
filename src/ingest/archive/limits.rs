/// Bounds on what reading a class may cost, so a zip bomb or a runaway folder ends as a
/// problem in one submission instead of exhausting memory.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Entries in one archive (nested ones count separately).
    pub max_entries: usize,
    /// Bytes of one file, uncompressed.
    pub max_file_bytes: u64,
    /// Bytes of the whole class, uncompressed.
    pub max_total_bytes: u64,
    /// Uncompressed / compressed size above which an entry is refused as a bomb.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 20_000,
            max_file_bytes: 64 << 20,
            max_total_bytes: 2 << 30,
            max_ratio: 250,
        }
    }
}
