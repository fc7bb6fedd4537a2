//! The protocol rules that explain lost points, one table entry per rule.
//!
//! Each rule says what it is, why it matters and gives an example, and carries the feedback
//! in English and Simplified Chinese. Feedback templates fill in `{command}` (what was sent),
//! `{code}` (the reply it got), `{expected}` (what the scenario expects) and `{line}`.
//!
//! Which order rule a refused command broke is asked of the protocol's state machines
//! walked once over the claimed dialogue (`order.rs`); the ids of those rules
//! are the ids here (POP3's with a `pop3-` prefix), so the server's 503 and the grader's
//! explanation name the same rule. Other refusals are explained by their reply code.

use crate::scenario::{Label, Text};
use crate::session::{Exchange, Protocol, ReplyCode, Session};

/// A documented protocol rule with its feedback.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    /// What the rule says.
    pub what: &'static str,
    /// Why a server enforces it.
    pub why: &'static str,
    /// A dialogue that breaks it.
    pub example: &'static str,
    pub en: &'static str,
    pub zh_cn: &'static str,
}

impl Rule {
    /// The feedback with its placeholders filled in.
    pub fn feedback(&self, fill: &Fill) -> Text {
        Text::new(fill.apply(self.en), fill.apply(self.zh_cn))
    }
}

/// Values for a rule's placeholders.
#[derive(Debug, Default)]
pub struct Fill {
    pub command: String,
    pub code: String,
    pub expected: String,
    pub line: String,
}

impl Fill {
    fn apply(&self, template: &str) -> String {
        template
            .replace("{command}", &self.command)
            .replace("{code}", &self.code)
            .replace("{expected}", &self.expected)
            .replace("{line}", &self.line)
    }
}

pub const HELLO_FIRST: Rule = Rule {
    id: "hello-first",
    what: "A client greets the server with EHLO or HELO before any mail command.",
    why: "RFC 5321 §4.1.4: the session starts with EHLO/HELO; servers answer 503 to MAIL, RCPT, DATA or AUTH before it.",
    example: "S: 220 … / C: MAIL FROM:<a@b> / S: 503 Error: send HELO/EHLO first",
    en: "{command} came before EHLO/HELO: a server answers 503 — greet the server with EHLO (or HELO) first.",
    zh_cn: "在 EHLO/HELO 之前发送了 {command}：服务器会回复 503——请先用 EHLO（或 HELO）向服务器问候。",
};

pub const MAIL_BEFORE_RCPT: Rule = Rule {
    id: "mail-before-rcpt",
    what: "RCPT TO comes only after a MAIL FROM was accepted.",
    why: "RFC 5321 §3.3: a mail transaction starts with MAIL; recipients belong to a transaction.",
    example: "C: RCPT TO:<b@c> / S: 503 Error: need MAIL command",
    en: "RCPT before MAIL: a server answers 503 — start the transaction with MAIL FROM first.",
    zh_cn: "在 MAIL FROM 之前发送 RCPT：服务器会回复 503——请先用 MAIL FROM 开始邮件事务。",
};

pub const RCPT_BEFORE_DATA: Rule = Rule {
    id: "rcpt-before-data",
    what: "DATA (or BDAT) comes inside a mail transaction: after MAIL FROM and RCPT TO.",
    why: "RFC 5321 §3.3: DATA outside a transaction has no sender or recipients; Postfix answers 503 need RCPT command.",
    example: "C: EHLO x / S: 250 / C: DATA / S: 503 Error: need RCPT command",
    en: "DATA before MAIL FROM and RCPT TO: the server answered {code} — give the sender and at least one recipient first.",
    zh_cn: "在 MAIL FROM 和 RCPT TO 之前发送了 DATA：服务器回复 {code}——请先指定发件人和至少一个收件人。",
};

pub const NO_VALID_RECIPIENTS: Rule = Rule {
    id: "no-valid-recipients",
    what: "DATA needs at least one RCPT TO the server accepted.",
    why: "RFC 5321 §3.3: with no valid recipient there is nobody to deliver to; Postfix answers 554 no valid recipients.",
    example: "C: RCPT TO:<x@y> / S: 550 / C: DATA / S: 554 Error: no valid recipients",
    en: "DATA before any recipient was accepted: the server answered {code} — fix the RCPT TO address until the server answers 250.",
    zh_cn: "没有被接受的收件人就发送了 DATA：服务器回复 {code}——请修正 RCPT TO 的地址，直到服务器回复 250。",
};

pub const NESTED_MAIL: Rule = Rule {
    id: "nested-mail",
    what: "MAIL starts a transaction only when none is open.",
    why: "RFC 5321 §4.1.1.2: a second MAIL inside a transaction is out of sequence (503); finish with DATA or RSET first.",
    example: "C: MAIL FROM:<a@b> / S: 250 / C: MAIL FROM:<a@b> / S: 503 Error: nested MAIL command",
    en: "MAIL inside an open transaction: a server answers 503 — finish the message or send RSET before a new MAIL FROM.",
    zh_cn: "在未结束的邮件事务中再次发送 MAIL：服务器会回复 503——请先发完邮件或发送 RSET，再发送新的 MAIL FROM。",
};

pub const AUTH_NOT_NOW: Rule = Rule {
    id: "auth-not-now",
    what: "AUTH comes before MAIL FROM, outside a mail transaction.",
    why: "RFC 4954 §4: AUTH during a transaction is answered 503 (Postfix: MAIL transaction in progress).",
    example: "C: MAIL FROM:<a@b> / S: 250 / C: AUTH LOGIN / S: 503 Error: MAIL transaction in progress",
    en: "AUTH inside a mail transaction: a server answers 503 — log in right after EHLO, before MAIL FROM.",
    zh_cn: "在邮件事务中发送 AUTH：服务器会回复 503——请在 EHLO 之后、MAIL FROM 之前登录。",
};

pub const ALREADY_AUTHENTICATED: Rule = Rule {
    id: "already-authenticated",
    what: "AUTH succeeds once per session.",
    why: "RFC 4954 §4: after a successful AUTH another one is answered 503.",
    example: "C: AUTH LOGIN / … / S: 235 / C: AUTH LOGIN / S: 503 Error: already authenticated",
    en: "AUTH after you were already logged in: a server answers 503 — log in only once.",
    zh_cn: "已登录后再次发送 AUTH：服务器会回复 503——每个会话只需登录一次。",
};

pub const AUTH_REQUIRED: Rule = Rule {
    id: "auth-required",
    what: "Servers that need a login refuse MAIL until AUTH succeeded.",
    why: "RFC 4954 §6: 530 means authentication is required before the command.",
    example: "C: MAIL FROM:<a@b> / S: 530 Error: authentication required",
    en: "{command} was refused with {code} because you were not logged in — authenticate with AUTH LOGIN first.",
    zh_cn: "{command} 被拒绝（{code}），因为尚未登录——请先用 AUTH LOGIN 认证。",
};

pub const AUTH_FAILED: Rule = Rule {
    id: "auth-failed",
    what: "AUTH succeeds only with the right user name and password, both base64-encoded.",
    why: "RFC 4954 §6: 535 means the credentials were rejected. QQ Mail wants the authorisation code, not the account password.",
    example: "C: AUTH LOGIN / S: 334 VXNlcm5hbWU6 / C: <user> / S: 334 UGFzc3dvcmQ6 / C: <pass> / S: 535",
    en: "The login was rejected ({code}): check the user name and password (for QQ Mail, the authorisation code) and encode each in base64.",
    zh_cn: "登录被拒绝（{code}）：请检查用户名和密码（QQ 邮箱应使用授权码），并分别进行 base64 编码。",
};

pub const AUTH_BAD_PAYLOAD: Rule = Rule {
    id: "auth-bad-payload",
    what: "Each AUTH LOGIN answer is one line of base64.",
    why: "RFC 4954 §4: a response that cannot be decoded is answered 501 and the exchange is cancelled.",
    example: "S: 334 VXNlcm5hbWU6 / C: student@lab.test / S: 501 cannot decode response",
    en: "The server could not decode your AUTH answer ({code}): send the user name and password base64-encoded, each on its own line.",
    zh_cn: "服务器无法解码你的认证应答（{code}）：请将用户名和密码分别进行 base64 编码，各占一行发送。",
};

pub const AUTH_MECHANISM: Rule = Rule {
    id: "auth-mechanism",
    what: "AUTH names a mechanism the server offers in its EHLO reply.",
    why: "RFC 4954 §4: an unknown mechanism is answered 504.",
    example: "C: AUTH CRAM-MD5 / S: 504 Unrecognized authentication type",
    en: "The server does not support that AUTH mechanism ({code}): use one its EHLO reply lists, such as LOGIN or PLAIN.",
    zh_cn: "服务器不支持该认证机制（{code}）：请使用 EHLO 回复中列出的机制，例如 LOGIN 或 PLAIN。",
};

pub const ADDRESS_SYNTAX: Rule = Rule {
    id: "address-syntax",
    what: "MAIL FROM and RCPT TO take an address in angle brackets.",
    why: "RFC 5321 §4.1.2: the path is `<local@domain>`; servers answer 501 (or 553) to anything else.",
    example: "C: MAIL FROM: a@b / S: 501 Syntax: MAIL FROM:<address>",
    en: "{command} was refused with {code}: write the address in angle brackets, e.g. `MAIL FROM:<you@example.com>`.",
    zh_cn: "{command} 被拒绝（{code}）：地址需要写在尖括号中，例如 `MAIL FROM:<you@example.com>`。",
};

pub const RECIPIENT_REJECTED: Rule = Rule {
    id: "recipient-rejected",
    what: "A server accepts recipients it delivers to or may relay for.",
    why: "RFC 5321 §3.6: 550/551/553/554 to RCPT mean no such mailbox or relaying denied.",
    example: "C: RCPT TO:<x@elsewhere> / S: 554 Relay access denied",
    en: "The recipient was refused ({code}): check the address, and log in first if the server only relays for its users.",
    zh_cn: "收件人被拒绝（{code}）：请检查地址；如果服务器只为登录用户转发，请先登录。",
};

pub const SENDER_REJECTED: Rule = Rule {
    id: "sender-rejected",
    what: "The sender must be an address the server lets you send as.",
    why: "Mail providers refuse a MAIL FROM that is not the logged-in account (550/553).",
    example: "C: MAIL FROM:<someone-else@qq.com> / S: 501 mail from address must be same as authorization user",
    en: "The sender was refused ({code}): use the address you logged in with in MAIL FROM.",
    zh_cn: "发件人被拒绝（{code}）：MAIL FROM 中请使用登录时的邮箱地址。",
};

pub const MESSAGE_REJECTED: Rule = Rule {
    id: "message-rejected",
    what: "The message after DATA ends with a line holding only `.` and must be acceptable to the server.",
    why: "RFC 5321 §4.1.1.4: the server answers the whole message; 5xx means it refused it (spam, size, headers).",
    example: "C: <message> . / S: 554 DT:SPM message rejected",
    en: "The server refused the message ({code}): give it From, To and Subject headers and a short plain body, then end it with a line holding only `.`.",
    zh_cn: "服务器拒收了邮件（{code}）：请写上 From、To、Subject 邮件头和简短正文，最后单独一行输入 `.` 结束。",
};

pub const UNKNOWN_COMMAND: Rule = Rule {
    id: "unknown-command",
    what: "Commands are spelled exactly as the RFC has them.",
    why:
        "RFC 5321 §4.2.4: 500/502 mean the server does not know or does not implement the command.",
    example: "C: EHL0 example.com / S: 502 Error: command not implemented",
    en: "The server did not recognise `{command}` ({code}): check the spelling of the command.",
    zh_cn: "服务器无法识别 `{command}`（{code}）：请检查命令的拼写。",
};

pub const SYNTAX: Rule = Rule {
    id: "syntax",
    what: "A command's arguments follow its grammar.",
    why: "RFC 5321 §4.2.2: 501 means the arguments are malformed.",
    example: "C: HELO / S: 501 Syntax: HELO hostname",
    en: "The arguments of {command} were malformed ({code}): check the command's form, e.g. `EHLO your-host-name`.",
    zh_cn: "{command} 的参数格式错误（{code}）：请检查命令格式，例如 `EHLO 主机名`。",
};

pub const SERVER_CLOSING: Rule = Rule {
    id: "server-closing",
    what: "421 means the server is closing the connection.",
    why: "RFC 5321 §3.8: after 421 nothing else is answered; idle sessions time out.",
    example: "S: 421 Timeout exceeded",
    en: "The server closed the connection ({code}), probably because you waited too long: reconnect and type the commands faster.",
    zh_cn: "服务器关闭了连接（{code}），可能是等待时间过长：请重新连接并更快地输入命令。",
};

pub const NO_REPLY: Rule = Rule {
    id: "no-reply",
    what: "Every command is answered; a command with no reply did not complete.",
    why: "A transcript or capture that shows no reply means the server never answered (or the submission was cut).",
    example: "C: DATA fragment … (no 250 after the message)",
    en: "{command} has no reply in the submission: the server never answered it (for a message, end it with a line holding only `.`), or the transcript is cut short.",
    zh_cn: "提交中 {command} 没有回复：服务器没有应答（若是邮件内容，请单独一行输入 `.` 结束），或记录不完整。",
};

pub const WRONG_REPLY: Rule = Rule {
    id: "wrong-reply",
    what: "Each step expects a particular reply.",
    why: "A different reply means the server did not do what the step asks.",
    example: "C: AUTH LOGIN / S: 334 … (expected 235 after the password)",
    en: "The server answered {command} with {code}; the scenario expects {expected}.",
    zh_cn: "服务器对 {command} 回复了 {code}；本场景期望 {expected}。",
};

pub const WRONG_ARGUMENTS: Rule = Rule {
    id: "wrong-arguments",
    what: "Some steps ask for particular arguments (AUTH LOGIN, not AUTH PLAIN).",
    why: "The lab asks for a specific form of the command.",
    example: "C: AUTH PLAIN … (the scenario asks for AUTH LOGIN)",
    en: "{command} was sent with arguments the scenario does not expect.",
    zh_cn: "{command} 的参数与本场景要求的不符。",
};

pub const STEP_MISSING: Rule = Rule {
    id: "step-missing",
    what: "Every required step appears in the session.",
    why: "The scenario lists what the lab asks to do; a step not done earns nothing.",
    example: "(no RCPT TO between MAIL FROM and DATA)",
    en: "The session has no {expected}.",
    zh_cn: "会话中没有 {expected}。",
};

pub const OUT_OF_ORDER: Rule = Rule {
    id: "out-of-order",
    what: "Steps come in the order the protocol and the scenario give.",
    why: "SMTP and POP3 are state machines: a command is only valid in certain states.",
    example: "C: DATA … C: RCPT TO:<b@c>",
    en: "{command} is there (line {line}) but not where the scenario expects it.",
    zh_cn: "{command} 出现在第 {line} 行，但位置不符合本场景要求的顺序。",
};

pub const GREETING_MISSING: Rule = Rule {
    id: "greeting-missing",
    what: "A session begins with the server's greeting.",
    why: "A transcript or capture without it was started after connecting, or is incomplete.",
    example: "(the first line is C: EHLO …)",
    en: "The server's greeting is missing: start the capture (or the transcript) before you connect.",
    zh_cn: "缺少服务器的欢迎信息：请在连接之前开始抓包（或记录）。",
};

pub const QUIT_MISSING: Rule = Rule {
    id: "quit-missing",
    what: "A session ends with QUIT.",
    why: "RFC 5321 §4.1.1.10 / RFC 1939 §6: QUIT closes the session cleanly; in POP3 it is what commits DELE.",
    example: "(the connection closes after the last 250)",
    en: "The session does not end with QUIT: end it with QUIT so the server closes it cleanly.",
    zh_cn: "会话没有以 QUIT 结束：请发送 QUIT，让服务器正常关闭会话。",
};

pub const POP3_DELE_NEEDS_QUIT: Rule = Rule {
    id: "pop3-dele-needs-quit",
    what: "POP3 deletes marked messages only when QUIT ends the session (UPDATE state).",
    why: "RFC 1939 §6: a connection that closes without QUIT leaves every message in place.",
    example: "C: DELE 1 / S: +OK / (connection closed)",
    en: "The session ends without QUIT, so the DELE never took effect: send QUIT to commit the deletion.",
    zh_cn: "会话没有以 QUIT 结束，DELE 并未生效：请发送 QUIT 以真正删除邮件。",
};

pub const POP3_USER_BEFORE_PASS: Rule = Rule {
    id: "pop3-user-before-pass",
    what: "PASS follows an accepted USER.",
    why: "RFC 1939 §7: PASS is only valid right after USER.",
    example: "C: PASS secret / S: -ERR No username given",
    en: "PASS came before an accepted USER ({code}): send `USER name` first.",
    zh_cn: "在 USER 被接受之前发送了 PASS（{code}）：请先发送 `USER 用户名`。",
};

pub const POP3_LOGIN_FAILED: Rule = Rule {
    id: "pop3-login-failed",
    what: "USER/PASS succeed only with the right account and password.",
    why: "RFC 1939 §7: -ERR to PASS means the credentials were rejected.",
    example: "C: USER a / S: +OK / C: PASS wrong / S: -ERR authentication failed",
    en: "The login was rejected ({code}): check the user name and password (for QQ Mail, the authorisation code).",
    zh_cn: "登录被拒绝（{code}）：请检查用户名和密码（QQ 邮箱应使用授权码）。",
};

pub const POP3_LOGIN_FIRST: Rule = Rule {
    id: "pop3-login-first",
    what: "Mailbox commands work only after login (TRANSACTION state).",
    why: "RFC 1939 §3: in AUTHORIZATION state only USER, PASS, APOP, AUTH, CAPA, STLS and QUIT are valid.",
    example: "C: STAT / S: -ERR Unknown command in AUTHORIZATION state",
    en: "{command} came before the login succeeded ({code}): log in with USER and PASS first.",
    zh_cn: "在登录成功之前发送了 {command}（{code}）：请先用 USER 和 PASS 登录。",
};

pub const POP3_ALREADY_LOGGED_IN: Rule = Rule {
    id: "pop3-already-logged-in",
    what: "USER, PASS, APOP and AUTH are only valid before login (AUTHORIZATION state).",
    why: "RFC 1939 §3: in TRANSACTION state the login commands are answered -ERR.",
    example: "C: PASS x / S: +OK / C: USER a / S: -ERR",
    en: "{command} after the login succeeded ({code}): you are already logged in.",
    zh_cn: "登录成功后又发送了 {command}（{code}）：你已经登录了。",
};

pub const POP3_SESSION_OVER: Rule = Rule {
    id: "pop3-session-over",
    what: "Nothing follows QUIT.",
    why: "RFC 1939 §6: QUIT ends the session; the server closes the connection.",
    example: "C: QUIT / S: +OK / C: STAT",
    en: "{command} came after QUIT: the session was already over.",
    zh_cn: "{command} 出现在 QUIT 之后：会话已经结束。",
};

pub const POP3_NO_SUCH_MESSAGE: Rule = Rule {
    id: "pop3-no-such-message",
    what: "RETR, DELE, LIST n and TOP take the number of a message that exists and is not deleted.",
    why: "RFC 1939 §5: -ERR no such message.",
    example: "C: RETR 9 / S: -ERR no such message",
    en: "{command} named a message that does not exist ({code}): use a number that STAT or LIST shows.",
    zh_cn: "{command} 指定的邮件不存在（{code}）：请使用 STAT 或 LIST 显示的编号。",
};

/// Every rule, for documentation and lookup.
pub const RULES: &[&Rule] = &[
    &HELLO_FIRST,
    &MAIL_BEFORE_RCPT,
    &RCPT_BEFORE_DATA,
    &NO_VALID_RECIPIENTS,
    &NESTED_MAIL,
    &AUTH_NOT_NOW,
    &ALREADY_AUTHENTICATED,
    &AUTH_REQUIRED,
    &AUTH_FAILED,
    &AUTH_BAD_PAYLOAD,
    &AUTH_MECHANISM,
    &ADDRESS_SYNTAX,
    &RECIPIENT_REJECTED,
    &SENDER_REJECTED,
    &MESSAGE_REJECTED,
    &UNKNOWN_COMMAND,
    &SYNTAX,
    &SERVER_CLOSING,
    &NO_REPLY,
    &WRONG_REPLY,
    &WRONG_ARGUMENTS,
    &STEP_MISSING,
    &OUT_OF_ORDER,
    &GREETING_MISSING,
    &QUIT_MISSING,
    &POP3_DELE_NEEDS_QUIT,
    &POP3_USER_BEFORE_PASS,
    &POP3_LOGIN_FAILED,
    &POP3_LOGIN_FIRST,
    &POP3_ALREADY_LOGGED_IN,
    &POP3_SESSION_OVER,
    &POP3_NO_SUCH_MESSAGE,
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.id == id)
}

/// Explains the refused replies of one session. Which order rule each command broke is
/// worked out once, in one pass, the first time a refusal needs it.
pub struct Explainer<'a> {
    session: &'a Session,
    broken: std::cell::OnceCell<Vec<Option<String>>>,
}

impl<'a> Explainer<'a> {
    pub fn new(session: &'a Session) -> Self {
        Explainer {
            session,
            broken: std::cell::OnceCell::new(),
        }
    }

    /// The rule that explains why the server refused (or did not answer) exchange `index`;
    /// `None` when the reply was positive.
    pub fn reply(&self, index: usize) -> Option<&'static Rule> {
        let exchange = self.session.exchanges.get(index)?;
        let label = Label::of(exchange);
        let Some(reply) = &exchange.reply else {
            return Some(&NO_REPLY);
        };
        if reply.code.is_positive() {
            return None;
        }
        let broken = self
            .broken
            .get_or_init(|| super::order::broken_rules(self.session));
        if let Some(broken) = broken.get(index).and_then(|id| rule(id.as_deref()?)) {
            return Some(broken);
        }
        match reply.code {
            ReplyCode::Smtp(code) => Some(explain_smtp_code(&label, code.value())),
            ReplyCode::Pop3(_) => Some(explain_pop3_error(&label)),
        }
    }
}

/// Refusals that are not about order, by reply code (RFC 5321 §4.2.2–4.2.3, RFC 4954 §6).
fn explain_smtp_code(label: &Label, code: u16) -> &'static Rule {
    let verb = match label {
        Label::Verb(verb) => verb.as_str(),
        Label::AuthResponse => "auth-response",
        Label::Message => "message",
        _ => "",
    };
    match (verb, code) {
        (_, 421) => &SERVER_CLOSING,
        (_, 500 | 502) => &UNKNOWN_COMMAND,
        (_, 530) => &AUTH_REQUIRED,
        ("AUTH", 504) => &AUTH_MECHANISM,
        ("AUTH" | "auth-response", 535) => &AUTH_FAILED,
        ("AUTH" | "auth-response", 501) => &AUTH_BAD_PAYLOAD,
        ("MAIL" | "RCPT", 501 | 555) => &ADDRESS_SYNTAX,
        ("MAIL", 550 | 553) => &SENDER_REJECTED,
        ("RCPT", 550 | 551 | 553 | 554) => &RECIPIENT_REJECTED,
        ("DATA", 554) => &NO_VALID_RECIPIENTS,
        ("message", _) => &MESSAGE_REJECTED,
        (_, 501) => &SYNTAX,
        _ => &WRONG_REPLY,
    }
}

fn explain_pop3_error(label: &Label) -> &'static Rule {
    match label {
        Label::Verb(verb) => match verb.as_str() {
            "USER" | "PASS" | "APOP" | "AUTH" => &POP3_LOGIN_FAILED,
            "LIST" | "UIDL" | "RETR" | "TOP" | "DELE" => &POP3_NO_SUCH_MESSAGE,
            _ => &WRONG_REPLY,
        },
        _ => &POP3_LOGIN_FAILED,
    }
}

/// The rule for a step with nothing in the session.
pub fn explain_missing(session: &Session, send: &[Label], dele_seen: bool) -> &'static Rule {
    if send.contains(&Label::Greeting) {
        return &GREETING_MISSING;
    }
    if send.contains(&Label::Verb("QUIT".into())) {
        return if session.protocol == Protocol::Pop3 && dele_seen {
            &POP3_DELE_NEEDS_QUIT
        } else {
            &QUIT_MISSING
        };
    }
    &STEP_MISSING
}

/// The placeholders for an exchange: its command (secrets redacted), reply and line.
pub fn fill_for(exchange: Option<&Exchange>, expected: String) -> Fill {
    let Some(exchange) = exchange else {
        return Fill {
            expected,
            ..Fill::default()
        };
    };
    let command = match &exchange.command {
        Some(command) => match command.verb() {
            Some(verb) => verb.to_string(),
            None => command.label().to_string(),
        },
        None => "greeting".to_string(),
    };
    let origin = exchange
        .command
        .as_ref()
        .map(|c| c.origin)
        .or(exchange.reply.as_ref().map(|r| r.origin))
        .unwrap_or_default();
    Fill {
        command,
        code: exchange
            .reply
            .as_ref()
            .map_or_else(|| "no reply".to_string(), |r| r.code.to_string()),
        expected,
        line: origin.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_docs_complete() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(
                RULES[i + 1..].iter().all(|other| other.id != rule.id),
                "{}",
                rule.id
            );
            for field in [rule.what, rule.why, rule.example, rule.en, rule.zh_cn] {
                assert!(!field.is_empty(), "{} has an empty field", rule.id);
            }
        }
    }

    #[test]
    fn protocol_order_rules_have_feedback() {
        use crate::protocol::pop3::Pop3Rule;
        use crate::protocol::smtp::Rule as SmtpRule;
        for rule in [
            SmtpRule::HelloFirst,
            SmtpRule::MailBeforeRcpt,
            SmtpRule::RcptBeforeData,
            SmtpRule::NoValidRecipients,
            SmtpRule::NestedMail,
            SmtpRule::AuthNotNow,
            SmtpRule::AlreadyAuthenticated,
        ] {
            assert!(super::rule(rule.id()).is_some(), "{}", rule.id());
        }
        for rule in [
            Pop3Rule::LoginFirst,
            Pop3Rule::UserBeforePass,
            Pop3Rule::AlreadyLoggedIn,
            Pop3Rule::SessionOver,
        ] {
            let id = format!("pop3-{}", rule.id());
            assert!(super::rule(&id).is_some(), "{id}");
        }
    }
}
