//! The service as a process: it migrates on start-up, then serves `GET /posts`; a second
//! instance finds nothing to migrate and serves too. On SQLite always, and on PostgreSQL and
//! MariaDB when `ORMED_TEST_POSTGRES_URL` / `ORMED_TEST_MYSQL_URL` are set.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};
use ormed_migrate::{DEFAULT_LEDGER_TABLE, Driver, SqlMigrationLedger};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdout, Command};

/// Long enough for a cold server to create the tables.
const START_WITHIN: Duration = Duration::from_secs(60);
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

/// A service process that said where it listens.
struct Service {
    child: Child,
    address: String,
    /// Kept open, so that the service's stdout never breaks.
    _stdout: Lines<BufReader<ChildStdout>>,
}

/// Starts the service on a free port against `url` and waits for its `listening on` line.
async fn start(url: &str) -> Service {
    let mut child = Command::new(env!("CARGO_BIN_EXE_service"))
        .args(["--bind", "127.0.0.1:0", "--database", url])
        .env_remove("DATABASE_URL")
        .env_remove("SERVICE_BIND")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the service binary runs");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped")).lines();
    let line = tokio::time::timeout(START_WITHIN, stdout.next_line())
        .await
        .expect("the service starts in time")
        .expect("its stdout can be read");
    let address = line
        .as_deref()
        .and_then(|l| l.strip_prefix("listening on "));
    match address {
        Some(address) => Service {
            address: address.to_owned(),
            child,
            _stdout: stdout,
        },
        None => {
            let log = stop(child).await;
            panic!("the service printed {line:?} instead of where it listens; its log:\n{log}")
        }
    }
}

/// Kills the process and returns its log (stderr).
async fn stop(mut child: Child) -> String {
    child.start_kill().expect("the service can be killed");
    let output = child.wait_with_output().await.expect("the service ends");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The whole response to `GET path`: the service closes the connection after it.
async fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    tokio::time::timeout(ANSWER_WITHIN, stream.read_to_string(&mut response))
        .await
        .expect("an answer in time")
        .expect("read the answer");
    response
}

/// The seeded posts as JSON, with the author the third migration backfilled.
#[track_caller]
fn assert_serves_the_posts(response: &str) {
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        head.contains("Content-Type: application/json"),
        "{response}"
    );
    let posts: serde_json::Value = serde_json::from_str(body).expect("JSON");
    let seen: Vec<(&str, &str)> = posts
        .as_array()
        .expect("an array")
        .iter()
        .map(|post| {
            let field = |name: &str| post[name].as_str().unwrap_or_default();
            (field("title"), field("author"))
        })
        .collect();
    assert_eq!(
        seen,
        [("Hello, world", "staff"), ("Migrated on start-up", "staff")],
        "{body}"
    );
}

/// The ids of the files in src/migrations, in order: every migration the service has.
fn migration_ids() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/migrations");
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .expect("src/migrations")
        .map(|entry| entry.expect("entry").path())
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    ids.sort();
    ids
}

/// The ledger lists every migration as applied, all in the first batch.
async fn assert_all_applied_once(url: &str) {
    let driver = Driver::connect_without_creating(url)
        .await
        .expect("connect");
    let ledger = SqlMigrationLedger::new(driver.clone(), DEFAULT_LEDGER_TABLE).expect("ledger");
    let rows = ledger.read_applied().await.expect("the ledger");
    driver.close().await;
    let applied: Vec<(String, i64, bool)> = rows
        .iter()
        .map(|row| (row.id.to_string(), row.batch, row.failed.is_none()))
        .collect();
    let expected: Vec<(String, i64, bool)> = migration_ids()
        .into_iter()
        .map(|id| (id, 1, true))
        .collect();
    assert_eq!(applied, expected);
}

/// Two instances one after the other against `url`: the first migrates, the second does not.
async fn serves_after_migrating(url: &str) {
    let known = migration_ids();
    assert_eq!(known.len(), 3, "{known:?}");

    let first = start(url).await;
    assert_serves_the_posts(&get(&first.address, "/posts").await);
    let missing = get(&first.address, "/nothing").await;
    assert!(
        missing.starts_with("HTTP/1.1 404 Not Found\r\n"),
        "{missing}"
    );
    assert_all_applied_once(url).await;

    let second = start(url).await;
    assert_ne!(first.address, second.address);
    assert_serves_the_posts(&get(&second.address, "/posts").await);
    assert_all_applied_once(url).await;

    let first_log = stop(first.child).await;
    let second_log = stop(second.child).await;
    for id in &known {
        assert!(
            first_log.contains(&format!("applied {id} in ")),
            "{first_log}"
        );
    }
    assert!(
        first_log.contains("applied 3 migrations in") && first_log.contains("up to date"),
        "{first_log}"
    );
    assert!(
        second_log.contains("nothing to migrate: the database is up to date"),
        "{second_log}"
    );
    assert!(!second_log.contains("applied m_"), "{second_log}");
}

#[tokio::test]
async fn sqlite_migrates_on_start_up_and_serves() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("service.db").display());
    serves_after_migrating(&url).await;
}

/// On a fresh database of the server in `var`, or skipped when `var` is not set.
async fn on_server(var: &str) {
    let server = match std::env::var(var) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            eprintln!("{var} is not set: skipping this server-backed test");
            return;
        }
    };
    let db = TestDatabase::on_server(&server)
        .await
        .unwrap_or_else(|e| panic!("{var} is set but the test database could not be made: {e}"));
    serves_after_migrating(db.url()).await;
    db.cleanup().await.expect("cleanup");
}

#[tokio::test]
async fn postgres_migrates_on_start_up_and_serves() {
    on_server(POSTGRES_URL_VAR).await;
}

#[tokio::test]
async fn mysql_migrates_on_start_up_and_serves() {
    on_server(MYSQL_URL_VAR).await;
}
