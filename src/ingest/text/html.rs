//! HTML submissions (Moodle's and Canvas's online text, a report saved as a web page) → the
//! text a browser shows, so the dialogue in them reads like any other text.
//!
//! Only html5ever's tokenizer is used: it decodes character references as the HTML standard
//! does (`&lt;a@b&gt;`, `&nbsp;`, `&#20320;`), and its time and memory stay linear in the
//! input. A tree-building HTML-to-text renderer took 160 s on 200,000 nested `<div>`s.

use std::cell::{Cell, RefCell};
use std::path::Path;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Whether a file is HTML: by its extension, or, without a text extension, by how it starts.
pub fn is_html(path: &Path, text: &str) -> bool {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm" | "xhtml") => true,
        Some("md" | "markdown" | "txt" | "log" | "csv" | "yaml" | "yml") => false,
        _ => {
            let start: String = text.trim_start().chars().take(16).collect();
            let start = start.to_ascii_lowercase();
            [
                "<!doctype html",
                "<html",
                "<body",
                "<p>",
                "<p ",
                "<div",
                "<pre",
            ]
            .iter()
            .any(|tag| start.starts_with(tag))
        }
    }
}

/// The text of an HTML document: tags dropped, block elements and `<br>` as line breaks,
/// white space collapsed as a browser does except inside `<pre>`, scripts and styles left
/// out.
pub fn to_text(html: &str) -> String {
    let sink = TextSink::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.out.take()
}

#[derive(Default)]
struct TextSink {
    out: RefCell<String>,
    /// Inside `<script>` or `<style>`: their text is no part of the page.
    hidden: Cell<bool>,
    /// `<pre>` elements open: their white space is kept.
    pre: Cell<u32>,
    /// White space seen since the last character shown.
    space: Cell<bool>,
}

/// Elements that start on a line of their own.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
];

impl TextSink {
    fn line_break(&self) {
        self.space.set(false);
        let mut out = self.out.borrow_mut();
        let trimmed = out.trim_end_matches([' ', '\t']).len();
        out.truncate(trimmed);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    }

    fn text(&self, text: &str) {
        let mut out = self.out.borrow_mut();
        if self.pre.get() > 0 {
            out.push_str(text);
            return;
        }
        // Runs of white space, across text pieces too, show as one space, none at a line's
        // start.
        for c in text.chars() {
            if c.is_ascii_whitespace() {
                self.space.set(true);
                continue;
            }
            if self.space.take() && !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            out.push(c);
        }
    }
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(text) if !self.hidden.get() => self.text(&text),
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let start = tag.kind == TagKind::StartTag;
                match name {
                    "script" | "style" if start => {
                        self.hidden.set(true);
                        let kind = if name == "script" {
                            RawKind::ScriptData
                        } else {
                            RawKind::Rawtext
                        };
                        return TokenSinkResult::RawData(kind);
                    }
                    "script" | "style" => self.hidden.set(false),
                    "br" => {
                        self.space.set(false);
                        let mut out = self.out.borrow_mut();
                        let trimmed = out.trim_end_matches([' ', '\t']).len();
                        out.truncate(trimmed);
                        out.push('\n');
                    }
                    "td" | "th" if start => self.space.set(true),
                    _ if BLOCKS.contains(&name) => {
                        self.line_break();
                        if name == "pre" {
                            let open = self.pre.get();
                            self.pre.set(if start {
                                open + 1
                            } else {
                                open.saturating_sub(1)
                            });
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_what_a_browser_shows() {
        let cases = [
            (
                "<p>S: 220 mail.lab.test</p>\n<p>C: MAIL FROM:&lt;a@lab.test&gt;</p>",
                "S: 220 mail.lab.test\nC: MAIL FROM:<a@lab.test>\n",
            ),
            (
                "<div>S: 220 hi<br>C: HELO pc<br/>S: 250   ok</div>",
                "S: 220 hi\nC: HELO pc\nS: 250 ok\n",
            ),
            (
                "<pre>S: 220 hi\nC: HELO  pc\n</pre><p>after &amp; more</p>",
                "S: 220 hi\nC: HELO  pc\nafter & more\n",
            ),
            (
                "<style>p { color: red }</style><script>if (a < b) {}</script><p>C: QUIT</p>",
                "C: QUIT\n",
            ),
            (
                "<p>C: <b>RCPT</b> TO:&nbsp;&lt;b@lab.test&gt; &#20320;</p>",
                "C: RCPT TO:\u{a0}<b@lab.test> 你\n",
            ),
            (
                "<table><tr><td>1</td><td>C: HELO pc</td></tr></table>",
                "1 C: HELO pc\n",
            ),
        ];
        for (html, text) in cases {
            let mut got = to_text(html);
            if !got.ends_with('\n') {
                got.push('\n');
            }
            assert_eq!(got, text, "{html:?}");
        }
    }

    #[test]
    fn deep_nesting_takes_linear_time() {
        // 200,000 nested elements: a tokenizer never builds the tree.
        let html = format!(
            "{}S: 220 hi{}",
            "<div>".repeat(200_000),
            "</div>".repeat(200_000)
        );
        assert_eq!(to_text(&html).trim(), "S: 220 hi");
    }

    #[test]
    fn tells_html_by_extension_or_start() {
        let cases = [
            ("onlinetext.html", "plain words", true),
            ("report.md", "<p>inline html in markdown</p>", false),
            ("liwei_5512_text", "  <p>S: 220 hi</p>", true),
            ("transcript", "S: 220 hi\n<p>", false),
        ];
        for (name, text, html) in cases {
            assert_eq!(is_html(Path::new(name), text), html, "{name}");
        }
    }
}
