//! Foreign keys.

/// What happens to referencing rows when the referenced row is deleted or updated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ForeignKeyAction {
    /// The database default: refuse while referenced.
    NoAction,
    /// Refuse while referenced, checked immediately.
    Restrict,
    /// Delete or update the referencing rows too.
    Cascade,
    /// Set the referencing columns to `NULL`.
    SetNull,
}

impl ForeignKeyAction {
    /// The SQL spelling, the same on every supported database.
    pub fn sql(self) -> &'static str {
        match self {
            ForeignKeyAction::NoAction => "NO ACTION",
            ForeignKeyAction::Restrict => "RESTRICT",
            ForeignKeyAction::Cascade => "CASCADE",
            ForeignKeyAction::SetNull => "SET NULL",
        }
    }
}

/// A foreign key: `t.foreign("user_id").references("id").on("users")`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ForeignKeyDefinition {
    /// Its name; generated as `<table>_<columns>_foreign` when not given.
    pub name: Option<String>,
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The referenced table; empty until `.on(table)`.
    pub referenced_table: String,
    /// The referenced columns; `id` unless `.references(..)` says otherwise.
    pub referenced_columns: Vec<String>,
    /// On delete.
    pub on_delete: ForeignKeyAction,
    /// On update.
    pub on_update: ForeignKeyAction,
}

impl ForeignKeyDefinition {
    /// A foreign key from `columns`; say where it points with `.references(..).on(..)`.
    pub fn new(columns: Vec<String>) -> ForeignKeyDefinition {
        ForeignKeyDefinition {
            name: None,
            columns,
            referenced_table: String::new(),
            referenced_columns: vec!["id".to_owned()],
            on_delete: ForeignKeyAction::NoAction,
            on_update: ForeignKeyAction::NoAction,
        }
    }

    pub(crate) fn with_target(
        mut self,
        table: &str,
        columns: &[&str],
        on_delete: ForeignKeyAction,
    ) -> ForeignKeyDefinition {
        self.referenced_table = table.to_owned();
        self.referenced_columns = columns.iter().map(|c| (*c).to_owned()).collect();
        self.on_delete = on_delete;
        self
    }

    /// The referenced columns.
    pub fn references(&mut self, columns: impl super::blueprint::Columns) -> &mut Self {
        self.referenced_columns = columns.into_columns();
        self
    }

    /// The referenced table.
    pub fn on(&mut self, table: &str) -> &mut Self {
        self.referenced_table = table.to_owned();
        self
    }

    /// What happens on delete of the referenced row.
    pub fn on_delete(&mut self, action: ForeignKeyAction) -> &mut Self {
        self.on_delete = action;
        self
    }

    /// What happens on update of the referenced key.
    pub fn on_update(&mut self, action: ForeignKeyAction) -> &mut Self {
        self.on_update = action;
        self
    }

    /// Shorthand for `.on_delete(ForeignKeyAction::Cascade)`.
    pub fn cascade_on_delete(&mut self) -> &mut Self {
        self.on_delete(ForeignKeyAction::Cascade)
    }

    /// Names the constraint instead of generating a name.
    pub fn name(&mut self, name: &str) -> &mut Self {
        self.name = Some(name.to_owned());
        self
    }
}
