//! `change()` of a column and every builder column type, run through the runner on real
//! databases (SQLite always, PostgreSQL and MariaDB/MySQL when their URLs are set) and checked
//! by introspection: the type family, size, nullability, default and comment each change
//! leaves, that the rows survive it, and that each migration's down gives back the schema the
//! database had before its up.

mod support;

use ormed_migrate::{ColumnSnapshot, SchemaSnapshot, TypeFamily};
use support::*;

const CREATE: &str = "m_20250201000000_create_items";
const WIDEN: &str = "m_20250201000100_widen_items";
const UNDEFAULT: &str = "m_20250201000200_undefault_items";
const READINGS: &str = "m_20250201000300_create_readings";
const TO_INTEGER: &str = "m_20250201000400_readings_to_integer";
const EVERY_TYPE: &str = "m_20250201000500_create_every_type";

fn create_items(schema: &mut Schema) {
    schema.create("items", |t| {
        t.id();
        t.integer("qty");
        t.string("code").length(50);
        t.string("body");
        t.string("note").nullable();
        t.string("status");
        t.string("remark").nullable();
    });
}

/// integer → big_integer, string(50) → string(200), string → text, nullable → not null, a
/// default added, a comment added.
fn widen_items(schema: &mut Schema) {
    schema.table("items", |t| {
        t.big_integer("qty").change();
        t.string("code").length(200).change();
        t.text("body").change();
        t.string("note").change();
        t.string("status").default("draft").change();
        t.string("remark").nullable().comment("first").change();
    });
}

fn unwiden_items(schema: &mut Schema) {
    schema.table("items", |t| {
        t.integer("qty").change();
        t.string("code").length(50).change();
        t.string("body").change();
        t.string("note").nullable().change();
        t.string("status").change();
        t.string("remark").nullable().change();
    });
}

/// The default removed again, the comment changed.
fn undefault_items(schema: &mut Schema) {
    schema.table("items", |t| {
        t.string("status").change();
        t.string("remark").nullable().comment("second").change();
    });
}

fn redefault_items(schema: &mut Schema) {
    schema.table("items", |t| {
        t.string("status").default("draft").change();
        t.string("remark").nullable().comment("first").change();
    });
}

fn item_migrations() -> Vec<MigrationDescriptor> {
    MigrationEntry::build_descriptors(vec![
        entry(CREATE, Steps(create_items, |s| s.drop("items"))),
        entry(WIDEN, Steps(widen_items, unwiden_items)),
        entry(UNDEFAULT, Steps(undefault_items, redefault_items)),
    ])
    .expect("descriptors")
}

/// The one number `sql` returns.
async fn count(db: &TestDatabase, sql: &str) -> i64 {
    let driver = db.driver();
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match db.dialect() {
        Dialect::Sqlite => sqlx::query_scalar(sql)
            .fetch_one(driver.sqlite_pool().expect("sqlite"))
            .await
            .expect("query"),
        Dialect::Postgres => sqlx::query_scalar(sql)
            .fetch_one(driver.postgres_pool().expect("postgres"))
            .await
            .expect("query"),
        Dialect::MySql => sqlx::query_scalar(sql)
            .fetch_one(driver.mysql_pool().expect("mysql"))
            .await
            .expect("query"),
    }
}

fn column<'s>(schema: &'s SchemaSnapshot, table: &str, name: &str) -> &'s ColumnSnapshot {
    schema
        .table(table)
        .unwrap_or_else(|| panic!("table {table}"))
        .column(name)
        .unwrap_or_else(|| panic!("column {table}.{name}"))
}

/// What introspection reads back for a comment: nothing on SQLite, which has no column
/// comments (the builder's `.comment(..)` is a documented no-op there).
fn stored_comment(db: &TestDatabase, text: &str) -> Option<String> {
    match db.dialect() {
        Dialect::Sqlite => None,
        Dialect::Postgres | Dialect::MySql => Some(text.to_owned()),
    }
}

/// The size in bytes each database reports for an integer of `bytes` bytes: SQLite has one
/// `INTEGER` for every size and cannot say.
fn int_bytes(db: &TestDatabase, bytes: u8) -> Option<u8> {
    match db.dialect() {
        Dialect::Sqlite => None,
        Dialect::Postgres | Dialect::MySql => Some(bytes),
    }
}

/// One column as the test expects introspection to read it.
#[derive(Debug, PartialEq)]
struct Shape {
    family: TypeFamily,
    integer_bytes: Option<u8>,
    length: Option<u32>,
    precision: Option<u8>,
    scale: Option<u8>,
    unsigned: bool,
}

impl Shape {
    fn of(column: &ColumnSnapshot) -> Shape {
        Shape {
            family: column.family,
            integer_bytes: column.integer_bytes,
            length: column.length,
            precision: column.precision,
            scale: column.scale,
            unsigned: column.unsigned,
        }
    }

    fn family(family: TypeFamily) -> Shape {
        Shape {
            family,
            integer_bytes: None,
            length: None,
            precision: None,
            scale: None,
            unsigned: false,
        }
    }

    fn integer(bytes: Option<u8>) -> Shape {
        Shape {
            integer_bytes: bytes,
            ..Shape::family(TypeFamily::Integer)
        }
    }

    fn string(length: u32) -> Shape {
        Shape {
            length: Some(length),
            ..Shape::family(TypeFamily::String)
        }
    }

    fn decimal(precision: u8, scale: u8) -> Shape {
        Shape {
            precision: Some(precision),
            scale: Some(scale),
            ..Shape::family(TypeFamily::Decimal)
        }
    }
}

fn create_every_type(schema: &mut Schema) {
    schema.create("every_type", |t| {
        t.id();
        t.integer("an_integer");
        t.big_integer("a_big_integer");
        t.small_integer("a_small_integer");
        t.integer("an_unsigned_integer").unsigned();
        t.foreign_id("a_foreign_id");
        t.boolean("a_boolean");
        t.string("a_string");
        t.string("a_short_string").length(40);
        t.char("a_char");
        t.char("a_short_char").length(8);
        t.text("a_text");
        t.decimal("a_decimal", 8, 2);
        t.float("a_float");
        t.double("a_double");
        t.date("a_date");
        t.time("a_time");
        t.timestamp("a_timestamp");
        t.timestamp_tz("a_timestamp_tz");
        t.json("a_json");
        t.uuid("a_uuid");
        t.binary("a_binary");
        t.timestamps();
        t.soft_deletes();
    });
    schema.create("small_ids", |t| {
        t.increments("id");
    });
}

fn drop_every_type(schema: &mut Schema) {
    schema.drop("small_ids");
    schema.drop("every_type");
}

/// What each builder type reads back as on `db`, from the mapping in docs/schema.md.
fn expected_shapes(db: &TestDatabase) -> Vec<(&'static str, Shape, bool)> {
    let dialect = db.dialect();
    let mysql = dialect == Dialect::MySql;
    let sqlite = dialect == Dialect::Sqlite;
    let unsigned = |shape: Shape| Shape {
        unsigned: mysql,
        ..shape
    };
    // SQLite and MySQL have no time zone type: `timestamp_tz` is `DATETIME` there.
    let timestamp_tz = if dialect == Dialect::Postgres {
        TypeFamily::TimestampTz
    } else {
        TypeFamily::Timestamp
    };
    // JSON is `TEXT` on SQLite; a UUID is a 36-character string outside PostgreSQL.
    let json = if sqlite {
        Shape::family(TypeFamily::Text)
    } else {
        Shape::family(TypeFamily::Json)
    };
    let uuid = if dialect == Dialect::Postgres {
        Shape::family(TypeFamily::Uuid)
    } else {
        Shape::string(36)
    };
    vec![
        ("id", unsigned(Shape::integer(int_bytes(db, 8))), false),
        ("an_integer", Shape::integer(int_bytes(db, 4)), false),
        ("a_big_integer", Shape::integer(int_bytes(db, 8)), false),
        ("a_small_integer", Shape::integer(int_bytes(db, 2)), false),
        (
            "an_unsigned_integer",
            unsigned(Shape::integer(int_bytes(db, 4))),
            false,
        ),
        (
            "a_foreign_id",
            unsigned(Shape::integer(int_bytes(db, 8))),
            false,
        ),
        ("a_boolean", Shape::family(TypeFamily::Boolean), false),
        ("a_string", Shape::string(255), false),
        ("a_short_string", Shape::string(40), false),
        ("a_char", Shape::string(255), false),
        ("a_short_char", Shape::string(8), false),
        ("a_text", Shape::family(TypeFamily::Text), false),
        ("a_decimal", Shape::decimal(8, 2), false),
        ("a_float", Shape::family(TypeFamily::Float), false),
        ("a_double", Shape::family(TypeFamily::Float), false),
        ("a_date", Shape::family(TypeFamily::Date), false),
        ("a_time", Shape::family(TypeFamily::Time), false),
        ("a_timestamp", Shape::family(TypeFamily::Timestamp), false),
        ("a_timestamp_tz", Shape::family(timestamp_tz), false),
        ("a_json", json, false),
        ("a_uuid", uuid, false),
        ("a_binary", Shape::family(TypeFamily::Binary), false),
        ("created_at", Shape::family(TypeFamily::Timestamp), true),
        ("updated_at", Shape::family(TypeFamily::Timestamp), true),
        ("deleted_at", Shape::family(TypeFamily::Timestamp), true),
    ]
}

mod cases {
    use super::*;

    pub async fn change_alters_type_length_nullability_default_and_comment(db: &TestDatabase) {
        let runner = runner(db, item_migrations());
        let empty = schema_of(db).await;
        runner.apply_all().limit(1).await.expect("create");
        db.driver()
            .execute(
                "INSERT INTO items (qty, code, body, note, status) \
                 VALUES (7, 'abc', 'hello', 'n', 'open')",
            )
            .await
            .expect("a row");
        let created = schema_of(db).await;
        let qty = column(&created, "items", "qty");
        assert_eq!(
            (qty.family, qty.integer_bytes),
            (TypeFamily::Integer, int_bytes(db, 4))
        );
        assert_eq!(column(&created, "items", "code").length, Some(50));
        assert_eq!(column(&created, "items", "body").family, TypeFamily::String);
        assert!(column(&created, "items", "note").nullable);
        assert_eq!(column(&created, "items", "status").default, None);
        assert_eq!(column(&created, "items", "remark").comment, None);

        // integer → big_integer, string(50) → string(200), string → text, NULL → NOT NULL,
        // a default and a comment added.
        runner.apply_all().limit(1).await.expect("widen");
        let widened = schema_of(db).await;
        let qty = column(&widened, "items", "qty");
        assert_eq!(
            (qty.family, qty.integer_bytes, qty.nullable),
            (TypeFamily::Integer, int_bytes(db, 8), false),
            "{qty:?}"
        );
        let code = column(&widened, "items", "code");
        assert_eq!(
            (code.family, code.length, code.nullable),
            (TypeFamily::String, Some(200), false),
            "{code:?}"
        );
        let body = column(&widened, "items", "body");
        assert_eq!(
            (body.family, body.length, body.nullable),
            (TypeFamily::Text, None, false),
            "{body:?}"
        );
        let note = column(&widened, "items", "note");
        assert_eq!(
            (note.family, note.length, note.nullable),
            (TypeFamily::String, Some(255), false),
            "{note:?}"
        );
        let status = column(&widened, "items", "status");
        assert_eq!(status.default.as_deref(), Some("'draft'"), "{status:?}");
        assert!(!status.nullable);
        let remark = column(&widened, "items", "remark");
        assert_eq!(remark.comment, stored_comment(db, "first"), "{remark:?}");
        assert!(remark.nullable);
        // The row survived, and the new types hold what the old ones could not.
        assert_eq!(
            strings(db, "SELECT code FROM items").await,
            ["abc"],
            "the row is still there"
        );
        assert_eq!(strings(db, "SELECT body FROM items").await, ["hello"]);
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM items WHERE qty = 7").await,
            1
        );
        let long_code = "c".repeat(150);
        db.driver()
            .execute(&format!(
                "INSERT INTO items (qty, code, body, note) \
                 VALUES (3000000000, '{long_code}', 'b', 'n')"
            ))
            .await
            .expect("a big qty and a long code fit");
        assert_eq!(
            strings(db, "SELECT status FROM items WHERE qty = 3000000000").await,
            ["draft"],
            "the new default applies"
        );
        db.driver()
            .execute("DELETE FROM items WHERE qty = 3000000000")
            .await
            .expect("delete");

        // The default removed, the comment changed.
        runner.apply_all().limit(1).await.expect("undefault");
        let undefaulted = schema_of(db).await;
        let status = column(&undefaulted, "items", "status");
        assert_eq!((status.default.as_deref(), status.nullable), (None, false));
        let remark = column(&undefaulted, "items", "remark");
        assert_eq!(remark.comment, stored_comment(db, "second"), "{remark:?}");
        assert_eq!(strings(db, "SELECT status FROM items").await, ["open"]);

        // Each down gives back the schema its up started from.
        runner.rollback().await.expect("redefault");
        assert_same_schema(&widened, &schema_of(db).await);
        runner.rollback().await.expect("unwiden");
        assert_same_schema(&created, &schema_of(db).await);
        // A query text of its own: PostgreSQL refuses to rerun a statement sqlx has cached
        // once its result type changed ("cached plan must not change result type").
        let kept = "SELECT code AS code_after_down FROM items";
        assert_eq!(strings(db, kept).await, ["abc"]);
        runner.rollback().await.expect("drop");
        assert_same_schema(&empty, &schema_of(db).await);
    }

    pub async fn a_string_of_numbers_changes_to_an_integer_and_keeps_its_rows(db: &TestDatabase) {
        fn create(schema: &mut Schema) {
            schema.create("readings", |t| {
                t.id();
                t.string("value").length(20);
            });
        }
        fn to_integer(schema: &mut Schema) {
            schema.table("readings", |t| {
                t.integer("value").change();
            });
        }
        fn to_string(schema: &mut Schema) {
            schema.table("readings", |t| {
                t.string("value").length(20).change();
            });
        }
        let runner = runner(
            db,
            MigrationEntry::build_descriptors(vec![
                entry(READINGS, Steps(create, |s| s.drop("readings"))),
                entry(TO_INTEGER, Steps(to_integer, to_string)),
            ])
            .expect("descriptors"),
        );
        runner.apply_all().limit(1).await.expect("create");
        db.driver()
            .execute("INSERT INTO readings (value) VALUES ('12'), ('345'), ('-6')")
            .await
            .expect("rows");
        let before = schema_of(db).await;

        runner.apply_all().await.expect("to integer");
        let after = schema_of(db).await;
        let value = column(&after, "readings", "value");
        assert_eq!(
            (value.family, value.integer_bytes, value.length),
            (TypeFamily::Integer, int_bytes(db, 4), None),
            "{value:?}"
        );
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) FROM readings WHERE value IN (12, 345, -6)"
            )
            .await,
            3,
            "the rows are numbers now"
        );
        if db.dialect() == Dialect::Sqlite {
            let integers = "SELECT COUNT(*) FROM readings WHERE typeof(value) = 'integer'";
            assert_eq!(count(db, integers).await, 3, "stored as integers");
        }
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM readings WHERE value > 100").await,
            1
        );

        runner.rollback().await.expect("back to string");
        assert_same_schema(&before, &schema_of(db).await);
        let mut values = strings(db, "SELECT value FROM readings").await;
        values.sort();
        assert_eq!(values, ["-6", "12", "345"]);
    }

    /// A change to a shorter string never cuts a value that does not fit: PostgreSQL and MySQL
    /// refuse it (naming the migration and the database's own words) and keep every row as it
    /// was; SQLite, which does not enforce lengths, keeps the values whole.
    pub async fn a_shorter_string_never_cuts_a_value(db: &TestDatabase) {
        fn create(schema: &mut Schema) {
            schema.create("readings", |t| {
                t.id();
                t.text("body");
                t.char("code").length(10);
            });
        }
        fn shorten(schema: &mut Schema) {
            schema.table("readings", |t| {
                t.string("body").length(5).change();
                t.char("code").length(3).change();
            });
        }
        let runner = runner(
            db,
            MigrationEntry::build_descriptors(vec![
                entry(READINGS, Steps(create, |s| s.drop("readings"))),
                entry(TO_INTEGER, Steps(shorten, |_| {})),
            ])
            .expect("descriptors"),
        );
        runner.apply_all().limit(1).await.expect("create");
        db.driver()
            .execute("INSERT INTO readings (body, code) VALUES ('hello world', 'ABCDEFGH')")
            .await
            .expect("rows");
        let result = runner.apply_all().await;
        if db.dialect() == Dialect::Sqlite {
            result.expect("SQLite does not enforce lengths");
        } else {
            let message = result.expect_err("too long").to_string();
            assert!(message.contains(TO_INTEGER), "{message}");
            let database_said = ["value too long", "Data too long"];
            assert!(
                database_said.iter().any(|said| message.contains(said)),
                "{message}"
            );
            let applied = runner.ledger().read_applied().await.expect("ledger");
            assert_eq!(applied.len(), 1, "only the create is recorded");
        }
        let kept = "SELECT body AS body_kept FROM readings";
        assert_eq!(strings(db, kept).await, ["hello world"]);
        let kept = "SELECT TRIM(code) AS code_kept FROM readings";
        assert_eq!(strings(db, kept).await, ["ABCDEFGH"]);
    }

    pub async fn every_builder_type_reads_back_as_its_family(db: &TestDatabase) {
        let runner = runner(
            db,
            MigrationEntry::build_descriptors(vec![entry(
                EVERY_TYPE,
                Steps(create_every_type, drop_every_type),
            )])
            .expect("descriptors"),
        );
        let empty = schema_of(db).await;
        runner.apply_all().await.expect("create");
        let schema = schema_of(db).await;
        let table = schema.table("every_type").expect("every_type");
        let expected = expected_shapes(db);
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let wanted: Vec<&str> = expected.iter().map(|(name, ..)| *name).collect();
        assert_eq!(names, wanted, "every column, in order");
        for (name, shape, nullable) in expected {
            let column = table.column(name).expect(name);
            assert_eq!(Shape::of(column), shape, "{name}: {column:?}");
            assert_eq!(column.nullable, nullable, "{name}: {column:?}");
            assert_eq!(column.default, None, "{name}: {column:?}");
            assert_eq!(column.auto_increment, name == "id", "{name}: {column:?}");
        }
        let id = column(&schema, "small_ids", "id");
        assert_eq!(
            Shape::of(id),
            Shape {
                unsigned: db.dialect() == Dialect::MySql,
                ..Shape::integer(int_bytes(db, 4))
            },
            "{id:?}"
        );
        assert!(id.auto_increment && !id.nullable, "{id:?}");

        runner.rollback().await.expect("drop");
        assert_same_schema(&empty, &schema_of(db).await);
    }
}

support::suite! {
    change_alters_type_length_nullability_default_and_comment,
    a_string_of_numbers_changes_to_an_integer_and_keeps_its_rows,
    a_shorter_string_never_cuts_a_value,
    every_builder_type_reads_back_as_its_family,
}
