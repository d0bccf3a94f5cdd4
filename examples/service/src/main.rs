//! A small service that migrates its database as it starts, then serves from it.
//!
//! ```text
//! cargo run -p service -- --bind 127.0.0.1:3000 --database sqlite://service.db
//! curl http://127.0.0.1:3000/posts
//! ```
//!
//! `--bind ADDR` (else `SERVICE_BIND`, else `127.0.0.1:3000`; port 0 picks a free one) and
//! `--database URL` (else `DATABASE_URL`, else `sqlite://service.db`). Once it serves, it prints
//! `listening on <address>` on stdout; its log goes to stderr.

mod config;
mod http;
mod log;
mod posts;

ormed_migrate::migrations!();

use std::process::ExitCode;

use ormed_migrate::{DEFAULT_LEDGER_TABLE, Driver, Interrupt, MigrationRunner, SqlMigrationLedger};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    log::init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = config::Config::from_env(std::env::args().skip(1))?;
    let driver = Driver::connect(&config.database).await?;
    let served = migrate_and_serve(&driver, &config).await;
    driver.close().await;
    served
}

async fn migrate_and_serve(
    driver: &Driver,
    config: &config::Config,
) -> Result<(), Box<dyn std::error::Error>> {
    let ledger = SqlMigrationLedger::new(driver.clone(), DEFAULT_LEDGER_TABLE)?;
    let runner = MigrationRunner::new(driver.clone(), ledger, ormed_migrate::build_migrations()?);
    // Before the listener exists, so no request ever sees a half-migrated schema.
    runner.migrate_on_startup().interrupt_on(shutdown()).await?;
    let listener = TcpListener::bind(&config.bind)
        .await
        .map_err(|e| format!("could not listen on {}: {e}", config.bind))?;
    // The one line on stdout, for whoever started the service (a test reads the port here).
    println!("listening on {}", listener.local_addr()?);
    http::serve(listener, driver.clone(), shutdown()).await;
    Ok(())
}

/// Resolves at Ctrl-C or SIGTERM. Where they cannot be listened to it never resolves, and the
/// default handlers end the process.
async fn shutdown() -> Interrupt {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = ctrl_c() => Interrupt::Interrupt,
                _ = terminate.recv() => Interrupt::Terminate,
            };
        }
    }
    ctrl_c().await;
    Interrupt::Interrupt
}

async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
