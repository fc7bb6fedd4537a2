//! Where the dialogue is in a lab report: the code blocks of Markdown (``` and ~~~ fences,
//! indented blocks), or the whole file when it has none.

use super::lines::Line;
use super::notation::reads_as_dialogue;

/// A run of lines that may hold dialogue: one code block, or the whole file.
#[derive(Debug, PartialEq, Eq)]
pub struct Region<'a> {
    /// 1-based number of the code block in the file; `None` for the whole file.
    pub block: Option<usize>,
    pub lines: &'a [Line],
}

/// Dialogue glued to Markdown: the first line right after a fence (```` ```S: 220 … ````), the
/// closing fence right after the last line (```` S: 221 Bye``` ````), a backtick before the first
/// line and after the last (a dialogue pasted as inline code). [`unglue`] takes the glue off;
/// the block opens and closes on those lines.
#[derive(Debug, Default)]
pub struct Glue {
    /// Indices of lines that open a fence and are the block's first line.
    opens: Vec<usize>,
    /// Indices of lines that are the block's last line and close its fence.
    closes: Vec<usize>,
    /// The first line (number) glue was taken off, for a note.
    pub first: Option<u32>,
}

/// Takes fence and backtick glue off dialogue lines.
pub fn unglue(lines: &mut [Line]) -> Glue {
    let mut glue = Glue::default();
    for (index, line) in lines.iter_mut().enumerate() {
        if !line.text.contains('`') {
            continue;
        }
        let trimmed = line.text.trim_start();
        let indent = line.text.len() - trimmed.len();
        let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
        let mut start = 0;
        if ticks > 0 && indent < 4 && reads_as_dialogue(&trimmed[ticks..]) {
            start = indent + ticks;
            glue.opens.push(index);
        }
        let body = &line.text[start..];
        let kept = body.trim_end();
        let closing = kept.len() - kept.trim_end_matches('`').len();
        let mut end = line.text.len();
        if closing > 0 && reads_as_dialogue(&kept[..kept.len() - closing]) {
            end = start + kept.len() - closing;
            glue.closes.push(index);
        }
        if start > 0 || end < line.text.len() {
            glue.first.get_or_insert(line.number);
            line.shifted += line.text[..start].chars().count() as u32;
            line.text = line.text[start..end].to_string();
        }
    }
    glue
}

/// The code blocks of a file that has any (fenced ones always; indented ones only in
/// Markdown, where they are code); otherwise the whole file as one region.
pub fn regions<'a>(lines: &'a [Line], markdown: bool, glue: &Glue) -> Vec<Region<'a>> {
    let fenced = fenced_blocks(lines, glue);
    let mut spans = fenced.clone();
    if markdown {
        spans.extend(indented_blocks(lines, &fenced));
        spans.sort();
    }
    if spans.is_empty() {
        return vec![whole(lines)];
    }
    spans
        .into_iter()
        .enumerate()
        .map(|(index, (start, end))| Region {
            block: Some(index + 1),
            lines: &lines[start..end],
        })
        .collect()
}

pub fn whole(lines: &[Line]) -> Region<'_> {
    Region { block: None, lines }
}

/// `[start, end)` index ranges of the lines inside fences, fences excluded. An unclosed fence
/// runs to the end of the file, as Markdown renders it.
fn fenced_blocks(lines: &[Line], glue: &Glue) -> Vec<(usize, usize)> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, char, usize)> = None;
    for (index, line) in lines.iter().enumerate() {
        if open.is_none() && glue.opens.binary_search(&index).is_ok() {
            open = Some((index, '`', 3));
        }
        if let Some((start, _, _)) = open.filter(|_| glue.closes.binary_search(&index).is_ok()) {
            blocks.push((start, index + 1));
            open = None;
            continue;
        }
        if glue.opens.binary_search(&index).is_ok() {
            continue;
        }
        let trimmed = line.text.trim_start();
        let indent = line.text.len() - trimmed.len();
        let fence = fence_of(trimmed).filter(|_| indent < 4);
        match (open, fence) {
            (None, Some((c, n))) => open = Some((index + 1, c, n)),
            (Some((start, c, n)), Some((c2, n2)))
                if c == c2 && n2 >= n && trimmed.trim_start_matches(c).trim().is_empty() =>
            {
                blocks.push((start, index));
                open = None;
            }
            _ => {}
        }
    }
    if let Some((start, _, _)) = open {
        blocks.push((start, lines.len()));
    }
    blocks
}

/// A fence line: three or more backticks or tildes (an info string may follow).
fn fence_of(trimmed: &str) -> Option<(char, usize)> {
    let c = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let n = trimmed.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

/// Runs of lines indented by four spaces or a tab after a blank line, outside fences.
fn indented_blocks(lines: &[Line], fenced: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let in_fence = |i: usize| fenced.iter().any(|&(s, e)| i + 1 >= s && i <= e);
    let indented = |l: &Line| l.text.starts_with("    ") || l.text.starts_with('\t');
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let after_blank = i == 0 || lines[i - 1].text.trim().is_empty();
        if !in_fence(i) && after_blank && indented(&lines[i]) && !lines[i].text.trim().is_empty() {
            let start = i;
            let mut end = i;
            while i < lines.len()
                && !in_fence(i)
                && (indented(&lines[i]) || lines[i].text.trim().is_empty())
            {
                if !lines[i].text.trim().is_empty() {
                    end = i + 1;
                }
                i += 1;
            }
            blocks.push((start, end));
        } else {
            i += 1;
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::super::lines::split_lines;
    use super::*;

    fn texts(region: &Region) -> Vec<String> {
        region
            .lines
            .iter()
            .map(|l| format!("{}:{}", l.number, l.text))
            .collect()
    }

    #[test]
    fn finds_code_blocks() {
        let cases: Vec<(&str, bool, Vec<Vec<&str>>)> = vec![
            ("a\nb", false, vec![vec!["1:a", "2:b"]]),
            (
                "x\n```plain text\nC: HELO\n```\ny\n~~~\nS: 250\n~~~",
                false,
                vec![vec!["3:C: HELO"], vec!["7:S: 250"]],
            ),
            ("````\n```\nin\n````\n", false, vec![vec!["2:```", "3:in"]]),
            ("```\nopen\nrest", false, vec![vec!["2:open", "3:rest"]]),
            (
                "text\n\n    220 hi\n    HELO x\n\nmore",
                true,
                vec![vec!["3:    220 hi", "4:    HELO x"]],
            ),
            (
                "text\n\n    220 hi",
                false,
                vec![vec!["1:text", "2:", "3:    220 hi"]],
            ),
            (
                "```\n    indented in fence\n```",
                true,
                vec![vec!["2:    indented in fence"]],
            ),
        ];
        for (text, markdown, expected) in cases {
            let (lines, _) = split_lines(text);
            let got: Vec<Vec<String>> = regions(&lines, markdown, &Glue::default())
                .iter()
                .map(texts)
                .collect();
            assert_eq!(got, expected, "{text:?}");
        }
    }
}
