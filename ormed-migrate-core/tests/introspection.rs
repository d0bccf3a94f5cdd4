//! Schema introspection against real databases: tables created as the builder renders them,
//! read back field by field, and snapshots that must compare equal.
//!
//! - SQLite always runs, in a fresh file per test.
//! - PostgreSQL runs when `ORMED_TEST_POSTGRES_URL` is set (for example
//!   `postgres://root@127.0.0.1:5432/test`), MySQL/MariaDB when `ORMED_TEST_MYSQL_URL` is set
//!   (for example `mysql://root@127.0.0.1:3306/test`); each test creates and drops a database of
//!   its own. Once a variable is set, a server that cannot be used fails the test.

use ormed_migrate_core::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};
use ormed_migrate_core::{
    ColumnSnapshot, Dialect, Driver, ForeignKeyAction, Schema, TableSnapshot, TypeFamily,
};

// ------------------------------------------------------------------------------- databases

#[derive(Clone, Copy, Debug)]
enum Kind {
    Sqlite,
    Postgres,
    MySql,
}

/// A fresh database of `kind`, or `None` when its server's variable is not set.
async fn open(kind: Kind) -> Option<TestDatabase> {
    let var = match kind {
        Kind::Sqlite => {
            return Some(
                TestDatabase::sqlite()
                    .await
                    .expect("a SQLite test database"),
            );
        }
        Kind::Postgres => POSTGRES_URL_VAR,
        Kind::MySql => MYSQL_URL_VAR,
    };
    let Some(url) = std::env::var(var).ok().filter(|url| !url.is_empty()) else {
        eprintln!("{var} is not set; skipping");
        return None;
    };
    let database = TestDatabase::on_server(&url).await;
    Some(database.unwrap_or_else(|error| panic!("{var} is set but unusable: {error}")))
}

/// One test per scenario and database; each scenario is an `async fn(&Driver)` below.
macro_rules! on_every_database {
    ($($scenario:ident),* $(,)?) => {
        on_every_database!(@kind sqlite Sqlite $($scenario),*);
        on_every_database!(@kind postgres Postgres $($scenario),*);
        on_every_database!(@kind mysql MySql $($scenario),*);
    };
    (@kind $module:ident $kind:ident $($scenario:ident),*) => {
        mod $module {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let Some(db) = super::open(super::Kind::$kind).await else {
                        return;
                    };
                    super::$scenario(db.driver()).await;
                    db.cleanup().await.expect("drop the test database");
                }
            )*
        }
    };
}

on_every_database!(
    builder_like_tables_read_field_by_field,
    views_are_not_tables,
    a_missing_table_is_none,
    one_table_reads_as_in_the_whole_snapshot,
    introspecting_twice_gives_equal_snapshots,
    dropping_and_recreating_a_table_gives_an_equal_snapshot,
    up_then_down_leaves_the_snapshot_as_it_was,
);

async fn run(driver: &Driver, statements: &[&str]) {
    for sql in statements {
        driver
            .execute(sql)
            .await
            .unwrap_or_else(|error| panic!("{sql}\n  failed: {error}"));
    }
}

async fn run_schema(driver: &Driver, schema: &Schema) {
    let statements = driver
        .dialect()
        .render(schema.plan())
        .expect("the plan renders");
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    run(driver, &statements).await;
}

async fn table(driver: &Driver, name: &str) -> TableSnapshot {
    let snapshot = driver.introspect().await.expect("introspect");
    snapshot
        .table(name)
        .unwrap_or_else(|| panic!("no table {name} in {:?}", snapshot.tables.keys()))
        .clone()
}

// -------------------------------------------------------------------------------- fixtures

/// `parents`, `posts` (every kind of column, a composite unique index, a plain index and a
/// cascading foreign key) and `pairs` (a composite primary key in another order than the
/// columns), written as the builder renders them for each database.
fn fixture(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Sqlite => &[
            r#"CREATE TABLE "parents" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "name" VARCHAR(50) NOT NULL)"#,
            r#"CREATE TABLE "posts" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "status" VARCHAR(100) NOT NULL DEFAULT 'draft', "body" TEXT NULL, "price" NUMERIC(8, 2) NOT NULL DEFAULT 0, "published" BOOLEAN NOT NULL DEFAULT 1, "published_at" DATETIME NULL, "meta" TEXT NULL, "parent_id" INTEGER NOT NULL, CONSTRAINT "posts_parent_id_foreign" FOREIGN KEY ("parent_id") REFERENCES "parents" ("id") ON DELETE CASCADE)"#,
            r#"CREATE UNIQUE INDEX "posts_status_parent_id_unique" ON "posts" ("status", "parent_id")"#,
            r#"CREATE INDEX "posts_published_at_index" ON "posts" ("published_at")"#,
            r#"CREATE TABLE "pairs" ("left_id" INTEGER NOT NULL, "right_id" INTEGER NOT NULL, "weight" INTEGER NOT NULL DEFAULT -1, PRIMARY KEY ("right_id", "left_id"))"#,
        ],
        Dialect::Postgres => &[
            r#"CREATE TABLE "parents" ("id" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "name" VARCHAR(50) NOT NULL)"#,
            r#"CREATE TABLE "posts" ("id" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "status" VARCHAR(100) NOT NULL DEFAULT 'draft', "body" TEXT NULL, "price" NUMERIC(8, 2) NOT NULL DEFAULT 0, "published" BOOLEAN NOT NULL DEFAULT TRUE, "published_at" TIMESTAMP(0) WITHOUT TIME ZONE NULL, "meta" JSONB NULL, "parent_id" BIGINT NOT NULL, CONSTRAINT "posts_parent_id_foreign" FOREIGN KEY ("parent_id") REFERENCES "parents" ("id") ON DELETE CASCADE)"#,
            r#"CREATE UNIQUE INDEX "posts_status_parent_id_unique" ON "posts" ("status", "parent_id")"#,
            r#"CREATE INDEX "posts_published_at_index" ON "posts" ("published_at")"#,
            r#"COMMENT ON COLUMN "posts"."body" IS 'the body'"#,
            r#"CREATE TABLE "pairs" ("left_id" INTEGER NOT NULL, "right_id" INTEGER NOT NULL, "weight" INTEGER NOT NULL DEFAULT -1, PRIMARY KEY ("right_id", "left_id"))"#,
        ],
        Dialect::MySql => &[
            "CREATE TABLE `parents` (`id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, `name` VARCHAR(50) NOT NULL)",
            "CREATE TABLE `posts` (`id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, `status` VARCHAR(100) NOT NULL DEFAULT 'draft', `body` TEXT NULL COMMENT 'the body', `price` DECIMAL(8, 2) NOT NULL DEFAULT 0, `published` TINYINT(1) NOT NULL DEFAULT 1, `published_at` DATETIME NULL, `meta` JSON NULL, `parent_id` BIGINT UNSIGNED NOT NULL, CONSTRAINT `posts_parent_id_foreign` FOREIGN KEY (`parent_id`) REFERENCES `parents` (`id`) ON DELETE CASCADE)",
            "CREATE UNIQUE INDEX `posts_status_parent_id_unique` ON `posts` (`status`, `parent_id`)",
            "CREATE INDEX `posts_published_at_index` ON `posts` (`published_at`)",
            "CREATE TABLE `pairs` (`left_id` INT NOT NULL, `right_id` INT NOT NULL, `weight` INT NOT NULL DEFAULT -1, PRIMARY KEY (`right_id`, `left_id`))",
        ],
    }
}

/// A migration's `up`: a table with a foreign key to `posts`, rendered by the builder.
fn tags_up() -> Schema {
    let mut schema = Schema::new();
    schema.create("tags", |t| {
        t.id();
        t.string("label").length(40).default("new");
        t.boolean("pinned").default(false);
        t.foreign_id("post_id")
            .constrained("posts")
            .cascade_on_delete();
        t.unique(["post_id", "label"]);
        t.timestamps();
    });
    schema
}

fn tags_down() -> Schema {
    let mut schema = Schema::new();
    schema.drop("tags");
    schema
}

// ---------------------------------------------------------------------------- expectations

/// Every field of a [`ColumnSnapshot`], so that a mismatch shows the whole column.
#[derive(Clone, Debug, PartialEq)]
struct Column {
    name: String,
    data_type: String,
    family: TypeFamily,
    integer_bytes: Option<u8>,
    length: Option<u32>,
    precision: Option<u8>,
    scale: Option<u8>,
    unsigned: bool,
    nullable: bool,
    default: Option<String>,
    auto_increment: bool,
    comment: Option<String>,
}

/// A `NOT NULL` column without a default; the methods below say what else it is.
fn col(name: &str, data_type: &str, family: TypeFamily) -> Column {
    Column {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        family,
        integer_bytes: None,
        length: None,
        precision: None,
        scale: None,
        unsigned: false,
        nullable: false,
        default: None,
        auto_increment: false,
        comment: None,
    }
}

impl Column {
    fn bytes(mut self, bytes: u8) -> Self {
        self.integer_bytes = Some(bytes);
        self
    }
    fn length(mut self, length: u32) -> Self {
        self.length = Some(length);
        self
    }
    fn decimal(mut self, precision: u8, scale: u8) -> Self {
        (self.precision, self.scale) = (Some(precision), Some(scale));
        self
    }
    fn unsigned(mut self) -> Self {
        self.unsigned = true;
        self
    }
    fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }
    fn default(mut self, sql: &str) -> Self {
        self.default = Some(sql.to_owned());
        self
    }
    fn auto(mut self) -> Self {
        self.auto_increment = true;
        self
    }
    fn comment(mut self, comment: &str) -> Self {
        self.comment = Some(comment.to_owned());
        self
    }
}

fn seen(column: &ColumnSnapshot) -> Column {
    Column {
        name: column.name.clone(),
        data_type: column.data_type.clone(),
        family: column.family,
        integer_bytes: column.integer_bytes,
        length: column.length,
        precision: column.precision,
        scale: column.scale,
        unsigned: column.unsigned,
        nullable: column.nullable,
        default: column.default.clone(),
        auto_increment: column.auto_increment,
        comment: column.comment.clone(),
    }
}

fn columns_of(table: &TableSnapshot) -> Vec<Column> {
    table.columns.iter().map(seen).collect()
}

fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| (*c).to_owned()).collect()
}

/// The primary key as (name, columns).
fn primary_key_of(table: &TableSnapshot) -> Option<(Option<String>, Vec<String>)> {
    table
        .primary_key
        .as_ref()
        .map(|key| (key.name.clone(), key.columns.clone()))
}

/// The indexes as (name, columns, unique), in the snapshot's order.
fn indexes_of(table: &TableSnapshot) -> Vec<(String, Vec<String>, bool)> {
    table
        .indexes
        .iter()
        .map(|index| (index.name.clone(), index.columns.clone(), index.unique))
        .collect()
}

type ForeignKeyView = (
    Option<String>,
    Vec<String>,
    String,
    Vec<String>,
    ForeignKeyAction,
    ForeignKeyAction,
);

fn foreign_keys_of(table: &TableSnapshot) -> Vec<ForeignKeyView> {
    table
        .foreign_keys
        .iter()
        .map(|key| {
            (
                key.name.clone(),
                key.columns.clone(),
                key.referenced_table.clone(),
                key.referenced_columns.clone(),
                key.on_delete,
                key.on_update,
            )
        })
        .collect()
}

fn expected_posts_columns(dialect: Dialect) -> Vec<Column> {
    use TypeFamily as F;
    match dialect {
        Dialect::Sqlite => vec![
            col("id", "integer", F::Integer).auto(),
            col("status", "varchar(100)", F::String)
                .length(100)
                .default("'draft'"),
            col("body", "text", F::Text).nullable(),
            col("price", "numeric(8, 2)", F::Decimal)
                .decimal(8, 2)
                .default("0"),
            col("published", "boolean", F::Boolean).default("1"),
            col("published_at", "datetime", F::Timestamp).nullable(),
            col("meta", "text", F::Text).nullable(),
            col("parent_id", "integer", F::Integer),
        ],
        Dialect::Postgres => vec![
            col("id", "bigint", F::Integer).bytes(8).auto(),
            col("status", "character varying(100)", F::String)
                .length(100)
                .default("'draft'"),
            col("body", "text", F::Text).nullable().comment("the body"),
            col("price", "numeric(8,2)", F::Decimal)
                .decimal(8, 2)
                .default("0"),
            col("published", "boolean", F::Boolean).default("true"),
            col(
                "published_at",
                "timestamp(0) without time zone",
                F::Timestamp,
            )
            .nullable(),
            col("meta", "jsonb", F::Json).nullable(),
            col("parent_id", "bigint", F::Integer).bytes(8),
        ],
        Dialect::MySql => vec![
            col("id", "bigint unsigned", F::Integer)
                .bytes(8)
                .unsigned()
                .auto(),
            col("status", "varchar(100)", F::String)
                .length(100)
                .default("'draft'"),
            col("body", "text", F::Text).nullable().comment("the body"),
            // MySQL stores a decimal default at the column's scale.
            col("price", "decimal(8,2)", F::Decimal)
                .decimal(8, 2)
                .default("0.00"),
            col("published", "tinyint(1)", F::Boolean).default("1"),
            col("published_at", "datetime", F::Timestamp).nullable(),
            // MariaDB spells it `longtext` (checked with `json_valid`); see the caller.
            col("meta", "json", F::Json).nullable(),
            col("parent_id", "bigint unsigned", F::Integer)
                .bytes(8)
                .unsigned(),
        ],
    }
}

fn expected_pairs_columns(dialect: Dialect) -> Vec<Column> {
    let int = |name: &str| match dialect {
        Dialect::Sqlite => col(name, "integer", TypeFamily::Integer),
        Dialect::Postgres => col(name, "integer", TypeFamily::Integer).bytes(4),
        Dialect::MySql => col(name, "int", TypeFamily::Integer).bytes(4),
    };
    vec![int("left_id"), int("right_id"), int("weight").default("-1")]
}

// ------------------------------------------------------------------------------- scenarios

async fn builder_like_tables_read_field_by_field(driver: &Driver) {
    let dialect = driver.dialect();
    run(driver, fixture(dialect)).await;
    let snapshot = driver.introspect().await.expect("introspect");
    assert_eq!(
        snapshot.tables.keys().collect::<Vec<_>>(),
        ["pairs", "parents", "posts"],
        "{dialect}"
    );

    let posts = snapshot.table("posts").expect("posts");
    assert_eq!(posts.name, "posts");
    let mut columns = columns_of(posts);
    if dialect == Dialect::MySql {
        // MariaDB spells JSON `longtext`; the family says what it is.
        let meta = columns.iter_mut().find(|c| c.name == "meta").expect("meta");
        assert!(
            ["json", "longtext"].contains(&meta.data_type.as_str()),
            "{meta:?}"
        );
        meta.data_type = "json".to_owned();
    }
    assert_eq!(columns, expected_posts_columns(dialect), "{dialect}");
    let pk_name = |name: &str| (dialect == Dialect::Postgres).then(|| name.to_owned());
    assert_eq!(
        primary_key_of(posts),
        Some((pk_name("posts_pkey"), names(&["id"]))),
        "{dialect}"
    );
    let mut indexes = vec![
        (
            "posts_published_at_index".to_owned(),
            names(&["published_at"]),
            false,
        ),
        (
            "posts_status_parent_id_unique".to_owned(),
            names(&["status", "parent_id"]),
            true,
        ),
    ];
    if dialect == Dialect::MySql {
        // InnoDB indexes a foreign key's columns when no index starts with them.
        indexes.insert(
            0,
            (
                "posts_parent_id_foreign".to_owned(),
                names(&["parent_id"]),
                false,
            ),
        );
    }
    assert_eq!(indexes_of(posts), indexes, "{dialect}");
    assert_eq!(
        foreign_keys_of(posts),
        [(
            Some("posts_parent_id_foreign".to_owned()),
            names(&["parent_id"]),
            "parents".to_owned(),
            names(&["id"]),
            ForeignKeyAction::Cascade,
            ForeignKeyAction::NoAction,
        )],
        "{dialect}"
    );
    let by_name = posts
        .index("posts_published_at_index")
        .expect("index by name");
    assert_eq!(by_name.columns, names(&["published_at"]));
    assert!(posts.foreign_key("posts_parent_id_foreign").is_some());
    assert!(posts.column("nope").is_none());

    let pairs = snapshot.table("pairs").expect("pairs");
    assert_eq!(
        columns_of(pairs),
        expected_pairs_columns(dialect),
        "{dialect}"
    );
    assert_eq!(
        primary_key_of(pairs),
        Some((pk_name("pairs_pkey"), names(&["right_id", "left_id"]))),
        "{dialect}"
    );
    assert!(pairs.indexes.is_empty(), "{dialect}: {:?}", pairs.indexes);
    assert!(pairs.foreign_keys.is_empty(), "{dialect}");

    let parents = snapshot.table("parents").expect("parents");
    let name = columns_of(parents).pop().expect("a column");
    assert_eq!(
        (name.family, name.length, name.nullable),
        (TypeFamily::String, Some(50), false)
    );
}

async fn views_are_not_tables(driver: &Driver) {
    run(driver, &fixture(driver.dialect())[..2]).await;
    run(
        driver,
        &["CREATE VIEW post_statuses AS SELECT status FROM posts"],
    )
    .await;
    let snapshot = driver.introspect().await.expect("introspect");
    assert!(snapshot.table("post_statuses").is_none());
    assert!(snapshot.table("posts").is_some());
    assert!(
        driver
            .introspect_table("post_statuses")
            .await
            .expect("introspect a view")
            .is_none()
    );
}

async fn a_missing_table_is_none(driver: &Driver) {
    assert!(
        driver
            .introspect()
            .await
            .expect("introspect")
            .tables
            .is_empty()
    );
    let missing = driver
        .introspect_table("missing")
        .await
        .expect("introspect");
    assert_eq!(missing, None);
}

async fn one_table_reads_as_in_the_whole_snapshot(driver: &Driver) {
    run(driver, fixture(driver.dialect())).await;
    let snapshot = driver.introspect().await.expect("introspect");
    for name in ["parents", "posts", "pairs"] {
        let one = driver.introspect_table(name).await.expect("introspect one");
        assert_eq!(one.as_ref(), snapshot.table(name), "{name}");
    }
}

async fn introspecting_twice_gives_equal_snapshots(driver: &Driver) {
    run(driver, fixture(driver.dialect())).await;
    let first = driver.introspect().await.expect("introspect");
    let second = driver.introspect().await.expect("introspect again");
    assert_eq!(first, second);
}

async fn dropping_and_recreating_a_table_gives_an_equal_snapshot(driver: &Driver) {
    run(driver, fixture(driver.dialect())).await;
    run_schema(driver, &tags_up()).await;
    let before = table(driver, "tags").await;
    // What the builder's table reads as, wherever it runs.
    let label = before.column("label").expect("label");
    assert_eq!(
        (label.length, label.default.as_deref()),
        (Some(40), Some("'new'"))
    );
    assert!(before.column("id").expect("id").auto_increment);
    let key = before
        .foreign_key("tags_post_id_foreign")
        .expect("named key");
    assert_eq!(
        (key.columns.clone(), key.on_delete),
        (names(&["post_id"]), ForeignKeyAction::Cascade)
    );
    let unique = before
        .index("tags_post_id_label_unique")
        .expect("unique index");
    assert_eq!(
        (unique.columns.clone(), unique.unique),
        (names(&["post_id", "label"]), true)
    );

    run_schema(driver, &tags_down()).await;
    assert!(
        driver
            .introspect_table("tags")
            .await
            .expect("introspect")
            .is_none()
    );
    run_schema(driver, &tags_up()).await;
    assert_eq!(table(driver, "tags").await, before);
}

async fn up_then_down_leaves_the_snapshot_as_it_was(driver: &Driver) {
    run(driver, fixture(driver.dialect())).await;
    let before = driver.introspect().await.expect("introspect");
    run_schema(driver, &tags_up()).await;
    let during = driver.introspect().await.expect("introspect");
    assert_ne!(during, before);
    run_schema(driver, &tags_down()).await;
    assert_eq!(driver.introspect().await.expect("introspect"), before);
}

// ------------------------------------------------------------------------ one database only

#[tokio::test]
async fn sqlite_internal_tables_and_unnamed_keys() {
    let db = open(Kind::Sqlite).await.expect("SQLite always runs");
    let driver = db.driver();
    run(driver, fixture(Dialect::Sqlite)).await;
    // `sqlite_sequence` exists once a table has AUTOINCREMENT.
    run(
        driver,
        &[
            "INSERT INTO parents (name) VALUES ('p')",
            // A key without a name, and one naming its parent's primary key implicitly.
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, post_id INTEGER REFERENCES posts, \
         parent_id INTEGER, FOREIGN KEY (parent_id) REFERENCES parents (id) ON UPDATE SET NULL)",
        ],
    )
    .await;
    let snapshot = driver.introspect().await.expect("introspect");
    assert!(
        snapshot
            .tables
            .keys()
            .all(|name| !name.starts_with("sqlite_"))
    );
    let notes = snapshot.table("notes").expect("notes");
    // A rowid alias without AUTOINCREMENT: never NULL, but ids may be reused.
    let id = notes.column("id").expect("id");
    assert_eq!((id.nullable, id.auto_increment), (false, false));
    assert_eq!(
        foreign_keys_of(notes),
        [
            (
                None,
                names(&["parent_id"]),
                "parents".to_owned(),
                names(&["id"]),
                ForeignKeyAction::NoAction,
                ForeignKeyAction::SetNull,
            ),
            (
                None,
                names(&["post_id"]),
                "posts".to_owned(),
                names(&["id"]),
                ForeignKeyAction::NoAction,
                ForeignKeyAction::NoAction,
            ),
        ]
    );
    db.cleanup().await.expect("cleanup");
}

#[tokio::test]
async fn sqlite_failure_names_the_database() {
    let db = open(Kind::Sqlite).await.expect("SQLite always runs");
    db.driver().close().await;
    let message = db.driver().introspect().await.unwrap_err().to_string();
    assert!(
        message.starts_with("could not read the schema of sqlite://"),
        "{message}"
    );
    db.cleanup().await.expect("cleanup");
}

#[tokio::test]
async fn postgres_lists_only_the_current_schema() {
    let Some(db) = open(Kind::Postgres).await else {
        return;
    };
    let driver = db.driver();
    run(driver, &[
        "CREATE SCHEMA other",
        r#"CREATE TABLE other.hidden ("id" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)"#,
        // A foreign key into another schema names the schema; a serial column is numbered by
        // the database and has no default of its own.
        r#"CREATE TABLE "visible" ("n" SERIAL NOT NULL, "hidden_id" BIGINT NULL DEFAULT '-1', "code" CHAR(3) NOT NULL DEFAULT 'abc', "tz" TIMESTAMP(0) WITH TIME ZONE NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT "visible_hidden_id_foreign" FOREIGN KEY ("hidden_id") REFERENCES other.hidden ("id") ON DELETE SET NULL ON UPDATE RESTRICT, CONSTRAINT "visible_code_unique" UNIQUE ("code"))"#,
    ])
    .await;
    let snapshot = driver.introspect().await.expect("introspect");
    assert_eq!(snapshot.tables.keys().collect::<Vec<_>>(), ["visible"]);
    let visible = snapshot.table("visible").expect("visible");
    assert_eq!(
        columns_of(visible),
        [
            col("n", "integer", TypeFamily::Integer).bytes(4).auto(),
            col("hidden_id", "bigint", TypeFamily::Integer)
                .bytes(8)
                .nullable()
                .default("-1"),
            col("code", "character(3)", TypeFamily::String)
                .length(3)
                .default("'abc'"),
            col("tz", "timestamp(0) with time zone", TypeFamily::TimestampTz)
                .nullable()
                .default("CURRENT_TIMESTAMP"),
        ]
    );
    assert_eq!(primary_key_of(visible), None);
    // A unique constraint is a unique index.
    assert_eq!(
        indexes_of(visible),
        [("visible_code_unique".to_owned(), names(&["code"]), true)]
    );
    assert_eq!(
        foreign_keys_of(visible),
        [(
            Some("visible_hidden_id_foreign".to_owned()),
            names(&["hidden_id"]),
            "other.hidden".to_owned(),
            names(&["id"]),
            ForeignKeyAction::SetNull,
            ForeignKeyAction::Restrict,
        )]
    );
    // A qualified name reads another schema's table.
    let hidden = driver
        .introspect_table("other.hidden")
        .await
        .expect("introspect");
    assert_eq!(hidden.map(|t| t.name), Some("hidden".to_owned()));
    assert_eq!(
        driver.introspect_table("hidden").await.expect("introspect"),
        None
    );
    db.cleanup().await.expect("drop the test database");
}

#[tokio::test]
async fn mysql_defaults_and_actions_read_alike() {
    let Some(db) = open(Kind::MySql).await else {
        return;
    };
    let driver = db.driver();
    run(driver, &[
        "CREATE TABLE `parents` (`id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY)",
        "CREATE TABLE `odd` (`quote` VARCHAR(20) NOT NULL DEFAULT 'it''s', `path` VARCHAR(20) NULL DEFAULT 'C:\\\\temp', `at` DATETIME NULL DEFAULT CURRENT_TIMESTAMP, `small` SMALLINT NOT NULL DEFAULT 0, `medium` MEDIUMINT UNSIGNED NULL, `tiny` TINYINT NULL, `parent_id` BIGINT UNSIGNED NULL, CONSTRAINT `odd_parent_id_foreign` FOREIGN KEY (`parent_id`) REFERENCES `parents` (`id`) ON DELETE SET NULL ON UPDATE RESTRICT)",
    ])
    .await;
    let odd = table(driver, "odd").await;
    assert_eq!(
        columns_of(&odd),
        [
            col("quote", "varchar(20)", TypeFamily::String)
                .length(20)
                .default("'it''s'"),
            col("path", "varchar(20)", TypeFamily::String)
                .length(20)
                .nullable()
                .default(r"'C:\\temp'"),
            col("at", "datetime", TypeFamily::Timestamp)
                .nullable()
                .default("CURRENT_TIMESTAMP"),
            col("small", "smallint", TypeFamily::Integer)
                .bytes(2)
                .default("0"),
            col("medium", "mediumint unsigned", TypeFamily::Integer)
                .bytes(3)
                .unsigned()
                .nullable(),
            col("tiny", "tinyint", TypeFamily::Integer)
                .bytes(1)
                .nullable(),
            col("parent_id", "bigint unsigned", TypeFamily::Integer)
                .bytes(8)
                .unsigned()
                .nullable(),
        ]
    );
    // InnoDB's RESTRICT is NO ACTION, and what an unsaid action reads as on MariaDB.
    assert_eq!(
        foreign_keys_of(&odd),
        [(
            Some("odd_parent_id_foreign".to_owned()),
            names(&["parent_id"]),
            "parents".to_owned(),
            names(&["id"]),
            ForeignKeyAction::SetNull,
            ForeignKeyAction::NoAction,
        )]
    );
    db.cleanup().await.expect("drop the test database");
}
