//! Escaping for the markup languages reports are written in: student text is hostile.

/// Text for HTML element content and attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Characters XML 1.0 does not allow even escaped, and other controls, become U+FFFD; the
/// XML writer escapes the rest.
pub fn xml_chars(text: &str) -> String {
    text.chars()
        .map(|c| if is_control(c) { '\u{FFFD}' } else { c })
        .collect()
}

fn is_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Text inside a Markdown paragraph or table cell: no markup, links, HTML or cell breaks.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if is_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Scenario feedback in Markdown: the author's `code spans` stay code, everything else is
/// text (the feedback quotes student commands, so no HTML or table breaks get through).
pub fn markdown_feedback(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    // An unclosed backtick is text, not the start of a span.
    let spans = if parts.len() % 2 == 1 {
        parts.len()
    } else {
        parts.len() - 1
    };
    let mut out = String::with_capacity(text.len());
    for (index, part) in parts.iter().enumerate() {
        if index % 2 == 1 && index < spans {
            out.push_str(&markdown_code(part));
        } else {
            if index % 2 == 1 {
                out.push_str("\\`");
            }
            out.push_str(&markdown(part));
        }
    }
    out
}

/// Inline code in Markdown (not in a table cell), fenced with more backticks than the text
/// holds.
pub fn markdown_code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| match c {
            '\n' | '\r' => ' ',
            c if is_control(c) => '\u{FFFD}',
            c => c,
        })
        .collect();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

/// A fenced Markdown code block whose fence the content cannot close.
pub fn markdown_block(info: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let text = xml_chars(text);
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{info}\n{text}{newline}{fence}\n")
}

/// The message of a GitHub Actions workflow command (`::error …::message`).
pub fn workflow_message(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a GitHub Actions workflow command (`file=…`).
pub fn workflow_property(text: &str) -> String {
    workflow_message(text)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    type Escape = fn(&str) -> String;

    #[test]
    fn escapes_each_language() {
        let hostile = "<script>alert('x')</script> & \"q\" | `c` \u{1b}[31m";
        let cases: [(Escape, &str); 4] = [
            (
                html,
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; | `c` \u{FFFD}[31m",
            ),
            (
                markdown,
                "&lt;script&gt;alert('x')&lt;/script&gt; &amp; \"q\" \\| \\`c\\` \u{FFFD}\\[31m",
            ),
            (
                markdown_code,
                "`` <script>alert('x')</script> & \"q\" | `c` \u{FFFD}[31m ``",
            ),
            (
                workflow_property,
                "<script>alert('x')</script> & \"q\" | `c` \u{1b}[31m",
            ),
        ];
        for (escape, expected) in cases {
            assert_eq!(escape(hostile), expected);
        }
        assert_eq!(workflow_message("50%\nnext"), "50%25%0Anext");
        assert_eq!(workflow_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn feedback_keeps_code_spans() {
        let cases = [
            (
                "Give `MAIL FROM:<a>` first <b>",
                "Give ` MAIL FROM:<a> ` first &lt;b&gt;",
            ),
            ("one ` left <x>", r"one \` left &lt;x&gt;"),
            ("a|b", r"a\|b"),
        ];
        for (text, expected) in cases {
            assert_eq!(markdown_feedback(text), expected, "{text}");
        }
    }

    #[test]
    fn code_block_fence_outlasts_backticks_inside() {
        assert_eq!(markdown_block("", "a ```` b"), "`````\na ```` b\n`````\n");
        assert_eq!(markdown_block("diff", "x\n"), "```diff\nx\n```\n");
    }
}
