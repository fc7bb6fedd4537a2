use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

use crate::server::{MailboxMessage, ServerError};

/// One delivered message, exactly as POP3 serves it before dot-stuffing.
#[derive(Debug)]
pub struct StoredMessage {
    /// Unique id for UIDL (RFC 1939 §7: 1–70 printable characters), stable for the store's life.
    pub uid: String,
    /// This recipient's trace headers and the body every recipient shares, CRLF line ends.
    pub message: MailboxMessage,
}

/// One message to deliver: the body once, and for each recipient mailbox the header block
/// to put in front of it (trace headers differ per recipient; empty for a seeded message).
pub struct Delivery {
    pub body: Vec<u8>,
    pub heads: Vec<(String, Vec<u8>)>,
}

/// The mailboxes the SMTP side delivers into and the POP3 side reads, shared by every
/// session. A mailbox is locked while a POP3 session holds it.
///
/// A body is stored once for all its recipients, and everything stored is counted against
/// a size limit: a client cannot multiply one message by a thousand recipients, nor fill
/// memory with messages, only the store.
#[derive(Debug)]
pub struct MailStore {
    mailboxes: Mutex<HashMap<String, Mailbox>>,
    next_uid: AtomicU64,
    /// Distinguishes this store's UIDs from an earlier run's, like Dovecot's UIDVALIDITY.
    validity: u32,
    meter: Arc<Meter>,
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

/// The bytes held by stored buffers. A buffer gives its bytes back when the last holder
/// lets go (a deleted message a POP3 session still shows counts until that session ends),
/// so the count is the memory the messages really take.
#[derive(Debug)]
struct Meter {
    used: AtomicUsize,
    capacity: usize,
}

impl Meter {
    /// Takes `n` bytes if they fit under the capacity.
    fn reserve(&self, n: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&total| total <= self.capacity)
            })
            .is_ok()
    }

    fn free(&self) -> usize {
        self.capacity
            .saturating_sub(self.used.load(Ordering::Acquire))
    }
}

/// A stored buffer's bytes, counted by the meter while they live.
struct Charged {
    bytes: Vec<u8>,
    meter: Arc<Meter>,
}

impl AsRef<[u8]> for Charged {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Charged {
    fn drop(&mut self) {
        self.meter
            .used
            .fetch_sub(self.bytes.len(), Ordering::AcqRel);
    }
}

impl MailStore {
    /// A store with an empty mailbox for each user, holding at most `capacity` bytes.
    pub fn new(users: impl IntoIterator<Item = String>, capacity: usize) -> Self {
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
            meter: Arc::new(Meter {
                used: AtomicUsize::new(0),
                capacity,
            }),
        }
    }

    fn boxes(&self) -> MutexGuard<'_, HashMap<String, Mailbox>> {
        // A panic elsewhere cannot leave a mailbox half-written: every change is one push or
        // one retain under the lock, so the data is still whole.
        self.mailboxes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn next_uid(&self) -> String {
        let n = self.next_uid.fetch_add(1, Ordering::Relaxed);
        format!("{n:08x}{:08x}", self.validity)
    }

    /// A shared buffer counted by the meter (its bytes already reserved).
    fn charged(&self, bytes: Vec<u8>) -> Bytes {
        if bytes.is_empty() {
            return Bytes::new();
        }
        Bytes::from_owner(Charged {
            bytes,
            meter: Arc::clone(&self.meter),
        })
    }

    pub fn has_mailbox(&self, user: &str) -> bool {
        self.boxes().contains_key(user)
    }

    /// Bytes the store can still take.
    pub fn free(&self) -> usize {
        self.meter.free()
    }

    /// Stores each delivery's body once and appends one message per recipient mailbox, all
    /// under one lock so a reader sees the deliveries whole or not at all. Nothing is
    /// stored when a mailbox is unknown or the deliveries do not fit.
    pub fn deliver(&self, deliveries: Vec<Delivery>) -> Result<(), ServerError> {
        let needed: usize = deliveries
            .iter()
            .map(|d| d.body.len() + d.heads.iter().map(|(_, h)| h.len()).sum::<usize>())
            .sum();
        if !self.meter.reserve(needed) {
            return Err(ServerError::StoreFull {
                needed,
                free: self.free(),
            });
        }
        // From here every byte reserved is owned by a charged buffer, which gives it back
        // if the delivery goes no further.
        let mut stored: Vec<(String, Arc<StoredMessage>)> = Vec::new();
        for Delivery { body, heads } in deliveries {
            let body = self.charged(body);
            for (user, head) in heads {
                let message = MailboxMessage::new(self.charged(head), body.clone());
                let uid = self.next_uid();
                stored.push((user, Arc::new(StoredMessage { uid, message })));
            }
        }
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
                .map(|m| Delivery {
                    body: crlf_lines(&m),
                    heads: vec![(user.to_string(), Vec::new())],
                })
                .collect(),
        )
    }

    /// The messages in `user`'s mailbox: shared views, no copy of any message.
    pub fn messages(&self, user: &str) -> Result<Vec<MailboxMessage>, ServerError> {
        let boxes = self.boxes();
        let mailbox = boxes.get(user).ok_or_else(|| ServerError::UnknownMailbox {
            user: user.to_string(),
        })?;
        Ok(mailbox.messages.iter().map(|m| m.message.clone()).collect())
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
        let store = Arc::new(MailStore::new(["a@x".to_string()], 1 << 20));
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

    #[test]
    fn a_body_is_stored_once_for_all_recipients_and_counted_until_released() {
        let users: Vec<String> = (0..1000).map(|i| format!("u{i}@x")).collect();
        let store = Arc::new(MailStore::new(users.clone(), 2 << 20));
        let body = vec![b'x'; 1 << 20];
        let heads = users
            .iter()
            .map(|u| (u.clone(), format!("Delivered-To: {u}\r\n").into_bytes()))
            .collect::<Vec<_>>();
        let heads_size: usize = heads.iter().map(|(_, h)| h.len()).sum();
        let delivery = Delivery {
            body: body.clone(),
            heads,
        };
        store.deliver(vec![delivery]).unwrap();
        assert_eq!(store.free(), (2 << 20) - (1 << 20) - heads_size);
        let first = store.messages("u0@x").unwrap().remove(0);
        let last = store.messages("u999@x").unwrap().remove(0);
        assert_eq!(first.body().as_ptr(), last.body().as_ptr(), "one body");
        assert!(last.to_vec().starts_with(b"Delivered-To: u999@x\r\nxxx"));

        // A second body does not fit: nothing of it is stored.
        let again = Delivery {
            body,
            heads: vec![("u0@x".to_string(), Vec::new())],
        };
        let error = store.deliver(vec![again]).unwrap_err();
        assert!(matches!(error, ServerError::StoreFull { .. }), "{error}");
        assert_eq!(store.messages("u0@x").unwrap().len(), 1);

        // Deleting every copy gives the space back once no one holds the message.
        for user in &users {
            let maildrop = store.lock(user).unwrap();
            maildrop.commit(&[true]);
        }
        assert!(store.free() < 2 << 20, "still held by this test");
        drop((first, last));
        assert_eq!(store.free(), 2 << 20);
    }

    #[test]
    fn a_delivery_to_an_unknown_mailbox_stores_nothing() {
        let store = MailStore::new(["a@x".to_string()], 1000);
        let delivery = Delivery {
            body: b"hi\r\n".to_vec(),
            heads: vec![("a@x".into(), Vec::new()), ("b@x".into(), Vec::new())],
        };
        assert!(store.deliver(vec![delivery]).is_err());
        assert!(store.messages("a@x").unwrap().is_empty());
        assert_eq!(store.free(), 1000);
    }
}
