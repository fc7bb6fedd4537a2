//! Replay: re-sending a session's client side to a mail server and recording its replies.
