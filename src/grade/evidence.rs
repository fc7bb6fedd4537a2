use super::model::Evidence;
use crate::session::{Exchange, Origin, Session};

/// Where an exchange is: its command's origin, else its reply's (the greeting).
pub fn origin_of(exchange: &Exchange) -> Origin {
    exchange
        .command
        .as_ref()
        .map(|command| command.origin)
        .or_else(|| exchange.reply.as_ref().map(|reply| reply.origin))
        .unwrap_or_default()
}

/// Evidence pointing at exchange `index` of `session`, shown as its skeleton line.
pub fn evidence(session: &Session, index: usize) -> Option<Evidence> {
    let exchange = session.exchanges.get(index)?;
    Some(Evidence {
        source: session.source.path.clone(),
        origin: origin_of(exchange),
        exchange: exchange.skeleton_line(),
    })
}
