//! The example runs to the end, every step checked, on an in-memory SQLite database and on
//! fresh PostgreSQL and MariaDB databases when `ORMED_TEST_POSTGRES_URL` /
//! `ORMED_TEST_MYSQL_URL` are set.

use ormed_migrate::testing::TestDatabase;

fn run(url: &str) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_programmatic"))
        .arg(url)
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn every_step(stdout: &str) {
    for step in [
        "ok: apply_all applies both",
        "ok: limit(1) applies one",
        "ok: steps(3) undoes both batches",
        "m_20241201000100_create_posts_table: Applied",
        "ok: log_applied records it",
        "Managed ledger on `primary`: next batch 2",
    ] {
        assert!(stdout.contains(step), "{step}: {stdout}");
    }
}

#[test]
fn on_sqlite() {
    every_step(&run("sqlite::memory:"));
}

#[tokio::test]
async fn on_servers() {
    let mut databases = Vec::new();
    databases.extend(
        TestDatabase::postgres()
            .await
            .expect("ORMED_TEST_POSTGRES_URL usable"),
    );
    databases.extend(
        TestDatabase::mysql()
            .await
            .expect("ORMED_TEST_MYSQL_URL usable"),
    );
    for db in databases {
        every_step(&run(db.url()));
        db.cleanup().await.expect("cleanup");
    }
}
