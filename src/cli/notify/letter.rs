//! One student's letter: the feedback text in their language, and the e-mail message built
//! from it, the same for the dry run and for sending.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::Message;
use serde_json::Value;

use crate::grade::Verdict;
use crate::i18n::messages::notify::LetterMessage;
use crate::i18n::Lang;
use crate::ingest::archive::RosterRow;
use crate::report::summary;

/// One e-mail to one student.
pub struct Letter {
    pub to: String,
    pub name: String,
    pub id: String,
    /// The student's language: the roster's `lang`, else `--lang`.
    pub lang: Lang,
    pub subject: String,
    pub body: String,
}

impl Letter {
    /// The message as it goes on the wire (Date and Message-ID are set when it is built).
    pub fn message(&self, from: &Mailbox) -> Result<Message, String> {
        let to = format!("{} <{}>", self.name, self.to)
            .parse::<Mailbox>()
            .or_else(|_| self.to.parse::<Mailbox>())
            .map_err(|e| format!("bad address {}: {e}", self.to))?;
        let body = wire_body(&self.body);
        Message::builder()
            .message_id(Some(message_id(&self.id, from)))
            .from(from.clone())
            .to(to)
            .subject(&self.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())
    }
}

/// `<…@domain-of-from>`, unique per student and moment; lettre's own would name
/// `localhost`. Nothing in it says who the student is.
fn message_id(student: &str, from: &Mailbox) -> String {
    use sha2::{Digest, Sha256};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let digest = Sha256::digest(format!("{student}\0{now}\0{}", std::process::id()));
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("<{hex}.mailgrade-notify@{}>", from.email.domain())
}

/// The body as plain lines, `7bit` or (not ASCII) `8bit`, so the dry run reads as the letter
/// itself, Chinese too; lettre refuses to send 8bit to a server without 8BITMIME rather
/// than mangle it. Lettre would pick quoted-printable for any line over 76 octets; RFC 5322
/// allows 998, which feedback lines stay under. Longer lines, NUL or a bare CR: lettre's choice.
fn wire_body(text: &str) -> Body {
    let lines: Vec<&str> = text.lines().collect();
    let plain = lines
        .iter()
        .all(|line| line.len() <= 998 && !line.contains(['\0', '\r']));
    if !plain {
        return Body::new(text.to_string());
    }
    let mut wire = lines.join("\r\n");
    wire.push_str("\r\n");
    let encoding = if text.is_ascii() {
        ContentTransferEncoding::SevenBit
    } else {
        ContentTransferEncoding::EightBit
    };
    Body::dangerous_pre_encoded(wire.into_bytes(), encoding)
}

/// The feedback of one JSON submission as plain text: totals, each scenario's losses with
/// their feedback, and the files that could not be used. Findings meant for the TA only
/// (similar submissions) are left out.
pub fn feedback(submission: &Value, passed: bool, row: &RosterRow, lang: Lang) -> String {
    let text = |value: &Value| -> String {
        value[lang.code()]
            .as_str()
            .filter(|s| !s.is_empty())
            .or_else(|| value["en"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut out = String::new();
    let name = if row.name.is_empty() {
        &row.id
    } else {
        &row.name
    };
    let greeting = LetterMessage::Greeting { name: name.clone() };
    let result = if passed {
        LetterMessage::Passed
    } else {
        LetterMessage::NotPassed
    };
    out.push_str(&format!(
        "{}\n\n{}\n",
        greeting.render(lang),
        result.render(lang)
    ));
    for grade in submission["grades"].as_array().into_iter().flatten() {
        // The JSON spells the verdict in English; the letter says it in `lang`.
        let verdict = match serde_json::from_value::<Verdict>(grade["verdict"].clone()) {
            Ok(verdict) => summary::verdict_of_grade(verdict).get(lang),
            Err(_) => grade["verdict"].as_str().unwrap_or_default(),
        };
        out.push_str(&format!(
            "\n{}: {}/{} ({})\n",
            text(&grade["title"]),
            grade["score"],
            grade["max_score"],
            verdict
        ));
        if grade["verdict"] == "ungradable" {
            out.push_str(&format!("  {}\n", text(&grade["reason"])));
        }
        for check in grade["checks"].as_array().into_iter().flatten() {
            let (points, max) = (check["points"].as_u64(), check["max_points"].as_u64());
            if points < max {
                out.push_str(&format!(
                    "  - {} ({}/{}): {}\n",
                    check["name"].as_str().unwrap_or_default(),
                    points.unwrap_or(0),
                    max.unwrap_or(0),
                    text(&check["feedback"])
                ));
            }
        }
        for finding in grade["findings"].as_array().into_iter().flatten() {
            if finding["check"] != "similar-submission" {
                out.push_str(&format!("  * {}\n", text(&finding["message"])));
            }
        }
    }
    let problems = submission["problems"].as_array().into_iter().flatten();
    for (index, problem) in problems.enumerate() {
        if index == 0 {
            out.push_str(&format!("\n{}\n", LetterMessage::FilesNotUsed.render(lang)));
        }
        out.push_str(&format!(
            "  - {}: {}\n",
            problem["file"].as_str().unwrap_or_default(),
            // `message_text` holds both languages (results written before it: English only).
            if problem["message_text"].is_object() {
                text(&problem["message_text"])
            } else {
                problem["message"].as_str().unwrap_or_default().to_string()
            }
        ));
    }
    out.push_str(&format!(
        "\n{}\n",
        LetterMessage::CheckYourself.render(lang)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> RosterRow {
        RosterRow {
            id: "20240001".into(),
            name: "Li Wei".into(),
            email: "li@lab.test".into(),
            ..RosterRow::default()
        }
    }

    #[test]
    fn the_letter_says_each_verdict_in_its_language() {
        let submission = serde_json::json!({
            "grades": [{
                "title": { "en": "Send a mail", "zh-CN": "发送邮件" },
                "score": 40, "max_score": 100, "verdict": "failed",
                "checks": [], "findings": []
            }],
            "problems": []
        });
        let zh = feedback(&submission, false, &row(), Lang::ZhCn);
        assert!(zh.contains("发送邮件: 40/100 (未通过)"), "{zh}");
        let en = feedback(&submission, false, &row(), Lang::En);
        assert!(en.contains("Send a mail: 40/100 (failed)"), "{en}");
    }

    #[test]
    fn a_chinese_letter_goes_as_readable_8bit_text() {
        let letter = Letter {
            to: "li@lab.test".into(),
            name: "Li Wei".into(),
            id: "20240001".into(),
            lang: Lang::ZhCn,
            subject: LetterMessage::Subject.render(Lang::ZhCn),
            body: "李伟，你好：\n\n你的电子邮件实验提交已通过。\n".into(),
        };
        let from: Mailbox = "TA <ta@lab.test>".parse().unwrap();
        let wire = letter.message(&from).unwrap().formatted();
        let wire = String::from_utf8(wire).unwrap();
        assert!(
            wire.contains("Content-Transfer-Encoding: 8bit\r\n"),
            "{wire}"
        );
        assert!(wire.contains("\r\n\r\n李伟，你好：\r\n"), "{wire}");
        let long = Letter {
            body: format!("{}\n", "很长的反馈".repeat(40)),
            ..letter
        };
        let wire = String::from_utf8(long.message(&from).unwrap().formatted()).unwrap();
        assert!(
            wire.contains(&format!("\r\n\r\n{}\r\n", "很长的反馈".repeat(40))),
            "{wire}"
        );
        // The subject is an RFC 2047 encoded word that decodes to the Chinese subject.
        assert!(wire.contains("Subject: =?utf-8?b?"), "{wire}");
        assert!(
            wire.contains("To: \"Li Wei\" <li@lab.test>\r\n")
                || wire.contains("To: Li Wei <li@lab.test>\r\n"),
            "{wire}"
        );
    }
}
