//! The catalogues, one file per part of the program that writes for people. A new catalogue
//! is listed in [`CATALOGUES`], which the tests read.

use super::Template;

pub mod checks;
pub mod common;
pub mod grade;
pub mod notify;
pub mod replay;
pub mod report;
pub mod rules;
pub mod similarity;
pub mod tls;

/// Every message of every catalogue.
pub const CATALOGUES: &[&[Template]] = &[
    checks::AuthBase64Message::TEMPLATES,
    checks::AuthUserMessage::TEMPLATES,
    checks::ServerToUse::TEMPLATES,
    checks::SessionOf::TEMPLATES,
    checks::ConnectTargetMessage::TEMPLATES,
    checks::EncryptedMessage::TEMPLATES,
    checks::ImpossibleReplyMessage::TEMPLATES,
    checks::MessageContentMessage::TEMPLATES,
    checks::ReplayIntegrityMessage::TEMPLATES,
    checks::DoubtMessage::TEMPLATES,
    checks::UnsureReadingMessage::TEMPLATES,
    common::Separator::TEMPLATES,
    common::ListEnd::TEMPLATES,
    grade::GradeMessage::TEMPLATES,
    notify::LetterMessage::TEMPLATES,
    replay::StandIn::TEMPLATES,
    replay::ReplayMessage::TEMPLATES,
    replay::NoteKindGloss::TEMPLATES,
    replay::FileNoteMessage::TEMPLATES,
    report::ReportWord::TEMPLATES,
    report::ReportMessage::TEMPLATES,
    rules::RuleFeedback::TEMPLATES,
    similarity::SharedThing::TEMPLATES,
    similarity::SimilarityMessage::TEMPLATES,
    tls::TlsWord::TEMPLATES,
    tls::HandshakeOrder::TEMPLATES,
    tls::TlsFeedback::TEMPLATES,
];
