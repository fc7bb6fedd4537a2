//! The three shapes a catalogue is written in, each a macro that keeps every message's
//! English and Chinese side by side:
//!
//! - `words!`: fixed texts (a column heading, a verdict), `get(lang) -> &'static str`;
//! - `messages!`: messages with typed arguments, `render(lang) -> String`;
//! - `messages! { pub enum X for Args { … } … }`: messages that all read their arguments
//!   from one struct (the protocol rules' feedback), `render(&args, lang)`.
//!
//! Each message is `Id => "English", "中文";`; `{name}` in either text is an argument. A
//! message without its Chinese, or naming an argument it does not have, does not compile;
//! `i18n/tests.rs` holds both texts to the same arguments and the Chinese to being Chinese.
//! Every catalogue also lists its [`Template`]s, for those tests and for documentation.

/// One message as its catalogue writes it.
#[derive(Debug)]
pub struct Template {
    /// The catalogue's type name, e.g. `TlsMessage`.
    pub catalogue: &'static str,
    /// The message's id in its catalogue, e.g. `ClientHello`.
    pub id: &'static str,
    /// The arguments the message may use.
    pub args: &'static [&'static str],
    pub en: &'static str,
    pub zh_cn: &'static str,
}

macro_rules! words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $id:ident => $en:literal, $zh:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $id, )*
        }

        impl $name {
            pub const TEMPLATES: &'static [$crate::i18n::Template] = &[$(
                $crate::i18n::Template {
                    catalogue: stringify!($name),
                    id: stringify!($id),
                    args: &[],
                    en: $en,
                    zh_cn: $zh,
                },
            )*];

            pub fn get(self, lang: $crate::i18n::Lang) -> &'static str {
                match (self, lang) {
                    $(
                        ($name::$id, $crate::i18n::Lang::En) => $en,
                        ($name::$id, $crate::i18n::Lang::ZhCn) => $zh,
                    )*
                }
            }

            /// Both languages.
            pub fn text(self) -> $crate::i18n::Text {
                $crate::i18n::Text::new(
                    self.get($crate::i18n::Lang::En),
                    self.get($crate::i18n::Lang::ZhCn),
                )
            }
        }

        impl $crate::i18n::Arg for $name {
            fn write(
                &self,
                lang: $crate::i18n::Lang,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> ::std::fmt::Result {
                f.write_str(self.get(lang))
            }
        }
    };
}

macro_rules! messages {
    (
        $(#[$meta:meta])*
        pub enum $name:ident for $args:ident { $($arg:ident),* $(,)? } {
            $( $(#[$vmeta:meta])* $id:ident => $en:literal, $zh:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $id, )*
        }

        impl $name {
            /// The arguments every message of the catalogue may use.
            pub const ARGS: &'static [&'static str] = &[$(stringify!($arg)),*];

            pub const TEMPLATES: &'static [$crate::i18n::Template] = &[$(
                $crate::i18n::Template {
                    catalogue: stringify!($name),
                    id: stringify!($id),
                    args: Self::ARGS,
                    en: $en,
                    zh_cn: $zh,
                },
            )*];

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
                $crate::i18n::Template {
                    catalogue: stringify!($name),
                    id: stringify!($id),
                    args: &[$($(stringify!($field)),*)?],
                    en: $en,
                    zh_cn: $zh,
                },
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

            /// Both languages.
            pub fn text(&self) -> $crate::i18n::Text {
                $crate::i18n::Text::new(
                    self.render($crate::i18n::Lang::En),
                    self.render($crate::i18n::Lang::ZhCn),
                )
            }
        }

        impl $crate::i18n::Arg for $name {
            fn write(
                &self,
                lang: $crate::i18n::Lang,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> ::std::fmt::Result {
                f.write_str(&self.render(lang))
            }
        }
    };
}

pub(crate) use {messages, words};
