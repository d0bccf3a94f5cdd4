//! Errors taking or releasing the migration lock.

use std::path::PathBuf;
use std::time::Duration;

use super::words::database_message;

/// The migration lock could not be taken or released.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// Another runner held the migration lock for longer than the timeout.
    #[error(
        "another migration run holds the migration lock of this database; waited {waited:?}. \
         Let it finish, then run again (a runner that died releases the lock by itself)"
    )]
    Timeout {
        /// How long this runner waited.
        waited: Duration,
    },

    /// A query of the lock failed.
    #[error("{context}: {}", database_message(source))]
    Database {
        /// What was being done.
        context: String,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// The lock file beside a SQLite database could not be opened or locked.
    #[error("could not lock {}: {source}", path.display())]
    File {
        /// The lock file.
        path: PathBuf,
        /// The file system's reason.
        source: std::io::Error,
    },
}
