//! mailgrade's capture reader against tshark, session by session: the client's command
//! verbs in order and the server's reply codes in order, for every capture in
//! `../shared/corpus/pcap` (and `extra/`) and for generated ones, the tunnelled ones among
//! them (PPPoE, L2TP, GRE, stacked VLAN tags).
//!
//! Where the two disagree (mostly because tshark is wrong), the case is listed in
//! [`KNOWN_DIFFERENCES`] with the reason; an entry that no longer disagrees fails the test
//! too, so the table stays true. With `CI` set, a missing tshark fails the test.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use mailgrade::ingest::{read_file, IngestError};
use mailgrade::session::CommandKind;

/// Sessions where the two views differ, and why. `port` picks the session (either
/// endpoint's port; 0 = every session of the capture).
///
/// | capture | port | who | why they differ |
/// |---|---|---|---|
/// | arkime_smtp_25-and-2525_exchange_starttls-decrypted | all | tshark | the file splices the decrypted TLS plaintext into the stream after STARTTLS; on the wire that part is encrypted, and mailgrade stops at `220 Ready to start TLS` |
/// | pcpp_smtp_spliced-packets_ipv4-ipv6_gaps | 25 | tshark | after the lost segments tshark forgets it is inside AUTH LOGIN and reads the password continuation as a command `CHVU` |
/// | ppa3 relay, infobez #1, student_quixel | 25 | tshark | `QUIT` sent in the same segment as the end of the message is shown as message data |
/// | zeek_smtp_bdat-invalid_521_3sessions | 25 | tshark | `QUIT` in the same segment as a BDAT chunk is shown as chunk data |
/// | sv_smtp_pipelined_553-503_sendmail, zeek_smtp_invalid-transactions | 25 | tshark | tshark enters the DATA phase on a `DATA` the server refused (503), so the later commands (RSET, MAIL …, or lines answered 500) vanish into "message" |
/// | sv_smtp_pipelining_nullloopback, zeek_smtp_ehlo-quit_8bitmime_pipelining | 25 | tshark | pipelined MAIL/RCPT/DATA (or BDAT) in one segment are not split into commands |
/// | ndpi_pop3_…_pcapng-content, zeek_pop3_auth-plain_err_retr_multi, sv_pop3_auth-xoauth2 | 110 | tshark | the SASL response after `+ ` is shown as a POP3 command (its base64 as the verb) |
/// | zeek_pop3_list-retr_crafted | 110 | tshark | the LIST body lacks its `.` line; tshark starts afresh in every packet, mailgrade (like a client) keeps reading the body |
/// | sv_smtp_errors_500-501-472_4sessions | 465 | tshark | tshark decodes port 465 as TLS only, so it shows nothing, though the server greeted in cleartext (the client then sent a TLS hello, which mailgrade marks as the start of TLS) |
/// | sv_smtp_errors_500-501-472_4sessions | 49274 | tshark | binary garbage lines, each answered 500: tshark gives them no verb, mailgrade keeps each as a command |
/// | sv_smtp_5-rcpt_crafted | 25 | deliberate | crafted: the EHLO reply is a lone `250-…` line and the client sends MAIL without waiting for a last line. mailgrade ends the reply when the client speaks (with a note), so MAIL gets the next `250 ok`; tshark joins the two lines into one reply and shows one code fewer. (The greeting, which has no line end at all, is read alike by both since the client spoke next.) |
const KNOWN_DIFFERENCES: &[(&str, u16, &str)] = &[
    (
        "extra/arkime_smtp_25-and-2525_exchange_starttls-decrypted.pcap",
        0,
        "tshark: decrypted plaintext spliced in after STARTTLS",
    ),
    (
        "extra/pcpp_smtp_spliced-packets_ipv4-ipv6_gaps.pcap",
        25,
        "tshark: loses AUTH LOGIN state after a gap",
    ),
    (
        "ppa3_smtp_two-hop-relay_postfix.pcapng",
        25,
        "tshark: QUIT after the message in one segment",
    ),
    (
        "extra/ppa3_smtp-pipelined_plus_imap-starttls.pcapng",
        25,
        "tshark: QUIT after the message in one segment",
    ),
    (
        "infobez_smtp_mailru_503-auth-required_then-ok_plus-pop3-user-pass_3sessions.pcap",
        1065,
        "tshark: QUIT after the message in one segment",
    ),
    (
        "student_quixel_smtp_nc-localhost_postfix.pcapng",
        25,
        "tshark: QUIT after the message in one segment",
    ),
    (
        "extra/zeek_smtp_bdat-invalid_521_3sessions.pcapng",
        25,
        "tshark: QUIT after a BDAT chunk in one segment",
    ),
    (
        "sv_smtp_pipelined_553-503_sendmail.pcap",
        25,
        "tshark: DATA phase entered on a refused DATA",
    ),
    (
        "zeek_smtp_invalid-transactions_500_503.pcap",
        25,
        "tshark: DATA phase entered on a refused DATA",
    ),
    (
        "sv_smtp_pipelining_nullloopback.pcap",
        25,
        "tshark: pipelined commands in one segment not split",
    ),
    (
        "extra/zeek_smtp_ehlo-quit_8bitmime_pipelining.pcap",
        25,
        "tshark: pipelined MAIL/RCPT/BDAT not split",
    ),
    (
        "ndpi_pop3_user-pass-list-uidl-retr_auth-plain_err_pcapng-content.pcap",
        110,
        "tshark: SASL response shown as a command",
    ),
    (
        "extra/zeek_pop3_auth-plain_err_retr_multi.pcap",
        110,
        "tshark: SASL response shown as a command",
    ),
    (
        "sv_pop3_auth-xoauth2_stat-list-uidl.pcap",
        110,
        "tshark: SASL response shown as a command",
    ),
    (
        "extra/zeek_pop3_list-retr_crafted.pcap",
        110,
        "tshark: re-synchronises inside an unterminated LIST body",
    ),
    (
        "sv_smtp_errors_500-501-472_4sessions.pcap",
        465,
        "tshark: port 465 decoded as TLS only",
    ),
    (
        "sv_smtp_errors_500-501-472_4sessions.pcap",
        49274,
        "tshark: binary lines get no verb",
    ),
    (
        "extra/sv_smtp_5-rcpt_crafted.pcap",
        25,
        "deliberate: an EHLO reply without its last line ends when the client speaks",
    ),
];

/// One session as verbs and codes, the way both tools can show it.
#[derive(Debug, Default, PartialEq, Eq)]
struct View {
    verbs: Vec<String>,
    codes: Vec<String>,
}

/// Verbs upper-cased and cut to 4 characters: tshark's `smtp.req.command` keeps only 4
/// (`STARTTLS` shows as `STAR`).
fn normal_verb(verb: &str) -> String {
    verb.chars().take(4).collect::<String>().to_uppercase()
}

/// A connection named by its two endpoints (sorted) and which use of them it is.
type Key = (String, String, usize);

fn key(a: String, b: String, occurrence: usize) -> Key {
    if a <= b {
        (a, b, occurrence)
    } else {
        (b, a, occurrence)
    }
}

fn endpoint(ip: &str, port: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(ip) => format!("{ip}#{port}"),
        Err(_) => format!("{ip}#{port}"),
    }
}

fn tshark_available() -> bool {
    let found = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("CI").is_some() {
        panic!("tshark is not installed (apt-get install tshark); CI needs it");
    }
    if !found {
        eprintln!("note: tshark is not installed; the agreement test did not run");
    }
    found
}

fn tshark_view(path: &Path) -> BTreeMap<Key, View> {
    let output = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(["-d", "tcp.port==2525,smtp", "-d", "tcp.port==1025,smtp"])
        .args(["-Y", "smtp || pop", "-T", "fields", "-E", "separator=\t"])
        .args([
            "-e",
            "tcp.stream",
            "-e",
            "ip.src",
            "-e",
            "ipv6.src",
            "-e",
            "tcp.srcport",
        ])
        .args(["-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport"])
        .args(["-e", "smtp.req.command", "-e", "smtp.response.code"])
        .args(["-e", "pop.request.command", "-e", "pop.response.indicator"])
        .args(["-e", "frame.protocols"])
        .output()
        .expect("tshark runs");
    assert!(
        output.status.success(),
        "tshark failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut streams: BTreeMap<u64, ((String, String), View)> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 12 {
            continue;
        }
        let stream: u64 = f[0].parse().unwrap_or(u64::MAX);
        let inner_v6 = innermost_ip_is_v6(f[11]);
        let src = endpoint(innermost(if inner_v6 { f[2] } else { f[1] }), f[3]);
        let dst = endpoint(innermost(if inner_v6 { f[5] } else { f[4] }), f[6]);
        let entry = streams
            .entry(stream)
            .or_insert_with(|| ((src, dst), View::default()));
        let view = &mut entry.1;
        for verbs in [f[7], f[9]] {
            view.verbs.extend(
                verbs
                    .split(',')
                    .filter(|v| !v.is_empty())
                    .map(str::to_ascii_uppercase),
            );
        }
        for codes in [f[8], f[10]] {
            view.codes.extend(
                codes
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_string),
            );
        }
    }
    let mut views = BTreeMap::new();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for ((a, b), view) in streams.into_values() {
        let pair = if a <= b { (a, b) } else { (b, a) };
        let occurrence = seen.entry(pair.clone()).or_default();
        views.insert((pair.0.clone(), pair.1.clone(), *occurrence), view);
        *occurrence += 1;
    }
    views
}

/// Whether the IP header nearest to TCP is IPv6, from tshark's `frame.protocols`
/// (`eth:ethertype:ip:gre:ipv6:tcp:smtp`): inside a tunnel both families can be there.
fn innermost_ip_is_v6(protocols: &str) -> bool {
    protocols.split(':').rfind(|p| *p == "ip" || *p == "ipv6") == Some("ipv6")
}

/// The last of a field's values (tshark lists one per header, outermost first).
fn innermost(values: &str) -> &str {
    values.rsplit(',').next().unwrap_or(values)
}

/// `tcp 10.0.0.1:51514 → [2001:db8::2]:25` → the two endpoints.
fn label_endpoints(label: &str) -> (String, String) {
    let split = |e: &str| -> String {
        let (ip, port) = e.rsplit_once(':').expect("ip:port");
        endpoint(ip.trim_matches(['[', ']']), port)
    };
    let (a, b) = label
        .trim_start_matches("tcp ")
        .split_once(" → ")
        .expect("a → b");
    (split(a), split(b))
}

fn our_view(path: &Path) -> BTreeMap<Key, View> {
    let sessions = match read_file(path) {
        Ok(read) => read.sessions,
        Err(IngestError::NothingFound { .. }) => Vec::new(),
        Err(other) => panic!("{}: {other}", path.display()),
    };
    let mut views = BTreeMap::new();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for session in sessions {
        let (a, b) = label_endpoints(&session.source.label);
        let mut view = View::default();
        for exchange in &session.exchanges {
            if let Some(CommandKind::Line { request, .. }) =
                exchange.command.as_ref().map(|c| &c.kind)
            {
                view.verbs.push(normal_verb(request.word()));
            }
            if let Some(reply) = &exchange.reply {
                // tshark shows a POP3 `+ ` continuation with no indicator at all.
                let code = reply.code.to_string();
                if code != "+" {
                    view.codes.push(code);
                }
            }
        }
        let pair = if a <= b { (a, b) } else { (b, a) };
        let occurrence = seen.entry(pair.clone()).or_default();
        views.insert(key(pair.0, pair.1, *occurrence), view);
        *occurrence += 1;
    }
    views
}

fn ports(key: &Key) -> [u16; 2] {
    let port = |e: &str| {
        e.rsplit_once('#')
            .and_then(|(_, p)| p.parse::<u16>().ok())
            .unwrap_or(0)
    };
    [port(&key.0), port(&key.1)]
}

/// Differences between the two views of one capture, one line per session.
fn compare(
    name: &str,
    ours: &BTreeMap<Key, View>,
    theirs: &BTreeMap<Key, View>,
) -> Vec<([u16; 2], String)> {
    let mut diffs = Vec::new();
    let empty = View::default();
    let keys: std::collections::BTreeSet<&Key> = ours.keys().chain(theirs.keys()).collect();
    for key in keys {
        let (a, b) = (
            ours.get(key).unwrap_or(&empty),
            theirs.get(key).unwrap_or(&empty),
        );
        if a != b {
            diffs.push((
                ports(key),
                format!("{name} {}↔{}:\n  mailgrade verbs {:?}\n  tshark    verbs {:?}\n  mailgrade codes {:?}\n  tshark    codes {:?}", key.0, key.1, a.verbs, b.verbs, a.codes, b.codes),
            ));
        }
    }
    diffs
}

fn corpus_captures() -> Vec<(String, PathBuf)> {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/pcap"
    ));
    let mut files = Vec::new();
    for dir in ["", "extra"] {
        let folder = root.join(dir);
        for entry in std::fs::read_dir(&folder)
            .expect("corpus folder")
            .filter_map(Result::ok)
        {
            if entry.path().is_file() {
                let name = if dir.is_empty() {
                    entry.file_name().to_string_lossy().into_owned()
                } else {
                    format!("extra/{}", entry.file_name().to_string_lossy())
                };
                files.push((name, entry.path()));
            }
        }
    }
    files.sort();
    files
}

/// Clean generated captures: SMTP on 25 and 2525, POP3 on 110, IPv6, pipelining.
fn generated_captures(dir: &Path) -> Vec<(String, PathBuf)> {
    use synth::{Link, PcapWriter, Tcp};
    let mut files = Vec::new();
    let host = |last: u8| IpAddr::from([10, 9, 0, last]);
    let cases: Vec<(&str, u16, bool)> = vec![
        ("generated_smtp25", 25, false),
        ("generated_smtp2525_ipv6", 2525, true),
        ("generated_pop3", 110, false),
    ];
    for (name, port, v6) in cases {
        let mut w = PcapWriter::new(Vec::new(), Link::Ethernet).expect("header");
        let (client, server) = if v6 {
            (
                IpAddr::from([0xfd00, 0, 0, 0, 0, 0, 0, 1]),
                IpAddr::from([0xfd00, 0, 0, 0, 0, 0, 0, 2]),
            )
        } else {
            (host(1), host(2))
        };
        let mut tcp = Tcp::new(
            Link::Ethernet,
            (client, 40000),
            (server, port),
            1_700_000_000_000_000,
            17,
        );
        if port == 110 {
            synth::pop3_session(&mut tcp, &mut w, 1, 4000);
        } else {
            synth::smtp_session(&mut tcp, &mut w, 1, 4000);
        }
        let path = dir.join(format!("{name}.pcap"));
        std::fs::write(&path, w.into_inner()).expect("write capture");
        files.push((name.to_string(), path));
    }
    for &(name, layers, v6) in synth::TUNNELS {
        let (bytes, _) = synth::tunnelled_capture(Link::Tunnel(layers), v6);
        let path = dir.join(format!("generated_tunnel_{name}.pcap"));
        std::fs::write(&path, bytes).expect("write capture");
        files.push((format!("generated_tunnel_{name}"), path));
    }
    let path = dir.join("generated_mixed.pcap");
    let file = std::fs::File::create(&path).expect("create");
    synth::mixed_capture(std::io::BufWriter::new(file), 3 << 20, 7).expect("write");
    files.push(("generated_mixed".into(), path));
    files
}

#[test]
fn agrees_with_tshark_session_by_session() {
    if !tshark_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut unexplained = Vec::new();
    let mut used = vec![false; KNOWN_DIFFERENCES.len()];
    let mut compared = 0;
    for (name, path) in corpus_captures()
        .into_iter()
        .chain(generated_captures(dir.path()))
    {
        let diffs = compare(&name, &our_view(&path), &tshark_view(&path));
        compared += 1;
        for (ports, diff) in diffs {
            let known = KNOWN_DIFFERENCES
                .iter()
                .position(|(file, p, _)| *file == name && (*p == 0 || ports.contains(p)));
            match known {
                Some(i) => used[i] = true,
                None => unexplained.push(diff),
            }
        }
    }
    assert!(compared >= 55, "only {compared} captures compared");
    let stale: Vec<String> = KNOWN_DIFFERENCES
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|((f, p, _), _)| format!("{f} port {p}"))
        .collect();
    assert!(
        unexplained.is_empty(),
        "mailgrade and tshark disagree:\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "these listed disagreements are gone: {stale:?}"
    );
}
