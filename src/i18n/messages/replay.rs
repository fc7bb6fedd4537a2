//! What replay did differently from the submission (`pipeline/replay_findings.rs`), and
//! what reading a file noted about it (`pipeline/file_notes.rs`). The `what`, `problem` and
//! `detail` of a replay note are the replay's own English fragments.

use crate::i18n::catalogue::{messages, words};
use crate::i18n::List;

words! {
    /// Where the stand-in for an elided message came from.
    pub enum StandIn {
        Scenario => "the scenario's", "场景提供的";
        Default => "a default", "默认的";
    }
}

messages! {
    /// Findings of the `replay` and `send-then-read` checks.
    pub enum ReplayMessage {
        Failed { server: String, error: String } =>
            "Replay against the {server} server failed ({error}); this grade rests on the replies the submission claims.",
            "向 {server} 服务器重放失败（{error}）；本成绩依据的是提交记录中声称的回复。";
        CredentialSwapped { what: String } =>
            "Replay logged in with the test account instead of yours ({what}); your credentials were never sent.",
            "重放时使用测试账号登录而非你的账号（{what}）；你的凭据从未被发送。";
        FailedLoginMirrored { what: String } =>
            "Your login ({what}) failed in the submission, so replay sent a wrong password to fail the same way.",
            "提交记录中你的登录（{what}）失败了，所以重放时故意发送错误密码，以得到同样的结果。";
        MalformedCredential { what: String, problem: String } =>
            "Your {what} credentials were malformed ({problem}); replay sent malformed ones too, so the server answers as it would have.",
            "你的 {what} 凭据格式有误（{problem}）；重放时同样发送格式错误的凭据，以得到服务器的真实反应。";
        MechanismNotReplayed { mechanism: String } =>
            "Replay cannot log in with AUTH {mechanism}; the exchange was cancelled on replay.",
            "重放不支持 AUTH {mechanism} 登录；重放时取消了该认证。";
        ApopRecomputed =>
            "APOP was recomputed for the test account from the replay server's greeting.",
            "已根据重放服务器的问候语为测试账号重新计算 APOP 摘要。";
        BodySupplied { stand_in: StandIn, size: usize } =>
            "The submission shows only the message's size, so replay sent {stand_in} {size}-byte message instead.",
            "提交记录只给出了邮件大小，重放时改为发送{stand_in} {size} 字节邮件。";
        MailboxSeeded { count: usize, generated: usize } =>
            "Before the POP3 session the test mailbox was given {count} message(s) ({generated} generated).",
            "POP3 会话前，测试邮箱中放入了 {count} 封邮件（其中 {generated} 封为生成的）。";
        SeedFailed { detail: String } =>
            "The replay server's mailbox could not be filled ({detail}); the messages the session reads may not exist there.",
            "无法向重放服务器的邮箱放入邮件（{detail}）；会话读取的邮件在那里可能不存在。";
        StoppedAtTls =>
            "Replay stopped at STARTTLS/STLS: TLS is not negotiated on replay, so what followed was not replayed.",
            "重放在 STARTTLS/STLS 处停止：重放不进行 TLS 协商，之后的内容未重放。";
        ServerClosed { unsent: usize } =>
            "The replay server closed the connection; {unsent} command(s) were not sent.",
            "重放服务器关闭了连接；有 {unsent} 条命令未发送。";
        Truncated { total: usize, replayed: usize } =>
            "The session has {total} exchanges; replay sent the commands of the first {replayed} only, as many as are graded.",
            "会话共有 {total} 次交互；重放只发送了前 {replayed} 次中的命令，与评分范围相同。";
        Filler { what: String } =>
            "Replay sent {what} that the submission does not, to keep the dialogue in step.",
            "为保持对话同步，重放时额外发送了提交记录中没有的内容（{what}）。";
        MoreNotListed { unshown: usize } =>
            "Replay did {unshown} more thing(s) differently from the submission that are not listed one by one.",
            "重放时还有 {unshown} 处与提交记录不同，未逐一列出。";
        AddressesMapped { mapped: List<String> } =>
            "Replay mapped envelope addresses to the lab domain: {mapped}.",
            "重放时将信封地址映射到实验域：{mapped}。";
        NotSentAfterRefusal { skipped: List<String> } =>
            "Not sent on replay, because the server refused what came before: {skipped}.",
            "因服务器拒绝了之前的命令，以下内容在重放时未发送：{skipped}。";
        NotCommands { protocol: String, places: List<String> } =>
            "Not sent on replay, because they are no {protocol} commands (only the protocol's commands reach the server, with the test account's credentials): the lines at {places}.",
            "以下行不是 {protocol} 命令，重放时未发送（只有协议规定的命令才会发往服务器，且使用测试账号的凭据）：{places}。";
        ReadBack { detail: String } =>
            "The message sent over SMTP came back over POP3 unchanged on the replay server: {detail}.",
            "在重放服务器上，通过 SMTP 发送的邮件经 POP3 取回后完全一致：{detail}。";
        NotReadBack { detail: String } =>
            "The message sent over SMTP did not come back unchanged over POP3 on the replay server: {detail}.",
            "在重放服务器上，通过 SMTP 发送的邮件未能经 POP3 原样取回：{detail}。";
    }
}

words! {
    /// What kind of note a reader made about a file, for the Chinese text (the note's detail
    /// is English).
    pub enum NoteKindGloss {
        Truncated => "the file was read only in part", "文件只读取了一部分";
        Gap => "something is missing", "内容有缺失";
        Decoding => "how to read the file was guessed", "文件的读取方式是推测的";
        DirectionInferred => "the direction of lines was inferred", "对话方向是推测的";
        Paired => "replies were paired by the protocol, not by line order", "回复按协议而非行序与命令配对";
        Encrypted => "what follows is encrypted", "之后的内容已加密";
        Unrecognised => "some of it was not recognised", "有无法识别的内容";
    }
}

messages! {
    /// Findings of the `file-read` check: a reader's notes about a whole file.
    pub enum FileNoteMessage {
        Note { file: String, detail: String, kind: NoteKindGloss } =>
            "Reading {file}: {detail}.",
            "读取 {file} 时：{kind}（{detail}）。";
        MoreNotes { file: String, more: usize } =>
            "Reading {file}: {more} more notes about the file, not listed one by one.",
            "读取 {file} 时：另有 {more} 条关于该文件的说明，未逐一列出。";
    }
}
