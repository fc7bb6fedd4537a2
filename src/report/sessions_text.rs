//! `extract --format text`: every session found, one block each, like Follow Stream.
//!
//! Written straight into the output (a buffered writer), formatted with `write!` rather
//! than strings built per line: a capture can hold hundreds of thousands of exchanges.

use std::io::{self, Write};

use super::{summary, Outcome, SubmissionOutcome, SubmissionStream};
use crate::i18n::messages::report::{ExtractMessage, ExtractWord, ReportWord, SkeletonWord};
use crate::i18n::{Lang, List, Piece, Separator, Template};
use crate::session::{
    Command, CommandKind, Connect, Origin, Reading, Session, TlsHandshake, TlsSide,
};

pub fn render(outcome: &Outcome, lang: Lang) -> String {
    let mut out = Vec::new();
    write(outcome, lang, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the report is UTF-8")
}

/// [`render`] into `out`.
pub fn write(outcome: &Outcome, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    for submission in &outcome.submissions {
        write_problems(out, submission, lang)?;
        let mut sessions = SessionWriter::new(lang);
        for session in &submission.sessions {
            sessions.write(out, session)?;
        }
    }
    Ok(())
}

/// [`write`] for submissions still being read: each session is written as it comes and
/// dropped. A submission's problems known only once its file is read follow its sessions
/// (a file that changed while it was read); returns how many sessions it wrote.
pub fn write_stream(
    submissions: &mut dyn Iterator<Item = Box<dyn SubmissionStream>>,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<u64> {
    let mut written = 0;
    for mut submission in submissions {
        write_problem_list(out, &submission.problems_first(), lang)?;
        let mut sessions = SessionWriter::new(lang);
        while let Some(session) = submission.next_session() {
            sessions.write(out, &session)?;
            // Dropped here: the text writer is not the thread the others wait for, and
            // handing sessions to the dropping thread cost it more than it saved
            // (interleaved A/B: 0.999 to 1.065 of the wall time).
            written += 1;
        }
        write_problem_list(out, &submission.finish().problems, lang)?;
    }
    Ok(written)
}

/// A submission's problems, which come before its sessions.
pub fn write_problems(
    out: &mut dyn Write,
    submission: &SubmissionOutcome,
    lang: Lang,
) -> io::Result<()> {
    write_problem_list(out, &submission.problems, lang)
}

fn write_problem_list(
    out: &mut dyn Write,
    problems: &[super::Problem],
    lang: Lang,
) -> io::Result<()> {
    for problem in problems {
        writeln!(
            out,
            "{}: {}",
            ReportWord::Error.get(lang),
            problem.line_in(lang)
        )?;
        if let Some(hint) = &problem.hint {
            writeln!(out, "  {}: {}", ReportWord::Help.get(lang), hint.get(lang))?;
        }
    }
    Ok(())
}

/// Writes one submission's sessions one after the other, numbered, as they come.
pub struct SessionWriter {
    lang: Lang,
    written: usize,
    previous: Option<std::path::PathBuf>,
    /// Reused for each command and reply, which are padded or trimmed as a whole.
    scratch: String,
    /// The templates of the lines every session has.
    templates: Templates,
    /// A session is formatted here, then written in one piece: into a `Vec` each of the
    /// many small writes `write!` makes is an inlined copy, through `dyn Write` a call.
    buffer: Vec<u8>,
}

impl SessionWriter {
    pub fn new(lang: Lang) -> Self {
        SessionWriter {
            lang,
            written: 0,
            previous: None,
            scratch: String::new(),
            templates: Templates::new(lang),
            buffer: Vec::new(),
        }
    }

    pub fn write(&mut self, out: &mut dyn Write, session: &Session) -> io::Result<()> {
        self.buffer.clear();
        // What the reader learned is the file's: shown once, before its first session.
        if self.previous.as_ref() != Some(&session.source.path) {
            if let Some(reading) = &session.reading {
                render_reading(&mut self.buffer, &session.source.path, reading, self.lang)?;
            }
            self.previous = Some(session.source.path.clone());
        }
        self.written += 1;
        write_heading(
            &mut self.buffer,
            &self.templates,
            self.written,
            session,
            &mut self.scratch,
            self.lang,
        )?;
        render_session(
            &mut self.buffer,
            &self.templates,
            session,
            &mut self.scratch,
            self.lang,
        )?;
        out.write_all(&self.buffer)?;
        // A session of huge replies need not keep its buffer for all the others.
        if self.buffer.capacity() > BUFFER_KEPT {
            self.buffer = Vec::new();
        }
        Ok(())
    }
}

/// The most [`SessionWriter::buffer`] keeps between sessions.
const BUFFER_KEPT: usize = 1 << 20;

/// How a file's lines were told apart: the markers and how each was read.
fn render_reading(
    out: &mut Vec<u8>,
    path: &std::path::Path,
    reading: &Reading,
    lang: Lang,
) -> io::Result<()> {
    let sides: Vec<String> = reading
        .sides_from
        .iter()
        .map(|s| s.word().get(lang).to_string())
        .collect();
    let line = ExtractMessage::ReadSides {
        path: path.display().to_string(),
        sides: List::new(sides, Separator::Comma).and_last(Separator::And),
    };
    writeln!(out, "{}", line.render(lang))?;
    for marker in &reading.markers {
        writeln!(out, "  {}", marker.render(lang))?;
    }
    Ok(())
}

/// The lines every session of a capture has, their catalogue templates cut at their
/// arguments, so that each is pieced together without `format!` and the strings a message
/// is given (a capture has tens of thousands of sessions); a line whose template cannot be
/// cut is rendered as a message.
struct Templates {
    /// [`ExtractMessage::Session`]: number, protocol, source.
    heading: Option<Vec<Piece>>,
    /// [`ExtractMessage::ConnectsTo`]: host.
    connects_to: Option<Vec<Piece>>,
    /// [`ExtractMessage::ConnectsToPort`]: host, port.
    connects_to_port: Option<Vec<Piece>>,
}

impl Templates {
    fn new(lang: Lang) -> Self {
        let pieces =
            |id: &str| Template::find(ExtractMessage::TEMPLATES, id).and_then(|t| t.pieces(lang));
        Templates {
            heading: pieces("Session"),
            connects_to: pieces("ConnectsTo"),
            connects_to_port: pieces("ConnectsToPort"),
        }
    }
}

/// `pieces` with each argument written by `arg`, then a line's end.
fn write_pieces(out: &mut Vec<u8>, pieces: &[Piece], arg: &mut dyn FnMut(&mut Vec<u8>, &str)) {
    for piece in pieces {
        match *piece {
            Piece::Text(text) => out.extend_from_slice(text.as_bytes()),
            Piece::Arg(name) => arg(out, name),
        }
    }
    out.push(b'\n');
}

/// `session {number}: {protocol} — {source}`.
fn write_heading(
    out: &mut Vec<u8>,
    templates: &Templates,
    number: usize,
    session: &Session,
    scratch: &mut String,
    lang: Lang,
) -> io::Result<()> {
    let Some(pieces) = &templates.heading else {
        let heading = ExtractMessage::Session {
            number,
            protocol: session.protocol.name().to_uppercase(),
            source: summary::source_in(&session.source, lang),
        };
        return writeln!(out, "{}", heading.render(lang));
    };
    write_pieces(out, pieces, &mut |out, arg| match arg {
        "number" => out.extend_from_slice(itoa::Buffer::new().format(number).as_bytes()),
        "protocol" => out.extend(
            session
                .protocol
                .name()
                .bytes()
                .map(|b| b.to_ascii_uppercase()),
        ),
        // The message's one other argument, `source`.
        _ => {
            scratch.clear();
            summary::write_source_in(scratch, &session.source, lang);
            out.extend_from_slice(scratch.as_bytes());
        }
    });
    Ok(())
}

/// `  connects to {host} port {port}`.
fn write_connect(
    out: &mut Vec<u8>,
    templates: &Templates,
    connect: &Connect,
    lang: Lang,
) -> io::Result<()> {
    let pieces = match connect.port {
        Some(_) => &templates.connects_to_port,
        None => &templates.connects_to,
    };
    let Some(pieces) = pieces else {
        let host = connect.host.clone();
        let line = match connect.port {
            Some(port) => ExtractMessage::ConnectsToPort { host, port },
            None => ExtractMessage::ConnectsTo { host },
        };
        return writeln!(out, "  {}", line.render(lang));
    };
    out.extend_from_slice(b"  ");
    write_pieces(out, pieces, &mut |out, arg| match (arg, connect.port) {
        ("port", Some(port)) => out.extend_from_slice(itoa::Buffer::new().format(port).as_bytes()),
        // The messages' one other argument, `host`.
        _ => out.extend_from_slice(connect.host.as_bytes()),
    });
    Ok(())
}

/// A session after its heading.
fn render_session(
    out: &mut Vec<u8>,
    templates: &Templates,
    session: &Session,
    scratch: &mut String,
    lang: Lang,
) -> io::Result<()> {
    if let Some(connect) = &session.connect {
        write_connect(out, templates, connect, lang)?;
    }
    let mut digits = itoa::Buffer::new();
    for exchange in &session.exchanges {
        let origin = exchange
            .command
            .as_ref()
            .map(|c| c.origin)
            .or(exchange.reply.as_ref().map(|r| r.origin))
            .unwrap_or_default();
        out.extend_from_slice(b"  ");
        write_origin(out, &origin, lang)?;
        out.extend_from_slice(b"  ");
        scratch.clear();
        match &exchange.command {
            Some(command) => write_command(scratch, command, lang),
            None => scratch.push_str(ExtractWord::Greeting.get(lang)),
        }
        pad_right(out, scratch, 40);
        out.extend_from_slice(" → ".as_bytes());
        match &exchange.reply {
            // `code text`, trimmed at the end.
            Some(reply) => {
                out.extend_from_slice(reply.code.text(&mut digits).as_bytes());
                let text = reply.text().trim_end();
                if !text.is_empty() {
                    out.push(b' ');
                    out.extend_from_slice(text.as_bytes());
                }
            }
            None => out.extend_from_slice(SkeletonWord::NoReply.get(lang).trim_end().as_bytes()),
        }
        out.push(b'\n');
    }
    if let Some(tls) = &session.tls {
        render_tls(out, tls, lang)?;
    }
    for note in &session.notes {
        writeln!(
            out,
            "  {} ({}): {}",
            ExtractWord::Note.get(lang),
            note.origin.display(lang),
            note.detail.get(lang)
        )?;
    }
    if let Some(reading) = session.reading.as_ref().filter(|r| !r.is_sure()) {
        let doubts: Vec<String> = reading
            .doubts
            .iter()
            .map(|d| d.message().render(lang))
            .collect();
        let line = ExtractMessage::Unsure {
            doubts: List::new(doubts, Separator::Semicolon),
        };
        writeln!(out, "  {}", line.render(lang))?;
    }
    writeln!(out)
}

/// Where an exchange is, as `Origin::display` writes it (never padded): English (and a
/// line in any language) without core::fmt, which cost more than the rest of the line.
fn write_origin(out: &mut Vec<u8>, origin: &Origin, lang: Lang) -> io::Result<()> {
    let mut digits = itoa::Buffer::new();
    let mut number = |out: &mut Vec<u8>, value: u64| {
        out.extend_from_slice(digits.format(value).as_bytes());
    };
    match (*origin, lang) {
        (Origin::Line { line, column }, _) => {
            number(out, line.into());
            if column > 1 {
                out.push(b':');
                number(out, column.into());
            }
        }
        (
            Origin::Frame {
                frame, last_frame, ..
            },
            Lang::En,
        ) if last_frame > frame => {
            out.extend_from_slice(b"frames ");
            number(out, frame);
            out.push(b'-');
            number(out, last_frame);
        }
        (Origin::Frame { frame, .. }, Lang::En) => {
            out.extend_from_slice(b"frame ");
            number(out, frame);
        }
        _ => write!(out, "{}", origin.display(lang))?,
    }
    Ok(())
}

/// A command as `summary::write_command` writes it: a plain command line (no secret) is
/// copied, anything else formatted.
fn write_command(out: &mut String, command: &Command, lang: Lang) {
    match &command.kind {
        CommandKind::Line { written, args, .. } if args.secret.is_none() => {
            out.push_str(written);
            if !args.text.is_empty() {
                out.push(' ');
                out.push_str(&args.text);
            }
        }
        _ => {
            let _ = summary::write_command(out, command, lang);
        }
    }
}

/// `text` padded with spaces to `width` terminal columns, in one piece. Columns, not
/// characters: a Chinese word such as `（问候）` takes two columns a character, and padding
/// by characters pushed its arrow out of line with the others.
fn pad_right(out: &mut Vec<u8>, text: &str, width: usize) {
    out.extend_from_slice(text.as_bytes());
    let columns = if text.is_ascii() {
        text.len()
    } else {
        unicode_width::UnicodeWidthStr::width(text)
    };
    out.resize(out.len() + width.saturating_sub(columns), b' ');
}

/// The handshake: a summary line, then one line per message with its frames.
fn render_tls(out: &mut Vec<u8>, tls: &TlsHandshake, lang: Lang) -> io::Result<()> {
    writeln!(out, "  tls: {}", tls.summary(lang))?;
    if let Some(kx) = tls.key_exchange_in(lang) {
        writeln!(out, "    {} {kx}", ExtractWord::KeyExchange.get(lang))?;
    }
    if let Some(cert) = &tls.certificate {
        let unparsed = ExtractWord::Unparsed.get(lang);
        let line = ExtractMessage::Certificate {
            subject: cert.subject.as_deref().unwrap_or(unparsed).to_string(),
            issuer: cert.issuer.as_deref().unwrap_or(unparsed).to_string(),
            chain: cert.chain.to_string(),
            size: cert.size.to_string(),
        };
        writeln!(out, "    {}", line.render(lang))?;
    }
    for message in &tls.messages {
        let arrow = match message.from {
            TlsSide::Client => "C →",
            TlsSide::Server => "← S",
        };
        let encrypted = if message.encrypted {
            ExtractWord::Encrypted.get(lang)
        } else {
            ""
        };
        let detail = match message.detail.get(lang) {
            "" => String::new(),
            detail => format!("  {detail}"),
        };
        writeln!(
            out,
            "  {:>10}  {arrow} {}{encrypted}{detail}",
            message.origin.render(lang),
            message.name
        )?;
    }
    let data = tls.application_data;
    let more = if data.more {
        ExtractWord::CountingStopped.get(lang)
    } else {
        ""
    };
    let line = ExtractMessage::ApplicationData {
        client: data.client.to_string(),
        server: data.server.to_string(),
    };
    writeln!(out, "    {}{more}", line.render(lang))?;
    if let Some(why) = &tls.unreadable {
        writeln!(out, "    {}", why.get(lang))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    /// The heading and the connect line pieced together read as the catalogue's messages.
    #[test]
    fn writes_headings_and_connects_as_the_catalogue_renders_them() {
        use crate::i18n::messages::report::ExtractMessage;
        use crate::i18n::Lang;
        use crate::session::{Connect, Origin, Protocol, Session, Source};
        let source = |path: &str, label: &str| Source {
            path: path.into(),
            label: label.into(),
        };
        let sources = [
            source("lab.pcap", "tcp 10.0.0.1:1025 → 10.0.0.2:25"),
            source("seed.md", "code block 2"),
            source("seed.md", "code blocks 3–5"),
            source("notes.txt", ""),
        ];
        for lang in [Lang::En, Lang::ZhCn] {
            let templates = super::Templates::new(lang);
            assert!(templates.heading.is_some());
            assert!(templates.connects_to.is_some());
            assert!(templates.connects_to_port.is_some());
            for (number, source) in sources.iter().enumerate() {
                let session = Session::new(Protocol::Pop3, source.clone());
                let mut out = Vec::new();
                let mut scratch = String::new();
                super::write_heading(&mut out, &templates, number, &session, &mut scratch, lang)
                    .expect("written");
                let heading = ExtractMessage::Session {
                    number,
                    protocol: "POP3".into(),
                    source: crate::report::summary::source_in(source, lang),
                };
                assert_eq!(
                    String::from_utf8(out).expect("UTF-8"),
                    format!("{}\n", heading.render(lang))
                );
            }
            for port in [None, Some(110)] {
                let connect = Connect {
                    host: "mail.example".into(),
                    port,
                    origin: Origin::Synthetic,
                };
                let mut out = Vec::new();
                super::write_connect(&mut out, &templates, &connect, lang).expect("written");
                let host = connect.host.clone();
                let line = match port {
                    Some(port) => ExtractMessage::ConnectsToPort { host, port },
                    None => ExtractMessage::ConnectsTo { host },
                };
                assert_eq!(
                    String::from_utf8(out).expect("UTF-8"),
                    format!("  {}\n", line.render(lang))
                );
            }
        }
    }

    #[test]
    fn writes_origins_and_commands_as_their_display_does() {
        use crate::i18n::Lang;
        use crate::session::{Args, Command, CommandKind, Origin, Protocol, Secret};
        let origins = [
            Origin::line(3),
            Origin::Line { line: 4, column: 7 },
            Origin::Line { line: 4, column: 0 },
            Origin::frame(5, -1),
            Origin::frame(5, 0).extend(Origin::frame(9, 0)),
            Origin::frame(u64::MAX, 0),
            Origin::Replay { index: 2 },
            Origin::Synthetic,
        ];
        for lang in [Lang::En, Lang::ZhCn] {
            for origin in origins {
                let mut out = Vec::new();
                super::write_origin(&mut out, &origin, lang).expect("written");
                assert_eq!(
                    String::from_utf8(out).expect("UTF-8"),
                    origin.display(lang).to_string()
                );
            }
        }
        let secret = || Some(Secret::new("hunter2"));
        let kinds = [
            CommandKind::line(Protocol::Smtp, "ehlo", Args::plain("")),
            CommandKind::line(Protocol::Smtp, "MAIL", Args::plain("FROM:<a@b> ")),
            CommandKind::line(
                Protocol::Smtp,
                "AUTH",
                Args {
                    text: "PLAIN".into(),
                    secret: secret(),
                },
            ),
            CommandKind::AuthCancel,
            CommandKind::Message {
                content: crate::session::Content::from_bytes(b"x".to_vec()),
            },
        ];
        for lang in [Lang::En, Lang::ZhCn] {
            for kind in kinds.clone() {
                let command = Command::new(kind, Origin::Synthetic);
                let (mut ours, mut theirs) = (String::new(), String::new());
                super::write_command(&mut ours, &command, lang);
                crate::report::summary::write_command(&mut theirs, &command, lang).unwrap();
                assert_eq!(ours, theirs);
            }
        }
    }

    /// The arrow after `（问候）` lines up with the arrows after commands.
    #[test]
    fn chinese_words_are_padded_to_the_same_columns_as_commands() {
        let padded = |text: &str| {
            let mut out = Vec::new();
            super::pad_right(&mut out, text, 40);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(padded("（问候）").width(), 40);
        assert_eq!(padded("EHLO client.example").width(), 40);
        assert_eq!(padded(&"x".repeat(45)), "x".repeat(45));
    }
}
