//! Maildirs inside the container: where an account's mailbox lives, the shell commands that
//! seed and list it through `docker exec`, and reading their output back.

use base64::Engine as _;

/// Where Postfix's virtual(8) delivers and Dovecot reads (see ci/mailserver: main.cf
/// `virtual_mailbox_base`, mailserver-start's vmailbox table).
const MAIL_ROOT: &str = "/var/mail/vhosts";

/// One argument to `docker exec` must stay below the kernel's 128 KiB per-argument limit.
pub const SEED_LIMIT: usize = 96 * 1024;

/// A message as stored in a Maildir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// The file name (Maildir unique name plus flags); also gives the delivery order.
    pub file: String,
    /// The message bytes as stored (LF line ends, as Postfix writes them).
    pub bytes: Vec<u8>,
}

/// `student@lab.test` → `/var/mail/vhosts/lab.test/student/Maildir`. The address must already
/// be validated (lowercase, no shell metacharacters).
pub fn maildir_of(address: &str) -> Option<String> {
    let (local, domain) = address.rsplit_once('@')?;
    Some(format!("{MAIL_ROOT}/{domain}/{local}/Maildir"))
}

/// The exec command that stores `message` as a new message (tmp/, then rename into new/, as
/// a Maildir writer must). The file name is passed as an argument, never spliced into code.
pub fn seed_command(maildir: &str, file: &str, message: &[u8]) -> Vec<String> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(normalise_line_ends(message));
    vec![
        "sh".into(),
        "-c".into(),
        r#"set -e; umask 077; t="$1/tmp/$2"; printf %s "$3" | base64 -d > "$t"; chown 5000:5000 "$t"; mv "$t" "$1/new/$2""#
            .into(),
        "seed".into(),
        maildir.into(),
        file.into(),
        encoded,
    ]
}

/// The exec command that prints each message of the Maildir as `<file> <base64>` lines.
pub fn list_command(maildir: &str) -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        r#"cd "$1" || exit 3; for f in new/* cur/*; do [ -f "$f" ] || continue; printf '%s ' "${f#*/}"; base64 -w0 "$f"; echo; done"#
            .into(),
        "list".into(),
        maildir.into(),
    ]
}

/// The exec command that waits (up to 10 s) until Postfix has delivered what it accepted,
/// then removes every message of every mailbox.
pub fn empty_all_command() -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        r#"i=0; until postqueue -p | grep -q 'Mail queue is empty' || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done; rm -f "$1"/*/*/Maildir/new/* "$1"/*/*/Maildir/cur/*"#
            .into(),
        "empty".into(),
        MAIL_ROOT.into(),
    ]
}

/// Parses [`list_command`]'s output, oldest message first.
pub fn parse_listing(output: &[u8]) -> Result<Vec<StoredMessage>, String> {
    let text =
        std::str::from_utf8(output).map_err(|_| "mailbox listing is not ASCII".to_owned())?;
    let mut messages = Vec::new();
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
    {
        let (file, encoded) = line
            .split_once(' ')
            .ok_or_else(|| format!("mailbox listing line {} has no file name", number + 1))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| format!("mailbox listing line {}: {e}", number + 1))?;
        messages.push(StoredMessage {
            file: file.to_owned(),
            bytes,
        });
    }
    // Maildir names start with the delivery time in seconds; equal seconds keep their order
    // well enough for a lab mailbox.
    messages.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(messages)
}

/// A stored message as POP3 RETR serves it: Dovecot turns each bare LF into CRLF (and
/// dot-stuffs, which the reader undoes).
pub fn as_retrieved(stored: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(stored.len() + stored.len() / 32);
    let mut previous = 0u8;
    for &byte in stored {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    out
}

/// Maildir files hold LF line ends; Dovecot adds the CR when it serves them.
fn normalise_line_ends(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut bytes = message.iter().peekable();
    while let Some(&byte) = bytes.next() {
        if byte == b'\r' && bytes.peek() == Some(&&b'\n') {
            continue;
        }
        out.push(byte);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maildir_paths() {
        let cases = [
            (
                "student@lab.test",
                Some("/var/mail/vhosts/lab.test/student/Maildir"),
            ),
            (
                "x@example.org",
                Some("/var/mail/vhosts/example.org/x/Maildir"),
            ),
            ("nodomain", None),
        ];
        for (address, expected) in cases {
            assert_eq!(maildir_of(address).as_deref(), expected, "{address}");
        }
    }

    #[test]
    fn line_ends() {
        let cases: [(&[u8], &[u8]); 4] = [
            (b"a\r\nb\r\n", b"a\nb\n"),
            (b"a\nb", b"a\nb"),
            (b"lone\rcr", b"lone\rcr"),
            (b"", b""),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise_line_ends(input), expected);
        }
    }

    #[test]
    fn retrieved_form() {
        let cases: [(&[u8], &[u8]); 4] = [
            (b"a\nb\n", b"a\r\nb\r\n"),
            (b"a\r\nb", b"a\r\nb"),
            (b"\n\n", b"\r\n\r\n"),
            (b"", b""),
        ];
        for (stored, retrieved) in cases {
            assert_eq!(as_retrieved(stored), retrieved);
        }
    }

    #[test]
    fn listings() {
        let output = b"2.M2 aGVsbG8K\n1.M1:2,S d29ybGQK\n\n";
        let messages = parse_listing(output).expect("listing parses");
        let files: Vec<_> = messages.iter().map(|m| m.file.as_str()).collect();
        assert_eq!(files, ["1.M1:2,S", "2.M2"]);
        assert_eq!(messages[0].bytes, b"world\n");
        assert!(parse_listing(b"nospace\n").is_err());
        assert!(parse_listing(b"f !!notbase64\n").is_err());
    }

    #[test]
    fn seed_command_carries_message_as_argument() {
        let command = seed_command("/m", "1.x", b"Subject: a\r\n\r\nbody\r\n");
        assert_eq!(
            command.last().map(String::as_str),
            Some("U3ViamVjdDogYQoKYm9keQo=")
        );
        assert_eq!(command[4..6], ["/m".to_owned(), "1.x".to_owned()]);
    }
}
