#!/usr/bin/env python3
"""Writes the hostile corpus: small broken, malicious and odd inputs a student could hand in.

    python3 scripts/gen-hostile-corpus.py [OUT_DIR]     (default: tests/hostile/corpus)

The output is deterministic (fixed seeds, fixed zip timestamps), so re-running it gives the
committed files byte for byte. What each case must give is in tests/hostile_corpus.rs.
Cases too big to commit (a 100 MB line, 10,000 sessions, a huge scenario) are made by that
test at run time in a temporary directory.
"""

import io
import os
import random
import struct
import sys
import zipfile

ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def pcap_header(link=1, snaplen=65535, magic=0xA1B2C3D4):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, link)


def record(data, caplen=None, origlen=None, ts=1):
    caplen = len(data) if caplen is None else caplen
    origlen = caplen if origlen is None else origlen
    return struct.pack("<IIII", ts, 0, caplen, origlen) + data


def checksum(header):
    total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def tcp_frame(src_port, dst_port, seq, ack, flags, payload, src=b"\xc0\x00\x02\x0a", dst=b"\xc0\x00\x02\x19"):
    tcp = struct.pack("!HHIIBBHHH", src_port, dst_port, seq, ack, 0x50, flags, 0xFFFF, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x08\x00" + ip + tcp


def smtp_capture():
    """A whole, valid SMTP session: the base the broken captures are cut from."""
    out = pcap_header()
    cs, ss = 1000, 5000
    ts = 1
    frames = [
        (True, 0x02, b""),
        (False, 0x12, b""),
        (True, 0x10, b""),
        (False, 0x18, b"220 mail.lab.test ESMTP\r\n"),
        (True, 0x18, b"HELO pc\r\n"),
        (False, 0x18, b"250 mail.lab.test\r\n"),
        (True, 0x18, b"QUIT\r\n"),
        (False, 0x18, b"221 Bye\r\n"),
    ]
    for client, flags, payload in frames:
        if client:
            frame = tcp_frame(40000, 25, cs - (1 if flags == 0x02 else 0), ss, flags, payload)
            cs += len(payload)
        else:
            frame = tcp_frame(25, 40000, ss - (1 if flags == 0x12 else 0), cs, flags, payload,
                              src=b"\xc0\x00\x02\x19", dst=b"\xc0\x00\x02\x0a")
            ss += len(payload)
        out += record(frame, ts=ts)
        ts += 1
    return out


def zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


TRANSCRIPT = b"S: 220 mail.lab.test ESMTP\nC: HELO pc\nS: 250 ok\nC: QUIT\nS: 221 bye\n"


def cases():
    rng = random.Random(8)
    whole = smtp_capture()
    yield "truncated-capture.pcap", whole[: len(whole) - 30]
    yield "header-only.pcap", pcap_header()
    yield "short-header.pcap", pcap_header()[:13]
    corrupt = bytearray(whole)
    for i in range(40, len(corrupt), 7):
        corrupt[i] = rng.randrange(256)
    yield "corrupt-capture.pcap", bytes(corrupt)
    # A record that claims 4 GB: the reader must not allocate it.
    yield "huge-record.pcap", pcap_header() + struct.pack("<IIII", 1, 0, 0xFFFFFFF0, 0xFFFFFFF0) + b"\0" * 64
    yield "zero-snaplen.pcap", pcap_header(snaplen=0) + record(b"")
    yield "unknown-link.pcap", pcap_header(link=0xFFFF) + record(b"\x01" * 60)
    # pcapng: a section header whose block length runs past the end, then one that is zero.
    yield "corrupt.pcapng", struct.pack("<III", 0x0A0D0D0A, 0x7FFFFFF0, 0x1A2B3C4D) + b"\0" * 20
    yield "zero-block.pcapng", struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28) + struct.pack("<II", 1, 0)
    yield "binary-garbage.txt", bytes(rng.randrange(256) for _ in range(4096))
    yield "nul-only.txt", b"\0" * 1024
    yield "empty.txt", b""
    yield "elf-named.txt", b"\x7fELF\x02\x01\x01" + bytes(rng.randrange(256) for _ in range(2000))
    yield "invalid-utf8.txt", TRANSCRIPT.replace(b"HELO pc", b"HELO p\xff\xfe\xc3(c")
    yield "mixed-encodings.txt", (
        "S: 220 邮件服务器 ESMTP\n".encode("utf-8")
        + "C: HELO 电脑\n".encode("gb18030")
        + "S: 250 好\n".encode("utf-16-le")
        + b"C: QUIT\nS: 221 bye\n"
    )
    yield "lone-surrogates.txt", b"\xff\xfe" + b"S\x00:\x00 \x00\x00\xd8" * 50
    yield "deep-lines.txt", b"C: " + b"<" * 20000 + b"\nS: 250 " + b"-" * 20000 + b"\n"
    # Parts that multiply: replies nobody asked for before the dialogue (each was paired with
    # the replay by a scan), and one message to many recipients (a copy per recipient).
    yield "unasked-replies.txt", (
        b"S: 220 mail.lab.test ESMTP\n" + b"S: 250 ok\n" * 1000 + b"C: HELO pc\nS: 250 ok\n"
        + b"C: NOOP\nS: 250 ok\n" * 200 + b"C: QUIT\nS: 221 bye\n")
    yield "many-recipients.txt", (
        b"S: 220 mail.lab.test ESMTP\nC: EHLO pc\nS: 250 ok\nC: MAIL FROM:<a@qq.com>\nS: 250 ok\n"
        + b"".join(b"C: RCPT TO:<u%d@qq.com>\nS: 250 ok\n" % i for i in range(300))
        + b"C: DATA\nS: 354 go\nC: From: <a@qq.com>\nC: Subject: many\nC:\n"
        + (b"C: " + b"x" * 70 + b"\n") * 200
        + b"C: .\nS: 250 queued\nC: QUIT\nS: 221 bye\n")
    yield "control-chars.txt", b"S: 220 \x1b[31mred\x1b[0m\x07\x08\nC: HELO \x1b]0;title\x07pc\nS: 250 ok\n"
    # Archives (`.zip` submissions): nested, self-including, zip-slip, a zip bomb in small.
    inner = zip_bytes([("transcript.txt", TRANSCRIPT)])
    nested = inner
    for depth in range(20):
        nested = zip_bytes([(f"level{depth}.zip", nested)])
    yield "nested.zip", nested
    first = zip_bytes([("self.zip", b"")])
    yield "self-including.zip", zip_bytes([("self.zip", first), ("again/self.zip", first)])
    yield "zip-slip.zip", zip_bytes([
        ("../../../../tmp/mailgrade-zip-slip.txt", TRANSCRIPT),
        ("/tmp/mailgrade-zip-slip-abs.txt", TRANSCRIPT),
        ("ok/../../escape.txt", TRANSCRIPT),
    ])
    yield "zip-bomb.zip", zip_bytes([("zeros.txt", b"\0" * (16 << 20))])
    yield "not-a-zip.zip", b"PK\x03\x04" + b"\xff" * 100
    # YAML: billion laughs (aliases), deep nesting, a key bomb, tabs, a document stream.
    laughs = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        laughs.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    yield "billion-laughs.yaml", ("\n".join(laughs) + "\nid: bomb\nprotocol: smtp\nsteps: *a9\n").encode()
    yield "alias-in-steps.yaml", (
        b"id: alias\nprotocol: smtp\nx: &s { id: s, send: HELO, expect: 250, points: 1 }\n"
        b"steps: [*s, *s, *s]\n"
    )
    yield "deep-nesting.yaml", b"id: deep\nprotocol: smtp\nsteps: " + b"[" * 10000 + b"]" * 10000 + b"\n"
    yield "deep-maps.yaml", b"id: deep\nsteps:\n" + b"".join(b"  " * i + b"- k:\n" for i in range(1, 400))
    yield "recursive-alias.yaml", b"id: &a [*a]\nprotocol: smtp\nsteps: []\n"
    yield "multi-document.yaml", b"id: a\n---\nid: b\n---\n" * 100
    yield "binary.yaml", bytes(rng.randrange(256) for _ in range(2048))
    yield "huge-number.yaml", b"id: n\nprotocol: smtp\npass_mark: 1e999999\nsteps:\n  - { id: s, send: HELO, expect: 250, points: 99999999999999999999999999 }\n"
    # Counts grading cannot afford: one huge repeat, and many steps of large ones together.
    yield "huge-repeat.yaml", (
        b"id: rep\nprotocol: smtp\nsteps:\n"
        b"  - { id: rcpt, send: RCPT, repeat: '100000000', expect: 250, points: 1 }\n"
    )
    yield "many-counts.yaml", b"id: counts\nprotocol: smtp\nsteps:\n" + b"".join(
        b"  - { id: r%d, send: RCPT, repeat: 100, expect: 250, points: 1 }\n" % i for i in range(21))
    yield "catastrophic-regex.yaml", (
        b"id: re\nprotocol: smtp\nsteps:\n"
        b"  - { id: s, send: HELO, args: '(a+)+$', expect: 250, points: 1 }\n"
        b"  - { id: t, send: MAIL, args: '" + b"(" * 500 + b"a" + b")" * 500 + b"', expect: 250, points: 1 }\n"
    )


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "hostile", "corpus")
    os.makedirs(out_dir, exist_ok=True)
    for name, data in cases():
        with open(os.path.join(out_dir, name), "wb") as handle:
            handle.write(data)
    print(f"wrote {len(list(cases()))} files to {os.path.normpath(out_dir)}")


if __name__ == "__main__":
    main()
