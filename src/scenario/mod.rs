//! Scenarios: the YAML model of an expected dialogue, its loading and validation, and the
//! built-in scenarios.
