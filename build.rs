//! Compiles the message catalogues, `src/i18n/messages/*.toml`, into Rust: one module per
//! file, each catalogue in it an invocation of the macros in `src/i18n/catalogue.rs`, and
//! `CATALOGUES`, the list of them all. A message without both texts stops the build here,
//! naming the file and the message; the Rust compiler then checks each text's arguments.
//!
//! A catalogue is a table. Its keys: `doc`; `words = true` for fixed texts; `args_from` and
//! `args` for messages that all read their arguments from one struct; and one entry per
//! message, `Id = { en = "…", zh-CN = "…" }` or a table `[Catalogue.Id]` with `en`, `zh-CN`,
//! `args = { name = "Type" }` and `doc`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, TableLike};

const FOLDER: &str = "src/i18n/messages";
/// Keys of a catalogue table that are not messages.
const SETTINGS: [&str; 4] = ["doc", "words", "args_from", "args"];

fn main() {
    println!("cargo:rerun-if-changed={FOLDER}");
    let folder =
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it")).join(FOLDER);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| fail(&folder, &e.to_string()))
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = String::new();
    let mut catalogues = Vec::new();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(path, &e.to_string()));
        module(path, &text, &mut out, &mut catalogues).unwrap_or_else(|e| fail(path, &e));
    }
    out.push_str("/// Every message of every catalogue, for the tests and for documentation.\n");
    out.push_str("pub const CATALOGUES: &[&[Template]] = &[\n");
    for name in &catalogues {
        let _ = writeln!(out, "    {name}::TEMPLATES,");
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("i18n_catalogues.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| fail(&target, &e.to_string()));
}

fn fail(path: &Path, error: &str) -> ! {
    panic!("{}: {error}", path.display())
}

/// One file's module.
fn module(
    path: &Path,
    text: &str,
    out: &mut String,
    catalogues: &mut Vec<String>,
) -> Result<(), String> {
    let parsed = Document::parse(text).map_err(|e| e.to_string())?;
    let document = parsed.as_table();
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("the file name is not UTF-8")?;
    let _ = writeln!(out, "{}pub mod {name} {{", doc(document.get("doc"), ""));
    out.push_str("    #[allow(unused_imports)]\n    use super::*;\n");
    out.push_str(
        "    #[allow(unused_imports)]\n    use crate::i18n::catalogue::{messages, words};\n",
    );
    out.push_str("    #[allow(unused_imports)]\n    use crate::i18n::{List, Text};\n");
    for (catalogue, item) in document.iter() {
        if catalogue == "doc" {
            continue;
        }
        let table = item
            .as_table_like()
            .ok_or_else(|| format!("`{catalogue}` is not a table of messages"))?;
        write_catalogue(catalogue, table, out).map_err(|e| format!("{catalogue}: {e}"))?;
        catalogues.push(format!("{name}::{catalogue}"));
    }
    out.push_str("}\n\n");
    Ok(())
}

fn write_catalogue(name: &str, table: &dyn TableLike, out: &mut String) -> Result<(), String> {
    let words = table.get("words").and_then(Item::as_bool) == Some(true);
    let shared = match table.get("args_from") {
        Some(from) => {
            let from = from.as_str().ok_or("`args_from` is not a type name")?;
            let args = table
                .get("args")
                .and_then(Item::as_array)
                .ok_or("`args_from` needs `args`, the struct's fields")?;
            let fields: Option<Vec<&str>> = args.iter().map(|a| a.as_str()).collect();
            let fields = fields.ok_or("`args` are not field names")?;
            Some(format!(" for {from} {{ {} }}", fields.join(", ")))
        }
        None => None,
    };
    let macro_name = if words { "words" } else { "messages" };
    let _ = writeln!(out, "    {macro_name}! {{");
    out.push_str(&doc(table.get("doc"), "        "));
    let _ = writeln!(
        out,
        "        pub enum {name}{} {{",
        shared.as_deref().unwrap_or_default()
    );
    for (id, item) in table.iter() {
        if SETTINGS.contains(&id) {
            continue;
        }
        let message = item
            .as_table_like()
            .ok_or_else(|| format!("{id} is not `{{ en = …, zh-CN = … }}`"))?;
        let text = |lang: &str| {
            message
                .get(lang)
                .and_then(Item::as_str)
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| format!("{id} has no {lang} text"))
        };
        let (en, zh) = (text("en")?, text("zh-CN")?);
        let args = match message.get("args") {
            Some(args) if !words && shared.is_none() => {
                let args = args
                    .as_table_like()
                    .ok_or_else(|| format!("{id}: `args` is not `{{ name = \"Type\" }}`"))?;
                let mut fields = Vec::new();
                for (arg, ty) in args.iter() {
                    let ty = ty
                        .as_str()
                        .ok_or_else(|| format!("{id}: the type of `{arg}` is not a string"))?;
                    fields.push(format!("{arg}: {ty}"));
                }
                format!(" {{ {} }}", fields.join(", "))
            }
            Some(_) => return Err(format!("{id}: only a `messages` catalogue takes `args`")),
            None => String::new(),
        };
        out.push_str(&doc(message.get("doc"), "            "));
        let _ = writeln!(
            out,
            "            {id}{args} =>\n                {en:?},\n                {zh:?};"
        );
    }
    out.push_str("        }\n    }\n");
    Ok(())
}

/// A `doc` value as a doc attribute.
fn doc(value: Option<&Item>, indent: &str) -> String {
    match value.and_then(Item::as_str) {
        Some(text) => format!("{indent}#[doc = {:?}]\n", text.trim()),
        None => String::new(),
    }
}
