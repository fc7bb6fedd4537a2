//! Without a Docker engine the container server says so clearly. Runs everywhere: it points
//! DOCKER_HOST at a socket that does not exist (its own test binary, so no other test sees it).

use mailgrade::server::container::{ContainerConfig, ContainerError, ContainerServer};

#[tokio::test]
async fn absent_engine_is_reported_with_what_to_do() {
    std::env::set_var(
        "DOCKER_HOST",
        "unix:///nonexistent/mailgrade-test/docker.sock",
    );
    let error = ContainerServer::start(ContainerConfig::default())
        .await
        .expect_err("no engine listens there");
    assert!(
        matches!(error, ContainerError::DockerUnavailable { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    for needle in [
        "docker engine is not reachable",
        "/nonexistent/mailgrade-test/docker.sock",
        "embedded server",
    ] {
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
}
