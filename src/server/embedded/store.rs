use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::server::ServerError;

/// One delivered message, exactly as POP3 serves it before dot-stuffing.
#[derive(Debug)]
pub struct StoredMessage {
    /// Unique id for UIDL (RFC 1939 §7: 1–70 printable characters), stable for the store's life.
    pub uid: String,
    /// Header and body with CRLF line ends.
    pub bytes: Vec<u8>,
}

/// The mailboxes the SMTP side delivers into and the POP3 side reads, shared by every
/// session. A mailbox is locked while a POP3 session holds it.
#[derive(Debug)]
pub struct MailStore {
    mailboxes: Mutex<HashMap<String, Mailbox>>,
    next_uid: AtomicU64,
    /// Distinguishes this store's UIDs from an earlier run's, like Dovecot's UIDVALIDITY.
    validity: u32,
}

#[derive(Debug, Default)]
struct Mailbox {
    messages: Vec<Arc<StoredMessage>>,
    locked: bool,
}

/// Why a POP3 session could not take a mailbox.
#[derive(Debug, PartialEq, Eq)]
pub enum LockError {
    NoMailbox,
    InUse,
}

impl MailStore {
    /// A store with an empty mailbox for each user.
    pub fn new(users: impl IntoIterator<Item = String>) -> Self {
        let validity = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(0);
        MailStore {
            mailboxes: Mutex::new(
                users
                    .into_iter()
                    .map(|user| (user, Mailbox::default()))
                    .collect(),
            ),
            next_uid: AtomicU64::new(1),
            validity,
        }
    }

    fn boxes(&self) -> MutexGuard<'_, HashMap<String, Mailbox>> {
        // A panic elsewhere cannot leave a mailbox half-written: every change is one push or
        // one retain under the lock, so the data is still whole.
        self.mailboxes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stored(&self, bytes: Vec<u8>) -> Arc<StoredMessage> {
        let n = self.next_uid.fetch_add(1, Ordering::Relaxed);
        Arc::new(StoredMessage {
            uid: format!("{n:08x}{:08x}", self.validity),
            bytes,
        })
    }

    pub fn has_mailbox(&self, user: &str) -> bool {
        self.boxes().contains_key(user)
    }

    /// Appends one message per recipient mailbox, all under one lock so a reader sees the
    /// delivery whole or not at all. `message_for` builds each copy (trace headers differ).
    pub fn deliver(&self, deliveries: Vec<(String, Vec<u8>)>) -> Result<(), ServerError> {
        let stored: Vec<(String, Arc<StoredMessage>)> = deliveries
            .into_iter()
            .map(|(user, bytes)| (user, self.stored(bytes)))
            .collect();
        let mut boxes = self.boxes();
        if let Some((user, _)) = stored.iter().find(|(user, _)| !boxes.contains_key(user)) {
            return Err(ServerError::UnknownMailbox { user: user.clone() });
        }
        for (user, message) in stored {
            if let Some(mailbox) = boxes.get_mut(&user) {
                mailbox.messages.push(message);
            }
        }
        Ok(())
    }

    /// Adds messages (any line ending) to `user`'s mailbox.
    pub fn seed(&self, user: &str, messages: Vec<Vec<u8>>) -> Result<(), ServerError> {
        self.deliver(
            messages
                .into_iter()
                .map(|m| (user.to_string(), crlf_lines(&m)))
                .collect(),
        )
    }

    /// Copies of the messages in `user`'s mailbox.
    pub fn messages(&self, user: &str) -> Result<Vec<Vec<u8>>, ServerError> {
        let boxes = self.boxes();
        let mailbox = boxes.get(user).ok_or_else(|| ServerError::UnknownMailbox {
            user: user.to_string(),
        })?;
        Ok(mailbox.messages.iter().map(|m| m.bytes.clone()).collect())
    }

    /// Locks `user`'s mailbox for a POP3 session and takes the maildrop as it is now.
    pub fn lock(self: &Arc<Self>, user: &str) -> Result<Maildrop, LockError> {
        let mut boxes = self.boxes();
        let mailbox = boxes.get_mut(user).ok_or(LockError::NoMailbox)?;
        if mailbox.locked {
            return Err(LockError::InUse);
        }
        mailbox.locked = true;
        Ok(Maildrop {
            store: Arc::clone(self),
            user: user.to_string(),
            messages: mailbox.messages.clone(),
        })
    }
}

/// A POP3 session's hold on a mailbox. Dropping it unlocks the mailbox without deleting
/// anything, as RFC 1939 §6 wants when a session ends without QUIT.
#[derive(Debug)]
pub struct Maildrop {
    store: Arc<MailStore>,
    user: String,
    pub messages: Vec<Arc<StoredMessage>>,
}

impl Maildrop {
    /// The UPDATE state: removes the messages marked in `deleted` (by index).
    pub fn commit(self, deleted: &[bool]) {
        let gone: Vec<&str> = self
            .messages
            .iter()
            .zip(deleted)
            .filter(|(_, d)| **d)
            .map(|(m, _)| m.uid.as_str())
            .collect();
        if gone.is_empty() {
            return;
        }
        let mut boxes = self.store.boxes();
        if let Some(mailbox) = boxes.get_mut(&self.user) {
            mailbox.messages.retain(|m| !gone.contains(&m.uid.as_str()));
        }
    }
}

impl Drop for Maildrop {
    fn drop(&mut self) {
        if let Some(mailbox) = self.store.boxes().get_mut(&self.user) {
            mailbox.locked = false;
        }
    }
}

/// The bytes with every line ending in CRLF (bare LF becomes CRLF), and a last line ended.
pub fn crlf_lines(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32 + 2);
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let text = line
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(line);
        out.extend_from_slice(text);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_crlf() {
        let cases: [(&[u8], &[u8]); 5] = [
            (b"", b""),
            (b"a", b"a\r\n"),
            (b"a\nb\n", b"a\r\nb\r\n"),
            (b"a\r\nb", b"a\r\nb\r\n"),
            (b"\n\r\n", b"\r\n\r\n"),
        ];
        for (input, expected) in cases {
            assert_eq!(crlf_lines(input), expected, "{input:?}");
        }
    }

    #[test]
    fn a_mailbox_is_locked_once_and_deletes_only_on_commit() {
        let store = Arc::new(MailStore::new(["a@x".to_string()]));
        store
            .seed("a@x", vec![b"1".to_vec(), b"2".to_vec()])
            .unwrap();
        let drop1 = store.lock("a@x").unwrap();
        assert_eq!(store.lock("a@x").unwrap_err(), LockError::InUse);
        drop(drop1);
        let drop2 = store.lock("a@x").unwrap();
        drop2.commit(&[true, false]);
        assert_eq!(store.messages("a@x").unwrap(), vec![b"2\r\n".to_vec()]);
        assert!(store.lock("a@x").is_ok());
        assert_eq!(store.lock("b@x").unwrap_err(), LockError::NoMailbox);
    }
}
