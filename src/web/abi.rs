//! The functions the page's script calls. Strings and files cross as (pointer, length) into
//! memory the script got from [`mg_alloc`]; an answer is a buffer whose first 4 bytes are
//! its length (little-endian), which the script gives back with [`mg_free`].

use std::alloc::{alloc, dealloc, Layout};

/// `len` bytes for the script to write into (a file, a name), never null.
#[no_mangle]
pub extern "C" fn mg_alloc(len: usize) -> *mut u8 {
    let layout = Layout::from_size_align(len.max(1), 1).expect("layout");
    // SAFETY: the layout's size is never zero.
    unsafe { alloc(layout) }
}

/// Gives back what [`mg_alloc`] or an answer handed out.
///
/// # Safety
/// `ptr` came from `mg_alloc(len)`, or is an answer whose length prefix plus 4 is `len`.
#[no_mangle]
pub unsafe extern "C" fn mg_free(ptr: *mut u8, len: usize) {
    dealloc(ptr, Layout::from_size_align(len.max(1), 1).expect("layout"));
}

/// Grades a file; the answer is [`super::grade_json`]'s. The file's bytes are taken over
/// (freed here); the other inputs stay the script's. `lab_len` 0: no lab; `scenario_len` 0:
/// no scenario file (with neither, the built-in scenarios).
///
/// # Safety
/// Every (pointer, length) pair is memory from `mg_alloc` holding that many bytes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mg_grade(
    file: *mut u8,
    file_len: usize,
    name: *const u8,
    name_len: usize,
    lang: *const u8,
    lang_len: usize,
    lab: *const u8,
    lab_len: usize,
    scenario: *const u8,
    scenario_len: usize,
) -> *mut u8 {
    let bytes = std::slice::from_raw_parts(file, file_len).to_vec();
    mg_free(file, file_len);
    let name = text(name, name_len);
    let lang = text(lang, lang_len);
    let lab = (lab_len > 0).then(|| text(lab, lab_len));
    let scenario = (scenario_len > 0).then(|| text(scenario, scenario_len));
    let answer = super::grade_json(
        &name,
        bytes,
        &lang,
        lab.as_deref(),
        scenario.as_deref().map(|s| ("scenario.yaml", s)),
    );
    answer_buffer(answer)
}

/// The built-in labs' names ([`super::labs_json`]).
#[no_mangle]
pub extern "C" fn mg_labs() -> *mut u8 {
    answer_buffer(super::labs_json())
}

/// The page's own texts ([`super::texts_json`]).
#[no_mangle]
pub extern "C" fn mg_texts() -> *mut u8 {
    answer_buffer(super::texts_json())
}

unsafe fn text(ptr: *const u8, len: usize) -> String {
    String::from_utf8_lossy(std::slice::from_raw_parts(ptr, len)).into_owned()
}

fn answer_buffer(answer: String) -> *mut u8 {
    let len = answer.len();
    let buffer = mg_alloc(len + 4);
    // SAFETY: `buffer` holds len + 4 bytes.
    unsafe {
        std::ptr::copy_nonoverlapping((len as u32).to_le_bytes().as_ptr(), buffer, 4);
        std::ptr::copy_nonoverlapping(answer.as_ptr(), buffer.add(4), len);
    }
    buffer
}
