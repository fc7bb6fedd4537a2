//! The feedback of the protocol rules that explain lost points (`grade/rules.rs` says what
//! each rule is and why). Every message may use the exchange's `{command}` (what was sent,
//! secrets redacted), `{code}` (the reply), `{expected}` (what the scenario expects) and
//! `{line}` (where it was sent).

use crate::i18n::catalogue::messages;

/// The values a rule's feedback fills in.
#[derive(Debug, Default)]
pub struct RuleArgs {
    pub command: String,
    pub code: String,
    pub expected: String,
    pub line: String,
}

messages! {
    /// One message per rule, named as the rule.
    pub enum RuleFeedback for RuleArgs { command, code, expected, line } {
        HelloFirst =>
            "{command} came before EHLO/HELO: a server answers 503 — greet the server with EHLO (or HELO) first.",
            "在 EHLO/HELO 之前发送了 {command}：服务器会回复 503——请先用 EHLO（或 HELO）向服务器问候。";
        MailBeforeRcpt =>
            "RCPT before MAIL: a server answers 503 — start the transaction with MAIL FROM first.",
            "在 MAIL FROM 之前发送 RCPT：服务器会回复 503——请先用 MAIL FROM 开始邮件事务。";
        RcptBeforeData =>
            "DATA before MAIL FROM and RCPT TO: the server answered {code} — give the sender and at least one recipient first.",
            "在 MAIL FROM 和 RCPT TO 之前发送了 DATA：服务器回复 {code}——请先指定发件人和至少一个收件人。";
        NoValidRecipients =>
            "DATA before any recipient was accepted: the server answered {code} — fix the RCPT TO address until the server answers 250.",
            "没有被接受的收件人就发送了 DATA：服务器回复 {code}——请修正 RCPT TO 的地址，直到服务器回复 250。";
        NestedMail =>
            "MAIL inside an open transaction: a server answers 503 — finish the message or send RSET before a new MAIL FROM.",
            "在未结束的邮件事务中再次发送 MAIL：服务器会回复 503——请先发完邮件或发送 RSET，再发送新的 MAIL FROM。";
        AuthNotNow =>
            "AUTH inside a mail transaction: a server answers 503 — log in right after EHLO, before MAIL FROM.",
            "在邮件事务中发送 AUTH：服务器会回复 503——请在 EHLO 之后、MAIL FROM 之前登录。";
        AlreadyAuthenticated =>
            "AUTH after you were already logged in: a server answers 503 — log in only once.",
            "已登录后再次发送 AUTH：服务器会回复 503——每个会话只需登录一次。";
        AuthRequired =>
            "{command} was refused with {code} because you were not logged in — authenticate with AUTH LOGIN first.",
            "{command} 被拒绝（{code}），因为尚未登录——请先用 AUTH LOGIN 认证。";
        AuthFailed =>
            "The login was rejected ({code}): check the user name and password (for QQ Mail, the authorisation code) and encode each in base64.",
            "登录被拒绝（{code}）：请检查用户名和密码（QQ 邮箱应使用授权码），并分别进行 base64 编码。";
        AuthBadPayload =>
            "The server could not decode your AUTH answer ({code}): send the user name and password base64-encoded, each on its own line.",
            "服务器无法解码你的认证应答（{code}）：请将用户名和密码分别进行 base64 编码，各占一行发送。";
        AuthMechanism =>
            "The server does not support that AUTH mechanism ({code}): use one its EHLO reply lists, such as LOGIN or PLAIN.",
            "服务器不支持该认证机制（{code}）：请使用 EHLO 回复中列出的机制，例如 LOGIN 或 PLAIN。";
        AddressSyntax =>
            "{command} was refused with {code}: write the address in angle brackets, e.g. `MAIL FROM:<you@example.com>`.",
            "{command} 被拒绝（{code}）：地址需要写在尖括号中，例如 `MAIL FROM:<you@example.com>`。";
        RecipientRejected =>
            "The recipient was refused ({code}): check the address, and log in first if the server only relays for its users.",
            "收件人被拒绝（{code}）：请检查地址；如果服务器只为登录用户转发，请先登录。";
        SenderRejected =>
            "The sender was refused ({code}): use the address you logged in with in MAIL FROM.",
            "发件人被拒绝（{code}）：MAIL FROM 中请使用登录时的邮箱地址。";
        MessageRejected =>
            "The server refused the message ({code}): give it From, To and Subject headers and a short plain body, then end it with a line holding only `.`.",
            "服务器拒收了邮件（{code}）：请写上 From、To、Subject 邮件头和简短正文，最后单独一行输入 `.` 结束。";
        UnknownCommand =>
            "The server did not recognise `{command}` ({code}): check the spelling of the command.",
            "服务器无法识别 `{command}`（{code}）：请检查命令的拼写。";
        Syntax =>
            "The arguments of {command} were malformed ({code}): check the command's form, e.g. `EHLO your-host-name`.",
            "{command} 的参数格式错误（{code}）：请检查命令格式，例如 `EHLO 主机名`。";
        ServerClosing =>
            "The server closed the connection ({code}), probably because you waited too long: reconnect and type the commands faster.",
            "服务器关闭了连接（{code}），可能是等待时间过长：请重新连接并更快地输入命令。";
        NoReply =>
            "{command} has no reply in the submission: the server never answered it (for a message, end it with a line holding only `.`), or the transcript is cut short.",
            "提交中 {command} 没有回复：服务器没有应答（若是邮件内容，请单独一行输入 `.` 结束），或记录不完整。";
        WrongReply =>
            "The server answered {command} with {code}; the scenario expects {expected}.",
            "服务器对 {command} 回复了 {code}；本场景期望 {expected}。";
        WrongArguments =>
            "{command} was sent with arguments the scenario does not expect.",
            "{command} 的参数与本场景要求的不符。";
        StepMissing =>
            "The session has no {expected}.",
            "会话中没有 {expected}。";
        OutOfOrder =>
            "{command} is there (line {line}) but not where the scenario expects it.",
            "{command} 出现在第 {line} 行，但位置不符合本场景要求的顺序。";
        GreetingMissing =>
            "The server's greeting is missing: start the capture (or the transcript) before you connect.",
            "缺少服务器的欢迎信息：请在连接之前开始抓包（或记录）。";
        QuitMissing =>
            "The session does not end with QUIT: end it with QUIT so the server closes it cleanly.",
            "会话没有以 QUIT 结束：请发送 QUIT，让服务器正常关闭会话。";
        Pop3DeleNeedsQuit =>
            "The session ends without QUIT, so the DELE never took effect: send QUIT to commit the deletion.",
            "会话没有以 QUIT 结束，DELE 并未生效：请发送 QUIT 以真正删除邮件。";
        Pop3UserBeforePass =>
            "PASS came before an accepted USER ({code}): send `USER name` first.",
            "在 USER 被接受之前发送了 PASS（{code}）：请先发送 `USER 用户名`。";
        Pop3LoginFailed =>
            "The login was rejected ({code}): check the user name and password (for QQ Mail, the authorisation code).",
            "登录被拒绝（{code}）：请检查用户名和密码（QQ 邮箱应使用授权码）。";
        Pop3LoginFirst =>
            "{command} came before the login succeeded ({code}): log in with USER and PASS first.",
            "在登录成功之前发送了 {command}（{code}）：请先用 USER 和 PASS 登录。";
        Pop3AlreadyLoggedIn =>
            "{command} after the login succeeded ({code}): you are already logged in.",
            "登录成功后又发送了 {command}（{code}）：你已经登录了。";
        Pop3SessionOver =>
            "{command} came after QUIT: the session was already over.",
            "{command} 出现在 QUIT 之后：会话已经结束。";
        Pop3NoSuchMessage =>
            "{command} named a message that does not exist ({code}): use a number that STAT or LIST shows.",
            "{command} 指定的邮件不存在（{code}）：请使用 STAT 或 LIST 显示的编号。";
    }
}
