//! The JSON report's serialiser: serde_json's bytes (its pretty or compact layout, its
//! string escapes, its number forms), written into a buffer that goes out in large pieces.
//!
//! serde_json escapes a string a byte at a time, object keys included, and writes a token at
//! a time: that was a third of `grade --format json`'s instructions. Here a string is
//! scanned eight bytes at a time for the bytes that need escaping, and runs without them
//! are copied whole.

use std::io;

use serde::ser::{self, Serialize};
use serde_json::ser::{CompactFormatter, Formatter as _};

use super::piece::Piece;
use super::{grade, origin, session};
use crate::session::Origin;

pub use serde_json::Error;

type Result<T = ()> = std::result::Result<T, Error>;

/// How the document is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// serde_json's `to_writer_pretty`: two spaces a level, `": "` after a key.
    #[default]
    Pretty,
    /// serde_json's `to_writer`: no whitespace at all.
    Compact,
}

/// The buffer is handed to the sink once it holds this much, between two values.
const FLUSH_AT: usize = 1 << 16;

/// The most the buffer keeps between values: a value of huge replies need not keep its
/// memory for all the others.
const KEPT: usize = 1 << 20;

const SPACES: &[u8; 64] = b"                                                                ";

/// `,` and a new line before the indentation of an element, so the three are one copy.
const COMMA_NEWLINE_SPACES: &[u8; 66] =
    b",\n                                                                ";

/// JSON written into a buffer, handed to `sink` in pieces of [`FLUSH_AT`] or more.
pub struct JsonWriter<W: io::Write> {
    buf: Vec<u8>,
    sink: W,
    layout: Layout,
    /// How deep the value being written sits: the indentation of its elements is one more.
    depth: usize,
    /// An origin's fixed bytes at each depth written so far (see [`JsonWriter::origin`]).
    origins: Vec<Option<Box<origin::Pieces>>>,
    /// The last origin's time, whose leading digits the next one mostly shares.
    time: origin::LastTime,
    /// The keys of grades, made at the first grade written.
    grades: Option<Box<grade::Templates>>,
    /// The keys of a session's exchanges at each depth they were written at (a replayed
    /// session's sit one deeper than the claimed ones), made at the first.
    exchanges: Vec<Keys<{ session::EXCHANGE_KEYS }>>,
}

impl<W: io::Write> JsonWriter<W> {
    pub fn new(sink: W, layout: Layout) -> Self {
        JsonWriter {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            sink,
            layout,
            depth: 0,
            origins: Vec::new(),
            time: origin::LastTime::default(),
            grades: None,
            exchanges: Vec::new(),
        }
    }

    /// Bytes made once by [`Keys::new`]: the key of `keys`' field `index`.
    #[inline]
    pub fn key_of<const N: usize>(&mut self, keys: &Keys<N>, index: usize) {
        keys.keys[index].put(&mut self.buf);
    }

    /// The end of an object of `keys`.
    #[inline]
    pub fn close_of<const N: usize>(&mut self, keys: &Keys<N>) {
        keys.close.put(&mut self.buf);
    }

    /// The keys of grades at `depth`, taken out while a grade is written with them.
    pub(super) fn grade_templates(&mut self, depth: usize) -> Box<grade::Templates> {
        match self.grades.take() {
            Some(templates) if templates.depth() == depth => templates,
            _ => Box::new(grade::Templates::new(self.layout, depth)),
        }
    }

    /// Gives the keys taken by [`JsonWriter::grade_templates`] back.
    pub(super) fn keep_grade_templates(&mut self, templates: Box<grade::Templates>) {
        self.grades = Some(templates);
    }

    /// The keys of exchanges whose fields sit at `depth`, taken out while exchanges are
    /// written with them.
    pub(super) fn exchange_keys(&mut self, depth: usize) -> Keys<{ session::EXCHANGE_KEYS }> {
        match self.exchanges.iter().position(|keys| keys.depth() == depth) {
            Some(at) => self.exchanges.swap_remove(at),
            None => session::exchange_keys(self.layout, depth),
        }
    }

    /// Gives the keys taken by [`JsonWriter::exchange_keys`] back.
    pub(super) fn keep_exchange_keys(&mut self, keys: Keys<{ session::EXCHANGE_KEYS }>) {
        self.exchanges.push(keys);
    }

    /// An [`Origin`] as its derived `Serialize` writes it (tagged by `kind`), a value at
    /// `depth`: origins are most of a report's objects, so their fixed bytes (brackets,
    /// keys, indentation) are made once per depth and copied whole around the numbers.
    pub fn origin(&mut self, depth: usize, origin: &Origin) {
        if self.origins.len() <= depth {
            self.origins.resize_with(depth + 1, || None);
        }
        let layout = self.layout;
        let pieces =
            self.origins[depth].get_or_insert_with(|| Box::new(origin::Pieces::new(layout, depth)));
        pieces.write(&mut self.buf, origin, &mut self.time);
    }

    /// What was written so far, taken out of the buffer (for fixed bytes made once).
    pub(super) fn take_written(&mut self) -> Piece {
        let piece = Piece::new(&self.buf);
        self.buf.clear();
        piece
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Bytes written as they are.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Before an element of an array or object whose elements sit at `depth`.
    pub fn element(&mut self, depth: usize, first: bool) {
        match self.layout {
            Layout::Pretty if depth <= SPACES.len() / 2 => {
                let from = usize::from(first);
                self.buf
                    .extend_from_slice(&COMMA_NEWLINE_SPACES[from..2 + 2 * depth]);
            }
            Layout::Pretty => {
                self.buf
                    .extend_from_slice(if first { b"\n" } else { b",\n" });
                self.indent(depth);
            }
            Layout::Compact if first => {}
            Layout::Compact => self.buf.push(b','),
        }
    }

    /// An object's key at `depth`, with what comes between it and its value.
    pub fn key(&mut self, depth: usize, first: bool, name: &str) {
        self.element(depth, first);
        self.string(name);
        self.colon();
    }

    /// [`JsonWriter::key`] for a name with nothing to escape (a field's name).
    #[inline]
    pub fn plain_key(&mut self, depth: usize, first: bool, name: &str) {
        debug_assert!(is_plain(name.as_bytes()), "{name} needs escaping");
        self.element(depth, first);
        self.buf.reserve(name.len() + 4);
        self.buf.push(b'"');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(b'"');
        self.colon();
    }

    /// The end of an array or object whose elements sit at `depth + 1`.
    pub fn close(&mut self, depth: usize, any: bool, bracket: &[u8]) {
        if any && self.layout == Layout::Pretty {
            self.buf.push(b'\n');
            self.indent(depth);
        }
        self.buf.extend_from_slice(bracket);
    }

    /// `value` as serde_json writes it, as if `depth` levels deep.
    pub fn value<T: Serialize + ?Sized>(&mut self, depth: usize, value: &T) -> io::Result<()> {
        self.depth = depth;
        value.serialize(&mut *self).map_err(io::Error::from)?;
        self.flush_some()
    }

    /// Hands the buffer to the sink once it is large.
    #[inline]
    pub fn flush_some(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.flush_buffer()?;
        }
        Ok(())
    }

    fn flush_buffer(&mut self) -> io::Result<()> {
        self.sink.write_all(&self.buf)?;
        self.buf.clear();
        if self.buf.capacity() > KEPT {
            self.buf = Vec::with_capacity(FLUSH_AT + 4096);
        }
        Ok(())
    }

    /// Everything written so far handed to the sink; the sink flushed.
    pub fn flush(&mut self) -> io::Result<()> {
        self.flush_buffer()?;
        self.sink.flush()
    }

    /// The sink, everything written handed to it.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.sink)
    }

    /// The sink, to write to directly: everything written so far is handed to it first.
    pub fn sink(&mut self) -> io::Result<&mut W> {
        self.flush_buffer()?;
        Ok(&mut self.sink)
    }

    fn indent(&mut self, depth: usize) {
        let mut spaces = 2 * depth;
        while spaces > 0 {
            let now = spaces.min(SPACES.len());
            self.buf.extend_from_slice(&SPACES[..now]);
            spaces -= now;
        }
    }

    fn colon(&mut self) {
        match self.layout {
            Layout::Pretty => self.buf.extend_from_slice(b": "),
            Layout::Compact => self.buf.push(b':'),
        }
    }

    /// A JSON string, quoted and escaped.
    #[inline]
    fn string(&mut self, text: &str) {
        self.buf.reserve(text.len() + 2);
        self.buf.push(b'"');
        escape_into(&mut self.buf, text.as_bytes());
        self.buf.push(b'"');
    }

    /// `[` or `{`, one level deeper.
    fn open(&mut self, bracket: u8) {
        self.depth += 1;
        self.buf.push(bracket);
    }

    /// Before an element of the array or object just opened.
    #[inline]
    fn item(&mut self, first: bool) {
        let depth = self.depth;
        self.element(depth, first);
    }

    /// `]` or `}`, one level up.
    fn shut(&mut self, any: bool, bracket: &[u8]) {
        self.depth -= 1;
        let depth = self.depth;
        self.close(depth, any, bracket);
    }

    pub fn bool(&mut self, value: bool) {
        self.raw(if value { b"true" } else { b"false" });
    }

    pub fn null(&mut self) {
        self.buf.extend_from_slice(b"null");
    }

    /// A JSON string, quoted and escaped (what `serialize_str` writes).
    #[inline]
    pub fn str(&mut self, text: &str) {
        self.string(text);
    }

    /// Part of a string opened with `raw(b"\"")`: escaped, unquoted.
    #[inline]
    pub fn str_part(&mut self, text: &str) {
        escape_into(&mut self.buf, text.as_bytes());
    }

    /// A number as serde_json writes it (itoa).
    #[inline]
    pub fn u64(&mut self, value: u64) {
        let mut digits = itoa::Buffer::new();
        self.buf.extend_from_slice(digits.format(value).as_bytes());
    }

    /// A number as serde_json writes it (itoa).
    #[inline]
    pub fn i64(&mut self, value: i64) {
        let mut digits = itoa::Buffer::new();
        self.buf.extend_from_slice(digits.format(value).as_bytes());
    }

    /// A `Display` value as a JSON string (what `collect_str` writes).
    pub fn display(&mut self, value: &dyn std::fmt::Display) -> io::Result<()> {
        use std::fmt::Write as _;
        self.buf.push(b'"');
        write!(Escaping(&mut self.buf), "{value}")
            .map_err(|_| io::Error::other("a value's Display failed"))?;
        self.buf.push(b'"');
        Ok(())
    }
}

/// The bytes before each field of objects whose fields sit at one depth (what `{` and
/// [`JsonWriter::plain_key`] write) and after the last (what [`JsonWriter::close`]
/// writes), made once and copied whole: a key written call by call cost a hundred
/// instructions. The first name is always its object's first field, so its bytes also
/// open the object.
pub struct Keys<const N: usize> {
    keys: [Piece; N],
    close: Piece,
    depth: usize,
}

impl<const N: usize> Keys<N> {
    /// `names` of fields at `depth` (at least 1), as [`JsonWriter`]'s own calls write them.
    pub fn new(layout: Layout, depth: usize, names: [&str; N]) -> Self {
        let mut json = JsonWriter::new(io::sink(), layout);
        let keys = std::array::from_fn(|index| {
            if index == 0 {
                json.raw(b"{");
            }
            json.plain_key(depth, index == 0, names[index]);
            json.take_written()
        });
        json.close(depth - 1, true, b"}");
        Keys {
            keys,
            close: json.take_written(),
            depth,
        }
    }

    /// Where the fields sit.
    pub fn depth(&self) -> usize {
        self.depth
    }
}

/// serde_json's escape for each byte: 0 for none, `u` for `\u00XX`, else the letter after
/// the backslash.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of eight bytes is below 0x20, `"` or `\`. Never wrong when none is; a byte
/// above one that is may be counted too, which costs only a closer look.
#[inline]
fn needs_escape(word: u64) -> bool {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let is_quote = quote.wrapping_sub(ONES) & !quote;
    let is_backslash = backslash.wrapping_sub(ONES) & !backslash;
    (below_space | is_quote | is_backslash) & HIGHS != 0
}

/// `bytes` (UTF-8) escaped as serde_json escapes a string's contents.
#[inline]
fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    if is_plain(bytes) {
        out.extend_from_slice(bytes);
    } else {
        escape_slowly(out, bytes);
    }
}

/// Whether no byte of `bytes` needs escaping: eight at a time, the last eight overlapping
/// those before when the length is no multiple of eight.
#[inline]
fn is_plain(bytes: &[u8]) -> bool {
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight"));
    if bytes.len() < 8 {
        return bytes.iter().all(|&byte| ESCAPE[byte as usize] == 0);
    }
    let mut at = 0;
    while at + 8 < bytes.len() {
        if needs_escape(word(at)) {
            return false;
        }
        at += 8;
    }
    !needs_escape(word(bytes.len() - 8))
}

/// [`escape_into`] for text with something to escape: runs between escapes copied whole.
/// Words with nothing to escape are passed over whole.
fn escape_slowly(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + 8).min(bytes.len());
        if end - at < 8
            || needs_escape(u64::from_le_bytes(
                bytes[at..end].try_into().expect("eight bytes"),
            ))
        {
            for index in at..end {
                if ESCAPE[bytes[index] as usize] != 0 {
                    out.extend_from_slice(&bytes[start..index]);
                    escape_byte(out, bytes[index]);
                    start = index + 1;
                }
            }
        }
        at = end;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cold]
fn escape_byte(out: &mut Vec<u8>, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match ESCAPE[byte as usize] {
        b'u' => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[(byte >> 4) as usize],
            HEX[(byte & 0xF) as usize],
        ]),
        letter => out.extend_from_slice(&[b'\\', letter]),
    }
}

/// A `Display` value's text escaped as it is written, with no `String` made for it.
struct Escaping<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Escaping<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        escape_into(self.0, text.as_bytes());
        Ok(())
    }
}

/// Numbers as serde_json writes them (itoa, ryu), into the buffer.
macro_rules! number {
    ($($method:ident($type:ty) => $write:ident;)*) => {
        $(
            #[inline]
            fn $method(self, value: $type) -> Result {
                CompactFormatter.$write(&mut self.buf, value).map_err(Error::io)
            }
        )*
    };
}

impl<'a, W: io::Write> ser::Serializer for &'a mut JsonWriter<W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, W>;
    type SerializeTuple = Compound<'a, W>;
    type SerializeTupleStruct = Compound<'a, W>;
    type SerializeTupleVariant = Compound<'a, W>;
    type SerializeMap = Compound<'a, W>;
    type SerializeStruct = Compound<'a, W>;
    type SerializeStructVariant = Compound<'a, W>;

    fn serialize_bool(self, value: bool) -> Result {
        self.raw(if value { b"true" } else { b"false" });
        Ok(())
    }

    number! {
        serialize_i8(i8) => write_i8;
        serialize_i16(i16) => write_i16;
        serialize_i32(i32) => write_i32;
        serialize_i64(i64) => write_i64;
        serialize_i128(i128) => write_i128;
        serialize_u8(u8) => write_u8;
        serialize_u16(u16) => write_u16;
        serialize_u32(u32) => write_u32;
        serialize_u64(u64) => write_u64;
        serialize_u128(u128) => write_u128;
    }

    fn serialize_f32(self, value: f32) -> Result {
        if value.is_finite() {
            CompactFormatter
                .write_f32(&mut self.buf, value)
                .map_err(Error::io)
        } else {
            self.null();
            Ok(())
        }
    }

    fn serialize_f64(self, value: f64) -> Result {
        if value.is_finite() {
            CompactFormatter
                .write_f64(&mut self.buf, value)
                .map_err(Error::io)
        } else {
            self.null();
            Ok(())
        }
    }

    fn serialize_char(self, value: char) -> Result {
        self.string(value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    #[inline]
    fn serialize_str(self, value: &str) -> Result {
        self.string(value);
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(value.len()))?;
        for byte in value {
            seq.serialize_element(byte)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result {
        self.null();
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.null();
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.null();
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result {
        self.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self)
    }

    /// `{"variant": value}`, as serde_json writes it.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.open(b'{');
        self.item(true);
        self.string(variant);
        self.colon();
        value.serialize(&mut *self)?;
        self.shut(true, b"}");
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a, W>> {
        self.open(b'[');
        Ok(Compound {
            writer: self,
            first: true,
            variant: false,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, W>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, W>> {
        self.serialize_seq(Some(len))
    }

    /// `{"variant": [elements]}`.
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, W>> {
        self.open(b'{');
        self.item(true);
        self.string(variant);
        self.colon();
        self.open(b'[');
        Ok(Compound {
            writer: self,
            first: true,
            variant: true,
        })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a, W>> {
        self.open(b'{');
        Ok(Compound {
            writer: self,
            first: true,
            variant: false,
        })
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, W>> {
        self.serialize_map(Some(len))
    }

    /// `{"variant": {fields}}`.
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, W>> {
        self.open(b'{');
        self.item(true);
        self.string(variant);
        self.colon();
        self.open(b'{');
        Ok(Compound {
            writer: self,
            first: true,
            variant: true,
        })
    }

    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Result {
        use std::fmt::Write as _;
        self.buf.push(b'"');
        write!(Escaping(&mut self.buf), "{value}")
            .map_err(|_| ser::Error::custom("a value's Display failed"))?;
        self.buf.push(b'"');
        Ok(())
    }
}

/// An array or object being written; `variant` when it is wrapped in `{"variant": …}`.
pub struct Compound<'a, W: io::Write> {
    writer: &'a mut JsonWriter<W>,
    first: bool,
    variant: bool,
}

impl<W: io::Write> Compound<'_, W> {
    #[inline]
    fn next(&mut self) {
        self.writer.item(self.first);
        self.first = false;
    }

    fn end_array(self) -> Result {
        self.writer.shut(!self.first, b"]");
        if self.variant {
            self.writer.shut(true, b"}");
        }
        Ok(())
    }

    fn end_object(self) -> Result {
        self.writer.shut(!self.first, b"}");
        if self.variant {
            self.writer.shut(true, b"}");
        }
        Ok(())
    }

    #[inline]
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result {
        self.next();
        self.writer.string(key);
        self.writer.colon();
        value.serialize(&mut *self.writer)
    }
}

impl<W: io::Write> ser::SerializeSeq for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    /// Hands the buffer on between elements once it is large, so a whole document is
    /// never held.
    #[inline]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.next();
        value.serialize(&mut *self.writer)?;
        self.writer.flush_some().map_err(Error::io)
    }

    fn end(self) -> Result {
        self.end_array()
    }
}

impl<W: io::Write> ser::SerializeTuple for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result {
        self.end_array()
    }
}

impl<W: io::Write> ser::SerializeTupleStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result {
        self.end_array()
    }
}

impl<W: io::Write> ser::SerializeTupleVariant for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result {
        self.end_array()
    }
}

impl<W: io::Write> ser::SerializeMap for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.next();
        key.serialize(MapKey(&mut *self.writer))?;
        self.writer.colon();
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result {
        self.end_object()
    }
}

impl<W: io::Write> ser::SerializeStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }

    fn end(self) -> Result {
        self.end_object()
    }
}

impl<W: io::Write> ser::SerializeStructVariant for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }

    fn end(self) -> Result {
        self.end_object()
    }
}

/// A map's key: a string, or what serde_json also writes as one (a number, a bool, a
/// char, a unit variant, a newtype around one of those).
struct MapKey<'a, W: io::Write>(&'a mut JsonWriter<W>);

fn key_must_be_a_string() -> Error {
    ser::Error::custom("key must be a string")
}

macro_rules! quoted {
    ($($method:ident($type:ty);)*) => {
        $(
            fn $method(self, value: $type) -> Result {
                self.0.buf.push(b'"');
                ser::Serializer::$method(&mut *self.0, value)?;
                self.0.buf.push(b'"');
                Ok(())
            }
        )*
    };
}

impl<W: io::Write> ser::Serializer for MapKey<'_, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    quoted! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
    }

    fn serialize_f32(self, value: f32) -> Result {
        if !value.is_finite() {
            return Err(ser::Error::custom(
                "float key must be finite (got NaN or +/-inf)",
            ));
        }
        self.0.buf.push(b'"');
        ser::Serializer::serialize_f32(&mut *self.0, value)?;
        self.0.buf.push(b'"');
        Ok(())
    }

    fn serialize_f64(self, value: f64) -> Result {
        if !value.is_finite() {
            return Err(ser::Error::custom(
                "float key must be finite (got NaN or +/-inf)",
            ));
        }
        self.0.buf.push(b'"');
        ser::Serializer::serialize_f64(&mut *self.0, value)?;
        self.0.buf.push(b'"');
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result {
        ser::Serializer::serialize_char(self.0, value)
    }

    fn serialize_str(self, value: &str) -> Result {
        self.0.string(value);
        Ok(())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result {
        Err(key_must_be_a_string())
    }

    fn serialize_none(self) -> Result {
        Err(key_must_be_a_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
        Err(key_must_be_a_string())
    }

    fn serialize_unit(self) -> Result {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.0.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(key_must_be_a_string())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }

    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Result {
        ser::Serializer::collect_str(self.0, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours<T: Serialize + ?Sized>(value: &T, layout: Layout) -> String {
        let mut writer = JsonWriter::new(Vec::new(), layout);
        writer.value(0, value).expect("written");
        String::from_utf8(writer.into_inner().expect("flushed")).expect("UTF-8")
    }

    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
        assert_eq!(
            ours(value, Layout::Pretty),
            serde_json::to_string_pretty(value).expect("serde_json")
        );
        assert_eq!(
            ours(value, Layout::Compact),
            serde_json::to_string(value).expect("serde_json")
        );
    }

    #[test]
    fn escapes_every_byte_as_serde_json_does() {
        let every: String = (0u32..0x300).filter_map(char::from_u32).collect();
        same_as_serde_json(&every);
        for start in 0..16 {
            same_as_serde_json(&every[start..]);
        }
        for text in [
            "",
            "plain",
            "\"",
            "\\",
            "a\"b\\c\nd\re\tf\u{8}\u{c}\u{1}\u{1f}\u{7f}",
            "eight ch",
            "seven\n",
            "第 5 帧 → \"x\"",
            "EHLO|HELO → 250 and a long run of text past eight bytes\u{0}",
        ] {
            same_as_serde_json(text);
            same_as_serde_json(&[text, text]);
        }
    }

    #[test]
    fn finds_a_byte_to_escape_at_every_place_of_a_word() {
        for escaped in [0u8, 0x1f, b'"', b'\\', b'\n'] {
            for place in 0..24 {
                let mut bytes = vec![b'a'; 24];
                bytes[place] = escaped;
                let text = String::from_utf8(bytes).expect("ASCII");
                same_as_serde_json(&text);
            }
        }
    }

    #[derive(serde::Serialize)]
    enum Shapes {
        Unit,
        Newtype(u8),
        Tuple(i32, bool),
        EmptyTuple(),
        Struct { a: Option<u64>, b: Vec<u8> },
        EmptyStruct {},
    }

    #[derive(serde::Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Tagged {
        Line { line: u32, column: u32 },
        Synthetic,
    }

    #[derive(serde::Serialize)]
    struct Everything {
        #[serde(rename = "zh-CN")]
        text: String,
        numbers: (i8, i64, u128, i128, f32, f64, f64),
        nothing: (),
        empty: Vec<u32>,
        nested: Vec<Vec<Vec<u8>>>,
        shapes: Vec<Shapes>,
        tagged: Vec<Tagged>,
        map: std::collections::BTreeMap<String, Vec<bool>>,
        number_keys: std::collections::BTreeMap<u32, char>,
        empty_map: std::collections::BTreeMap<String, u8>,
        #[serde(serialize_with = "as_bytes")]
        bytes: Vec<u8>,
        path: std::path::PathBuf,
    }

    fn as_bytes<S: ser::Serializer>(
        bytes: &[u8],
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    #[test]
    fn writes_every_shape_as_serde_json_does() {
        let value = Everything {
            text: "a\u{1}b".into(),
            numbers: (-8, i64::MIN, u128::MAX, i128::MIN, 1.5, f64::NAN, 0.1),
            nothing: (),
            empty: vec![],
            nested: vec![vec![], vec![vec![], vec![1, 2]]],
            shapes: vec![
                Shapes::Unit,
                Shapes::Newtype(7),
                Shapes::Tuple(-1, true),
                Shapes::EmptyTuple(),
                Shapes::Struct {
                    a: None,
                    b: vec![3],
                },
                Shapes::Struct {
                    a: Some(4),
                    b: vec![],
                },
                Shapes::EmptyStruct {},
            ],
            tagged: vec![Tagged::Line { line: 3, column: 1 }, Tagged::Synthetic],
            map: [
                ("k\"ey".to_string(), vec![true, false]),
                ("".into(), vec![]),
            ]
            .into_iter()
            .collect(),
            number_keys: [(1, 'x'), (20, '"')].into_iter().collect(),
            empty_map: Default::default(),
            bytes: vec![0, 255],
            path: "dir/file name.pcap".into(),
        };
        same_as_serde_json(&value);
        same_as_serde_json(&vec![&value, &value]);
    }

    #[test]
    fn writes_at_depth_as_inside_a_document() {
        let inner = vec![vec![1u8], vec![]];
        let whole = serde_json::to_string_pretty(&vec![vec![&inner]]).expect("serde_json");
        let mut writer = JsonWriter::new(Vec::new(), Layout::Pretty);
        writer.raw(b"[");
        writer.element(1, true);
        writer.raw(b"[");
        writer.element(2, true);
        writer.value(2, &inner).expect("written");
        writer.close(1, true, b"]");
        writer.close(0, true, b"]");
        let written = String::from_utf8(writer.into_inner().expect("flushed")).expect("UTF-8");
        assert_eq!(written, whole);
    }
}
