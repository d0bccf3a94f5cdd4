//! Columns: their types, defaults and modifiers.

use super::foreign_key::{ForeignKeyAction, ForeignKeyDefinition};

/// The portable column types; each dialect maps them to its own (see `docs/schema.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnType {
    /// Auto-incrementing `INTEGER` primary key.
    Increments,
    /// Auto-incrementing `BIGINT` primary key (`t.id()`).
    BigIncrements,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInteger,
    /// 16-bit integer.
    SmallInteger,
    /// True or false.
    Boolean,
    /// Variable-length string of at most this many characters.
    String(u32),
    /// Fixed-length string.
    Char(u32),
    /// Unbounded text.
    Text,
    /// Exact decimal with precision and scale.
    Decimal(u8, u8),
    /// Single-precision floating point.
    Float,
    /// Double-precision floating point.
    Double,
    /// Calendar date.
    Date,
    /// Time of day.
    Time,
    /// Date and time without a time zone.
    Timestamp,
    /// Date and time with a time zone.
    TimestampTz,
    /// JSON document.
    Json,
    /// UUID.
    Uuid,
    /// Binary data.
    Binary,
}

impl ColumnType {
    /// Auto-incrementing types are primary keys.
    pub fn is_auto_increment(self) -> bool {
        matches!(self, ColumnType::Increments | ColumnType::BigIncrements)
    }
}

/// A column default.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum DefaultValue {
    /// `NULL`.
    Null,
    /// A boolean, rendered as each dialect spells it.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A floating-point number.
    Float(f64),
    /// A string, quoted and escaped.
    Text(String),
    /// The current date and time (`use_current()`).
    CurrentTimestamp,
    /// SQL written as is (`default_raw`).
    Raw(String),
}

macro_rules! default_from {
    ($($ty:ty => $variant:ident as $target:ty),* $(,)?) => {$(
        impl From<$ty> for DefaultValue {
            fn from(value: $ty) -> Self {
                DefaultValue::$variant(<$target>::from(value))
            }
        }
    )*};
}

default_from! {
    bool => Bool as bool,
    i8 => Integer as i64, i16 => Integer as i64, i32 => Integer as i64, i64 => Integer as i64,
    u8 => Integer as i64, u16 => Integer as i64, u32 => Integer as i64,
    f64 => Float as f64,
    &str => Text as String, String => Text as String,
}

impl From<f32> for DefaultValue {
    /// Through its shortest decimal form, so `0.1_f32` is the default `0.1`, not
    /// `0.10000000149011612`.
    fn from(value: f32) -> Self {
        DefaultValue::Float(value.to_string().parse().unwrap_or(f64::from(value)))
    }
}

/// A column as the plan records it: name, type, nullability, default, comment. Indexes, keys
/// and foreign keys that modifiers ask for are separate [`TableCommand`](super::TableCommand)s.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ColumnDefinition {
    /// The column name.
    pub name: String,
    /// Its type.
    pub column_type: ColumnType,
    /// Accepts `NULL`.
    pub nullable: bool,
    /// Its default value.
    pub default: Option<DefaultValue>,
    /// Unsigned (MySQL only; ignored elsewhere).
    pub unsigned: bool,
    /// A comment stored with the column where the database supports it.
    pub comment: Option<String>,
}

impl ColumnDefinition {
    /// A `NOT NULL` column with no default.
    pub fn new(name: &str, column_type: ColumnType) -> ColumnDefinition {
        ColumnDefinition {
            name: name.to_owned(),
            column_type,
            nullable: false,
            default: None,
            unsigned: false,
            comment: None,
        }
    }
}

/// A column being defined: what `t.string("email")` returns. Modifiers chain:
/// `t.string("email").nullable().unique();`. When the table's closure ends, the column becomes
/// an add-column command, and `.unique()`, `.index()`, `.primary()` and `.constrained(..)` become
/// commands of their own right after it.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnBuilder {
    pub(super) definition: ColumnDefinition,
    pub(super) unique: bool,
    pub(super) index: bool,
    pub(super) primary: bool,
    pub(super) foreign_key: Option<ForeignKeyDefinition>,
    pub(super) change: bool,
}

impl ColumnBuilder {
    pub(super) fn new(name: &str, column_type: ColumnType) -> ColumnBuilder {
        ColumnBuilder {
            definition: ColumnDefinition::new(name, column_type),
            unique: false,
            index: false,
            // An auto-incrementing column is its table's primary key.
            primary: column_type.is_auto_increment(),
            foreign_key: None,
            change: false,
        }
    }

    /// The column as recorded so far.
    pub fn definition(&self) -> &ColumnDefinition {
        &self.definition
    }

    /// Allows `NULL`.
    pub fn nullable(&mut self) -> &mut Self {
        self.definition.nullable = true;
        self
    }

    /// Sets a typed default: `.default(0)`, `.default(true)`, `.default("draft")`.
    pub fn default(&mut self, value: impl Into<DefaultValue>) -> &mut Self {
        self.definition.default = Some(value.into());
        self
    }

    /// Sets a default written as SQL: `.default_raw("CURRENT_DATE")`.
    pub fn default_raw(&mut self, sql: &str) -> &mut Self {
        self.definition.default = Some(DefaultValue::Raw(sql.to_owned()));
        self
    }

    /// Defaults to the current timestamp.
    pub fn use_current(&mut self) -> &mut Self {
        self.definition.default = Some(DefaultValue::CurrentTimestamp);
        self
    }

    /// Adds a unique index on this column, named `<table>_<column>_unique`.
    pub fn unique(&mut self) -> &mut Self {
        self.unique = true;
        self
    }

    /// Adds an index on this column, named `<table>_<column>_index`.
    pub fn index(&mut self) -> &mut Self {
        self.index = true;
        self
    }

    /// Makes this column the primary key (with other `.primary()` columns: a composite key).
    pub fn primary(&mut self) -> &mut Self {
        self.primary = true;
        self
    }

    /// Marks an integer column unsigned (MySQL).
    pub fn unsigned(&mut self) -> &mut Self {
        self.definition.unsigned = true;
        self
    }

    /// Stores a comment with the column (PostgreSQL and MySQL).
    pub fn comment(&mut self, text: &str) -> &mut Self {
        self.definition.comment = Some(text.to_owned());
        self
    }

    /// Changes the existing column to exactly this definition instead of adding it (inside
    /// `schema.table`). As in Laravel 11, the column becomes what the call states — type,
    /// length, nullability, default and comment — and a modifier not restated is removed:
    ///
    /// ```
    /// # use ormed_migrate_core::Schema;
    /// # let mut schema = Schema::new();
    /// schema.table("users", |t| {
    ///     // Was `t.string("name").nullable().default("anon")`: now NOT NULL, no default.
    ///     t.string("name").length(100).change();
    /// });
    /// ```
    pub fn change(&mut self) -> &mut Self {
        self.change = true;
        self
    }

    /// Sets the length of a `string` or `char` column (255 by default).
    pub fn length(&mut self, length: u32) -> &mut Self {
        self.definition.column_type = match self.definition.column_type {
            ColumnType::Char(_) => ColumnType::Char(length),
            _ => ColumnType::String(length),
        };
        self
    }

    /// Adds a foreign key from this column to `table`'s `id`, deleting nothing on cascade unless
    /// told: `t.foreign_id("user_id").constrained("users").on_delete(ForeignKeyAction::Cascade);`.
    pub fn constrained(&mut self, table: &str) -> &mut ForeignKeyDefinition {
        let key = ForeignKeyDefinition::new(vec![self.definition.name.clone()]).with_target(
            table,
            &["id"],
            ForeignKeyAction::NoAction,
        );
        self.foreign_key.insert(key)
    }
}
