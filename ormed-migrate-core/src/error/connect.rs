//! Errors reaching or opening a database.

/// The database could not be reached or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// A URL whose scheme is not a supported database.
    #[error(
        "unsupported database URL `{url}`: use sqlite://path.db, sqlite::memory:, \
         postgres://user@host/db or mysql://user@host/db (mariadb:// works too)"
    )]
    UnsupportedUrl {
        /// The URL with any password masked.
        url: String,
    },

    /// The database could not be reached or opened.
    #[error("could not connect to {url}: {reason}; {advice}")]
    Failed {
        /// The URL with any password masked.
        url: String,
        /// What went wrong, in the database's or the driver's words (any password masked).
        reason: String,
        /// What to check, for this kind of failure.
        advice: String,
    },
}
