//! What the blog's process tests share: running the binary and reading what it printed.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// How many migrations the blog has.
pub const TOTAL: usize = 13;

/// Runs the blog binary in `dir` with `args`, without the caller's `DATABASE_URL` or
/// environment name.
pub fn blog(dir: &Path, args: &[&str]) -> Output {
    blog_with(dir, args, &[])
}

/// Like [`blog`], with `env` set.
pub fn blog_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blog"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("APP_ENV")
        .env_remove("ORMED_ENV")
        .envs(env.iter().copied())
        .output()
        .expect("the blog binary runs")
}

/// Its exit code and both streams, after checking the code.
#[track_caller]
pub fn exited(output: &Output, code: i32) -> (String, String) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
    (stdout(output), stderr(output))
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Its stdout, after checking that it succeeded (both streams shown when not).
#[track_caller]
pub fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}
