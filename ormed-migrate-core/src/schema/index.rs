//! Indexes and unique constraints.

/// What an index enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
