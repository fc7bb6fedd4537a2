//! Raw YAML types → the scenario model, checking everything that can be wrong and
//! collecting every error with its position.

use std::collections::HashMap;

use regex::Regex;

use super::codes;
use super::error::ScenarioError;
use super::model::{
    CodePattern, Expect, Forbidden, Label, MessageCheck, OrderRule, Scenario, Step, Text, TlsSpec,
};
use super::parse::Parsed;
use super::raw::{RawCode, RawExpect, RawMessageCheck, RawProtocol, RawStep};
use super::yaml::Document;
use crate::diagnostic::did_you_mean;
use crate::protocol::{pop3, Verb};
use crate::session::{Protocol, SmtpCode};

/// The most points a scenario may give in all: keeps every sum in the grader far from overflow.
const MAX_TOTAL_POINTS: u32 = 100_000;
/// The largest number in a `repeat` range: a lab dialogue repeats a command a few times.
pub(crate) const MAX_REPEAT: u32 = 100;
/// The counts all steps tell apart together (each step's `max`, or `min` for an open range,
/// at least 1): grading time grows with it times the session's exchanges.
pub(crate) const MAX_COUNTED: u32 = 2_000;

/// Builds the scenario, or adds to `errors` and returns `None`.
pub(super) fn build(
    parsed: Parsed,
    origin: &str,
    errors: &mut Vec<ScenarioError>,
) -> Option<Scenario> {
    let doc = &parsed.doc;
    let protocol = match parsed
        .top
        .as_ref()
        .map(|top| top.protocol)
        .or(parsed.protocol)
    {
        Some(RawProtocol::Smtp) => Protocol::Smtp,
        Some(RawProtocol::Pop3) => Protocol::Pop3,
        Some(RawProtocol::Tls) => Protocol::Tls,
        // serde reported a bad or missing protocol; nothing protocol-specific can be checked.
        None => {
            if parsed.top.is_some() {
                errors.push(ScenarioError::new(
                    "missing-field",
                    "missing field `protocol`",
                ));
            }
            return None;
        }
    };
    let mut steps = Vec::new();
    let mut first_id_line: HashMap<String, u32> = HashMap::new();
    for (i, raw) in parsed.steps.into_iter().enumerate() {
        let Some(raw) = raw else { continue };
        let path = format!("steps.{i}");
        // An aliased step (`- *a`) has no `id` node of its own: point at the alias.
        let id_span = doc
            .value(&format!("{path}.id"))
            .or_else(|| doc.value(&path));
        match first_id_line.get(&raw.id) {
            Some(line) => errors.push(
                ScenarioError::new("duplicate-id", format!("duplicate step id `{}`", raw.id))
                    .at(id_span, "a step above has this id")
                    .help(format!(
                        "step ids must be unique: the first `{}` is on line {line}",
                        raw.id
                    )),
            ),
            None => {
                first_id_line.insert(raw.id.clone(), id_span.map_or(0, |s| s.line));
            }
        }
        if let Some(step) = build_step(raw, protocol, i, doc, errors) {
            steps.push((i, step));
        }
    }
    check_counted(&steps, doc, errors);
    check_greeting_first(&steps, doc, errors);
    check_ambiguity(&steps, doc, errors);
    let top = parsed.top?;
    if top.steps.0 == 0 && protocol != Protocol::Tls {
        errors.push(
            ScenarioError::new("no-steps", "scenario has no steps")
                .at(doc.key("steps"), "empty list")
                .help("add at least one step, e.g. `- { id: hello, send: EHLO, expect: 250 }`"),
        );
    }
    let harmless = match top.harmless {
        Some(list) => list
            .0
            .iter()
            .enumerate()
            .filter_map(|(k, verb)| {
                let path = format!("harmless.{k}");
                match label(verb, protocol, doc, &path, errors)? {
                    Label::Verb(verb) => Some(verb),
                    _ => None,
                }
            })
            .collect(),
        None => codes::default_harmless(protocol),
    };
    let forbidden = top
        .forbidden
        .into_iter()
        .enumerate()
        .filter_map(|(k, raw)| {
            let send = label(
                &raw.send,
                protocol,
                doc,
                &format!("forbidden.{k}.send"),
                errors,
            )?;
            Some(Forbidden {
                send,
                points: raw.points,
                feedback: raw.feedback.map(complete),
            })
        })
        .collect();
    let order = top
        .order
        .into_iter()
        .enumerate()
        .filter_map(|(k, raw)| {
            let before = label(
                &raw.before,
                protocol,
                doc,
                &format!("order.{k}.before"),
                errors,
            );
            let after = label(
                &raw.after,
                protocol,
                doc,
                &format!("order.{k}.after"),
                errors,
            );
            Some(OrderRule {
                id: raw.id,
                before: before?,
                after: after?,
                points: raw.points,
                feedback: raw.feedback.map(complete),
            })
        })
        .collect();
    let mut scenario = Scenario {
        id: top.id,
        title: complete(top.title),
        description: top.description.map(complete),
        protocol,
        pass_mark: 0,
        strict: top.strict,
        harmless,
        server: top.server,
        steps: steps.into_iter().map(|(_, step)| step).collect(),
        forbidden,
        order,
        tls: top.tls.map(complete_tls),
        origin: origin.to_string(),
    };
    check_tls(&scenario, doc, errors);
    let max = scenario.max_score();
    if max > MAX_TOTAL_POINTS {
        errors.push(
            ScenarioError::new(
                "too-many-points",
                format!("the scenario gives {max} points, more than {MAX_TOTAL_POINTS}"),
            )
            .at(doc.key("steps"), "points add up too high")
            .help("scale the points down: a lab scenario usually gives 100"),
        );
    }
    scenario.pass_mark = match top.pass_mark {
        Some(mark) if mark > max => {
            errors.push(
                ScenarioError::new(
                    "bad-pass-mark",
                    format!("pass mark {mark} is more than the {max} points the scenario gives"),
                )
                .at(doc.value("pass_mark"), format!("at most {max}"))
                .help("lower `pass_mark` or give the steps more `points`"),
            );
            mark
        }
        Some(mark) => mark,
        None => (u64::from(max) * 60 / 100) as u32,
    };
    errors.is_empty().then_some(scenario)
}

/// A text with no Chinese falls back to the English.
fn complete(mut text: Text) -> Text {
    if text.zh_cn.is_empty() {
        text.zh_cn = text.en.clone();
    }
    text
}

fn build_step(
    raw: RawStep,
    protocol: Protocol,
    i: usize,
    doc: &Document,
    errors: &mut Vec<ScenarioError>,
) -> Option<Step> {
    let path = format!("steps.{i}");
    let before = errors.len();
    let send: Vec<Label> = match &raw.send {
        Some(list) if !list.0.is_empty() => {
            let single = list.0.len() == 1 && doc.value(&format!("{path}.send.0")).is_none();
            list.0
                .iter()
                .enumerate()
                .filter_map(|(k, item)| {
                    let item_path = if single {
                        format!("{path}.send")
                    } else {
                        format!("{path}.send.{k}")
                    };
                    label(item, protocol, doc, &item_path, errors)
                })
                .collect()
        }
        _ => {
            errors.push(
                ScenarioError::new("missing-send", format!("step `{}` has no `send`", raw.id))
                    .at(doc.key(&format!("{path}.id")), "this step matches nothing")
                    .help("say what the client sends: a command (`send: EHLO`), a list (`send: [EHLO, HELO]`) or `greeting`, `auth-response`, `message`"),
            );
            Vec::new()
        }
    };
    let args = raw
        .args
        .as_deref()
        .and_then(|pattern| regex(pattern, doc, &format!("{path}.args"), errors));
    let expect = match &raw.expect {
        Some(expect) => expect_of(expect, &send, protocol, doc, &path, errors),
        None => {
            errors.push(
                ScenarioError::new(
                    "missing-expect",
                    format!("step `{}` has no `expect`", raw.id),
                )
                .at(
                    doc.key(&format!("{path}.id")),
                    "no reply code to compare with",
                )
                .help(match protocol {
                    Protocol::Smtp => {
                        "add the reply the server should give, e.g. `expect: 250` or `expect: 2xx`"
                    }
                    Protocol::Pop3 => "add the reply the server should give, e.g. `expect: +OK`",
                    Protocol::Tls => {
                        "a tls scenario has no steps: say what the handshake must show under `tls:`"
                    }
                }),
            );
            Expect(Vec::new())
        }
    };
    let (min, max) = repeat(&raw, doc, &path, errors);
    let checks = raw
        .checks
        .iter()
        .enumerate()
        .filter_map(|(k, check)| {
            message_check(check, &send, doc, &format!("{path}.checks.{k}"), errors)
        })
        .collect();
    (errors.len() == before).then(|| Step {
        id: raw.id,
        send,
        args,
        expect,
        points: raw.points,
        min,
        max,
        feedback: raw.feedback.map(complete),
        checks,
        tls: raw.tls.map(|mut check| {
            check.feedback = check.feedback.map(complete);
            check
        }),
    })
}

fn complete_tls(mut spec: TlsSpec) -> TlsSpec {
    for check in &mut spec.checks {
        check.feedback = check.feedback.take().map(complete);
    }
    spec
}

/// A `tls` scenario says what the handshake must show and has no steps; other scenarios
/// put TLS requirements on their STARTTLS / STLS step.
fn check_tls(scenario: &Scenario, doc: &Document, errors: &mut Vec<ScenarioError>) {
    let is_tls = scenario.protocol == Protocol::Tls;
    if is_tls && !scenario.steps.is_empty() {
        errors.push(
            ScenarioError::new("tls-steps", "a tls scenario has no steps")
                .at(doc.key("steps"), "TLS connections have no commands")
                .help("say what the handshake must show under `tls: { host, checks }`"),
        );
    }
    if is_tls && scenario.tls.as_ref().map_or(true, |t| t.checks.is_empty()) {
        errors.push(
            ScenarioError::new("missing-tls", "a tls scenario needs `tls.checks`")
                .at(doc.key("protocol"), "nothing to grade")
                .help("list checks such as `- { id: completed, require: completed, points: 20 }`"),
        );
    }
    if !is_tls && scenario.tls.is_some() {
        errors.push(
            ScenarioError::new("tls-on-mail", "`tls` belongs to `protocol: tls` scenarios")
                .at(doc.key("tls"), "not a tls scenario")
                .help("require a handshake after STARTTLS / STLS with `tls:` on that step"),
        );
    }
    for (position, step) in scenario.steps.iter().enumerate() {
        let starts_tls = step
            .send
            .iter()
            .any(|l| l.as_verb().is_some_and(Verb::starts_tls));
        if step.tls.is_some() && !starts_tls {
            errors.push(
                ScenarioError::new(
                    "tls-without-starttls",
                    format!(
                        "step `{}` checks TLS but does not send STARTTLS or STLS",
                        step.id
                    ),
                )
                .at(
                    doc.key(&format!("steps.{position}.tls")),
                    "no TLS starts here",
                )
                .help("put `tls:` on the `send: STARTTLS` (SMTP) or `send: STLS` (POP3) step"),
            );
        }
    }
}

/// A `send` word: a special (`greeting`, `auth-response`, …) or a verb of the protocol.
fn label(
    word: &str,
    protocol: Protocol,
    doc: &Document,
    path: &str,
    errors: &mut Vec<ScenarioError>,
) -> Option<Label> {
    if let Some(special) = Label::from_special(word) {
        if !codes::label_exists(protocol, &special) {
            errors.push(
                ScenarioError::new(
                    "unknown-verb",
                    format!(
                        "`{word}` is not part of a {} dialogue",
                        protocol.name().to_uppercase()
                    ),
                )
                .at(doc.value(path), "not in this protocol")
                .help("POP3 clients send no message: use `RETR` to fetch one"),
            );
            return None;
        }
        return Some(special);
    }
    let verb = word.trim().to_ascii_uppercase();
    if let Some(verb) = Verb::parse(&verb).filter(|verb| verb.is_in(protocol)) {
        return Some(Label::verb(verb));
    }
    let verbs: Vec<&str> = Verb::of(protocol).iter().map(|verb| verb.name()).collect();
    let name = protocol.name().to_uppercase();
    let candidates = verbs.iter().copied().chain(Label::SPECIALS);
    let help = match did_you_mean(word, candidates) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!(
            "{name} commands are {}; specials are {}",
            verbs.join(", "),
            Label::SPECIALS.join(", ")
        ),
    };
    let other = match protocol {
        Protocol::Smtp => Protocol::Pop3,
        Protocol::Pop3 | Protocol::Tls => Protocol::Smtp,
    };
    let label = if Verb::parse(&verb).is_some_and(|verb| verb.is_in(other)) {
        format!("a {} command, not {name}", other.name().to_uppercase())
    } else {
        let article = if protocol == Protocol::Smtp {
            "an"
        } else {
            "a"
        };
        format!("not {article} {name} command")
    };
    errors.push(
        ScenarioError::new("unknown-verb", format!("unknown {name} command `{word}`"))
            .at(doc.value(path), label)
            .help(help),
    );
    None
}

fn regex(
    pattern: &str,
    doc: &Document,
    path: &str,
    errors: &mut Vec<ScenarioError>,
) -> Option<Regex> {
    match Regex::new(pattern) {
        Ok(regex) => Some(regex),
        Err(err) => {
            // The regex crate's message spans several lines; its last says what is wrong.
            let detail = err.to_string();
            let reason = detail
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("invalid pattern")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            errors.push(
                ScenarioError::new("bad-regex", format!("invalid regular expression: {reason}"))
                    .at(doc.value(path), reason)
                    .help("patterns use Rust regex syntax; quote them in single quotes so YAML leaves backslashes alone"),
            );
            None
        }
    }
}

fn expect_of(
    raw: &RawExpect,
    send: &[Label],
    protocol: Protocol,
    doc: &Document,
    step_path: &str,
    errors: &mut Vec<ScenarioError>,
) -> Expect {
    let list = doc.value(&format!("{step_path}.expect.0")).is_some();
    let mut patterns = Vec::new();
    for (k, code) in raw.0.iter().enumerate() {
        let path = if list {
            format!("{step_path}.expect.{k}")
        } else {
            format!("{step_path}.expect")
        };
        let span = doc.value(&path);
        let Some(pattern) = code_pattern(code, protocol, span, errors) else {
            continue;
        };
        let impossible: Vec<&Label> = send
            .iter()
            .filter(|label| !codes::can_reply(protocol, label, pattern))
            .collect();
        if !send.is_empty() && impossible.len() == send.len() {
            let sent: Vec<String> = send.iter().map(Label::to_string).collect();
            let answers = answered_by(protocol, pattern);
            let help = if answers.is_empty() {
                format!(
                    "no {} command is answered with {pattern}",
                    protocol.name().to_uppercase()
                )
            } else {
                format!("{pattern} answers {}", answers.join(", "))
            };
            errors.push(
                ScenarioError::new(
                    "impossible-code",
                    format!(
                        "a server never answers {} with {pattern}",
                        sent.join(" or ")
                    ),
                )
                .at(span, format!("impossible after {}", sent.join(" or ")))
                .help(help),
            );
            continue;
        }
        patterns.push(pattern);
    }
    Expect(patterns)
}

/// The labels a reply pattern can answer, for a hint.
fn answered_by(protocol: Protocol, pattern: CodePattern) -> Vec<String> {
    let specials = Label::SPECIALS
        .iter()
        .filter_map(|s| Label::from_special(s));
    let verbs = Verb::of(protocol).iter().map(|&verb| Label::verb(verb));
    specials
        .chain(verbs)
        .filter(|label| codes::label_exists(protocol, label))
        .filter(|label| codes::can_reply(protocol, label, pattern))
        .map(|label| label.to_string())
        .collect()
}

fn code_pattern(
    code: &RawCode,
    protocol: Protocol,
    span: Option<crate::diagnostic::Span>,
    errors: &mut Vec<ScenarioError>,
) -> Option<CodePattern> {
    let text = code.to_string();
    let pop3 = pop3::parse_status(&text);
    match (protocol, pop3) {
        (Protocol::Pop3, Some(status)) => return Some(CodePattern::Pop3(status)),
        (Protocol::Smtp | Protocol::Tls, Some(_)) => {
            errors.push(
                ScenarioError::new(
                    "impossible-code",
                    format!("`{text}` is a POP3 reply, not SMTP"),
                )
                .at(span, "POP3 status in an SMTP scenario")
                .help("SMTP replies are three-digit codes such as 250, or classes such as 2xx"),
            );
            return None;
        }
        (Protocol::Pop3, None) => {
            errors.push(
                ScenarioError::new("impossible-code", format!("`{text}` is not a POP3 reply"))
                    .at(span, "POP3 answers +OK or -ERR")
                    .help("POP3 replies are +OK, -ERR, or + (an AUTH challenge)"),
            );
            return None;
        }
        (Protocol::Smtp | Protocol::Tls, None) => {}
    }
    let bad = |errors: &mut Vec<ScenarioError>, why: &str| {
        errors.push(
            ScenarioError::new("bad-code", format!("`{text}` is not an SMTP reply code"))
                .at(span, why.to_string())
                .help("SMTP replies run from 200 to 554: the first digit 2–5, the second 0–5 (RFC 5321 §4.2); classes are written 2xx"),
        );
        None
    };
    if let Some(class) = text.strip_suffix("xx").or_else(|| text.strip_suffix("XX")) {
        return match class.parse::<u8>() {
            Ok(class @ 2..=5) => Some(CodePattern::Class(class)),
            _ => bad(errors, "no such class"),
        };
    }
    match text.parse::<u16>().ok().and_then(SmtpCode::new) {
        Some(code) if code.class() >= 2 => Some(CodePattern::Exact(code)),
        Some(_) => bad(errors, "1xx codes are not used by SMTP"),
        None => bad(errors, "no such code"),
    }
}

fn repeat(
    raw: &RawStep,
    doc: &Document,
    path: &str,
    errors: &mut Vec<ScenarioError>,
) -> (u32, Option<u32>) {
    let span = doc.value(&format!("{path}.repeat"));
    let Some(repeat) = &raw.repeat else {
        return (u32::from(!raw.optional), Some(1));
    };
    let text = repeat.0.trim();
    let parsed = match text.split_once("..") {
        Some((low, "")) => low.parse::<u32>().ok().map(|low| (low, None)),
        Some((low, high)) => {
            let high = high.strip_prefix('=').unwrap_or(high);
            low.parse::<u32>()
                .ok()
                .zip(high.parse::<u32>().ok())
                .map(|(low, high)| (low, Some(high)))
        }
        None => text.parse::<u32>().ok().map(|n| (n, Some(n))),
    };
    let help =
        "write `1..` (one or more), `0..` (any number), `2..3` (two or three) or `2` (exactly two)";
    match parsed {
        None => {
            errors.push(
                ScenarioError::new("bad-repeat", format!("`{text}` is not a repeat range"))
                    .at(span, "not a range")
                    .help(help),
            );
            (1, Some(1))
        }
        Some((low, Some(high))) if high < low || high == 0 => {
            errors.push(
                ScenarioError::new(
                    "bad-repeat",
                    format!("repeat range `{text}` matches nothing"),
                )
                .at(span, "empty range")
                .help(help),
            );
            (1, Some(1))
        }
        Some((low, high)) if low.max(high.unwrap_or(0)) > MAX_REPEAT => {
            let big = low.max(high.unwrap_or(0));
            errors.push(
                ScenarioError::new(
                    "bad-repeat",
                    format!("repeat count {big} is more than {MAX_REPEAT}"),
                )
                .at(span, format!("at most {MAX_REPEAT}"))
                .help(format!(
                    "a lab dialogue repeats a command a few times, and each count costs grading time; write `1..` for one or more, or a range up to {MAX_REPEAT}"
                )),
            );
            (1, Some(1))
        }
        Some((low, high)) if raw.optional && low > 0 => {
            errors.push(
                ScenarioError::new(
                    "bad-repeat",
                    format!("`optional: true` contradicts `repeat: {text}`"),
                )
                .at(span, format!("needs at least {low}"))
                .help(format!(
                    "drop `optional` or write `repeat: 0..{}`",
                    high.map(|h| h.to_string()).unwrap_or_default()
                )),
            );
            (low, high)
        }
        Some((low, high)) => (if raw.optional { 0 } else { low }, high),
    }
}

fn message_check(
    raw: &RawMessageCheck,
    send: &[Label],
    doc: &Document,
    path: &str,
    errors: &mut Vec<ScenarioError>,
) -> Option<MessageCheck> {
    if !send.is_empty() && !send.contains(&Label::Message) {
        errors.push(
            ScenarioError::new(
                "bad-check",
                format!("check `{}` is on a step that sends no message", raw.id),
            )
            .at(doc.value(path), "content checks need a message")
            .help("move `checks` to the step with `send: message`"),
        );
        return None;
    }
    let matches = match &raw.matches {
        Some(pattern) => Some(regex(pattern, doc, &format!("{path}.matches"), errors)?),
        None => None,
    };
    Some(MessageCheck {
        id: raw.id.clone(),
        header: raw.header.clone(),
        required: raw.required,
        equals: raw.equals,
        matches,
        points: raw.points,
        feedback: raw.feedback.clone().map(complete),
    })
}

/// Grading tells every count of every step apart: their sum bounds what aligning one
/// session costs, so a scenario cannot ask for more than grading can afford.
fn check_counted(steps: &[(usize, Step)], doc: &Document, errors: &mut Vec<ScenarioError>) {
    let total = steps
        .iter()
        .map(|(_, step)| u64::from(step.counted()))
        .sum::<u64>();
    if total > u64::from(MAX_COUNTED) {
        errors.push(
            ScenarioError::new(
                "too-many-counts",
                format!(
                    "the steps count up to {total} exchanges together; the limit is {MAX_COUNTED}"
                ),
            )
            .at(doc.key("steps"), "too many counts to align")
            .help("each step counts its `repeat` maximum (or its minimum for `N..`, at least 1): use fewer steps or smaller ranges"),
        );
    }
}

/// The greeting has no command, so it can only come first.
fn check_greeting_first(steps: &[(usize, Step)], doc: &Document, errors: &mut Vec<ScenarioError>) {
    for (position, (i, step)) in steps.iter().enumerate() {
        if position > 0 && step.send.contains(&Label::Greeting) {
            errors.push(
                ScenarioError::new(
                    "greeting-not-first",
                    format!("step `{}` expects the greeting after other steps", step.id),
                )
                .at(
                    doc.value(&format!("steps.{i}.send")),
                    "the greeting comes before any command",
                )
                .help("make the greeting the first step"),
            );
        }
    }
}

/// Two steps that can match the same exchange, with only optional steps between them and the
/// first of variable count, leave the alignment to chance.
fn check_ambiguity(steps: &[(usize, Step)], doc: &Document, errors: &mut Vec<ScenarioError>) {
    for (position, (_, first)) in steps.iter().enumerate() {
        if first.max == Some(first.min) {
            continue;
        }
        for (j, second) in &steps[position + 1..] {
            if overlap(first, second) {
                let count = match (first.min, first.max) {
                    (0, Some(1)) => "optional".to_string(),
                    (min, None) => format!("repeats {min}.."),
                    (min, Some(max)) => format!("repeats {min}..{max}"),
                };
                errors.push(
                    ScenarioError::new(
                        "ambiguous-steps",
                        format!("steps `{}` and `{}` can match the same exchange", first.id, second.id),
                    )
                    .at(
                        doc.value(&format!("steps.{j}.send")),
                        format!("`{}` ({count}) above also matches this", first.id),
                    )
                    .help(format!(
                        "make `{}` required, give the two steps different `args` or `expect`, or merge them into one step with `repeat`",
                        first.id
                    )),
                );
                break;
            }
            if second.min > 0 {
                break;
            }
        }
    }
}

fn overlap(a: &Step, b: &Step) -> bool {
    let same_command = a.send.iter().any(|label| b.send.contains(label));
    let args_differ = match (&a.args, &b.args) {
        (Some(x), Some(y)) => x.as_str() != y.as_str(),
        _ => false,
    };
    same_command && !args_differ && a.expect.overlaps(&b.expect)
}
