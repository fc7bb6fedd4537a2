//! The findings and feedback of the checks in `grade/checks/`, one catalogue per check.

use crate::i18n::catalogue::{messages, words};
use crate::i18n::List;

messages! {
    /// `auth-base64`.
    pub enum AuthBase64Message {
        NotBase64 { at: String } =>
            "The AUTH payload at {at} is not valid base64: a server answers it with 501. Encode the user name and password with base64 before sending them.",
            "{at} 处的认证数据不是有效的 base64：服务器会回复 501。请先将用户名和密码进行 base64 编码再发送。";
    }
}

messages! {
    /// `auth-user`.
    pub enum AuthUserMessage {
        NotAnAddress =>
            "The AUTH LOGIN user name decodes to something that is not an e-mail address: send your full address (e.g. 123456@qq.com), base64-encoded.",
            "AUTH LOGIN 的用户名解码后不是邮箱地址：请发送 base64 编码后的完整邮箱地址（例如 123456@qq.com）。";
    }
}

words! {
    /// Where a session of each protocol should have connected.
    pub enum ServerToUse {
        Smtp =>
            "smtp.<provider> on port 25 or 587 (465 with TLS)",
            "smtp.<服务商> 的 25 或 587 端口（TLS 用 465）";
        Pop3 =>
            "pop.<provider> on port 110 (995 with TLS)",
            "pop.<服务商> 的 110 端口（TLS 用 995）";
    }
}

words! {
    /// A session of a protocol, with the article English reads the acronym with.
    pub enum SessionOf {
        Smtp => "an SMTP session", "SMTP 会话";
        Pop3 => "a POP3 session", "POP3 会话";
    }
}

messages! {
    /// `connect-target`.
    pub enum ConnectTargetMessage {
        PortOfOther { port: u16, other: &'static str, wanted: &'static str, suggested: ServerToUse } =>
            "Port {port} is {other}'s, not {wanted}'s: connect to {suggested}.",
            "端口 {port} 属于 {other} 而不是 {wanted}：请连接 {suggested}。";
        HostOfOther { host: String, other: &'static str, session: SessionOf, suggested: ServerToUse } =>
            "`{host}` is the {other} host, but this is {session}: it only worked because the provider serves both on one address. Connect to {suggested}.",
            "`{host}` 是 {other} 服务器，而这是 {session}：能连通只是因为服务商在同一地址上提供了两种服务。请连接 {suggested}。";
    }
}

messages! {
    /// `encrypted`.
    pub enum EncryptedMessage {
        SwitchedToTls =>
            "The connection switched to TLS here: everything after it is encrypted and could not be graded. Turn off SSL/STARTTLS in the client for the capture, or hand in a telnet transcript.",
            "连接在此处切换为 TLS：之后的内容已加密，无法评分。抓包时请在客户端中关闭 SSL/STARTTLS，或提交 telnet 记录。";
    }
}

messages! {
    /// `impossible-reply`.
    pub enum ImpossibleReplyMessage {
        NoServerGives { code: String, label: String } =>
            "The reply {code} to {label} is one no server gives: the transcript looks edited. Hand in the dialogue exactly as it happened.",
            "对 {label} 回复 {code} 是服务器不可能给出的：记录似乎被修改过。请提交真实的对话记录。";
        AuthAnswerWithoutAuth { code: String } =>
            "An AUTH answer got {code} although no AUTH exchange was open: the transcript looks edited or incomplete.",
            "没有进行中的 AUTH 认证，认证应答却得到了 {code}：记录似乎被修改过或不完整。";
        MessageWithoutData { code: String } =>
            "The message was accepted ({code}) although DATA was not answered 354: the transcript looks edited or incomplete.",
            "DATA 没有得到 354，邮件却被接受（{code}）：记录似乎被修改过或不完整。";
    }
}

messages! {
    /// `message-content`, and the scenario's checks of a message's headers.
    pub enum MessageContentMessage {
        BodyNotInSubmissionSized { size: u64 } =>
            "The message body is not in the submission (only its size, {size} bytes): its content was not checked.",
            "提交中没有邮件正文（只有大小 {size} 字节）：未检查邮件内容。";
        BodyNotInSubmission =>
            "The message body is not in the submission: its content was not checked.",
            "提交中没有邮件正文：未检查邮件内容。";
        NoFrom =>
            "The message has no From header: receivers show it without a sender, and many servers refuse it.",
            "邮件没有 From 邮件头：收件人看不到发件人，许多服务器会拒收。";
        FromNotMailFrom =>
            "The message's From differs from the MAIL FROM address: servers such as QQ Mail refuse such mail as forged.",
            "邮件的 From 与 MAIL FROM 地址不一致：QQ 邮箱等服务器会将其视为伪造而拒收。";
        NoMessageSent =>
            "No message was sent, so its headers could not be checked.",
            "没有发送邮件，无法检查邮件头。";
        NotAMessage => "Not a message.", "不是邮件内容。";
        HeaderMissing { header: String } =>
            "The message has no {header} header.",
            "邮件缺少 {header} 邮件头。";
        OptionalHeaderAbsent { header: String } =>
            "No {header} header (optional).",
            "没有 {header} 邮件头（可选）。";
        HeaderNotEnvelope { header: String, address: &'static str } =>
            "The {header} header does not name the {address} address.",
            "{header} 邮件头与 {address} 地址不一致。";
        HeaderForm { header: String, pattern: String } =>
            "The {header} header does not have the expected form (`{pattern}`).",
            "{header} 邮件头的格式不符合要求（`{pattern}`）。";
        HeaderFine { header: String } =>
            "{header} header is fine.",
            "{header} 邮件头正确。";
    }
}

messages! {
    /// `replay-integrity`.
    pub enum ReplayIntegrityMessage {
        RepliesDiffer { claimed: String, at: String, label: String, replayed: String, index: usize } =>
            "The submission claims `{claimed}` ({at}) as the reply to {label}, but the replay server answered `{replayed}` (replay #{index}): the transcript does not show what a server says to these commands.",
            "提交的记录声称 {label} 得到的回复是 `{claimed}`（{at}），但重放服务器回复的是 `{replayed}`（重放第 {index} 条）：记录与服务器对这些命令的真实回复不符。";
        NoReplyOnReplay { claimed: String, at: String, label: String } =>
            "The submission claims `{claimed}` ({at}) as the reply to {label}, but on replay the server gave no reply to it (it was not sent after an earlier refusal, or the server closed the connection).",
            "提交的记录声称 {label} 得到的回复是 `{claimed}`（{at}），但重放时服务器没有回复它（之前的命令被拒绝后未发送，或服务器关闭了连接）。";
    }
}

messages! {
    /// A doubt the text reader had about a transcript (`session::Doubt`); the English is also
    /// what `extract` prints.
    pub enum DoubtMessage {
        MixedMarker { marker: String, commands: u32, replies: u32 } =>
            "the lines after `{marker}` parse as commands ({commands}) and as replies ({replies})",
            "`{marker}` 后面的行既像命令（{commands} 行）又像回复（{replies} 行）";
        GuessedSides { guessed: u32, exchanges: u32 } =>
            "the side of {guessed} lines was guessed from the protocol ({exchanges} exchanges read)",
            "有 {guessed} 行的收发方向是按协议推测的（共读出 {exchanges} 个交互）";
        UnknownCommands { unknown: u32, commands: u32 } =>
            "{unknown} of {commands} client lines are no command of the protocol",
            "客户端的 {commands} 行中有 {unknown} 行不是该协议的命令";
    }
}

messages! {
    /// `unsure-reading`.
    pub enum UnsureReadingMessage {
        Unsure { doubts: List<DoubtMessage> } =>
            "mailgrade was not sure which lines of this transcript are the client's and which the server's ({doubts}), so this grade may rest on a misreading. Check the dialogue with `mailgrade extract` and mark the lines C:/S: if it was read wrong.",
            "mailgrade 无法确定这份记录中哪些行是客户端发出的、哪些是服务器的回复（{doubts}），本次评分可能基于错误的解读。请用 `mailgrade extract` 检查读出的对话；如有读错，请在各行前标上 C:/S:。";
    }
}
