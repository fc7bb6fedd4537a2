//! The transcript reader on any bytes: sessions or a clear error, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mailgrade::ingest::read_bytes(Path::new("fuzz.txt"), data);
});
