//! The letter `mailgrade notify` sends each student (`cli/notify.rs`).

use crate::i18n::catalogue::messages;

messages! {
    /// The letter's own lines; what it quotes from the grades is in both languages already.
    pub enum LetterMessage {
        Greeting { name: String } => "Dear {name},", "{name}，你好：";
        Passed => "Your e-mail lab submission passed.", "你的电子邮件实验提交已通过。";
        NotPassed => "Your e-mail lab submission did not pass yet.", "你的电子邮件实验提交尚未通过。";
        FilesNotUsed => "Files that could not be used:", "无法使用的文件：";
        CheckYourself =>
            "You can check your work yourself with `mailgrade check FILE` before handing it in.",
            "提交前可以用 `mailgrade check 文件` 自查。";
    }
}
