//! The production guard: where `APP_ENV` or `ORMED_ENV` is `production`, commands that destroy
//! data (`migrate:rollback`, `reset`, `refresh`, `fresh`, `down`) ask first on a terminal and
//! are refused without one, unless `--force`.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use ormed_migrate_core::MigrationError;
use ormed_migrate_core::error::SetupError;

use super::args::Command;

/// The variables that name the environment, in the order they are read.
const VARIABLES: [&str; 2] = ["ORMED_ENV", "APP_ENV"];

/// Lets `command` run, or refuses it: see the module.
pub(super) fn confirm(command: &Command) -> Result<(), MigrationError> {
    let Some((name, force)) = command.destructive() else {
        return Ok(());
    };
    let Some((variable, value)) = production() else {
        return Ok(());
    };
    if force.force {
        return Ok(());
    }
    let effect = effect(name);
    let refused = |terminal: &str| {
        MigrationError::from(SetupError::ProductionRefused {
            command: name.to_owned(),
            effect: effect.to_owned(),
            variable: variable.to_owned(),
            value: value.clone(),
            terminal: terminal.to_owned(),
        })
    };
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(refused(" (there is no terminal to ask on)."));
    }
    eprint!("{variable} is {value}: {name} {effect}. Run it? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(refused(" (the answer was not yes).")),
    }
}

/// The variable and value that say production, if one does.
fn production() -> Option<(&'static str, String)> {
    VARIABLES.iter().find_map(|variable| {
        let value = std::env::var(variable).ok()?;
        value
            .trim()
            .eq_ignore_ascii_case("production")
            .then_some((*variable, value))
    })
}

/// What the command destroys, for the question and the refusal.
fn effect(command: &str) -> &'static str {
    match command {
        "migrate:fresh" => "drops every table of the database and migrates again",
        "migrate:reset" => "rolls back every migration",
        "migrate:refresh" => "rolls back migrations and applies them again",
        "migrate:down" => "rolls back a migration",
        _ => "rolls back the last batch",
    }
}
