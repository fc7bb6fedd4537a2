//! What can go wrong with the container server. Messages say what to do next; they never
//! contain an account's password.

/// Errors of [`super::ContainerServer`].
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    #[error(
        "docker engine is not reachable ({detail}); install and start Docker, or use the embedded server"
    )]
    DockerUnavailable { detail: String },

    #[error(
        "image {image} is not built on this machine; build it with `sudo {build}` (no registry \
         needed) or, where a registry is reachable, `docker build -t {image} ci/mailserver`",
        build = super::BUILD_COMMAND
    )]
    ImageMissing { image: String },

    #[error("account #{number} of the container server: {reason}")]
    BadAccount { number: usize, reason: &'static str },

    #[error("mail server container did not start: {detail}")]
    Start { detail: String },

    #[error("{service} at {addr} did not greet with {expected:?} within {seconds} s: {detail}")]
    NoGreeting {
        service: &'static str,
        addr: std::net::SocketAddr,
        expected: String,
        seconds: u64,
        detail: String,
    },

    #[error("{address} is not an account of this mail server")]
    UnknownMailbox { address: String },

    #[error(
        "a message of {size} bytes is too large to seed through docker exec (at most {limit})"
    )]
    SeedTooLarge { size: usize, limit: usize },

    #[error("the container server has stopped")]
    Stopped,

    #[error("docker exec in the mail server container failed: {detail}")]
    Exec { detail: String },
}
