//! The capture reader: the first byte picks a pcap link type whose file header is put in
//! front of the rest (so most inputs get past the magic check); 0 feeds the bytes as they are
//! (pcapng, or a pcap header of the fuzzer's own).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

/// Ethernet, NULL, raw IP, Linux SLL, SLL2, IPv4, IPv6, loopback.
const LINK_TYPES: [u32; 8] = [1, 0, 101, 113, 276, 228, 229, 108];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let bytes = if pick == 0 {
        rest.to_vec()
    } else {
        let link = LINK_TYPES[usize::from(pick) % LINK_TYPES.len()];
        let mut bytes = Vec::with_capacity(24 + rest.len());
        bytes.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&4u16.to_le_bytes());
        bytes.extend_from_slice(&0i32.to_le_bytes());
        bytes.extend_from_slice(&0u32.to_le_bytes());
        bytes.extend_from_slice(&65535u32.to_le_bytes());
        bytes.extend_from_slice(&link.to_le_bytes());
        bytes.extend_from_slice(rest);
        bytes
    };
    let _ = mailgrade::ingest::read_bytes(Path::new("fuzz.pcap"), &bytes);
});
