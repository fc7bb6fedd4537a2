//! The Docker engine before and around testcontainers: is it there, is the image built, which
//! containers of earlier runs are left over, and `docker exec`.
//!
//! The client is testcontainers' own ([`docker_client_instance`]), so these calls reach the
//! engine that testcontainers starts the container on, found the same way (`DOCKER_HOST`,
//! `~/.testcontainers.properties`, the default and rootless sockets). Its requests name no
//! API version (bollard builds each path without the `/v1.xx` prefix), so the engine answers
//! at its own version: Debian 12's docker.io 20.10 (API 1.41) works as it is.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use testcontainers::bollard::container::{
    ListContainersOptions, LogOutput, RemoveContainerOptions,
};
use testcontainers::bollard::exec::{CreateExecOptions, StartExecResults};
use testcontainers::bollard::Docker;
use testcontainers::core::client::docker_client_instance;

use super::error::ContainerError;

/// Label on every container this module starts; `docker ps -aq --filter label=mailgrade.role=replay-server`.
pub const ROLE_LABEL: &str = "mailgrade.role";
pub const ROLE_VALUE: &str = "replay-server";
/// Process id and host name of the process that started the container: a container whose
/// owner is gone is stale.
pub const OWNER_PID_LABEL: &str = "mailgrade.owner-pid";
pub const OWNER_HOST_LABEL: &str = "mailgrade.owner-host";

/// For each request of ours (testcontainers' own allow two minutes): an engine that does not
/// answer within this is reported rather than waited for.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A connected engine.
#[derive(Clone)]
pub struct Engine {
    docker: Docker,
}

impl Engine {
    /// Takes testcontainers' client and checks that the engine answers.
    pub async fn connect() -> Result<Self, ContainerError> {
        let docker = docker_client_instance()
            .await
            .map_err(|e| unavailable(e.to_string()))?
            .with_timeout(REQUEST_TIMEOUT);
        match tokio::time::timeout(REQUEST_TIMEOUT, docker.ping()).await {
            Ok(Ok(_)) => Ok(Engine { docker }),
            Ok(Err(e)) => Err(unavailable(e.to_string())),
            Err(_) => Err(unavailable("no answer within 10 s")),
        }
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

/// `detail` with where the engine was looked for when `DOCKER_HOST` says so (bollard's
/// connection errors do not name the socket).
fn unavailable(detail: impl Into<String>) -> ContainerError {
    let detail = detail.into();
    ContainerError::DockerUnavailable {
        detail: match std::env::var("DOCKER_HOST") {
            Ok(host) => format!("DOCKER_HOST={host}: {detail}"),
            Err(_) => detail,
        },
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Whether a process with this id runs here. Where that cannot be told (no /proc), say yes:
/// a container is never removed on a guess.
fn process_alive(pid: u32) -> bool {
    let proc_root = Path::new("/proc");
    !proc_root.join("self").exists() || proc_root.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_is_alive() {
        assert!(process_alive(std::process::id()));
    }
}
