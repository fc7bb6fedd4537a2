//! The three shapes a catalogue takes, as macros `build.rs` writes invocations of from the
//! catalogue files (`messages/*.toml`):
//!
//! - `words!`: fixed texts (a column heading, a verdict); `get(lang) -> &'static str`;
//! - `messages!`: messages with typed arguments; `render(lang) -> String`;
//! - `messages! { pub enum X for Args { … } … }`: messages that all read their arguments
//!   from one struct (the protocol rules' feedback); `render(&args, lang)`.
//!
//! Each message is `Id => "English", "中文";`, with `{ name: Type, … }` after the id for
//! arguments; `{name}` in either text is an argument, written by `format!`, so a text that
//! names an argument its message lacks does not compile. Every catalogue lists its
//! [`Template`]s, which `i18n/tests.rs` holds to having both languages with the same
//! arguments. `text()` gives both languages, as grades keep them.

/// One message as its catalogue writes it.
#[derive(Debug)]
pub struct Template {
    /// The catalogue's type name, e.g. `TlsFeedback`.
    pub catalogue: &'static str,
    /// The message's id in its catalogue, e.g. `ClientHello`.
    pub id: &'static str,
    /// The arguments the message may use.
    pub args: &'static [&'static str],
    pub en: &'static str,
    pub zh_cn: &'static str,
}

/// A piece of a message's text: written as it is, or the place of one of its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(&'static str),
    /// The argument's name, as [`Template::args`] lists it.
    Arg(&'static str),
}

impl Template {
    /// Message `id` of a catalogue's `templates`.
    pub fn find(templates: &'static [Template], id: &str) -> Option<&'static Template> {
        templates.iter().find(|template| template.id == id)
    }

    /// The text in `lang` cut at its arguments, for a line written so often that `format!`
    /// and the Strings a message is given show (a capture's tens of thousands of session
    /// headings); none when the text holds what `format!` reads otherwise (an escaped brace,
    /// a format spec), so the caller renders the message instead.
    pub fn pieces(&self, lang: crate::i18n::Lang) -> Option<Vec<Piece>> {
        let mut text = match lang {
            crate::i18n::Lang::En => self.en,
            crate::i18n::Lang::ZhCn => self.zh_cn,
        };
        let mut pieces = Vec::new();
        let literal = |pieces: &mut Vec<Piece>, literal: &'static str| {
            if literal.contains('}') {
                return None;
            }
            if !literal.is_empty() {
                pieces.push(Piece::Text(literal));
            }
            Some(())
        };
        while let Some(open) = text.find('{') {
            let close = open + text[open..].find('}')?;
            literal(&mut pieces, &text[..open])?;
            let name = &text[open + 1..close];
            let arg = self.args.iter().find(|arg| **arg == name)?;
            pieces.push(Piece::Arg(arg));
            text = &text[close + 1..];
        }
        literal(&mut pieces, text)?;
        Some(pieces)
    }
}

/// The `Template` of one message.
macro_rules! template {
    ($name:ident, $id:ident, $args:expr, $en:literal, $zh:literal) => {
        $crate::i18n::Template {
            catalogue: stringify!($name),
            id: stringify!($id),
            args: $args,
            en: $en,
            zh_cn: $zh,
        }
    };
}

/// `text()` and the [`Arg`](crate::i18n::Arg) impl of a catalogue whose messages render
/// themselves: `$render` is one message (`$message`) in one language (`$lang`).
macro_rules! in_both_languages {
    ($name:ident, |$message:ident, $lang:ident| $render:expr) => {
        impl $name {
            /// Both languages.
            pub fn text(&self) -> $crate::i18n::Text {
                let $message = self;
                let render = |$lang: $crate::i18n::Lang| $render;
                $crate::i18n::Text::new(
                    render($crate::i18n::Lang::En),
                    render($crate::i18n::Lang::ZhCn),
                )
            }
        }

        impl $crate::i18n::Arg for $name {
            fn write(
                &self,
                $lang: $crate::i18n::Lang,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> ::std::fmt::Result {
                let $message = self;
                f.write_str(&$render)
            }
        }
    };
}

/// The enum of a catalogue whose messages carry no values of their own.
macro_rules! ids {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $id:ident )* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $id, )*
        }
    };
}

macro_rules! words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $id:ident => $en:literal, $zh:literal; )*
        }
    ) => {
        $crate::i18n::catalogue::ids!($(#[$meta])* $name { $( $(#[$vmeta])* $id )* });

        impl $name {
            pub const TEMPLATES: &'static [$crate::i18n::Template] =
                &[$( $crate::i18n::catalogue::template!($name, $id, &[], $en, $zh), )*];

            pub fn get(self, lang: $crate::i18n::Lang) -> &'static str {
                match (self, lang) {
                    $(
                        ($name::$id, $crate::i18n::Lang::En) => $en,
                        ($name::$id, $crate::i18n::Lang::ZhCn) => $zh,
                    )*
                }
            }
        }

        $crate::i18n::catalogue::in_both_languages!($name, |word, lang| word.get(lang));
    };
}

macro_rules! messages {
    (
        $(#[$meta:meta])*
        pub enum $name:ident for $args:ident { $($arg:ident),* $(,)? } {
            $( $(#[$vmeta:meta])* $id:ident => $en:literal, $zh:literal; )*
        }
    ) => {
        $crate::i18n::catalogue::ids!($(#[$meta])* $name { $( $(#[$vmeta])* $id )* });

        impl $name {
            /// The arguments every message of the catalogue may use.
            pub const ARGS: &'static [&'static str] = &[$(stringify!($arg)),*];

            pub const TEMPLATES: &'static [$crate::i18n::Template] =
                &[$( $crate::i18n::catalogue::template!($name, $id, Self::ARGS, $en, $zh), )*];

            /// The message in `lang`, its arguments taken from `args`.
            #[allow(unused_variables)]
            pub fn render(self, args: &$args, lang: $crate::i18n::Lang) -> String {
                let $args { $($arg),* } = args;
                $( let $arg = $crate::i18n::In($arg, lang); )*
                match (self, lang) {
                    $(
                        ($name::$id, $crate::i18n::Lang::En) => format!($en),
                        ($name::$id, $crate::i18n::Lang::ZhCn) => format!($zh),
                    )*
                }
            }

            /// Both languages.
            pub fn text(self, args: &$args) -> $crate::i18n::Text {
                $crate::i18n::Text::new(
                    self.render(args, $crate::i18n::Lang::En),
                    self.render(args, $crate::i18n::Lang::ZhCn),
                )
            }

            /// How the catalogue writes this message (templates are in declaration order).
            pub fn template(self) -> &'static $crate::i18n::Template {
                &Self::TEMPLATES[self as usize]
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $id:ident $({ $($field:ident : $ty:ty),* $(,)? })? => $en:literal, $zh:literal;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name {
            $( $(#[$vmeta])* $id $({ $($field: $ty),* })?, )*
        }

        impl $name {
            pub const TEMPLATES: &'static [$crate::i18n::Template] = &[$(
                $crate::i18n::catalogue::template!(
                    $name, $id, &[$($(stringify!($field)),*)?], $en, $zh
                ),
            )*];

            /// The message in `lang`.
            pub fn render(&self, lang: $crate::i18n::Lang) -> String {
                match self {
                    $(
                        $name::$id $({ $($field),* })? => {
                            $($( let $field = $crate::i18n::In($field, lang); )*)?
                            match lang {
                                $crate::i18n::Lang::En => format!($en),
                                $crate::i18n::Lang::ZhCn => format!($zh),
                            }
                        }
                    )*
                }
            }
        }

        $crate::i18n::catalogue::in_both_languages!($name, |message, lang| message.render(lang));
    };
}

pub(crate) use {ids, in_both_languages, messages, template, words};
