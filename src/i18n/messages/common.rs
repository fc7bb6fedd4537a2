//! Pieces other messages are built of: list separators, "and N more".

use crate::i18n::catalogue::{messages, words};

words! {
    /// What goes between the items of a list.
    pub enum Separator {
        /// Between phrases and places.
        Comma => ", ", "，";
        /// Between names in an enumeration (Chinese 顿号).
        Enumeration => ", ", "、";
        /// Between clauses.
        Semicolon => "; ", "；";
    }
}

messages! {
    /// The end of a list that names only its first items.
    pub enum ListEnd {
        AndMore { more: usize } => "and {more} more", "另有 {more} 项";
    }
}
