//! What the grader says about a session as a whole: why it could not be graded, what a
//! scenario's forbidden and order rules found, how much was left out.

use crate::i18n::catalogue::messages;

messages! {
    /// Reasons, check feedback and findings of `grade/grader.rs`, `select.rs`, `bounded.rs`.
    pub enum GradeMessage {
        EncryptedFromStart =>
            "The session is encrypted from its first byte (implicit TLS, e.g. port 465 or 995): only its TLS handshake can be read, not the commands. Capture a session on port 25/587 or 110 (STARTTLS keeps the dialogue before it readable), or hand in a transcript.",
            "该会话从第一个字节起就是加密的（隐式 TLS，如 465 或 995 端口）：只能读出 TLS 握手，读不到命令。请抓取 25/587 或 110 端口的会话（使用 STARTTLS 时其之前的对话仍可读），或提交文字记录。";
        NoExchanges =>
            "The session holds no commands or replies, so there is nothing to grade. Check that the transcript has C:/S: lines or that the capture contains the conversation.",
            "会话中没有任何命令或回复，无法评分。请确认记录中有 C:/S: 行，或抓包中包含完整对话。";
        WrongProtocol { found: String, wanted: String } =>
            "This is a session of {found}; the scenario grades {wanted}.",
            "这是 {found} 会话；本场景评的是 {wanted}。";
        NoSessionOfProtocol { name: String } =>
            "No {name} session found in the submission. Hand in the {name} dialogue: a transcript with C:/S: lines, a Wireshark export, or a .pcap/.pcapng capture of it.",
            "提交中没有找到 {name} 会话。请提交 {name} 对话：带 C:/S: 标记的记录、Wireshark 导出文件，或 .pcap/.pcapng 抓包文件。";
        TooLong { exchanges: usize, graded: usize } =>
            "The session has {exchanges} exchanges; only the first {graded} were graded.",
            "会话共有 {exchanges} 次交互，只评了前 {graded} 次。";
        Forbidden { command: String } =>
            "{command} is not allowed in this exercise.",
            "本练习不允许使用 {command}。";
        OrderBroken { after: String, before: String } =>
            "{after} came before {before} was accepted.",
            "{after} 出现在 {before} 被接受之前。";
        NotInExercise { exchange: String } =>
            "{exchange} is not part of this exercise, and this scenario allows nothing else.",
            "{exchange} 不属于本练习，本场景不允许多余的命令。";
        MoreFindings { more: usize, check: String } =>
            "… and {more} more findings like these (`{check}`), not listed one by one.",
            "……另有 {more} 条同类发现（`{check}`），未逐一列出。";
    }
}
