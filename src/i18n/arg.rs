//! How a message's arguments are written into it: most as they display, lists, texts and
//! nested messages in the language being rendered.

use std::fmt;

use super::messages::common::{ListEnd, Separator};
use super::{Lang, Text};

/// A value a message puts into its text. Anything `Display` is written as it displays, in
/// every language (a command, a reply code, a count, a path).
pub trait Arg {
    fn write(&self, lang: Lang, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl<T: fmt::Display + ?Sized> Arg for T {
    fn write(&self, _: Lang, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An argument bound to the language being rendered, so `format!` can write it.
pub struct In<'a, T: ?Sized>(pub &'a T, pub Lang);

impl<T: Arg + ?Sized> fmt::Display for In<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(self.1, f)
    }
}

impl Arg for Text {
    fn write(&self, lang: Lang, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get(lang))
    }
}

/// Items written one after another with the language's separator, and how many more there
/// were that are not named ("…, and 3 more").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List<T> {
    pub items: Vec<T>,
    pub separator: Separator,
    /// Items left unnamed.
    pub more: usize,
    /// What goes before the last item instead of `separator` (English "a, b and c").
    pub last: Option<Separator>,
}

impl<T> List<T> {
    pub fn new(items: Vec<T>, separator: Separator) -> Self {
        List {
            items,
            separator,
            more: 0,
            last: None,
        }
    }

    /// The list with `last` before its last item ("a, b and c").
    pub fn and_last(self, last: Separator) -> Self {
        List {
            last: Some(last),
            ..self
        }
    }

    /// The list with `more` items counted after the named ones.
    pub fn and_more(self, more: usize) -> Self {
        List { more, ..self }
    }
}

impl<T: Arg> Arg for List<T> {
    fn write(&self, lang: Lang, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let separator = self.separator.get(lang);
        let last = self.items.len().saturating_sub(1);
        for (index, item) in self.items.iter().enumerate() {
            match self.last {
                Some(word) if index == last && index > 0 && self.more == 0 => {
                    f.write_str(word.get(lang))?
                }
                _ if index > 0 => f.write_str(separator)?,
                _ => {}
            }
            item.write(lang, f)?;
        }
        if self.more > 0 {
            f.write_str(separator)?;
            ListEnd::AndMore { more: self.more }.write(lang, f)?;
        }
        Ok(())
    }
}
