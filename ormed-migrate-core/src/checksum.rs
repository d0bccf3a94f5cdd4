//! Checksums: `sha256:<hex>` (the format is defined once, in `ormed_migrate_id::checksum`).
//!
//! Migrations registered with `#[migration]` carry a checksum of their code, computed at compile
//! time by the macro. Entries registered in code (`MigrationEntry::new`) have no tokens to hash,
//! so they are checksummed from what they record: an explicit, versioned encoding of their up
//! and down plans.
//!
//! The encoding is written field by field here, never derived from `Debug` or the structs'
//! layout: a field at its default value is left out, so a field added to a plan struct in a
//! later version (with its default) changes no checksum, and a `down` that is not written is
//! encoded as "not written", never as whatever plan a later version derives for it.

use sha2::{Digest, Sha256};

pub use ormed_migrate_id::checksum::{PREFIX as ALGORITHM_PREFIX, is_well_formed};

use crate::dialect::Dialect;
use crate::schema::{
    ColumnDefinition, ColumnType, DefaultValue, ForeignKeyAction, ForeignKeyDefinition,
    IndexDefinition, IndexKind, Operation, Plan, PrimaryKeyDefinition, TableCommand,
};

/// The encoding's name and version, the first line of every encoded migration. A new version
/// changes every programmatic checksum, so it needs a way for existing ledgers to follow.
const ENCODING: &str = "ormed-migrate plan encoding v1";

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    ormed_migrate_id::checksum::hex(&Sha256::digest(bytes))
}

/// The checksum of a migration known only by its plans.
pub fn plan_checksum(up: &Plan, down: &Plan) -> String {
    let digest: [u8; 32] = Sha256::digest(encode_migration(up, down).as_bytes()).into();
    ormed_migrate_id::checksum::format_sha256(&digest)
}

/// The text that is hashed: the encoding's version, then each direction.
pub fn encode_migration(up: &Plan, down: &Plan) -> String {
    let mut out = Encoder::default();
    out.line(0, ENCODING, &[]);
    out.plan("up", up);
    out.plan("down", down);
    out.text
}

/// One line per record: `<indent><kind> <field>=<value> …`, fields at their default left out.
/// Texts are written as `<byte length>:<text>`, so no value can be mistaken for another.
#[derive(Default)]
struct Encoder {
    text: String,
}

/// A field's value, or `None` when it has its default value (and is left out).
type Field<'a> = (&'a str, Option<String>);

impl Encoder {
    fn line(&mut self, depth: usize, kind: &str, fields: &[Field<'_>]) {
        self.text.push_str(&"  ".repeat(depth));
        self.text.push_str(kind);
        for (name, value) in fields {
            if let Some(value) = value {
                self.text.push_str(&format!(" {name}={value}"));
            }
        }
        self.text.push('\n');
    }

    fn plan(&mut self, direction: &str, plan: &Plan) {
        if plan.not_written {
            return self.line(0, direction, &[("written", Some("no".to_owned()))]);
        }
        self.line(0, direction, &[flag("irreversible", plan.irreversible)]);
        for operation in &plan.operations {
            self.operation(operation);
        }
    }

    fn operation(&mut self, operation: &Operation) {
        match operation {
            Operation::CreateTable(create) => {
                self.line(1, "create_table", &[text("table", &create.table)]);
                self.commands(&create.commands);
            }
            Operation::AlterTable(alter) => {
                self.line(1, "alter_table", &[text("table", &alter.table)]);
                self.commands(&alter.commands);
            }
            Operation::DropTable { table, if_exists } => self.line(
                1,
                "drop_table",
                &[text("table", table), flag("if_exists", *if_exists)],
            ),
            Operation::RenameTable { from, to } => {
                self.line(1, "rename_table", &[text("from", from), text("to", to)]);
            }
            Operation::Raw { sql, dialect } => self.line(
                1,
                "raw",
                &[text("sql", sql), ("dialect", dialect.map(dialect_name))],
            ),
        }
    }

    fn commands(&mut self, commands: &[TableCommand]) {
        for command in commands {
            self.command(command);
        }
    }

    fn command(&mut self, command: &TableCommand) {
        match command {
            TableCommand::AddColumn(column) => self.column("add_column", column),
            TableCommand::ChangeColumn(column) => self.column("change_column", column),
            TableCommand::DropColumn(name) => self.line(2, "drop_column", &[text("name", name)]),
            TableCommand::RenameColumn { from, to } => {
                self.line(2, "rename_column", &[text("from", from), text("to", to)]);
            }
            TableCommand::AddPrimary(key) => self.primary(key),
            TableCommand::DropPrimary => self.line(2, "drop_primary", &[]),
            TableCommand::AddIndex(index) => self.index(index),
            TableCommand::DropIndex { name, kind } => {
                let kind = match kind {
                    IndexKind::Index => "drop_index",
                    IndexKind::Unique => "drop_unique",
                };
                self.line(2, kind, &[text("name", name)]);
            }
            TableCommand::RenameIndex { from, to } => {
                self.line(2, "rename_index", &[text("from", from), text("to", to)]);
            }
            TableCommand::AddForeign(key) => self.foreign(key),
            TableCommand::DropForeign(name) => self.line(2, "drop_foreign", &[text("name", name)]),
            TableCommand::DropForeignKeyIndex { name, columns } => self.line(
                2,
                "drop_foreign_key_index",
                &[text("name", name), list("columns", columns)],
            ),
        }
    }

    fn column(&mut self, kind: &str, column: &ColumnDefinition) {
        self.line(
            2,
            kind,
            &[
                text("name", &column.name),
                ("type", Some(column_type(column.column_type))),
                flag("nullable", column.nullable),
                ("default", column.default.as_ref().map(default_value)),
                flag("unsigned", column.unsigned),
                optional_text("comment", column.comment.as_deref()),
            ],
        );
    }

    fn primary(&mut self, key: &PrimaryKeyDefinition) {
        self.line(
            2,
            "add_primary",
            &[
                optional_text("name", key.name.as_deref()),
                list("columns", &key.columns),
            ],
        );
    }

    fn index(&mut self, index: &IndexDefinition) {
        let kind = match index.kind {
            IndexKind::Index => "add_index",
            IndexKind::Unique => "add_unique",
        };
        self.line(
            2,
            kind,
            &[
                optional_text("name", index.name.as_deref()),
                list("columns", &index.columns),
            ],
        );
    }

    fn foreign(&mut self, key: &ForeignKeyDefinition) {
        let action = |name, action| match action {
            ForeignKeyAction::NoAction => (name, None),
            other => (name, Some(action_name(other).to_owned())),
        };
        self.line(
            2,
            "add_foreign",
            &[
                optional_text("name", key.name.as_deref()),
                list("columns", &key.columns),
                text("on", &key.referenced_table),
                list("references", &key.referenced_columns),
                action("on_delete", key.on_delete),
                action("on_update", key.on_update),
            ],
        );
    }
}

fn text<'a>(name: &'a str, value: &str) -> Field<'a> {
    (name, Some(length_prefixed(value)))
}

fn optional_text<'a>(name: &'a str, value: Option<&str>) -> Field<'a> {
    (name, value.map(length_prefixed))
}

fn flag(name: &str, value: bool) -> Field<'_> {
    (name, value.then(|| "yes".to_owned()))
}

fn list<'a>(name: &'a str, values: &[String]) -> Field<'a> {
    let items: Vec<String> = values.iter().map(|v| length_prefixed(v)).collect();
    (name, Some(format!("[{}]", items.join(","))))
}

fn length_prefixed(value: &str) -> String {
    format!("{}:{value}", value.len())
}

fn dialect_name(dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
        Dialect::MySql => "mysql",
    }
    .to_owned()
}

fn column_type(column_type: ColumnType) -> String {
    match column_type {
        ColumnType::Increments => "increments".to_owned(),
        ColumnType::BigIncrements => "big_increments".to_owned(),
        ColumnType::Integer => "integer".to_owned(),
        ColumnType::BigInteger => "big_integer".to_owned(),
        ColumnType::SmallInteger => "small_integer".to_owned(),
        ColumnType::Boolean => "boolean".to_owned(),
        ColumnType::String(length) => format!("string({length})"),
        ColumnType::Char(length) => format!("char({length})"),
        ColumnType::Text => "text".to_owned(),
        ColumnType::Decimal(precision, scale) => format!("decimal({precision},{scale})"),
        ColumnType::Float => "float".to_owned(),
        ColumnType::Double => "double".to_owned(),
        ColumnType::Date => "date".to_owned(),
        ColumnType::Time => "time".to_owned(),
        ColumnType::Timestamp => "timestamp".to_owned(),
        ColumnType::TimestampTz => "timestamp_tz".to_owned(),
        ColumnType::Json => "json".to_owned(),
        ColumnType::Uuid => "uuid".to_owned(),
        ColumnType::Binary => "binary".to_owned(),
    }
}

fn default_value(value: &DefaultValue) -> String {
    match value {
        DefaultValue::Null => "null".to_owned(),
        DefaultValue::Bool(b) => format!("bool:{b}"),
        DefaultValue::Integer(i) => format!("int:{i}"),
        // Rust prints the shortest text that reads back as the same f64.
        DefaultValue::Float(f) => format!("float:{f}"),
        DefaultValue::Text(text) => format!("text:{}", length_prefixed(text)),
        DefaultValue::CurrentTimestamp => "current_timestamp".to_owned(),
        DefaultValue::Raw(sql) => format!("raw:{}", length_prefixed(sql)),
    }
}

fn action_name(action: ForeignKeyAction) -> &'static str {
    match action {
        ForeignKeyAction::NoAction => "no_action",
        ForeignKeyAction::Restrict => "restrict",
        ForeignKeyAction::Cascade => "cascade",
        ForeignKeyAction::SetNull => "set_null",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ForeignKeyAction, Schema};

    fn plan(table: &str) -> Plan {
        let mut schema = Schema::new();
        schema.create(table, |t| {
            t.id();
        });
        schema.into_plan()
    }

    fn not_written() -> Plan {
        let mut schema = Schema::new();
        schema.not_written();
        schema.into_plan()
    }

    #[test]
    fn plan_checksum_is_stable_and_sensitive() {
        let empty = Plan::default();
        let a = plan_checksum(&plan("users"), &empty);
        assert_eq!(a, plan_checksum(&plan("users"), &empty));
        assert_ne!(a, plan_checksum(&plan("people"), &empty));
        assert_ne!(a, plan_checksum(&empty, &plan("users")));
        assert!(is_well_formed(&a));
    }

    /// The encoding of a realistic plan, pinned: a change here changes the checksum of every
    /// programmatic migration in every deployed ledger.
    #[test]
    fn the_encoding_is_pinned() {
        let mut up = Schema::new();
        up.create("posts", |t| {
            t.id();
            t.foreign_id("user_id")
                .constrained("users")
                .on_delete(ForeignKeyAction::Cascade);
            t.string("title").length(200).unique();
            t.decimal("price", 10, 2).default(1.5).nullable();
            t.text("body").comment("the post");
            t.index(["user_id", "title"]).name("posts_by_user");
        });
        up.raw_for(Dialect::Postgres, "CREATE EXTENSION x");
        let mut down = Schema::new();
        down.drop_if_exists("posts");
        assert_eq!(
            encode_migration(up.plan(), down.plan()),
            "ormed-migrate plan encoding v1\n\
             up\n\
             \x20 create_table table=5:posts\n\
             \x20   add_column name=2:id type=big_increments\n\
             \x20   add_column name=7:user_id type=big_integer unsigned=yes\n\
             \x20   add_foreign columns=[7:user_id] on=5:users references=[2:id] on_delete=cascade\n\
             \x20   add_column name=5:title type=string(200)\n\
             \x20   add_unique columns=[5:title]\n\
             \x20   add_column name=5:price type=decimal(10,2) nullable=yes default=float:1.5\n\
             \x20   add_column name=4:body type=text comment=8:the post\n\
             \x20   add_index name=13:posts_by_user columns=[7:user_id,5:title]\n\
             \x20 raw sql=18:CREATE EXTENSION x dialect=postgres\n\
             down\n\
             \x20 drop_table table=5:posts if_exists=yes\n"
        );
        assert_eq!(
            plan_checksum(up.plan(), down.plan()),
            "sha256:8fee2197c8243cce125d95d30ce2dbc7ad11dc36401b25e9c98affc5a59b2b2b"
        );
    }

    /// The encoding of every table change, pinned like the rest: a migration written with
    /// `schema.table(..)` keeps its checksum across versions.
    #[test]
    fn the_encoding_of_table_changes_is_pinned() {
        let mut up = Schema::new();
        up.table("users", |t| {
            t.string("avatar").nullable();
            t.string("name").length(100).change();
            t.drop_column("legacy");
            t.rename_column("email", "email_address");
            t.drop_index(["name"]);
            t.drop_unique("users_slug_unique");
            t.rename_index("a", "b");
            t.drop_foreign(["team_id"]);
            t.drop_primary();
            t.primary(["a", "b"]);
        });
        assert_eq!(
            encode_migration(up.plan(), &Plan::default()),
            "ormed-migrate plan encoding v1\n\
             up\n\
             \x20 alter_table table=5:users\n\
             \x20   add_column name=6:avatar type=string(255) nullable=yes\n\
             \x20   change_column name=4:name type=string(100)\n\
             \x20   drop_column name=6:legacy\n\
             \x20   rename_column from=5:email to=13:email_address\n\
             \x20   drop_index name=16:users_name_index\n\
             \x20   drop_unique name=17:users_slug_unique\n\
             \x20   rename_index from=1:a to=1:b\n\
             \x20   drop_foreign name=21:users_team_id_foreign\n\
             \x20   drop_primary\n\
             \x20   add_primary columns=[1:a,1:b]\n\
             down\n"
        );
    }

    /// A derived down records `DropForeignKeyIndex`, and derived downs are not encoded; a plan
    /// built with it by hand is, as a line kind of its own.
    #[test]
    fn the_encoding_of_the_index_of_a_foreign_key_is_pinned() {
        let mut up = Schema::new();
        up.push(Operation::AlterTable(crate::schema::AlterTable {
            table: "users".into(),
            commands: vec![TableCommand::DropForeignKeyIndex {
                name: "users_team_id_foreign".into(),
                columns: vec!["team_id".into()],
            }],
        }));
        assert_eq!(
            encode_migration(up.plan(), &Plan::default()),
            "ormed-migrate plan encoding v1\n\
             up\n\
             \x20 alter_table table=5:users\n\
             \x20   drop_foreign_key_index name=21:users_team_id_foreign columns=[7:team_id]\n\
             down\n"
        );
    }

    /// What a migration without `down` runs is derived from its up; its checksum is that of
    /// "not written", as before downs were derived.
    #[test]
    fn a_derived_down_keeps_the_checksum_of_a_down_not_written() {
        let up = plan("users");
        let derived = crate::schema::derived_down(&up);
        assert!(!derived.irreversible && !derived.is_empty());
        assert_eq!(
            plan_checksum(&up, &derived),
            plan_checksum(&up, &not_written())
        );
        let mut raw = Schema::new();
        raw.raw("UPDATE users SET a = 1");
        let refused = crate::schema::derived_down(raw.plan());
        assert!(refused.irreversible && refused.not_invertible.is_some());
        assert_eq!(
            plan_checksum(raw.plan(), &refused),
            plan_checksum(raw.plan(), &not_written())
        );
    }

    /// The mechanism that keeps checksums stable when a plan struct gains a field: a field at
    /// its default value is not written at all.
    #[test]
    fn a_field_at_its_default_value_changes_nothing() {
        let mut before = Encoder::default();
        before.line(2, "add_column", &[text("name", "email")]);
        let mut after = Encoder::default();
        after.line(
            2,
            "add_column",
            &[
                text("name", "email"),
                flag("a_field_added_later", false),
                optional_text("another", None),
            ],
        );
        assert_eq!(before.text, after.text);
    }

    #[test]
    fn a_down_not_written_is_encoded_as_such_whatever_it_holds() {
        let up = plan("users");
        let mut derived = not_written();
        derived.operations = plan("users").operations;
        assert_eq!(
            plan_checksum(&up, &not_written()),
            plan_checksum(&up, &derived),
            "a later version deriving the down changes nothing"
        );
        assert_ne!(
            plan_checksum(&up, &not_written()),
            plan_checksum(&up, &Plan::default()),
            "not written is not the same as an empty down"
        );
    }
}
