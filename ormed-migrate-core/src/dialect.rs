//! `Dialect`: which database family a driver speaks or a statement is written for.
//!
//! A plain tag with no dependencies, so that every module can name a database without pulling
//! in rendering or drivers. What differs between the databases lives in [`crate::backend`], one
//! module per database; code that needs a database's behaviour asks its backend, never compares
//! dialects.

use std::fmt;

/// A database family whose SQL the builder renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    MySql,
}

impl Dialect {
    /// Every dialect, for code that covers them all.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::MySql];

    /// The database's name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgres => "PostgreSQL",
            Dialect::MySql => "MySQL",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
