use std::fmt;

use serde::Serialize;

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
