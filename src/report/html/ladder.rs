//! A sequence ("ladder") diagram of one dialogue as inline SVG: client and server lanes, an
//! arrow per command and per reply, failing steps in red with their feedback beside them,
//! missing steps as a red dashed marker where they were expected. A TLS handshake (after
//! STARTTLS / STLS, of implicit TLS, or a whole `tls` connection) follows as one arrow per
//! message, encrypted ones dashed.

use std::fmt::Write;

use super::width::truncate;
use crate::grade::{Grade, Status};
use crate::i18n::messages::report::ReportWord;
use crate::i18n::Lang;
use crate::report::escape::html as esc;
use crate::report::summary;
use crate::session::{Exchange, Origin, Session, TlsHandshake, TlsSide};

const WIDTH: u32 = 940;
const CLIENT_X: u32 = 110;
const SERVER_X: u32 = 560;
const NOTE_X: u32 = 580;
const TOP: u32 = 64;
const ROW: u32 = 30;
/// Columns of label text that fit between the lanes and in the notes column.
const LABEL_COLUMNS: usize = 62;
const NOTE_COLUMNS: usize = 50;

/// What the grade says about one exchange.
#[derive(Default)]
struct Marks {
    command_fails: Option<String>,
    reply_fails: Option<String>,
    /// Steps that should have come before this exchange.
    missing_before: Vec<(String, String)>,
}

fn origin_of(exchange: &Exchange) -> Origin {
    exchange
        .command
        .as_ref()
        .map(|c| c.origin)
        .or_else(|| exchange.reply.as_ref().map(|r| r.origin))
        .unwrap_or_default()
}

/// Ties the lost checks of `grade` to exchanges by their evidence.
fn marks(session: &Session, grade: Option<&Grade>, lang: Lang) -> Vec<Marks> {
    let mut marks: Vec<Marks> = session.exchanges.iter().map(|_| Marks::default()).collect();
    let Some(grade) = grade else {
        return marks;
    };
    for check in grade.losses() {
        let Some(evidence) = &check.evidence else {
            continue;
        };
        if evidence.source != session.source.path {
            continue;
        }
        let Some(index) = session
            .exchanges
            .iter()
            .position(|e| origin_of(e) == evidence.origin)
        else {
            continue;
        };
        let message = summary::check_message(check, lang);
        let mark = &mut marks[index];
        match check.status {
            Status::Missing => mark.missing_before.push((check.name.to_string(), message)),
            Status::WrongReply if session.exchanges[index].reply.is_some() => {
                mark.reply_fails.get_or_insert(message);
            }
            _ => {
                mark.command_fails.get_or_insert(message);
            }
        }
    }
    marks
}

/// The command as the diagram labels it, in `lang` (secrets are redacted by `Display`).
fn command_label(exchange: &Exchange, lang: Lang) -> Option<String> {
    exchange.command.as_ref().map(|command| {
        let mut label = String::new();
        let _ = summary::write_command(&mut label, command, lang);
        label
    })
}

fn reply_label(exchange: &Exchange) -> Option<String> {
    exchange
        .reply
        .as_ref()
        .map(|r| format!("{} {}", r.code, r.text()).trim_end().to_string())
}

/// The SVG for `session`, marked with what `grade` (the grade of this session) found.
pub fn render(session: &Session, grade: Option<&Grade>, lang: Lang) -> String {
    let marks = marks(session, grade, lang);
    let rows: u32 = session
        .exchanges
        .iter()
        .zip(&marks)
        .map(|(e, m)| {
            u32::from(e.command.is_some())
                + u32::from(e.reply.is_some())
                + m.missing_before.len() as u32
        })
        .sum::<u32>()
        + tls_rows(session.tls.as_deref());
    let height = TOP + rows * ROW + 30;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="ladder" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"#,
        esc(&format!(
            "{} {}",
            ReportWord::DialogueOf.get(lang),
            summary::source_in(&session.source, lang)
        ))
    );
    let server_name = session
        .connect
        .as_ref()
        .map(|c| match c.port {
            Some(port) => format!("{} {}:{port}", ReportWord::Server.get(lang), c.host),
            None => format!("{} {}", ReportWord::Server.get(lang), c.host),
        })
        .unwrap_or_else(|| ReportWord::Server.get(lang).to_string());
    for (x, label) in [
        (CLIENT_X, ReportWord::Client.get(lang).to_string()),
        (SERVER_X, server_name),
    ] {
        let label = truncate(&label, 34);
        let _ = write!(
            svg,
            r#"<rect class="lane-head" x="{}" y="8" width="200" height="28" rx="4"/><text class="lane-name" x="{x}" y="27" text-anchor="middle">{}</text><line class="lifeline" x1="{x}" y1="36" x2="{x}" y2="{}"/>"#,
            x - 100,
            esc(&label),
            height - 10
        );
    }
    let mut y = TOP;
    for (index, (exchange, mark)) in session.exchanges.iter().zip(&marks).enumerate() {
        for (name, message) in &mark.missing_before {
            let _ = write!(
                svg,
                r#"<g class="missing"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="3"/><text x="{}" y="{}" text-anchor="middle">{} {}</text><text class="note fail" x="{NOTE_X}" y="{}">{}</text></g>"#,
                esc(message),
                CLIENT_X + 10,
                y - 14,
                SERVER_X - CLIENT_X - 20,
                ROW - 8,
                (CLIENT_X + SERVER_X) / 2,
                y + 4,
                ReportWord::MissingLabel.get(lang),
                esc(&truncate(name, LABEL_COLUMNS - 10)),
                y + 4,
                esc(&truncate(message, NOTE_COLUMNS)),
            );
            y += ROW;
        }
        let origin = origin_of(exchange);
        let _ = write!(
            svg,
            r#"<text class="origin" x="8" y="{}">{}</text>"#,
            y + 4,
            esc(&origin.render(lang))
        );
        if let Some(label) = command_label(exchange, lang) {
            arrow(
                &mut svg,
                ArrowSpec {
                    class: "command",
                    index,
                    from: CLIENT_X,
                    to: SERVER_X,
                    y,
                    label: &label,
                    fail: mark.command_fails.as_deref(),
                },
            );
            y += ROW;
        }
        match reply_label(exchange) {
            Some(label) => {
                arrow(
                    &mut svg,
                    ArrowSpec {
                        class: "reply",
                        index,
                        from: SERVER_X,
                        to: CLIENT_X,
                        y,
                        label: &label,
                        fail: mark.reply_fails.as_deref(),
                    },
                );
                y += ROW;
            }
            None => {
                let _ = write!(
                    svg,
                    r#"<text class="no-reply" x="{}" y="{}" text-anchor="end">{}</text>"#,
                    SERVER_X - 8,
                    y - ROW + 13,
                    ReportWord::NoReply.get(lang)
                );
            }
        }
    }
    if let Some(tls) = session.tls.as_ref().filter(|t| !t.messages.is_empty()) {
        tls_messages(&mut svg, tls, session, grade, lang, y);
    }
    svg.push_str("</svg>");
    svg
}

/// A heading row and one row per message.
fn tls_rows(tls: Option<&TlsHandshake>) -> u32 {
    match tls {
        Some(tls) if !tls.messages.is_empty() => tls.messages.len() as u32 + 1,
        _ => 0,
    }
}

/// The handshake's messages as arrows below the dialogue, starting at row `y`; a TLS check
/// that lost points marks the message it points at.
fn tls_messages(
    svg: &mut String,
    tls: &TlsHandshake,
    session: &Session,
    grade: Option<&Grade>,
    lang: Lang,
    mut y: u32,
) {
    let _ = write!(
        svg,
        r#"<text class="tls-head" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        (CLIENT_X + SERVER_X) / 2,
        y + 4,
        esc(&truncate(
            &format!("TLS: {}", tls.summary(lang)),
            LABEL_COLUMNS + 10
        ))
    );
    y += ROW;
    let fails: Vec<(Origin, String)> = grade
        .map(|g| {
            g.losses()
                .filter_map(|check| {
                    let evidence = check.evidence.as_ref()?;
                    (evidence.source == session.source.path)
                        .then(|| (evidence.origin, summary::check_message(check, lang)))
                })
                .collect()
        })
        .unwrap_or_default();
    for (index, message) in tls.messages.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text class="origin" x="8" y="{}">{}</text>"#,
            y + 4,
            esc(&message.origin.render(lang))
        );
        let (from, to) = match message.from {
            TlsSide::Client => (CLIENT_X, SERVER_X),
            TlsSide::Server => (SERVER_X, CLIENT_X),
        };
        let mut label = message.name.clone();
        if message.encrypted {
            label.push_str(ReportWord::EncryptedSuffix.get(lang));
        }
        if !message.detail.en.is_empty() {
            label.push_str(if lang == Lang::ZhCn { "：" } else { ": " });
            label.push_str(message.detail.get(lang));
        }
        let fail = fails
            .iter()
            .find(|(origin, _)| *origin == message.origin)
            .map(|(_, text)| text.as_str());
        arrow(
            svg,
            ArrowSpec {
                class: if message.encrypted {
                    "tls encrypted"
                } else {
                    "tls"
                },
                index,
                from,
                to,
                y,
                label: &label,
                fail,
            },
        );
        y += ROW;
    }
}

struct ArrowSpec<'a> {
    class: &'static str,
    index: usize,
    from: u32,
    to: u32,
    y: u32,
    label: &'a str,
    /// The feedback when this arrow is where points were lost.
    fail: Option<&'a str>,
}

fn arrow(svg: &mut String, spec: ArrowSpec<'_>) {
    let ArrowSpec {
        class,
        index,
        from,
        to,
        y,
        label,
        fail,
    } = spec;
    let fail_class = if fail.is_some() { " fail" } else { "" };
    let head = if to > from {
        format!("{to},{y} {},{} {},{}", to - 9, y - 4, to - 9, y + 4)
    } else {
        format!("{to},{y} {},{} {},{}", to + 9, y - 4, to + 9, y + 4)
    };
    let title = match fail {
        Some(message) => format!("{label}\n{message}"),
        None => label.to_string(),
    };
    let _ = write!(
        svg,
        r#"<g class="arrow {class}{fail_class}" data-exchange="{index}"><title>{}</title><line x1="{from}" y1="{y}" x2="{to}" y2="{y}"/><polygon points="{head}"/><text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        esc(&title),
        (from + to) / 2,
        y - 5,
        esc(&truncate(label, LABEL_COLUMNS)),
    );
    if let Some(message) = fail {
        let _ = write!(
            svg,
            r#"<text class="note fail" x="{NOTE_X}" y="{}">{}</text>"#,
            y + 4,
            esc(&truncate(message, NOTE_COLUMNS))
        );
    }
    svg.push_str("</g>");
}
