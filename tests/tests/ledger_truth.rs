//! The ledger never lies: rows in the legacy id spelling are found by every write, rows that
//! cannot be read are named with their column and a way out, another tool's table is not taken
//! for a ledger, and the advice after a failed `down` leads to a ledger that matches the schema.
//! On SQLite always, and on PostgreSQL and MariaDB when their URLs are set.

mod support;

use support::*;

const LEGACY_USERS: &str = "2024_12_01_000000_create_users_table";

/// Runs `sql` on the test database, which must accept it.
async fn sql(db: &TestDatabase, sql: &str) {
    db.driver()
        .execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn ledger_ids(runner: &MigrationRunner) -> Vec<String> {
    let rows = runner.ledger().read_applied().await.expect("ledger");
    rows.into_iter().map(|row| row.stored_id).collect()
}

/// Four tables up; down drops them one by one, so a failure at the second drop leaves the
/// first dropped and the last two in place. The second drop is raw SQL: the pre-flight check
/// would see the table that blocks it and refuse the whole down, and these tests are about a
/// failure the database reports part way.
struct FourTables;
impl Migration for FourTables {
    fn up(&self, schema: &mut Schema) {
        for table in ["r_a", "r_b", "r_c", "r_d"] {
            schema.create(table, |t| {
                t.id();
            });
        }
    }
    fn down(&self, schema: &mut Schema) {
        schema.drop("r_a");
        schema.raw("DROP TABLE r_b");
        schema.drop("r_c");
        schema.drop("r_d");
    }
}

const FOUR: &str = "m_20241201000500_create_four_tables";

/// A table whose row references `r_b`, so that dropping `r_b` fails on every database.
async fn block_dropping_r_b(db: &TestDatabase) {
    let id_type = match db.dialect() {
        Dialect::MySql => "BIGINT UNSIGNED",
        Dialect::Sqlite | Dialect::Postgres => "BIGINT",
    };
    sql(db, "INSERT INTO r_b (id) VALUES (1)").await;
    sql(
        db,
        &format!("CREATE TABLE blocker (b_id {id_type}, FOREIGN KEY (b_id) REFERENCES r_b (id))"),
    )
    .await;
    sql(db, "INSERT INTO blocker (b_id) VALUES (1)").await;
}

/// FOUR applied as a no-transaction migration, then rolled back until its down fails at `r_b`:
/// the runner and the failure's message.
async fn failed_down(db: &TestDatabase) -> (MigrationRunner, MigrationError) {
    let migrations =
        MigrationEntry::build_descriptors(vec![entry(FOUR, FourTables).no_transaction()])
            .expect("descriptors");
    let runner = runner(db, migrations);
    runner.apply_all().await.expect("apply");
    block_dropping_r_b(db).await;
    let error = runner.rollback().await.expect_err("fails at r_b");
    (runner, error)
}

/// The error's hint as the CLI words it: the `migrate:repair <id> --flag` command on the line
/// that starts with `when`, and the repair it asks for.
fn advised_repair(error: &MigrationError, when: &str) -> (String, Repair) {
    let hint = error.hint().expect("a hint");
    let lines = ormed_migrate::cli::hint_lines(&hint);
    let line = lines
        .iter()
        .find(|line| line.starts_with(when))
        .unwrap_or_else(|| panic!("{when:?} in {lines:?}"));
    let start = line.find("`migrate:repair ").expect("a repair command") + 1;
    let command = &line[start..start + line[start..].find('`').expect("closing backtick")];
    let repair = match command.rsplit(' ').next() {
        Some("--applied") => Repair::Applied,
        Some("--rolled-back") => Repair::RolledBack,
        other => panic!("unexpected flag {other:?} in {command}"),
    };
    (command.to_owned(), repair)
}

mod cases {
    use super::*;

    /// A migration run statement by statement whose own ledger row is deleted while it runs
    /// (here by the migration itself): recording it finds no row, and says so instead of
    /// reporting success with nothing recorded.
    pub async fn a_ledger_row_removed_while_its_migration_runs_is_an_error(db: &TestDatabase) {
        fn deletes_its_row(schema: &mut Schema) {
            schema.raw("DELETE FROM orm_migrations WHERE id = 'm_20250101000000_deletes_its_row'");
        }
        fn nothing(_: &mut Schema) {}
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(
                "m_20250101000000_deletes_its_row",
                Steps(deletes_its_row, nothing),
            )
            .no_transaction(),
        ])
        .expect("descriptors");
        let error = runner(db, migrations)
            .apply_all()
            .await
            .expect_err("no row to record");
        let text = error.to_string();
        assert!(
            text.contains("no longer has the row of migration m_20250101000000_deletes_its_row")
                && text.contains("that it is applied"),
            "{text}"
        );
    }

    /// Rollback finds, and deletes, a row stored under the legacy spelling; before, it dropped
    /// the table and kept the row, and the next rollback ran the down again.
    pub async fn a_legacy_row_is_rolled_back_and_deleted(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_one(&id(USERS)).await.expect("apply");
        sql(
            db,
            &format!("UPDATE orm_migrations SET id = '{LEGACY_USERS}' WHERE id = '{USERS}'"),
        )
        .await;
        assert_eq!(states(&runner).await[0].1, MigrationState::Applied);
        assert_eq!(ledger_ids(&runner).await, [LEGACY_USERS]);

        let report = runner.rollback().await.expect("rollback");
        assert_eq!(ids(&report), [USERS]);
        assert!(
            ledger_ids(&runner).await.is_empty(),
            "the legacy row is gone"
        );
        assert!(!table_exists(db, "users").await);
        assert!(runner.rollback().await.expect("nothing").is_empty());
        runner.apply_all().await.expect("re-apply");
        assert_eq!(ledger_ids(&runner).await, [USERS, POSTS, SEED]);
    }

    /// A failure mark on a legacy row is set and cleared on the row as stored, and repair
    /// rewrites it under the canonical id.
    pub async fn a_legacy_row_is_marked_and_repaired_as_stored(db: &TestDatabase) {
        let migrations =
            MigrationEntry::build_descriptors(vec![entry(USERS, CreateUsers).no_transaction()])
                .expect("descriptors");
        let runner = runner(db, migrations);
        runner.apply_all().await.expect("apply");
        sql(
            db,
            &format!("UPDATE orm_migrations SET id = '{LEGACY_USERS}', checksum = 'sha256:old'"),
        )
        .await;
        assert_eq!(states(&runner).await[0].1, MigrationState::ChecksumChanged);
        runner
            .repair(&id(USERS), Repair::Applied)
            .await
            .expect("accept the edit");
        assert_eq!(ledger_ids(&runner).await, [USERS]);
        assert_eq!(states(&runner).await[0].1, MigrationState::Applied);
    }

    /// A row whose id is not a migration id stops every command with a message that names the
    /// ledger, the row and the way out; the way out works.
    pub async fn an_unreadable_id_is_named_and_can_be_forgotten(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_one(&id(USERS)).await.expect("apply");
        sql(
            db,
            "INSERT INTO orm_migrations (id, checksum, batch, applied_at, execution_ms, status) \
             SELECT 'garbage id', checksum, batch, applied_at, execution_ms, status \
             FROM orm_migrations",
        )
        .await;
        let message = runner.status().await.expect_err("unreadable").to_string();
        assert!(
            message.contains(
                "the migration ledger table orm_migrations has a row that cannot be read: the \
                 row with id \"garbage id\", column `id`: not a migration id"
            ),
            "{message}"
        );
        let error = runner.status().await.expect_err("unreadable");
        assert_eq!(
            error.hint(),
            Some(Hint::ForgetRow {
                stored_id: "garbage id".into()
            })
        );
        assert_eq!(
            ormed_migrate::cli::hint_lines(&error.hint().expect("hint")),
            [
                "`migrate:repair 'garbage id' --rolled-back` removes that ledger row and runs nothing"
            ]
        );
        let apply = runner.apply_all().await.expect_err("blocked too");
        assert!(
            matches!(
                apply,
                MigrationError::Ledger(LedgerError::UnreadableRow { .. })
            ),
            "{apply}"
        );
        let needed = runner.repair_needed().await.expect("listing works");
        assert_eq!(needed.unreadable.len(), 1);

        runner
            .forget_ledger_row("garbage id")
            .await
            .expect("forget");
        assert_eq!(ledger_ids(&runner).await, [USERS]);
        let again = runner
            .forget_ledger_row("garbage id")
            .await
            .expect_err("gone");
        assert!(
            matches!(again, MigrationError::Ledger(LedgerError::NoRow { .. })),
            "{again}"
        );
    }

    /// An unknown status is not silently read as applied.
    pub async fn an_unknown_status_is_named(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_one(&id(USERS)).await.expect("apply");
        sql(db, "UPDATE orm_migrations SET status = 'done'").await;
        let message = runner
            .apply_all()
            .await
            .expect_err("bad status")
            .to_string();
        assert!(
            message.contains(&format!(
                "the row with id \"{USERS}\", column `status`: unknown status \"done\""
            )),
            "{message}"
        );
        assert!(!table_exists(db, "posts").await, "nothing ran");
        runner
            .repair(&id(USERS), Repair::Applied)
            .await
            .expect("rewrite the row");
        assert_eq!(
            states(&runner).await[0],
            (USERS.into(), MigrationState::Applied, Some(1))
        );
    }

    /// A ledger that allows NULLs (made by hand): a NULL is named with its row and column.
    pub async fn a_null_in_a_hand_made_ledger_is_named(db: &TestDatabase) {
        let timestamp = match db.dialect() {
            Dialect::Sqlite => "TEXT",
            Dialect::Postgres => "TIMESTAMPTZ",
            Dialect::MySql => "DATETIME(6)",
        };
        sql(
            db,
            &format!(
                "CREATE TABLE orm_migrations (id VARCHAR(255), checksum VARCHAR(128), \
                 batch BIGINT, applied_at {timestamp}, execution_ms BIGINT, status VARCHAR(16))"
            ),
        )
        .await;
        let runner = runner(db, blog());
        runner.apply_one(&id(USERS)).await.expect("apply");
        sql(db, "UPDATE orm_migrations SET batch = NULL").await;
        let message = runner.status().await.expect_err("null").to_string();
        assert!(
            message.contains(&format!(
                "the row with id \"{USERS}\", column `batch`: is NULL"
            )),
            "{message}"
        );
        assert!(
            message.contains(
                "rewrite the row: record the migration as applied if its changes \
                 are in the schema"
            ),
            "{message}"
        );
        let hint = runner.status().await.expect_err("null").hint();
        assert_eq!(
            hint,
            Some(Hint::RewriteRows {
                stored_id: USERS.into()
            })
        );
        runner
            .repair(&id(USERS), Repair::Applied)
            .await
            .expect("rewrite");
        assert_eq!(
            states(&runner).await[0],
            (USERS.into(), MigrationState::Applied, Some(1))
        );
    }

    /// Both spellings of one id: refused by name, and repair leaves one row.
    pub async fn two_spellings_of_one_migration_are_refused_and_repaired(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_one(&id(USERS)).await.expect("apply");
        sql(
            db,
            &format!(
                "INSERT INTO orm_migrations (id, checksum, batch, applied_at, execution_ms, \
                 status) SELECT '{LEGACY_USERS}', checksum, batch, applied_at, execution_ms, \
                 status FROM orm_migrations"
            ),
        )
        .await;
        let message = runner.status().await.expect_err("duplicate").to_string();
        assert!(
            message.contains(&format!(
                "has two rows for migration {USERS}: \"{USERS}\" and \"{LEGACY_USERS}\""
            )),
            "{message}"
        );
        runner
            .repair(&id(USERS), Repair::Applied)
            .await
            .expect("one row");
        assert_eq!(ledger_ids(&runner).await, [USERS]);
    }

    /// A Laravel `migrations` table named as the ledger is not read as one, and nothing runs.
    pub async fn another_tools_table_is_not_a_ledger(db: &TestDatabase) {
        sql(
            db,
            "CREATE TABLE migrations (id INTEGER PRIMARY KEY, migration VARCHAR(255) NOT NULL, \
             batch INTEGER NOT NULL)",
        )
        .await;
        sql(
            db,
            "INSERT INTO migrations (id, migration, batch) \
             VALUES (1, '2014_10_12_000000_create_users_table', 1)",
        )
        .await;
        let ledger = SqlMigrationLedger::new(db.driver().clone(), "migrations").expect("ledger");
        let runner = MigrationRunner::new(db.driver().clone(), ledger, blog());
        let message = runner
            .apply_all()
            .await
            .expect_err("not a ledger")
            .to_string();
        assert!(
            message.contains(
                "the table migrations is not an ormed-migrate migration ledger: it has no column \
                 `checksum`, `applied_at`, `execution_ms`, `status`, and has `migration` that a \
                 ledger does not"
            ),
            "{message}"
        );
        assert!(
            message.contains("give ormed-migrate a ledger table of its own"),
            "{message}"
        );
        let hint = runner.status().await.expect_err("not a ledger").hint();
        assert_eq!(hint, Some(Hint::OtherLedgerTable));
        assert!(!table_exists(db, "users").await, "nothing ran");
        assert!(runner.status().await.is_err(), "status says so too");
    }

    /// A `down` that stops part way where nothing can undo it (a no-transaction migration on
    /// every database, any migration on MySQL): following the printed advice literally leaves
    /// a ledger that matches the schema, and the next migrate re-applies cleanly.
    pub async fn the_advice_after_a_failed_down_leaves_the_ledger_true(db: &TestDatabase) {
        let (runner, error) = failed_down(db).await;
        let message = error.to_string();
        assert!(
            message.contains(&format!(
                "migration {FOUR} failed (down) at statement 2 of 4"
            )),
            "{message}"
        );
        assert!(
            message.contains("marks the migration as failed (down)"),
            "{message}"
        );
        assert_eq!(
            states(&runner).await[0].1,
            MigrationState::Failed(Direction::Down)
        );
        let blocked = runner.apply_all().await.expect_err("blocked").to_string();
        assert!(
            blocked.contains("failed part way on an earlier run (down)"),
            "{blocked}"
        );

        // The user finishes the rollback by hand, then does what the message says for that.
        assert_eq!(
            error.hint(),
            Some(Hint::ResolvePartial {
                id: id(FOUR),
                direction: Direction::Down
            })
        );
        let (command, repair) = advised_repair(&error, "if you finished the rollback by hand");
        assert_eq!(command, format!("migrate:repair {FOUR} --rolled-back"));
        for table in ["blocker", "r_b", "r_c", "r_d"] {
            sql(db, &format!("DROP TABLE {table}")).await;
        }
        runner.repair(&id(FOUR), repair).await.expect("repair");

        assert_eq!(states(&runner).await[0].1, MigrationState::Pending);
        runner.apply_all().await.expect("re-applies cleanly");
        for table in ["r_a", "r_b", "r_c", "r_d"] {
            assert!(table_exists(db, table).await, "{table}");
        }
    }

    /// The other way out of a failed down: restore what it removed, and keep it applied.
    pub async fn a_failed_down_can_be_restored_instead(db: &TestDatabase) {
        let (runner, error) = failed_down(db).await;

        let (command, repair) = advised_repair(&error, "if you restored what its down() removed");
        assert_eq!(command, format!("migrate:repair {FOUR} --applied"));
        sql(db, "CREATE TABLE r_a (id BIGINT PRIMARY KEY)").await;
        runner.repair(&id(FOUR), repair).await.expect("repair");
        assert_eq!(states(&runner).await[0].1, MigrationState::Applied);
        assert!(runner.apply_all().await.expect("nothing to do").is_empty());
    }

    /// A ledger of the first format (no metadata table, as every earlier version wrote it) is
    /// read as it is by read-only commands and upgraded by the next run, keeping every row.
    pub async fn a_ledger_of_the_first_format_is_upgraded(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_all().limit(2).await.expect("apply");
        sql(db, "DROP TABLE orm_migrations_meta").await;
        assert!(!table_exists(db, "orm_migrations_meta").await);

        assert_eq!(states(&runner).await[1].1, MigrationState::Applied);
        assert!(
            !table_exists(db, "orm_migrations_meta").await,
            "status reads it as it is and writes nothing"
        );

        runner.apply_all().await.expect("the next run upgrades it");
        assert!(table_exists(db, "orm_migrations_meta").await);
        assert_eq!(ledger_ids(&runner).await, [USERS, POSTS, SEED]);
        assert_eq!(
            states(&runner).await,
            [
                (USERS.into(), MigrationState::Applied, Some(1)),
                (POSTS.into(), MigrationState::Applied, Some(1)),
                (SEED.into(), MigrationState::Applied, Some(2)),
            ]
        );
    }

    /// A ledger written by a newer version is not misread: every command stops and says so.
    pub async fn a_ledger_of_a_newer_format_is_refused(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_one(&id(USERS)).await.expect("apply");
        sql(
            db,
            "UPDATE orm_migrations_meta SET value = '99' WHERE name = 'format'",
        )
        .await;
        let message = runner.apply_all().await.expect_err("newer").to_string();
        assert!(
            message.starts_with(
                "the migration ledger table orm_migrations was written by a newer version of \
                 ormed-migrate (ledger format 99; this version knows formats up to 2)"
            ),
            "{message}"
        );
        assert!(!table_exists(db, "posts").await, "nothing ran");
        assert!(runner.status().await.is_err(), "status refuses too");
        assert!(runner.rollback().await.is_err(), "and rollback");
    }
}

support::suite! {
    a_legacy_row_is_rolled_back_and_deleted,
    a_legacy_row_is_marked_and_repaired_as_stored,
    an_unreadable_id_is_named_and_can_be_forgotten,
    an_unknown_status_is_named,
    a_null_in_a_hand_made_ledger_is_named,
    two_spellings_of_one_migration_are_refused_and_repaired,
    another_tools_table_is_not_a_ledger,
    the_advice_after_a_failed_down_leaves_the_ledger_true,
    a_failed_down_can_be_restored_instead,
    a_ledger_of_the_first_format_is_upgraded,
    a_ledger_of_a_newer_format_is_refused,
    a_ledger_row_removed_while_its_migration_runs_is_an_error,
}
