//! Writes small pcap files (Ethernet, IPv4, TCP) for tests: a handshake, then each payload
//! in its own segment with the right sequence numbers.

/// A TCP connection: server port, client port, and the payloads in order (`true`: the
/// client's).
pub type Connection = (u16, u16, Vec<(bool, Vec<u8>)>);

pub fn capture(connections: &[Connection]) -> Vec<u8> {
    let mut pcap = Vec::new();
    pcap.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    pcap.extend_from_slice(&2u16.to_le_bytes());
    pcap.extend_from_slice(&4u16.to_le_bytes());
    pcap.extend_from_slice(&[0; 8]);
    pcap.extend_from_slice(&65535u32.to_le_bytes());
    pcap.extend_from_slice(&1u32.to_le_bytes());
    let mut time = 0u32;
    for (server_port, client_port, payloads) in connections {
        let (mut client_seq, mut server_seq) = (1000u32, 5000u32);
        let mut packet = |from_client: bool, flags: u8, payload: &[u8], cs: u32, ss: u32| {
            time += 1;
            let (ports, seq, ack, hosts) = if from_client {
                (
                    (*client_port, *server_port),
                    cs,
                    ss,
                    ([192, 0, 2, 10], [192, 0, 2, 25]),
                )
            } else {
                (
                    (*server_port, *client_port),
                    ss,
                    cs,
                    ([192, 0, 2, 25], [192, 0, 2, 10]),
                )
            };
            let frame = frame(hosts, ports, seq, ack, flags, payload);
            pcap.extend_from_slice(&time.to_le_bytes());
            pcap.extend_from_slice(&0u32.to_le_bytes());
            pcap.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            pcap.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            pcap.extend_from_slice(&frame);
        };
        packet(true, 0x02, b"", client_seq - 1, 0);
        packet(false, 0x12, b"", client_seq, server_seq - 1);
        packet(true, 0x10, b"", client_seq, server_seq);
        for (from_client, payload) in payloads {
            packet(*from_client, 0x18, payload, client_seq, server_seq);
            let seq = if *from_client {
                &mut client_seq
            } else {
                &mut server_seq
            };
            *seq = seq.wrapping_add(payload.len() as u32);
        }
    }
    pcap
}

fn frame(
    (src, dst): ([u8; 4], [u8; 4]),
    (src_port, dst_port): (u16, u16),
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut frame = vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00];
    let total = 40 + payload.len();
    let mut ip = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        6,
        0,
        0,
    ];
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let checksum = ipv4_checksum(&ip);
    ip[10..12].copy_from_slice(&checksum.to_be_bytes());
    frame.extend_from_slice(&ip);
    frame.extend_from_slice(&src_port.to_be_bytes());
    frame.extend_from_slice(&dst_port.to_be_bytes());
    frame.extend_from_slice(&seq.to_be_bytes());
    frame.extend_from_slice(&ack.to_be_bytes());
    frame.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    frame.extend_from_slice(payload);
    frame
}

fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|pair| u32::from(u16::from_be_bytes([pair[0], pair[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}
