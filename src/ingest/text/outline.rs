//! A report's outline: its Markdown headings, so that a dialogue can be tied to the section
//! (and so the lab task) it was written under.

use serde::Serialize;

use super::lines::Line;

/// One heading of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1-based line of the heading.
    pub line: u32,
    /// `#` → 1 … `######` → 6.
    pub level: u8,
    /// Its leading number (`4.4` of `### **4.4** **telnet收发邮件**`), if it has one.
    pub number: Option<String>,
    /// Its text without Markdown emphasis, spaces collapsed: `4.4 telnet收发邮件`.
    pub title: String,
}

/// The headings of a text, in order; none inside fenced code blocks.
pub fn outline(lines: &[Line]) -> Vec<Heading> {
    let mut headings = Vec::new();
    let mut fence: Option<char> = None;
    for line in lines {
        let text = line.text.trim_start();
        let marker = text.chars().next();
        if text.starts_with("```") || text.starts_with("~~~") {
            fence = match fence {
                None => marker,
                Some(open) if Some(open) == marker => None,
                open => open,
            };
            continue;
        }
        if fence.is_some() || line.text.starts_with("    ") {
            continue;
        }
        let level = text.bytes().take_while(|&b| b == b'#').count();
        if level == 0 || level > 6 {
            continue;
        }
        let rest = &text[level..];
        if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
            continue;
        }
        let title = clean(rest.trim().trim_end_matches('#'));
        if title.is_empty() {
            continue;
        }
        headings.push(Heading {
            line: line.number,
            level: level as u8,
            number: leading_number(&title),
            title,
        });
    }
    headings
}

/// Emphasis and code marks off, spaces collapsed.
fn clean(text: &str) -> String {
    let plain: String = text
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`'))
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `4.4` of `4.4 telnet…`, `3` of `3．实验内容` or `3、…`; digits and inner dots only.
fn leading_number(title: &str) -> Option<String> {
    let end = title
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.'))
        .map_or(title.len(), |(i, _)| i);
    let number = title[..end].trim_end_matches('.');
    (!number.is_empty() && number.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| number.to_string())
}

/// The headings a line is under, the nearest first, then the sections that hold it.
pub fn enclosing(headings: &[Heading], line: u32) -> Vec<&Heading> {
    let mut found: Vec<&Heading> = Vec::new();
    for heading in headings.iter().rev().filter(|h| h.line < line) {
        if found
            .last()
            .map_or(true, |inner| heading.level < inner.level)
        {
            found.push(heading);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::text::lines::split_lines;

    #[test]
    fn headings_outside_code_with_their_numbers() {
        let text = "---\ntitle: x\n---\n## **3．实验内容**\n### **3.4** **telnet收发邮件**\n```\n# not a heading\n```\n#hashtag\n## **4．实验结果与分析**\n### **4.4** **telnet收发邮件**\nC: HELO x\n";
        let (lines, _) = split_lines(text);
        assert_eq!(outline(&lines).len(), 4);
        let headings = outline(&lines);
        assert_eq!(headings[0].number.as_deref(), Some("3"));
        assert_eq!(headings[0].title, "3．实验内容");
        assert_eq!(headings[1].number.as_deref(), Some("3.4"));
        assert_eq!(headings[3].title, "4.4 telnet收发邮件");
        let around: Vec<&str> = enclosing(&headings, 12)
            .iter()
            .map(|h| h.title.as_str())
            .collect();
        assert_eq!(around, ["4.4 telnet收发邮件", "4．实验结果与分析"]);
    }
}
