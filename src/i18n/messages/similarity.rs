//! What submissions of a class share (`grade/similarity.rs`, `cli/similarity_report.rs`):
//! for the TA, costing no points.

use crate::i18n::catalogue::{messages, words};
use crate::i18n::List;

words! {
    /// What two submissions were found to share.
    pub enum SharedThing {
        File => "the same file", "相同的文件";
        QueueId => "the same server queue id", "相同的服务器队列号";
        MessageId => "the same Message-ID", "相同的 Message-ID";
        Transcript => "the same dialogue", "相同的会话记录";
    }
}

messages! {
    /// Findings of the `similar-submission` check. `{key}` is the shared hash or id, shortened.
    pub enum SimilarityMessage {
        Shares { what: SharedThing, others: List<String>, key: String } =>
            "shares {what} with {others} ({key}); for the TA to look at, no points are taken",
            "与 {others} 有{what}（{key}）；仅供助教核查，不扣分";
        SharesWithMore { what: SharedThing, others: List<String>, more: usize, key: String } =>
            "shares {what} with {others} and {more} more ({key}); for the TA to look at, no points are taken",
            "与 {others} 等另外 {more} 人有{what}（{key}）；仅供助教核查，不扣分";
        MoreThings { unlisted: usize } =>
            "shares {unlisted} more things with other submissions; see the --similarity report",
            "还与其他提交共有另外 {unlisted} 项；见 --similarity 报告";
    }
}
