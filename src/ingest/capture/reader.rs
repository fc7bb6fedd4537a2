//! The capture reader end to end: frames → connections → sessions → a [`FileRead`], in two
//! stages (`handoff.rs`): connections reassembled, then sessions built from their bytes.

use std::io::Read;
use std::path::Path;

use std::collections::VecDeque;

use super::decode::{Decoder, FrameStats};
use super::file::{self, FileInfo, FormatError, RawFrame};
use super::flows::FlowStats;
#[cfg(feature = "native")]
use super::handoff::{read_batch, Batch, Returned, Threaded};
use super::handoff::{Batcher, Handoff, Inline, Sender};
use super::release::{Release, Window};
use super::sessions::SessionAssembler;
use super::summary::{self, Outcome};
use super::CaptureStages;
use crate::ingest::{FileRead, IngestError};
use crate::session::Session;

/// Where the capture's bytes come from.
pub(super) enum Input<'a, R: Read> {
    /// Already in memory: frames are read in place.
    Bytes(&'a [u8]),
    /// Streamed: memory is bounded by the open sessions.
    Stream(R),
}

/// Captures from this size on are read by two threads: one decodes frames, keeps the
/// connection table and reassembles TCP, the other builds sessions (`handoff.rs`). Below
/// it a second thread would cost more than it saves; the result is the same either way.
#[cfg(feature = "native")]
const TWO_THREADS_FROM: usize = 1 << 20;

/// What the flow stage gives besides its events.
struct Decoded {
    info: FileInfo,
    frames: FrameStats,
    flows: FlowStats,
    fragments_abandoned: u64,
}

/// Reads every SMTP and POP3 session from a capture, handing each to `sink` in the order of
/// their first frames as soon as no earlier one can still appear; the [`FileRead`] returned
/// holds the file's notes and no sessions. After an error, sessions already handed on stay
/// with the caller.
pub(super) fn read<R: Read + Send>(
    path: &Path,
    input: Input<'_, R>,
    stages: CaptureStages,
    sink: &mut dyn FnMut(Session),
) -> Result<FileRead, IngestError> {
    let two_threads = stages == CaptureStages::Apart && two_threads(&input);
    read_on(path, input, two_threads, sink)
}

/// [`read`] on one thread or two, as chosen.
fn read_on<R: Read + Send>(
    path: &Path,
    input: Input<'_, R>,
    two_threads: bool,
    sink: &mut dyn FnMut(Session),
) -> Result<FileRead, IngestError> {
    let mut assembler = SessionAssembler::new(path);
    let mut release = Release::new(sink);
    let decoded = read_stages(input, two_threads, &mut assembler, &mut release);
    let decoded = decoded.map_err(|e| IngestError::Invalid {
        path: path.to_path_buf(),
        place: None,
        message: e.message,
        hint: e.hint,
    })?;
    assembler.take_all(&mut |f| release.push(f));
    let (has_mail, held) = release.into_held();
    let mut read = summary::conclude(Outcome {
        path,
        info: decoded.info,
        frames: decoded.frames,
        flows: decoded.flows,
        fragments_abandoned: decoded.fragments_abandoned,
        sessions: held,
        has_mail,
    })?;
    for session in std::mem::take(&mut read.sessions) {
        sink(session);
    }
    Ok(read)
}

/// Whether a second thread pays for itself; a stream's size is not known, and streams are
/// what large files that cannot be mapped are read as.
#[cfg(feature = "native")]
fn two_threads<R: Read>(input: &Input<'_, R>) -> bool {
    match input {
        Input::Bytes(bytes) => bytes.len() >= TWO_THREADS_FROM,
        Input::Stream(_) => true,
    }
}

/// Without `native` (wasm32) no thread may be started.
#[cfg(not(feature = "native"))]
fn two_threads<R: Read>(_: &Input<'_, R>) -> bool {
    false
}

/// Runs the flow stage and the session stage over `input`, on two threads when asked and
/// a thread can be had.
#[cfg(feature = "native")]
fn read_stages<R: Read + Send>(
    input: Input<'_, R>,
    two_threads: bool,
    assembler: &mut SessionAssembler<'_>,
    release: &mut Release<'_>,
) -> Result<Decoded, FormatError> {
    if !two_threads {
        return read_inline(input, assembler, release);
    }
    // Kept here, so that when no thread can be started the input is read on this one.
    let input = std::sync::Mutex::new(Some(input));
    std::thread::scope(|scope| {
        let (batches, to_read) = std::sync::mpsc::sync_channel::<Batch>(2);
        let (returns, returned) = std::sync::mpsc::channel::<Returned>();
        let input = &input;
        let flows = std::thread::Builder::new()
            .name("capture-flows".into())
            .spawn_scoped(scope, move || {
                let input = input.lock().ok().and_then(|mut i| i.take());
                let mut handoff = Threaded { batches, returned };
                input.map(|input| decode(input, &mut handoff))
            });
        let Ok(flows) = flows else {
            let input = input.lock().ok().and_then(|mut i| i.take());
            return read_inline(input.expect("the input, never taken"), assembler, release);
        };
        for batch in to_read {
            // The flow stage only stops listening once it is done.
            let _ = returns.send(read_batch(batch, assembler, release));
        }
        match flows.join() {
            Ok(decoded) => decoded.expect("the input, taken once"),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(not(feature = "native"))]
fn read_stages<R: Read + Send>(
    input: Input<'_, R>,
    _two_threads: bool,
    assembler: &mut SessionAssembler<'_>,
    release: &mut Release<'_>,
) -> Result<Decoded, FormatError> {
    read_inline(input, assembler, release)
}

/// Both stages on this thread.
fn read_inline<R: Read>(
    input: Input<'_, R>,
    assembler: &mut SessionAssembler<'_>,
    release: &mut Release<'_>,
) -> Result<Decoded, FormatError> {
    let mut handoff = Inline {
        assembler,
        release,
        returned: VecDeque::new(),
    };
    decode(input, &mut handoff)
}

/// The flow stage: frames decoded, connections reassembled, their events handed on.
fn decode<R: Read>(input: Input<'_, R>, handoff: &mut dyn Handoff) -> Result<Decoded, FormatError> {
    let mut decoder = Decoder::default();
    let mut batcher = Batcher::default();
    let mut window = Window::default();
    let mut sender = Sender::new(handoff);
    let mut on_frame = |frame: &RawFrame<'_>| {
        decoder.frame(frame, &mut batcher);
        window.after_frame(&mut decoder, &mut batcher);
        sender.after_frame(&mut batcher, &mut decoder);
    };
    let info = match input {
        Input::Bytes(bytes) => file::for_each_frame_in(bytes, &mut on_frame),
        Input::Stream(reader) => file::for_each_frame(reader, &mut on_frame),
    };
    // After an error, what was read up to it still goes on: sessions released by then
    // reach the sink before the error does.
    let info = info.inspect(|_| decoder.finish(&mut batcher));
    sender.finish(&mut batcher);
    Ok(Decoded {
        info: info?,
        frames: decoder.stats,
        flows: decoder.flows.stats,
        fragments_abandoned: decoder.defrag.abandoned,
    })
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;

    /// Everything a read hands on, as text: the sessions, then the notes or the error.
    fn read_all(path: &Path, bytes: &[u8], two_threads: bool) -> String {
        let mut sessions = Vec::new();
        let input = Input::<std::fs::File>::Bytes(bytes);
        let ended = read_on(path, input, two_threads, &mut |session| {
            sessions.push(session)
        });
        format!(
            "{}\n{:?}",
            serde_json::to_string(&sessions).expect("JSON"),
            ended.map_err(|e| e.to_string())
        )
    }

    #[test]
    fn two_threads_read_every_corpus_capture_as_one_does() {
        let dir = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpus/pcap"
        ));
        let mut read = 0;
        for entry in std::fs::read_dir(dir).expect("corpus").flatten() {
            let path = entry.path();
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            // Whole, and cut mid-file (a file that ends early, or breaks).
            for bytes in [&bytes[..], &bytes[..bytes.len() * 2 / 3]] {
                assert_eq!(
                    read_all(&path, bytes, false),
                    read_all(&path, bytes, true),
                    "{}",
                    path.display()
                );
            }
            read += 1;
        }
        assert!(read >= 20, "{read} corpus captures read");
    }
}
