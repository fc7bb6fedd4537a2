//! The command line's grading options → a pipeline [`Plan`]: the scenarios, the server that
//! answers, and how many submissions at once.

use std::net::{SocketAddr, ToSocketAddrs};

use super::args::{ReplayArgs, ServerKind};
use super::error::CliError;
use crate::diagnostic::Style;
use crate::pipeline::{Plan, ServerChoice};
use crate::scenario::{self, lab, Scenario};

/// A plan and the submissions graded at once (`--jobs`, else the number of cores).
pub fn plan(
    names: &[String],
    lab: Option<&str>,
    replay: &ReplayArgs,
) -> Result<(Plan, usize), CliError> {
    let lab = match lab {
        Some(_) if !names.is_empty() => {
            return Err(CliError::usage(
                "--lab and --scenario cannot be used together",
                Some("a lab names the scenarios of each of its tasks; use one or the other"),
            ))
        }
        Some(name) => Some(std::sync::Arc::new(
            lab::resolve(name).map_err(|errors| CliError::Plan(errors.render(Style::Plain)))?,
        )),
        None => None,
    };
    let scenarios = match &lab {
        Some(lab) => lab.scenarios.clone(),
        None => load_scenarios(names)?,
    };
    let server = server_choice(replay)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let plan = Plan {
        scenarios,
        explicit: !names.is_empty(),
        server,
        lab,
    };
    Ok((plan, replay.jobs.map_or(cores, usize::from)))
}

/// Scenarios by name or path; all the built-ins when none are named. Every error of every
/// file is rendered, not just the first.
fn load_scenarios(names: &[String]) -> Result<Vec<Scenario>, CliError> {
    if names.is_empty() {
        return Ok(scenario::builtins());
    }
    let mut scenarios = Vec::new();
    let mut errors = String::new();
    for name in names {
        match scenario::resolve(name) {
            Ok(scenario) => scenarios.push(scenario),
            Err(error) => errors.push_str(&error.render(crate::diagnostic::Style::Plain)),
        }
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(CliError::Plan(errors))
    }
}

fn server_choice(args: &ReplayArgs) -> Result<ServerChoice, CliError> {
    if args.image.is_some() && args.server != ServerKind::Container {
        return Err(CliError::usage(
            "--image is only used with --server container",
            None,
        ));
    }
    Ok(match args.server {
        ServerKind::None => ServerChoice::None,
        ServerKind::Container => ServerChoice::Container {
            image: args
                .image
                .clone()
                .unwrap_or_else(|| crate::server::container::IMAGE.to_string()),
        },
        ServerKind::Embedded => ServerChoice::Embedded,
        ServerKind::External => ServerChoice::External {
            smtp: resolve("--smtp", args.smtp.as_deref())?,
            pop3: resolve("--pop3", args.pop3.as_deref())?,
        },
    })
}

fn resolve(flag: &str, value: Option<&str>) -> Result<SocketAddr, CliError> {
    let value = value.ok_or_else(|| {
        CliError::usage(format!("--server external needs {flag} HOST:PORT"), None)
    })?;
    value
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| CliError::usage(format!("{flag} {value}: not a reachable HOST:PORT"), None))
}
