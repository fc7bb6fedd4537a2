//! Scenarios: the YAML model of an expected dialogue, its loading and validation, and the
//! built-in scenarios.
//!
//! A scenario names a protocol and an ordered list of steps; each step matches a client
//! command (or the greeting, an AUTH continuation, the message) and the replies expected, with
//! points and feedback in English and Chinese. See `scenarios/*.yaml` for the format.

pub mod codes;
mod error;
mod load;
mod model;
mod validate;
mod yaml;

pub use error::{ScenarioError, ScenarioErrors};
pub use load::{builtin, builtin_names, builtins, load_file, load_str, resolve};
pub use model::{
    Account, CodePattern, Envelope, Expect, Forbidden, Label, Mailbox, MessageCheck, OrderRule,
    Scenario, ServerSpec, Step, StoredMessage, Text,
};
