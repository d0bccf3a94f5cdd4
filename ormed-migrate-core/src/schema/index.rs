//! Indexes, unique constraints and primary keys.

/// What an index enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexKind {
    /// A plain index.
    Index,
    /// A unique index.
    Unique,
}

impl IndexKind {
    /// The suffix of generated names: `<table>_<columns>_<suffix>`.
    pub fn suffix(self) -> &'static str {
        match self {
            IndexKind::Index => "index",
            IndexKind::Unique => "unique",
        }
    }
}

/// An index over one or more columns.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct IndexDefinition {
    /// Its name; generated as `<table>_<columns>_<kind>` when not given.
    pub name: Option<String>,
    /// The indexed columns, in order.
    pub columns: Vec<String>,
    /// Plain or unique.
    pub kind: IndexKind,
}

impl IndexDefinition {
    /// An index with a generated name.
    pub fn new(columns: Vec<String>, kind: IndexKind) -> IndexDefinition {
        IndexDefinition {
            name: None,
            columns,
            kind,
        }
    }

    /// Names the index instead of generating a name.
    pub fn name(&mut self, name: &str) -> &mut Self {
        self.name = Some(name.to_owned());
        self
    }
}

/// A table's primary key: `t.primary(["a", "b"])`, or the columns marked `.primary()`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PrimaryKeyDefinition {
    /// Its name; generated as `<table>_<columns>_primary` where the database names it.
    pub name: Option<String>,
    /// The key's columns, in order.
    pub columns: Vec<String>,
}

impl PrimaryKeyDefinition {
    /// A primary key over `columns`.
    pub fn new(columns: Vec<String>) -> PrimaryKeyDefinition {
        PrimaryKeyDefinition {
            name: None,
            columns,
        }
    }

    /// Names the key instead of generating a name (where the database names primary keys).
    pub fn name(&mut self, name: &str) -> &mut Self {
        self.name = Some(name.to_owned());
        self
    }
}
