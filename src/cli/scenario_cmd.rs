use super::args::ScenarioCommand;
use super::error::CliError;
use super::run::Output;
use super::ExitCode;
use crate::scenario;

pub fn run(command: &ScenarioCommand) -> Result<Output, CliError> {
    match command {
        ScenarioCommand::List => {
            let mut out = String::new();
            for s in scenario::builtins() {
                out.push_str(&format!(
                    "{:<24} {:<5} {}\n",
                    s.id,
                    s.protocol.name(),
                    s.title.en
                ));
            }
            Ok(Output {
                text: out.into(),
                exit: ExitCode::Passed,
                out: None,
            })
        }
        ScenarioCommand::Show { name } => match scenario::builtin_source(name) {
            Some(text) => Ok(Output {
                text: text.to_string().into(),
                exit: ExitCode::Passed,
                out: None,
            }),
            None => {
                let path = std::path::Path::new(name);
                let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                scenario::load_str(name, &text)
                    .map_err(|e| CliError::Scenarios(e.render(crate::diagnostic::Style::Plain)))?;
                Ok(Output {
                    text: text.into(),
                    exit: ExitCode::Passed,
                    out: None,
                })
            }
        },
        ScenarioCommand::Validate { files } => {
            let mut out = String::new();
            let mut exit = ExitCode::Passed;
            for file in files {
                match scenario::load_file(file) {
                    Ok(s) => out.push_str(&format!(
                        "ok: {} ({}, {} steps, {} points)\n",
                        file.display(),
                        s.id,
                        s.steps.len(),
                        s.max_score()
                    )),
                    Err(errors) => {
                        out.push_str(&errors.render(crate::diagnostic::Style::Plain));
                        exit = ExitCode::Unusable;
                    }
                }
            }
            Ok(Output {
                text: out.into(),
                exit,
                out: None,
            })
        }
    }
}
