use std::fmt;

use serde::Serialize;

use crate::i18n::messages::common::OriginText;
use crate::i18n::{Lang, Text};

/// Where a command or reply came from, so feedback can point at it.
///
/// The file itself is named once, by the session's [`Source`](super::Source).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// A line of a text file, 1-based; `column` is where the dialogue text starts.
    Line { line: u32, column: u32 },
    /// Frames of a capture, 1-based as Wireshark numbers them; `micros` is the capture time
    /// of the first frame in microseconds since the Unix epoch.
    Frame {
        frame: u64,
        last_frame: u64,
        micros: i64,
    },
    /// A reply given by the replay server to the `index`th command sent (0 = greeting).
    Replay { index: u32 },
    /// Made up by mailgrade (for example a body the scenario supplies).
    #[default]
    Synthetic,
}

impl Origin {
    pub fn line(line: u32) -> Self {
        Origin::Line { line, column: 1 }
    }

    pub fn frame(frame: u64, micros: i64) -> Self {
        Origin::Frame {
            frame,
            last_frame: frame,
            micros,
        }
    }

    /// The origin that covers both `self` and a later `other` (a reply spread over frames).
    pub fn extend(self, other: Origin) -> Origin {
        match (self, other) {
            (Origin::Frame { frame, micros, .. }, Origin::Frame { last_frame, .. }) => {
                Origin::Frame {
                    frame,
                    last_frame,
                    micros,
                }
            }
            (this, _) => this,
        }
    }
}

impl Origin {
    /// The origin as it reads in `lang`: `frame 5` / `第 5 帧`. A line is `12` or `12:4` in
    /// both languages; English is what `Display` writes.
    pub fn render(&self, lang: Lang) -> String {
        let message = match *self {
            Origin::Line { .. } => return self.to_string(),
            Origin::Frame {
                frame, last_frame, ..
            } if last_frame > frame => OriginText::Frames {
                frame,
                last: last_frame,
            },
            Origin::Frame { frame, .. } => OriginText::Frame { frame },
            Origin::Replay { index } => OriginText::Replay { index },
            Origin::Synthetic => OriginText::Synthetic,
        };
        message.render(lang)
    }

    /// Writes the origin in `lang` where `Display` wrote it: English exactly as `Display`
    /// (which ignores width and padding), without allocating.
    pub fn display(&self, lang: Lang) -> impl fmt::Display + '_ {
        InLang(self, lang)
    }

    /// Both languages, for a message that names the origin.
    pub fn text(&self) -> Text {
        Text::new(self.render(Lang::En), self.render(Lang::ZhCn))
    }
}

struct InLang<'a>(&'a Origin, Lang);

impl fmt::Display for InLang<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Origin::Line { .. }, _) | (_, Lang::En) => fmt::Display::fmt(self.0, f),
            (origin, lang) => f.write_str(&origin.render(lang)),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Origin::Line { line, column } if column > 1 => write!(f, "{line}:{column}"),
            Origin::Line { line, .. } => write!(f, "{line}"),
            Origin::Frame {
                frame, last_frame, ..
            } if last_frame > frame => {
                write!(f, "frames {frame}-{last_frame}")
            }
            Origin::Frame { frame, .. } => write!(f, "frame {frame}"),
            Origin::Replay { index } => write!(f, "replay #{index}"),
            Origin::Synthetic => f.write_str("(generated)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_frames_in_each_language_and_english_as_display() {
        let cases = [
            (Origin::frame(5, 0), "frame 5", "第 5 帧"),
            (
                Origin::frame(4, 0).extend(Origin::frame(6, 0)),
                "frames 4-6",
                "第 4-6 帧",
            ),
            (Origin::Replay { index: 3 }, "replay #3", "重放 #3"),
            (Origin::Synthetic, "(generated)", "（生成的）"),
            (Origin::Line { line: 9, column: 4 }, "9:4", "9:4"),
            (Origin::line(12), "12", "12"),
        ];
        for (origin, en, zh) in cases {
            assert_eq!(origin.to_string(), en);
            assert_eq!(origin.render(Lang::En), en);
            assert_eq!(origin.render(Lang::ZhCn), zh);
            assert_eq!(origin.text(), Text::new(en, zh));
            assert_eq!(origin.display(Lang::En).to_string(), en);
            assert_eq!(origin.display(Lang::ZhCn).to_string(), zh);
        }
    }
}
