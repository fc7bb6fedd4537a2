//! The reports' own texts (`report/`): headings, verdicts, statuses, and the lines that sum a
//! submission or a class up. What a report quotes from a grade (feedback, findings, titles)
//! is already in both languages.

use crate::i18n::catalogue::{messages, words};
use crate::i18n::Text;

words! {
    /// Words and short phrases of the reports.
    pub enum ReportWord {
        // Verdicts, of a submission or of one grade.
        Passed => "passed", "通过";
        Failed => "failed", "未通过";
        Ungradable => "ungradable", "无法评分";
        BelowPassMark => "below the pass mark", "未达到及格线";
        // How a check ended (`passed` and `failed` above).
        WrongReply => "wrong reply", "回复不对";
        WrongArguments => "wrong arguments", "参数不对";
        Missing => "missing", "缺失";
        OutOfOrder => "out of order", "顺序不对";
        SkippedOptional => "skipped (optional)", "已跳过（可选）";
        NotChecked => "not checked", "未检查";
        Unexpected => "unexpected", "多余";
        // How serious a finding is.
        Note => "note", "提示";
        Warning => "warning", "警告";
        Error => "error", "错误";
        // Headings and labels.
        ReportTitle => "mailgrade report", "mailgrade 评分报告";
        RepliesGradedFrom => "Replies graded from:", "评分所依据的回复：";
        Score => "Score", "得分";
        Scenario => "Scenario", "场景";
        Session => "Session", "会话";
        Result => "Result", "结果";
        Submission => "Submission", "提交";
        Students => "Students", "学生";
        /// A column counting students.
        StudentCount => "Students", "人数";
        Check => "Check", "检查项";
        PointsLost => "Points lost", "失分合计";
        Points => "points", "分";
        ClassOverview => "Class overview", "全班概览";
        ScoreDistribution => "Score distribution", "分数分布";
        MostCommonMistakes => "Most common mistakes", "最常见的错误";
        NoPointsLost => "No points were lost.", "没有失分。";
        Dialogue => "Dialogue", "对话";
        DialogueOf => "Dialogue of", "对话：";
        Server => "Server", "服务器";
        Client => "Client", "客户端";
        MissingLabel => "missing:", "缺失：";
        NoReply => "(no reply)", "（无回复）";
        /// After a message name that was sent encrypted.
        EncryptedSuffix => " (encrypted)", "（加密）";
        NotGraded => "not graded", "未评分";
        /// The test that stands for a file that could not be read.
        Input => "input", "输入";
        ExpectedVsYours => "Expected vs. yours", "期望与你的对比";
        ExpectedVsYoursColon => "Expected vs. yours:", "期望与你的对比：";
        ExpectedVsYoursLower => "expected vs. yours:", "期望与你的对比：";
        // Why there is no grade.
        NoSessionFits =>
            "No session in the submission fits this scenario.",
            "提交中没有与该场景相符的会话。";
        NothingGradable =>
            "Nothing in the submission could be graded.",
            "提交中没有可以评分的内容。";
        NoDialogueFound =>
            "no SMTP or POP3 dialogue was found in the submission",
            "提交中没有找到 SMTP 或 POP3 对话";
        RepliesAsHandedIn => "replies as handed in", "依据提交的服务器回复";
    }
}

messages! {
    /// Lines that sum a submission or a class up.
    pub enum ReportMessage {
        RepliesFrom { server: String } =>
            "replies from the {server} server",
            "服务器回复来自 {server}";
        /// `replies` says whose replies were graded.
        SubmissionResult { verdict: ReportWord, graded: usize, replies: Text } =>
            "result: {verdict} ({graded} session(s) graded, {replies})",
            "结果：{verdict}（已评分会话 {graded} 个，{replies}）";
        ClassCounts { submissions: usize, graded: usize, passed: usize } =>
            "{submissions} submissions, {graded} graded, {passed} passed.",
            "{submissions} 份提交，{graded} 份已评分，{passed} 份通过。";
    }
}
