//! Renderers: pure functions from grades to text, JSON and the formats courses use.
