//! The Docker engine before and around testcontainers: is it there, which API does it speak,
//! is the image built, and which containers of earlier runs are left over.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use futures::StreamExt;
use testcontainers::bollard::container::{
    ListContainersOptions, LogOutput, RemoveContainerOptions,
};
use testcontainers::bollard::exec::{CreateExecOptions, StartExecResults};
use testcontainers::bollard::{ClientVersion, Docker, API_DEFAULT_VERSION};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::api_shim;
use super::error::ContainerError;

/// Label on every container this module starts; `docker ps -aq --filter label=mailgrade.role=replay-server`.
pub const ROLE_LABEL: &str = "mailgrade.role";
pub const ROLE_VALUE: &str = "replay-server";
/// Process id and host name of the process that started the container: a container whose
/// owner is gone is stale.
pub const OWNER_PID_LABEL: &str = "mailgrade.owner-pid";
pub const OWNER_HOST_LABEL: &str = "mailgrade.owner-host";

const DEFAULT_SOCKET: &str = "/var/run/docker.sock";
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the engine listens, from `DOCKER_HOST` (as the docker CLI and testcontainers read it).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Endpoint {
    Unix(PathBuf),
    Tcp(String),
}

impl Endpoint {
    fn from_env() -> Result<Self, ContainerError> {
        match std::env::var("DOCKER_HOST") {
            Err(_) => Ok(Endpoint::Unix(PathBuf::from(DEFAULT_SOCKET))),
            Ok(host) => Self::parse(&host),
        }
    }

    fn parse(host: &str) -> Result<Self, ContainerError> {
        if let Some(path) = host.strip_prefix("unix://") {
            Ok(Endpoint::Unix(PathBuf::from(path)))
        } else if let Some(addr) = host
            .strip_prefix("tcp://")
            .or_else(|| host.strip_prefix("http://"))
        {
            Ok(Endpoint::Tcp(addr.trim_end_matches('/').to_owned()))
        } else {
            Err(ContainerError::DockerUnavailable {
                detail: format!(
                    "DOCKER_HOST={host} is neither unix:// nor tcp:// (TLS is not supported here)"
                ),
            })
        }
    }
}

/// A connected engine: a bollard client at the engine's own API version.
#[derive(Clone)]
pub struct Engine {
    docker: Docker,
    api_version: String,
    endpoint: Endpoint,
}

impl Engine {
    /// Asks the engine for its version (an unversioned request, which any engine answers)
    /// and connects bollard at that version.
    pub async fn connect() -> Result<Self, ContainerError> {
        let endpoint = Endpoint::from_env()?;
        let api_version = tokio::time::timeout(REQUEST_TIMEOUT, api_version(&endpoint))
            .await
            .map_err(|_| unavailable("no answer from the engine within 10 s"))??;
        let client_version = parse_version(&api_version).ok_or_else(|| {
            unavailable(format!(
                "engine reports an unreadable API version {api_version:?}"
            ))
        })?;
        let docker = match &endpoint {
            Endpoint::Unix(path) => Docker::connect_with_unix(
                &path.to_string_lossy(),
                REQUEST_TIMEOUT.as_secs(),
                &client_version,
            ),
            Endpoint::Tcp(addr) => {
                Docker::connect_with_http(addr, REQUEST_TIMEOUT.as_secs(), &client_version)
            }
        }
        .map_err(|e| unavailable(e.to_string()))?;
        Ok(Engine {
            docker,
            api_version,
            endpoint,
        })
    }

    /// Fails with the build command when the image is not in the engine's store; testcontainers
    /// would otherwise try to pull it from a registry.
    pub async fn require_image(&self, image: &str) -> Result<(), ContainerError> {
        match self.docker.inspect_image(image).await {
            Ok(_) => Ok(()),
            Err(testcontainers::bollard::errors::Error::DockerResponseServerError {
                status_code: 404,
                ..
            }) => Err(ContainerError::ImageMissing {
                image: image.to_owned(),
            }),
            Err(e) => Err(unavailable(e.to_string())),
        }
    }

    /// Makes testcontainers able to talk to this engine. testcontainers speaks one fixed API
    /// version; an older engine gets the [`api_shim`] in front of it, and `DOCKER_HOST` points
    /// testcontainers at the shim for the rest of the process.
    pub fn prepare_testcontainers(&self) -> Result<(), ContainerError> {
        let engine = parse_version(&self.api_version);
        if engine.is_some_and(|v| !older(&v, API_DEFAULT_VERSION)) {
            return Ok(());
        }
        let Endpoint::Unix(socket) = &self.endpoint else {
            return Err(ContainerError::EngineTooOld {
                engine: self.api_version.clone(),
                needed: format!(
                    "{}.{}",
                    API_DEFAULT_VERSION.major_version, API_DEFAULT_VERSION.minor_version
                ),
            });
        };
        static SHIM: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        let shim = SHIM.get_or_init(|| {
            let path = api_shim::spawn(socket.clone(), self.api_version.clone())
                .map_err(|e| e.to_string())?;
            // testcontainers reads DOCKER_HOST whenever it (re)creates its client. Set once,
            // before the first container of this process starts.
            std::env::set_var("DOCKER_HOST", format!("unix://{}", path.display()));
            Ok(path)
        });
        shim.as_ref()
            .map(|_| ())
            .map_err(|e| unavailable(format!("cannot start the API version shim: {e}")))
    }

    /// Runs a command in a container and returns its stdout; a non-zero exit is an error.
    /// (testcontainers' own exec result is not `Send`, which a `MailServer` needs.)
    pub async fn exec(
        &self,
        container_id: &str,
        command: Vec<String>,
    ) -> Result<Vec<u8>, ContainerError> {
        let exec_error = |detail: String| ContainerError::Exec { detail };
        let options = CreateExecOptions {
            cmd: Some(command),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = self
            .docker
            .create_exec(container_id, options)
            .await
            .map_err(|e| exec_error(e.to_string()))?;
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        match self
            .docker
            .start_exec(&exec.id, None)
            .await
            .map_err(|e| exec_error(e.to_string()))?
        {
            StartExecResults::Attached { mut output, .. } => {
                while let Some(chunk) = output.next().await {
                    match chunk.map_err(|e| exec_error(e.to_string()))? {
                        LogOutput::StdOut { message } => stdout.extend_from_slice(&message),
                        LogOutput::StdErr { message } => stderr.extend_from_slice(&message),
                        _ => {}
                    }
                }
            }
            StartExecResults::Detached => {
                return Err(exec_error("the engine detached the exec".to_owned()))
            }
        }
        // The exit code shows up in the engine shortly after the output ends (later on a
        // loaded machine).
        for _ in 0..250 {
            let inspect = self
                .docker
                .inspect_exec(&exec.id)
                .await
                .map_err(|e| exec_error(e.to_string()))?;
            match inspect.exit_code {
                Some(0) => return Ok(stdout),
                Some(code) => {
                    let message = String::from_utf8_lossy(&stderr);
                    return Err(exec_error(format!(
                        "exit status {code}: {}",
                        message.trim()
                    )));
                }
                None => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        Err(exec_error("no exit status after 5 s".to_owned()))
    }

    /// Removes the labelled containers whose owning process (on this host) is gone. Returns
    /// how many were removed.
    pub async fn sweep_stale(&self) -> Result<usize, ContainerError> {
        let filters = HashMap::from([(
            "label".to_owned(),
            vec![format!("{ROLE_LABEL}={ROLE_VALUE}")],
        )]);
        let containers = self
            .docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters,
                ..Default::default()
            }))
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let host = host_name();
        let mut removed = 0;
        for container in containers {
            let (Some(id), Some(labels)) = (container.id, container.labels) else {
                continue;
            };
            let owner_host = labels.get(OWNER_HOST_LABEL).map(String::as_str);
            let owner_pid = labels
                .get(OWNER_PID_LABEL)
                .and_then(|pid| pid.parse::<u32>().ok());
            if owner_host != Some(host.as_str()) || owner_pid.is_some_and(process_alive) {
                continue;
            }
            let options = RemoveContainerOptions {
                force: true,
                v: true,
                ..Default::default()
            };
            if self
                .docker
                .remove_container(&id, Some(options))
                .await
                .is_ok()
            {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// The labels that mark a container as ours and say who owns it.
pub fn owner_labels() -> [(&'static str, String); 3] {
    [
        (ROLE_LABEL, ROLE_VALUE.to_owned()),
        (OWNER_PID_LABEL, std::process::id().to_string()),
        (OWNER_HOST_LABEL, host_name()),
    ]
}

fn unavailable(detail: impl Into<String>) -> ContainerError {
    ContainerError::DockerUnavailable {
        detail: detail.into(),
    }
}

/// `GET /version` without a version prefix, over a plain HTTP/1.0 exchange.
async fn api_version(endpoint: &Endpoint) -> Result<String, ContainerError> {
    let request = b"GET /version HTTP/1.0\r\nHost: docker\r\n\r\n";
    let mut response = Vec::new();
    match endpoint {
        Endpoint::Unix(path) => {
            let mut stream = tokio::net::UnixStream::connect(path)
                .await
                .map_err(|e| unavailable(format!("{}: {e}", path.display())))?;
            stream
                .write_all(request)
                .await
                .map_err(|e| unavailable(e.to_string()))?;
            stream
                .take(1 << 20)
                .read_to_end(&mut response)
                .await
                .map_err(|e| unavailable(e.to_string()))?;
        }
        Endpoint::Tcp(addr) => {
            let mut stream = tokio::net::TcpStream::connect(addr)
                .await
                .map_err(|e| unavailable(format!("{addr}: {e}")))?;
            stream
                .write_all(request)
                .await
                .map_err(|e| unavailable(e.to_string()))?;
            stream
                .take(1 << 20)
                .read_to_end(&mut response)
                .await
                .map_err(|e| unavailable(e.to_string()))?;
        }
    }
    version_from_response(&response)
        .ok_or_else(|| unavailable("the engine's /version answer has no ApiVersion"))
}

fn version_from_response(response: &[u8]) -> Option<String> {
    let body_start = response.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let body: serde_json::Value = serde_json::from_slice(&response[body_start..]).ok()?;
    body.get("ApiVersion")?.as_str().map(str::to_owned)
}

fn parse_version(text: &str) -> Option<ClientVersion> {
    let (major, minor) = text.split_once('.')?;
    Some(ClientVersion {
        major_version: major.parse().ok()?,
        minor_version: minor.parse().ok()?,
    })
}

fn older(a: &ClientVersion, b: &ClientVersion) -> bool {
    (a.major_version, a.minor_version) < (b.major_version, b.minor_version)
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Whether a process with this id runs here. Where that cannot be told (no /proc), say yes:
/// a container is never removed on a guess.
pub(super) fn process_alive(pid: u32) -> bool {
    let proc_root = Path::new("/proc");
    !proc_root.join("self").exists() || proc_root.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_values() {
        let cases = [
            (
                "unix:///run/docker.sock",
                Some(Endpoint::Unix(PathBuf::from("/run/docker.sock"))),
            ),
            (
                "tcp://10.0.0.2:2375",
                Some(Endpoint::Tcp("10.0.0.2:2375".into())),
            ),
            (
                "http://localhost:2375/",
                Some(Endpoint::Tcp("localhost:2375".into())),
            ),
            ("npipe:////./pipe/docker_engine", None),
        ];
        for (host, expected) in cases {
            assert_eq!(Endpoint::parse(host).ok(), expected, "{host}");
        }
    }

    #[test]
    fn version_answers() {
        let ok = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"ApiVersion\":\"1.41\",\"Version\":\"20.10.24\"}";
        assert_eq!(version_from_response(ok).as_deref(), Some("1.41"));
        assert_eq!(
            version_from_response(b"HTTP/1.0 500 oops\r\n\r\nnot json"),
            None
        );
        assert_eq!(version_from_response(b"no head end"), None);
    }

    #[test]
    fn versions_compare() {
        let v141 = parse_version("1.41").map(|v| (v.major_version, v.minor_version));
        assert_eq!(v141, Some((1, 41)));
        assert!(parse_version("one.two").is_none());
        let old = ClientVersion {
            major_version: 1,
            minor_version: 41,
        };
        assert!(older(&old, API_DEFAULT_VERSION));
        assert!(!older(API_DEFAULT_VERSION, &old));
    }

    #[test]
    fn own_process_is_alive() {
        assert!(process_alive(std::process::id()));
    }
}
