//! What the process tests share: the trial application (src/bin/trial.rs) as a command, its
//! output as text, and a fresh database of each configured kind.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};

/// The trial binary with `args`, run in `dir`, with no `DATABASE_URL` or `TRIAL_SLOW` from the
/// environment.
pub fn trial_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trial"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("TRIAL_SLOW");
    command
}

/// Runs the trial binary to its end.
pub fn trial(dir: &Path, args: &[&str]) -> Output {
    trial_command(dir, args)
        .output()
        .expect("the trial binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The output of a run that must succeed.
#[track_caller]
pub fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// The error of a run that must fail with exit code 1.
#[track_caller]
pub fn failed(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stderr)
}

/// A fresh database on each server whose URL is set.
pub async fn server_databases() -> Vec<TestDatabase> {
    let mut all = Vec::new();
    for var in [POSTGRES_URL_VAR, MYSQL_URL_VAR] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => all.push(
                TestDatabase::on_server(&url)
                    .await
                    .unwrap_or_else(|e| panic!("{var} is set but unusable: {e}")),
            ),
            _ => eprintln!("{var} is not set: skipping that database"),
        }
    }
    all
}

/// A fresh database of each configured kind: SQLite always, servers when their URL is set.
pub async fn databases() -> Vec<TestDatabase> {
    let mut all = vec![TestDatabase::sqlite().await.expect("sqlite")];
    all.extend(server_databases().await);
    all
}
