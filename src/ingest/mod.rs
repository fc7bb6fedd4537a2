//! Reading submissions: format detection, text decoding, transcript dialects, captures,
//! archives — everything that turns files into [`Session`](crate::session::Session)s.
