//! Lab reports written in a word processor (Word `.docx`, LibreOffice `.odt`): zip archives
//! whose text lives in one XML part. The text comes out one paragraph per line, headings
//! marked `#` as in Markdown (so sections still decide tasks), and is then read like any
//! other report. Line numbers in findings count the document's paragraphs.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::archive::Limits;

/// Which word processor wrote the document, by the part that holds its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Office Open XML: `word/document.xml`, heading styles named in `word/styles.xml`.
    Word,
    /// OpenDocument: `content.xml`, headings as `text:h` with an outline level.
    OpenDocument,
}

/// Why a document's text could not be had.
#[derive(Debug, PartialEq, Eq)]
pub enum OfficeError {
    /// Its text part is larger than one file may be.
    TooLarge { max: u64 },
    /// The archive or its XML is damaged.
    Damaged(String),
}

/// The text of a word-processor document, or `None` when the zip is not one.
pub fn document_text(bytes: &[u8]) -> Option<Result<String, OfficeError>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let kind = if archive.index_for_name("word/document.xml").is_some() {
        Kind::Word
    } else if archive.index_for_name("content.xml").is_some()
        && part(&mut archive, "mimetype")
            .is_ok_and(|m| m.starts_with(b"application/vnd.oasis.opendocument.text"))
    {
        Kind::OpenDocument
    } else {
        return None;
    };
    Some(match kind {
        Kind::Word => part(&mut archive, "word/document.xml").and_then(|xml| {
            // Without styles, headings are known by their style id alone.
            let styles = part(&mut archive, "word/styles.xml").unwrap_or_default();
            word_text(&xml, &heading_styles(&styles))
        }),
        Kind::OpenDocument => {
            part(&mut archive, "content.xml").and_then(|xml| open_document_text(&xml))
        }
    })
}

/// One part of the archive, uncompressed, within the size one file may have.
fn part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, OfficeError> {
    let max = Limits::default().max_file_bytes;
    let file = archive
        .by_name(name)
        .map_err(|e| OfficeError::Damaged(e.to_string()))?;
    let mut out = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| OfficeError::Damaged(e.to_string()))?;
    if out.len() as u64 > max {
        return Err(OfficeError::TooLarge { max });
    }
    Ok(out)
}

/// Word's heading styles: style id → level, from each style's name (`heading 1`, which
/// Word keeps in English whatever the language of the interface: a Chinese Word's heading
/// style has the id `1` and the name `heading 1`).
fn heading_styles(styles: &[u8]) -> HashMap<String, usize> {
    let mut levels = HashMap::new();
    let mut reader = Reader::from_reader(styles);
    let mut buf = Vec::new();
    let mut id: Option<String> = None;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"style" => id = attribute(&e, b"styleId"),
                b"name" => {
                    let level = attribute(&e, b"val").and_then(|name| heading_level(&name));
                    if let (Some(id), Some(level)) = (&id, level) {
                        levels.insert(id.clone(), level);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    levels
}

/// `heading 2` or `Heading2` → 2.
fn heading_level(name: &str) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    let rest = lower.strip_prefix("heading")?.trim_start();
    let level: usize = rest.parse().ok()?;
    (1..=9).contains(&level).then_some(level)
}

/// The value of an attribute, by its local name.
fn attribute(e: &BytesStart, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// `word/document.xml`: text runs (`w:t`), tabs and breaks, a line per paragraph. Deleted
/// text and field codes are not what the reader sees, so they are left out.
fn word_text(xml: &[u8], headings: &HashMap<String, usize>) -> Result<String, OfficeError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut line = String::new();
    let mut level = None;
    let mut in_text = false;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| OfficeError::Damaged(format!("word/document.xml: {e}")))?;
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"tab" => line.push('\t'),
                b"br" | b"cr" => end_line(&mut out, &mut line, None),
                b"pStyle" => {
                    level = attribute(&e, b"val")
                        .and_then(|id| headings.get(&id).copied().or_else(|| heading_level(&id)))
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => end_line(&mut out, &mut line, level.take()),
                _ => {}
            },
            Event::Text(t) if in_text => line.push_str(&unescaped(&t)?),
            Event::CData(t) if in_text => line.push_str(&String::from_utf8_lossy(&t)),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    end_line(&mut out, &mut line, None);
    Ok(out)
}

/// `content.xml`: paragraphs (`text:p`) and headings (`text:h`, with their outline level),
/// runs of spaces (`text:s`), tabs and line breaks.
fn open_document_text(xml: &[u8]) -> Result<String, OfficeError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut line = String::new();
    let mut level = None;
    // Inside a paragraph or heading (they nest in frames and notes): text counts.
    let mut depth = 0usize;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| OfficeError::Damaged(format!("content.xml: {e}")))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"p" => depth += 1,
                b"h" => {
                    depth += 1;
                    level = attribute(&e, b"outline-level")
                        .and_then(|l| l.parse::<usize>().ok())
                        .or(Some(1));
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"s" => {
                    let count = attribute(&e, b"c")
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(1);
                    line.extend(std::iter::repeat(' ').take(count.min(1024)));
                }
                b"tab" => line.push('\t'),
                b"line-break" => end_line(&mut out, &mut line, None),
                b"p" | b"h" => end_line(&mut out, &mut line, None),
                _ => {}
            },
            Event::End(e) => {
                if matches!(e.local_name().as_ref(), b"p" | b"h") {
                    depth = depth.saturating_sub(1);
                    end_line(&mut out, &mut line, level.take());
                }
            }
            Event::Text(t) if depth > 0 => line.push_str(&unescaped(&t)?),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    end_line(&mut out, &mut line, None);
    Ok(out)
}

fn unescaped(t: &quick_xml::events::BytesText) -> Result<String, OfficeError> {
    t.unescape()
        .map(|s| s.into_owned())
        .map_err(|e| OfficeError::Damaged(e.to_string()))
}

/// Ends a line of the text; a heading's line gets Markdown's `#` marks.
fn end_line(out: &mut String, line: &mut String, heading: Option<usize>) {
    if let Some(level) = heading {
        if !line.trim().is_empty() {
            out.push_str(&"#".repeat(level.min(6)));
            out.push(' ');
        }
    }
    out.push_str(line);
    out.push('\n');
    line.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn word_paragraphs_become_lines_and_headings_get_marks() {
        let document = format!(
            r#"<w:document {W}><w:body>
<w:p><w:pPr><w:pStyle w:val="2"/></w:pPr><w:r><w:t>4.4 telnet收发邮件</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">S: 220 mail </w:t></w:r><w:r><w:t>ESMTP</w:t></w:r></w:p>
<w:p><w:r><w:t>C: EHLO a</w:t><w:br/><w:t>S: 250 ok</w:t></w:r></w:p>
<w:p><w:r><w:delText>gone</w:delText><w:instrText>PAGE</w:instrText><w:t>a&amp;b</w:t><w:tab/><w:t>c</w:t></w:r></w:p>
</w:body></w:document>"#
        );
        let styles = format!(
            r#"<w:styles {W}><w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/></w:style></w:styles>"#
        );
        let docx = zip_of(&[
            ("word/document.xml", &document),
            ("word/styles.xml", &styles),
        ]);
        assert_eq!(
            document_text(&docx).unwrap().unwrap(),
            "## 4.4 telnet收发邮件\nS: 220 mail ESMTP\nC: EHLO a\nS: 250 ok\na&b\tc\n\n"
        );
    }

    #[test]
    fn open_document_headings_spaces_and_breaks() {
        let content = r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>
<text:h text:outline-level="3">3.4 telnet</text:h>
<text:p>C:<text:s/>HELO<text:s text:c="2"/>x<text:line-break/>S: 250 ok</text:p>
</office:text></office:body></office:document-content>"#;
        let odt = zip_of(&[
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", content),
        ]);
        assert_eq!(
            document_text(&odt).unwrap().unwrap(),
            "### 3.4 telnet\nC: HELO  x\nS: 250 ok\n\n"
        );
    }

    #[test]
    fn other_zips_are_not_documents() {
        assert_eq!(document_text(&zip_of(&[("a.txt", "C: QUIT")])), None);
        assert_eq!(document_text(b"not a zip"), None);
    }

    #[test]
    fn damaged_xml_is_an_error_not_a_panic() {
        let docx = zip_of(&[("word/document.xml", "<w:document><w:p><w:t>x</w:p>")]);
        assert!(matches!(
            document_text(&docx),
            Some(Err(OfficeError::Damaged(_)))
        ));
    }
}
