//! The behavioural suite of the runner, against SQLite always and against PostgreSQL and
//! MariaDB/MySQL when `ORMED_TEST_POSTGRES_URL` / `ORMED_TEST_MYSQL_URL` are set (CI sets both,
//! and a server that cannot be reached there fails the suite). Each test gets its own database.

mod support;

use support::*;

// ---------------------------------------------------------------------------------- the cases

mod cases {
    use super::*;
    use MigrationState::{Applied, ChecksumChanged, MissingFromCode, Pending};

    pub async fn apply_all_applies_everything_as_one_batch(db: &TestDatabase) {
        let runner = runner(db, blog());
        let planned = runner.apply_all().pretend().await.expect("pretend");
        let report = runner.apply_all().await.expect("apply");
        assert_eq!(ids(&report), [USERS, POSTS, SEED]);
        // The report lists the statements that ran: what pretend said would.
        for (ran, plan) in report.actions.iter().zip(&planned.actions) {
            assert_eq!(ran.statements, plan.statements, "{}", ran.id);
        }
        assert!(
            report
                .actions
                .iter()
                .all(|a| a.batch == 1 && a.direction == Direction::Up)
        );
        assert!(report.actions[0].statements[0].starts_with("CREATE TABLE"));
        assert!(table_exists(db, "users").await && table_exists(db, "posts").await);
        assert_eq!(
            states(&runner).await,
            [
                (USERS.into(), Applied, Some(1)),
                (POSTS.into(), Applied, Some(1)),
                (SEED.into(), Applied, Some(1))
            ]
        );
        assert!(runner.apply_all().await.expect("again").is_empty());
    }

    pub async fn limit_applies_at_most_n(db: &TestDatabase) {
        let runner = runner(db, blog());
        let report = runner.apply_all().limit(2).await.expect("apply");
        assert_eq!(ids(&report), [USERS, POSTS]);
        assert_eq!(states(&runner).await[2], (SEED.into(), Pending, None));
        let report = runner.apply_all().await.expect("rest");
        assert_eq!(ids(&report), [SEED]);
        assert_eq!(report.actions[0].batch, 2);
    }

    pub async fn rollback_undoes_the_last_batch_in_reverse(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_all().limit(2).await.expect("batch 1");
        runner.apply_all().await.expect("batch 2");
        let report = runner.rollback().await.expect("rollback");
        assert_eq!(ids(&report), [SEED]);
        assert_eq!(report.actions[0].direction, Direction::Down);
        let report = runner.rollback().await.expect("rollback batch 1");
        assert_eq!(ids(&report), [POSTS, USERS]);
        assert!(!table_exists(db, "users").await && !table_exists(db, "posts").await);
        assert!(runner.rollback().await.expect("nothing left").is_empty());
        assert_nothing_recorded(&runner).await;
    }

    pub async fn rollback_steps_undoes_several_batches(db: &TestDatabase) {
        let runner = runner(db, blog());
        let report = runner.apply_all().step().await.expect("apply");
        let batches: Vec<i64> = report.actions.iter().map(|a| a.batch).collect();
        assert_eq!(batches, [1, 2, 3]);
        let report = runner.rollback().steps(2).await.expect("rollback");
        assert_eq!(ids(&report), [SEED, POSTS]);
        assert_eq!(
            states(&runner).await,
            [
                (USERS.into(), Applied, Some(1)),
                (POSTS.into(), Pending, None),
                (SEED.into(), Pending, None)
            ]
        );
    }

    pub async fn status_reports_every_state(db: &TestDatabase) {
        runner(db, blog())
            .apply_all()
            .limit(2)
            .await
            .expect("apply");
        // The code now has an edited USERS, no POSTS, and SEED still pending.
        let edited = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsersEdited),
            entry(SEED, SeedUser),
        ])
        .expect("descriptors");
        let statuses = runner(db, edited).status().await.expect("status");
        let summary: Vec<(String, MigrationState, bool)> = statuses
            .iter()
            .map(|s| (s.id.to_string(), s.state, s.is_applied()))
            .collect();
        assert_eq!(
            summary,
            [
                (USERS.into(), ChecksumChanged, true),
                (POSTS.into(), MissingFromCode, true),
                (SEED.into(), Pending, false)
            ]
        );
        assert!(statuses[0].applied_at.is_some());
    }

    pub async fn apply_one_and_already_applied(db: &TestDatabase) {
        let runner = runner(db, blog());
        let report = runner.apply_one(&id(USERS)).await.expect("apply one");
        assert_eq!(ids(&report), [USERS]);
        let error = runner.apply_one(&id(USERS)).await.expect_err("second time");
        assert!(matches!(
            error,
            MigrationError::Plan(PlanError::AlreadyApplied { .. })
        ));
        assert!(
            error
                .to_string()
                .starts_with(&format!("Migration {USERS} has already been applied"))
        );
        let unknown = runner
            .apply_one(&id("m_20300101000000_nope"))
            .await
            .expect_err("unknown");
        assert!(matches!(
            unknown,
            MigrationError::Plan(PlanError::UnknownMigration { .. })
        ));
        let report = runner.rollback_one(&id(USERS)).await.expect("rollback one");
        assert_eq!(ids(&report), [USERS]);
        let error = runner
            .rollback_one(&id(USERS))
            .await
            .expect_err("not applied");
        assert!(matches!(
            error,
            MigrationError::Plan(PlanError::NotApplied { .. })
        ));
        assert!(!table_exists(db, "users").await);
    }

    pub async fn checksum_mismatch_refuses_before_running_anything(db: &TestDatabase) {
        let original = blog();
        let recorded = original[0].checksum.clone();
        runner(db, original)
            .apply_one(&id(USERS))
            .await
            .expect("apply users");
        let edited = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsersEdited),
            entry(POSTS, CreatePosts),
        ])
        .expect("descriptors");
        let current = edited[0].checksum.clone();
        let error = runner(db, edited).apply_all().await.expect_err("refused");
        let message = error.to_string();
        assert!(matches!(
            error,
            MigrationError::Plan(PlanError::ChecksumMismatch { .. })
        ));
        assert!(message.contains(&format!(
            "Migration {USERS} checksum doesn't match recorded value"
        )));
        assert!(
            message.contains(&recorded) && message.contains(&current),
            "{message}"
        );
        assert!(
            message.contains("support/mod.rs:"),
            "source location: {message}"
        );
        assert!(message.contains("new migration"), "{message}");
        assert!(!table_exists(db, "posts").await, "nothing ran");
    }

    pub async fn applied_migration_missing_from_code_is_refused(db: &TestDatabase) {
        runner(db, blog()).apply_all().await.expect("apply");
        // POSTS is older than SEED, the newest this code has (a missing migration newer than
        // every known one would be a database ahead of the binary: tests/tests/startup.rs).
        let fewer = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(SEED, SeedUser),
        ])
        .expect("descriptors");
        let runner = runner(db, fewer);
        let error = runner.apply_all().await.expect_err("missing");
        assert!(
            matches!(
                error,
                MigrationError::Plan(PlanError::MissingFromCode { .. })
            ),
            "{error}"
        );
        assert!(error.to_string().contains(POSTS));
        let error = runner
            .rollback()
            .await
            .expect_err("cannot roll back unknown code");
        assert!(
            matches!(
                error,
                MigrationError::Plan(PlanError::RollbackMissing { .. })
            ),
            "{error}"
        );
        assert!(table_exists(db, "posts").await, "nothing was rolled back");
    }

    pub async fn failure_mid_run_keeps_earlier_and_names_the_statement(db: &TestDatabase) {
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(POSTS, CreatePosts),
            entry(FAILS, FailsHalfway),
            entry(ONE_WAY, OneWay),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        let mut progress = Vec::new();
        let error = runner
            .apply_all()
            .on_each(|action| progress.push(action.id.to_string()))
            .await
            .expect_err("fails");
        assert_eq!(
            progress,
            [USERS, POSTS],
            "progress before the failure is reported"
        );
        let message = error.to_string();
        assert!(matches!(
            error,
            MigrationError::Run(RunError::StatementFailed { .. })
        ));
        assert!(message.contains(&format!(
            "migration {FAILS} failed (up) at statement 2 of 2"
        )));
        assert!(
            message.contains("INSERT INTO no_such_table (x) VALUES (1)"),
            "{message}"
        );
        assert!(
            message.contains("no_such_table"),
            "database message: {message}"
        );
        let states = states(&runner).await;
        assert_eq!(states[0].1, MigrationState::Applied);
        assert_eq!(states[1].1, MigrationState::Applied);
        assert_eq!(states[3], (ONE_WAY.into(), MigrationState::Pending, None));
        if db.dialect().has_transactional_ddl() {
            assert_eq!(states[2], (FAILS.into(), MigrationState::Pending, None));
            assert!(
                !table_exists(db, "tags").await,
                "the failed migration left no trace"
            );
            assert!(message.contains("rolled back"), "{message}");
        } else {
            // MySQL committed the CREATE TABLE: the ledger says so, and blocks the next run.
            assert_eq!(states[2].1, MigrationState::Failed(Direction::Up));
            assert!(table_exists(db, "tags").await);
            assert!(
                message.contains("marks the migration as failed"),
                "{message}"
            );
            let next = runner.apply_all().await.expect_err("blocked");
            assert!(
                matches!(
                    next,
                    MigrationError::Plan(PlanError::PartiallyApplied { .. })
                ),
                "{next}"
            );
            assert_eq!(
                next.hint(),
                Some(Hint::ResolvePartial {
                    id: id(FAILS),
                    direction: Direction::Up
                })
            );
        }
    }

    /// A builder statement that fails first changed nothing on every database, so nothing is
    /// recorded; a failing `raw` statement is trusted that far only where DDL is transactional.
    pub async fn first_statement_failure_leaves_nothing_anywhere(db: &TestDatabase) {
        struct BadRaw;
        impl Migration for BadRaw {
            fn up(&self, schema: &mut Schema) {
                schema.raw("INSERT INTO no_such_table (x) VALUES (1)");
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        // A view in the way: the pre-flight check models tables only, so the database itself
        // refuses the first statement.
        db.driver()
            .execute("CREATE VIEW users AS SELECT 1 AS x")
            .await
            .expect("a view in the way");
        let migrations =
            MigrationEntry::build_descriptors(vec![entry(USERS, CreateUsers), entry(SEED, BadRaw)])
                .expect("descriptors");
        let runner = runner(db, migrations);
        let error = runner.apply_all().await.expect_err("users exists");
        let message = error.to_string();
        let clean = ["nothing changed", "none of its changes remain"];
        assert!(clean.iter().any(|m| message.contains(m)), "{message}");
        assert_eq!(
            states(&runner).await[0],
            (USERS.into(), MigrationState::Pending, None)
        );
        assert_nothing_recorded(&runner).await;

        db.driver()
            .execute("DROP VIEW users")
            .await
            .expect("clear the way");
        runner.apply_all().await.expect_err("the raw insert fails");
        let seed = states(&runner).await[1].1;
        if db.dialect().has_transactional_ddl() {
            assert_eq!(seed, MigrationState::Pending);
        } else {
            // MySQL may have run part of a raw statement (`DROP TABLE a, b` drops `a`): kept.
            assert_eq!(seed, MigrationState::Failed(Direction::Up));
        }
    }

    pub async fn pretend_changes_nothing(db: &TestDatabase) {
        let runner = runner(db, blog());
        let report = runner.apply_all().pretend().await.expect("pretend");
        assert!(report.pretend);
        assert_eq!(ids(&report), [USERS, POSTS, SEED]);
        assert!(
            report
                .statements()
                .iter()
                .any(|s| s.contains("CREATE TABLE"))
        );
        assert!(!table_exists(db, "users").await);
        assert!(
            !table_exists(db, "orm_migrations").await,
            "pretend does not create the ledger"
        );
        runner.apply_all().await.expect("apply");
        let report = runner.rollback().pretend().await.expect("pretend rollback");
        assert_eq!(ids(&report), [SEED, POSTS, USERS]);
        assert!(
            report
                .statements()
                .iter()
                .any(|s| s.starts_with("DROP TABLE"))
        );
        assert!(table_exists(db, "users").await && table_exists(db, "posts").await);
        assert_eq!(
            runner.ledger().read_applied().await.expect("ledger").len(),
            3
        );
    }

    pub async fn irreversible_rollback_is_refused(db: &TestDatabase) {
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(ONE_WAY, OneWay),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        runner.apply_all().await.expect("apply");
        let error = runner.rollback().await.expect_err("irreversible");
        assert!(matches!(
            error,
            MigrationError::Plan(PlanError::Irreversible { .. })
        ));
        assert!(error.to_string().contains(ONE_WAY));
        assert!(table_exists(db, "users").await, "nothing was rolled back");
        assert_eq!(
            runner.ledger().read_applied().await.expect("ledger").len(),
            2
        );
    }

    /// A migration's statements and ledger row go to the database in one round trip where
    /// they can; the failing statement is still the one named, whether the database ran the
    /// statements before it (an error as it runs) or refused the text before running any (a
    /// syntax error: PostgreSQL parses the whole text first).
    pub async fn one_round_trip_still_names_the_failing_statement(db: &TestDatabase) {
        struct SyntaxErrorSecond;
        impl Migration for SyntaxErrorSecond {
            fn up(&self, schema: &mut Schema) {
                schema.create("tags", |t| {
                    t.id();
                });
                schema.raw("CREATE TABL oops (x INT)");
                schema.raw("CREATE TABLE never (x INT)");
            }
            fn down(&self, schema: &mut Schema) {
                schema.drop("tags");
            }
        }
        const BROKEN: &str = "m_20250301000000_syntax_error_second";
        let migrations = MigrationEntry::build_descriptors(vec![entry(BROKEN, SyntaxErrorSecond)])
            .expect("descriptors");
        let runner = runner(db, migrations);
        let error = runner.apply_all().await.expect_err("fails");
        let message = error.to_string();
        assert!(
            matches!(error, MigrationError::Run(RunError::StatementFailed { .. })),
            "{error:?}"
        );
        assert!(
            message.contains(&format!(
                "migration {BROKEN} failed (up) at statement 2 of 3"
            )),
            "{message}"
        );
        assert!(message.contains("CREATE TABL oops (x INT)"), "{message}");
        assert!(!table_exists(db, "never").await, "nothing after it ran");
        if db.dialect().has_transactional_ddl() {
            assert!(!table_exists(db, "tags").await, "rolled back");
            assert_nothing_recorded(&runner).await;
        } else {
            assert!(table_exists(db, "tags").await, "MySQL committed the first");
            assert_eq!(
                states(&runner).await[0].1,
                MigrationState::Failed(Direction::Up)
            );
        }
    }

    /// What a text of several statements would get wrong keeps its place: a MySQL `CALL` that
    /// answers with rows (a result each, which must not count as statements), a MySQL
    /// executable comment at the end of a statement, a PostgreSQL `SET` that changes how the
    /// statements after it are read, and a PostgreSQL error that says nothing of where it is.
    pub async fn statements_that_a_text_would_misread_run_as_written(db: &TestDatabase) {
        struct Quirks;
        impl Migration for Quirks {
            fn up(&self, schema: &mut Schema) {
                schema.create("s", |t| {
                    t.string("v");
                });
                schema.raw_for(
                    Dialect::MySql,
                    "CREATE PROCEDURE answers() BEGIN SELECT 1; SELECT 2; END",
                );
                schema.raw_for(Dialect::MySql, "CALL answers()");
                schema.raw_for(Dialect::MySql, "CREATE TABLE e (x INT) /*!ENGINE=InnoDB*/");
                schema.raw_for(Dialect::Postgres, "SET standard_conforming_strings = off");
                schema.raw_for(Dialect::Postgres, "INSERT INTO s (v) VALUES ('a\\tb')");
                schema.raw_for(Dialect::Postgres, "RESET standard_conforming_strings");
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        struct Fails;
        impl Migration for Fails {
            fn up(&self, schema: &mut Schema) {
                schema.raw_for(Dialect::MySql, "CALL answers()");
                schema.raw("INSERT INTO nosuch (x) VALUES (1)");
                schema.raw("CREATE TABLE after_it (x INT)");
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        const QUIRKS: &str = "m_20250301000200_quirks";
        const FAILS_AFTER: &str = "m_20250301000210_fails_after_a_call";
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(QUIRKS, Quirks),
            entry(FAILS_AFTER, Fails),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        let error = runner.apply_all().await.expect_err("fails at nosuch");
        let message = error.to_string();
        let number = if db.dialect() == Dialect::MySql { 2 } else { 1 };
        assert!(
            message.contains(&format!(
                "migration {FAILS_AFTER} failed (up) at statement {number} of {}",
                number + 1
            )),
            "{message}"
        );
        assert!(
            message.contains("INSERT INTO nosuch (x) VALUES (1)"),
            "{message}"
        );
        assert!(!table_exists(db, "after_it").await, "nothing after it ran");
        match db.dialect() {
            Dialect::MySql => assert!(table_exists(db, "e").await, "the executable comment ran"),
            Dialect::Postgres => assert_eq!(
                strings(db, "SELECT v FROM s").await,
                ["a\tb"],
                "read with the setting the SET before it made: a tab"
            ),
            Dialect::Sqlite => {}
        }
        if db.dialect() == Dialect::MySql {
            // The CALL ran before the failure, so MySQL keeps the failure mark.
            return;
        }

        // PostgreSQL, with no position in its error: the statement is still the one named.
        struct NoPosition;
        impl Migration for NoPosition {
            fn up(&self, schema: &mut Schema) {
                schema.raw("CREATE TABLE first_one (x INT)");
                schema.raw_for(Dialect::Postgres, "SELECT 1 FETCH FIRST 1 ROW WITH TIES");
                schema.raw_for(Dialect::Sqlite, "SELECT * FROM nosuch");
                schema.raw_for(Dialect::MySql, "SELECT * FROM nosuch");
                schema.raw("CREATE TABLE third_one (x INT)");
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        const NO_POSITION: &str = "m_20250301000300_no_position";
        for grouped in [false, true] {
            if grouped && !db.dialect().has_transactional_ddl() {
                continue;
            }
            let migrations =
                MigrationEntry::build_descriptors(vec![entry(NO_POSITION, NoPosition)])
                    .expect("descriptors");
            // A ledger of its own: the one above records migrations this list does not have.
            let ledger =
                SqlMigrationLedger::new(db.driver().clone(), "no_position_ledger").expect("ledger");
            let runner = MigrationRunner::new(db.driver().clone(), ledger, migrations);
            let apply = runner.apply_all();
            let error = if grouped {
                apply.grouped().await
            } else {
                apply.await
            }
            .expect_err("fails at statement 2");
            let message = error.to_string();
            assert!(
                message.contains(&format!(
                    "migration {NO_POSITION} failed (up) at statement 2 of 3"
                )),
                "grouped {grouped}: {message}"
            );
            assert!(!table_exists(db, "third_one").await);
            if db.dialect() == Dialect::MySql {
                return;
            }
            assert!(!table_exists(db, "first_one").await, "rolled back");
        }
    }

    /// Raw statements ending in `;` or a comment go into one text as written: a `;` or `--`
    /// inside a string stays part of it.
    pub async fn raw_statements_with_semicolons_and_comments_run_as_written(db: &TestDatabase) {
        struct Notes;
        impl Migration for Notes {
            fn up(&self, schema: &mut Schema) {
                schema.create("notes", |t| {
                    t.id();
                    t.string("body");
                });
                schema.raw("INSERT INTO notes (body) VALUES ('a;b'); -- the first\n");
                schema.raw("INSERT INTO notes (body) VALUES ('-- not a comment') -- the second");
                schema.raw("/* a block */ INSERT INTO notes (body) VALUES ('c') ;  ");
            }
            fn down(&self, schema: &mut Schema) {
                schema.drop("notes");
            }
        }
        const NOTES: &str = "m_20250301000100_notes";
        let migrations =
            MigrationEntry::build_descriptors(vec![entry(NOTES, Notes)]).expect("descriptors");
        let runner = runner(db, migrations);
        let planned = runner.apply_all().pretend().await.expect("pretend");
        let before = chrono::Utc::now();
        let report = runner.apply_all().await.expect("applies");
        let after = chrono::Utc::now();
        assert_eq!(report.actions[0].statements, planned.actions[0].statements);
        assert_eq!(
            strings(db, "SELECT body FROM notes ORDER BY id").await,
            ["a;b", "-- not a comment", "c"]
        );
        // The ledger row, written in the same text, says when the migration finished and how
        // long it took, as a row written on its own would.
        let rows = runner.ledger().read_applied().await.expect("ledger");
        let row = &rows[0];
        let slack = chrono::Duration::milliseconds(5);
        assert!(
            row.applied_at >= before - slack && row.applied_at <= after + slack,
            "{before} <= {} <= {after}",
            row.applied_at
        );
        let took = (after - before).num_milliseconds();
        assert!(
            (0..=took + 5).contains(&row.execution_ms),
            "0 <= {} <= {took}",
            row.execution_ms
        );
        runner.rollback().await.expect("rolls back");
        assert!(!table_exists(db, "notes").await);
        assert_nothing_recorded(&runner).await;
    }

    pub async fn ledger_api_round_trip(db: &TestDatabase) {
        let ledger =
            SqlMigrationLedger::new(db.driver().clone(), "orm_migrations").expect("ledger");
        ledger.ensure_initialized().await.expect("init");
        ledger.ensure_initialized().await.expect("idempotent");
        assert_eq!(ledger.next_batch_number().await.expect("batch"), 1);
        let descriptor = &blog()[0];
        let at = chrono::DateTime::parse_from_rfc3339("2024-12-01T10:20:30Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        ledger.log_applied(descriptor, at, 1).await.expect("log");
        assert_eq!(ledger.next_batch_number().await.expect("batch"), 2);
        let rows = ledger.read_applied().await.expect("read");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, descriptor.id);
        assert_eq!(rows[0].checksum, descriptor.checksum);
        assert_eq!(rows[0].applied_at, at, "the same UTC instant reads back");
        ledger.remove(&descriptor.id).await.expect("remove");
        assert!(ledger.read_applied().await.expect("read").is_empty());
        let error =
            SqlMigrationLedger::new(db.driver().clone(), "orm migrations; --").expect_err("bad");
        assert!(
            error
                .to_string()
                .contains("invalid migration ledger table name")
        );
    }

    pub async fn no_transaction_migrations_run_statement_by_statement(db: &TestDatabase) {
        struct ConcurrentIndex;
        impl Migration for ConcurrentIndex {
            fn up(&self, schema: &mut Schema) {
                schema.raw_for(
                    Dialect::Postgres,
                    "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)",
                );
                schema.raw_for(
                    Dialect::Sqlite,
                    "CREATE INDEX users_email_idx ON users (email)",
                );
                schema.raw_for(
                    Dialect::MySql,
                    "CREATE INDEX users_email_idx ON users (email)",
                );
            }
            fn down(&self, schema: &mut Schema) {
                schema.raw_for(Dialect::Postgres, "DROP INDEX CONCURRENTLY users_email_idx");
                schema.raw_for(Dialect::Sqlite, "DROP INDEX users_email_idx");
                schema.raw_for(Dialect::MySql, "DROP INDEX users_email_idx ON users");
            }
        }
        let index = "m_20241201000500_concurrent_index";
        let transactional = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(index, ConcurrentIndex),
        ])
        .expect("descriptors");
        if db.dialect() == Dialect::Postgres {
            let error = runner(db, transactional)
                .apply_all()
                .await
                .expect_err("refused");
            assert!(
                matches!(
                    error,
                    MigrationError::Plan(PlanError::NeedsNoTransaction { .. })
                ),
                "{error}"
            );
            assert!(error.to_string().contains("no_transaction"), "{error}");
            assert!(
                !table_exists(db, "users").await,
                "refused before anything ran"
            );
        }
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(index, ConcurrentIndex).no_transaction(),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        runner.apply_all().await.expect("apply");
        assert!(
            states(&runner)
                .await
                .iter()
                .all(|s| s.1 == MigrationState::Applied)
        );
        let report = runner.rollback().await.expect("rollback");
        assert_eq!(ids(&report), [index, USERS]);
    }

    pub async fn schema_qualified_ledger_on_postgres(db: &TestDatabase) {
        let qualified = SqlMigrationLedger::new(db.driver().clone(), "ops.orm_migrations");
        if db.dialect() != Dialect::Postgres {
            let error = qualified.expect_err("only PostgreSQL has schemas here");
            assert!(
                error
                    .to_string()
                    .contains("invalid migration ledger table name"),
                "{error}"
            );
            return;
        }
        db.driver()
            .execute("CREATE SCHEMA ops")
            .await
            .expect("schema");
        let ledger = qualified.expect("schema-qualified");
        let runner = MigrationRunner::new(db.driver().clone(), ledger, blog());
        assert!(
            runner
                .status()
                .await
                .expect("status")
                .iter()
                .all(|s| s.is_pending())
        );
        runner.apply_all().await.expect("apply");
        assert!(
            !table_exists(db, "orm_migrations").await,
            "the ledger is in schema ops"
        );
        assert_eq!(
            runner.ledger().read_applied().await.expect("ledger").len(),
            3
        );
    }

    /// A `no_transaction` migration that fails after its first statement is marked failed on
    /// every database; `repair` is the way out, either way.
    pub async fn repair_resolves_a_migration_that_failed_part_way(db: &TestDatabase) {
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(FAILS, FailsHalfway).no_transaction(),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        let error = runner.apply_all().await.expect_err("fails part way");
        assert!(
            error.to_string().contains(
                "either finish its changes by hand and record it as applied, or undo what it \
                 changed and record it as rolled back"
            ),
            "{error}"
        );
        assert_eq!(
            error.hint(),
            Some(Hint::ResolvePartial {
                id: id(FAILS),
                direction: Direction::Up
            })
        );
        assert_eq!(
            states(&runner).await[1].1,
            MigrationState::Failed(Direction::Up)
        );
        assert!(
            table_exists(db, "tags").await,
            "the first statement took effect"
        );
        let blocked = runner.apply_all().await.expect_err("blocked");
        assert!(
            matches!(
                blocked,
                MigrationError::Plan(PlanError::PartiallyApplied { .. })
            ),
            "{blocked}"
        );

        // The user undoes the partial change by hand and records that: pending again.
        db.driver()
            .execute("DROP TABLE tags")
            .await
            .expect("undo by hand");
        runner
            .repair(&id(FAILS), Repair::RolledBack)
            .await
            .expect("repair rolled back");
        assert_eq!(
            states(&runner).await[1],
            (FAILS.into(), MigrationState::Pending, None)
        );

        // It fails the same way again; this time the user completes it and records that.
        runner.apply_all().await.expect_err("fails part way again");
        runner
            .repair(&id(FAILS), Repair::Applied)
            .await
            .expect("repair applied");
        assert_eq!(states(&runner).await[1].1, MigrationState::Applied);
        assert!(runner.apply_all().await.expect("unblocked").is_empty());

        // A healthy migration has nothing to repair, and an unknown one cannot be recorded.
        let error = runner
            .repair(&id(FAILS), Repair::RolledBack)
            .await
            .expect_err("healthy");
        assert!(
            matches!(
                error,
                MigrationError::Plan(PlanError::RepairNotNeeded { .. })
            ),
            "{error}"
        );
        runner
            .repair(&id(FAILS), Repair::Applied)
            .await
            .expect("a no-op");
        let error = runner
            .repair(&id("m_20300101000000_nope"), Repair::Applied)
            .await
            .expect_err("unknown");
        assert!(
            matches!(
                error,
                MigrationError::Plan(PlanError::UnknownMigration { .. })
            ),
            "{error}"
        );
    }

    pub async fn repair_accepts_a_reviewed_change(db: &TestDatabase) {
        runner(db, blog())
            .apply_one(&id(USERS))
            .await
            .expect("apply");
        let edited = MigrationEntry::build_descriptors(vec![entry(USERS, CreateUsersEdited)])
            .expect("descriptors");
        let runner = runner(db, edited);
        assert_eq!(states(&runner).await[0].1, MigrationState::ChecksumChanged);
        runner
            .repair(&id(USERS), Repair::Applied)
            .await
            .expect("repair");
        assert_eq!(states(&runner).await[0].1, MigrationState::Applied);
        assert!(runner.apply_all().await.expect("no refusal").is_empty());
    }

    /// Several statements in one `raw` string may stop half way (MySQL runs them one by one), so
    /// a failure there is never taken for "nothing changed".
    pub async fn multi_statement_raw_failure_keeps_the_failure_mark(db: &TestDatabase) {
        struct TwoInOne;
        impl Migration for TwoInOne {
            fn up(&self, schema: &mut Schema) {
                schema.raw("CREATE TABLE first_half (x INT); INSERT INTO no_such_table VALUES (1)");
            }
            fn down(&self, schema: &mut Schema) {
                schema.drop("first_half");
            }
        }
        let migrations =
            MigrationEntry::build_descriptors(vec![entry(USERS, TwoInOne).no_transaction()])
                .expect("descriptors");
        let runner = runner(db, migrations);
        let error = runner.apply_all().await.expect_err("fails");
        assert!(
            error.to_string().contains("may have taken effect in part"),
            "{error}"
        );
        assert_eq!(
            states(&runner).await[0].1,
            MigrationState::Failed(Direction::Up)
        );
    }

    pub async fn runner_sorts_its_list_and_rejects_duplicate_ids(db: &TestDatabase) {
        let mut reversed = blog();
        reversed.reverse();
        let report = runner(db, reversed)
            .apply_all()
            .pretend()
            .await
            .expect("pretend");
        assert_eq!(ids(&report), [USERS, POSTS, SEED]);
        let mut doubled = blog();
        doubled.extend(blog());
        let error = runner(db, doubled)
            .apply_all()
            .await
            .expect_err("duplicates");
        assert!(
            matches!(error, MigrationError::Setup(SetupError::DuplicateId { .. })),
            "{error}"
        );
        assert!(!table_exists(db, "users").await);
    }

    pub async fn a_ledger_on_another_database_is_refused(db: &TestDatabase) {
        let elsewhere = TestDatabase::sqlite().await.expect("second database");
        let ledger =
            SqlMigrationLedger::new(elsewhere.driver().clone(), "orm_migrations").expect("ledger");
        let runner = MigrationRunner::new(db.driver().clone(), ledger, blog());
        let error = runner.apply_all().await.expect_err("refused");
        assert!(
            matches!(
                error,
                MigrationError::Setup(SetupError::LedgerElsewhere { .. })
            ),
            "{error}"
        );
        assert!(!table_exists(db, "users").await);
        elsewhere.cleanup().await.expect("cleanup");
    }

    pub async fn rollback_of_an_unknown_batch_is_an_error(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_all().await.expect("apply");
        let error = runner.rollback().batch(7).await.expect_err("no batch 7");
        assert!(
            error
                .to_string()
                .contains("there is no batch 7 in the ledger"),
            "{error}"
        );
        let report = runner.rollback().batch(1).await.expect("batch 1");
        assert_eq!(ids(&report), [SEED, POSTS, USERS]);
    }

    pub async fn rollback_warns_when_the_code_changed_since_applied(db: &TestDatabase) {
        runner(db, blog())
            .apply_one(&id(USERS))
            .await
            .expect("apply");
        let edited = MigrationEntry::build_descriptors(vec![entry(USERS, CreateUsersEdited)])
            .expect("descriptors");
        let report = runner(db, edited).rollback().await.expect("rollback");
        assert_eq!(report.warnings.len(), 1);
        assert!(report.warnings[0].contains("changed since it was applied"));
    }

    /// A no-transaction migration runs on one connection: what one statement leaves in the
    /// session (here a temporary table) is there for the next, even with a warm pool.
    pub async fn no_transaction_statements_share_one_session(db: &TestDatabase) {
        struct SessionState;
        impl Migration for SessionState {
            fn up(&self, schema: &mut Schema) {
                schema.raw("CREATE TEMPORARY TABLE session_note (v INT)");
                schema.raw("INSERT INTO session_note (v) VALUES (5)");
                schema.raw("CREATE TABLE carried AS SELECT v FROM session_note");
            }
            fn down(&self, schema: &mut Schema) {
                schema.drop("carried");
            }
        }
        // Several idle connections in the pool, so a statement could land on any of them.
        let (a, b, c) = tokio::join!(
            db.driver().execute("SELECT 1"),
            db.driver().execute("SELECT 1"),
            db.driver().execute("SELECT 1")
        );
        a.and(b).and(c).expect("warm the pool");
        let migrations =
            MigrationEntry::build_descriptors(vec![entry(USERS, SessionState).no_transaction()])
                .expect("descriptors");
        runner(db, migrations)
            .apply_all()
            .await
            .expect("one session");
        assert!(table_exists(db, "carried").await);
    }

    /// Raw SQL is classified by its tokens, not its text: keywords inside a string literal
    /// neither refuse a transaction nor make a single statement look like several.
    pub async fn raw_sql_is_classified_by_its_tokens(db: &TestDatabase) {
        struct WordsInStrings;
        impl Migration for WordsInStrings {
            fn up(&self, schema: &mut Schema) {
                schema.raw_for(
                    Dialect::Postgres,
                    "COMMENT ON TABLE users IS 'rows are updated concurrently'",
                );
                schema.raw("SELECT 'CREATE INDEX CONCURRENTLY x; VACUUM' AS words");
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        struct FailsInOneStatement;
        impl Migration for FailsInOneStatement {
            fn up(&self, schema: &mut Schema) {
                schema.raw("INSERT INTO no_such_table (x) VALUES ('a;b')");
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(SEED, WordsInStrings),
            entry(FAILS, FailsInOneStatement).no_transaction(),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        let error = runner.apply_all().await.expect_err("the insert fails");
        assert!(
            matches!(error, MigrationError::Run(RunError::StatementFailed { ref id, .. }) if id.to_string() == FAILS),
            "the transactional migration with keywords in strings ran: {error}"
        );
        let state = states(&runner).await[2].1;
        match db.dialect() {
            // One statement that the database refused as a whole: nothing changed, no mark.
            Dialect::Sqlite | Dialect::Postgres => assert_eq!(state, MigrationState::Pending),
            // MySQL may run raw SQL statement by statement: the mark stays.
            Dialect::MySql => assert_eq!(state, MigrationState::Failed(Direction::Up)),
        }
    }

    /// `COMMIT` in raw SQL would commit a transactional migration's work before its ledger row:
    /// refused before anything runs where migrations run in transactions; a `no_transaction`
    /// migration may manage its own. A trigger's `BEGIN … END` body is no transaction control.
    pub async fn raw_transaction_control_is_refused_in_a_transactional_migration(
        db: &TestDatabase,
    ) {
        struct CommitsEarly;
        impl Migration for CommitsEarly {
            fn up(&self, schema: &mut Schema) {
                schema.raw("CREATE TABLE early (id INT)");
                schema.raw("COMMIT");
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        struct Trigger;
        impl Migration for Trigger {
            fn up(&self, schema: &mut Schema) {
                schema.raw_for(
                    Dialect::Sqlite,
                    "CREATE TRIGGER users_touch AFTER INSERT ON users BEGIN \
                     UPDATE users SET email = email WHERE id = NEW.id; END",
                );
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(POSTS, Trigger),
            entry(SEED, CommitsEarly),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        if !db.dialect().has_transactional_ddl() {
            // MySQL commits every DDL statement anyway: a COMMIT changes nothing there.
            runner.apply_all().await.expect("applies");
            return;
        }
        let error = runner.apply_all().await.expect_err("refused");
        assert!(
            matches!(&error, MigrationError::Plan(PlanError::TransactionControl { id, statement, .. })
                if id.to_string() == SEED && statement == "COMMIT"),
            "{error:?}"
        );
        assert!(error.to_string().contains("no_transaction"), "{error}");
        assert!(!table_exists(db, "users").await && !table_exists(db, "early").await);

        let own = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(POSTS, Trigger),
            entry(SEED, CommitsEarly).no_transaction(),
        ])
        .expect("descriptors");
        let runner = support::runner(db, own);
        // Outside a transaction, a bare COMMIT is the database's to judge; the migration is no
        // longer refused before it runs.
        match runner.apply_all().await {
            Ok(_) => assert!(table_exists(db, "early").await),
            Err(error) => assert!(
                matches!(error, MigrationError::Run(RunError::StatementFailed { .. })),
                "{error:?}"
            ),
        }
    }

    /// A ledger name of the longest valid length works: its metadata table's name is shortened
    /// to fit rather than refused.
    pub async fn a_ledger_name_of_the_longest_valid_length_works(db: &TestDatabase) {
        let table = format!("l{}", "_x".repeat(31));
        assert_eq!(table.len(), 63);
        let ledger = SqlMigrationLedger::new(db.driver().clone(), &table).expect("valid");
        assert!(ledger.meta_table().len() <= 63, "{}", ledger.meta_table());
        let runner = MigrationRunner::new(db.driver().clone(), ledger, blog());
        let report = runner.apply_all().await.expect("apply");
        assert_eq!(ids(&report), [USERS, POSTS, SEED]);
        assert!(table_exists(db, &table).await);
        runner.rollback().await.expect("rollback");
    }

    /// A migration whose raw SQL moves the session elsewhere (PostgreSQL `SET search_path`,
    /// MySQL `USE`) still has its ledger row written to the run's ledger, and the migrations
    /// after it run where the run started.
    pub async fn raw_sql_that_moves_the_session_does_not_move_the_ledger(db: &TestDatabase) {
        struct MovesAway(String);
        impl Migration for MovesAway {
            fn up(&self, schema: &mut Schema) {
                let place = &self.0;
                schema.raw_for(Dialect::Postgres, &format!("CREATE SCHEMA {place}"));
                schema.raw_for(Dialect::Postgres, &format!("SET search_path TO {place}"));
                schema.raw_for(Dialect::MySql, &format!("CREATE DATABASE {place}"));
                schema.raw_for(Dialect::MySql, &format!("USE {place}"));
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        if db.dialect() == Dialect::Sqlite {
            return;
        }
        struct CreatesAfter;
        impl Migration for CreatesAfter {
            fn up(&self, schema: &mut Schema) {
                schema.create("after_move", |t| {
                    t.id();
                });
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .subsec_nanos();
        let place = format!("elsewhere_{}_{nanos}", std::process::id());
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, MovesAway(place.clone())),
            entry(POSTS, CreatesAfter),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        let applied = runner.apply_all().await;
        let cleanup = match db.dialect() {
            Dialect::Postgres => format!("DROP SCHEMA IF EXISTS {place} CASCADE"),
            _ => format!("DROP DATABASE IF EXISTS {place}"),
        };
        db.driver().execute(&cleanup).await.expect("cleanup");
        let report = applied.expect("both apply");
        assert_eq!(ids(&report), [USERS, POSTS]);
        assert!(
            table_exists(db, "after_move").await,
            "the next migration ran where the run started"
        );
        assert_eq!(
            states(&runner)
                .await
                .iter()
                .map(|s| s.1)
                .collect::<Vec<_>>(),
            [MigrationState::Applied, MigrationState::Applied]
        );
    }

    /// PostgreSQL runs the statements of one call as one implicit transaction, so two
    /// `CREATE INDEX CONCURRENTLY` in one `schema.raw(..)` would fail even in a `no_transaction`
    /// migration: refused before anything runs, with the way out; one per call applies.
    pub async fn two_concurrent_statements_in_one_raw_call_are_refused(db: &TestDatabase) {
        struct Together;
        impl Migration for Together {
            fn up(&self, schema: &mut Schema) {
                schema.raw_for(
                    Dialect::Postgres,
                    "CREATE INDEX CONCURRENTLY a_idx ON users (email); \
                     CREATE INDEX CONCURRENTLY b_idx ON users (email)",
                );
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        struct Apart;
        impl Migration for Apart {
            fn up(&self, schema: &mut Schema) {
                schema.raw_for(
                    Dialect::Postgres,
                    "CREATE INDEX CONCURRENTLY a_idx ON users (email)",
                );
                schema.raw_for(
                    Dialect::Postgres,
                    "CREATE INDEX CONCURRENTLY b_idx ON users (email)",
                );
            }
            fn down(&self, _schema: &mut Schema) {}
        }
        if db.dialect() != Dialect::Postgres {
            return;
        }
        let together = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(POSTS, Together).no_transaction(),
        ])
        .expect("descriptors");
        let error = runner(db, together).apply_all().await.expect_err("refused");
        assert!(
            matches!(&error, MigrationError::Plan(PlanError::SplitRaw { id, .. }) if id.to_string() == POSTS),
            "{error:?}"
        );
        assert!(error.to_string().contains("its own schema.raw"), "{error}");
        assert!(
            !table_exists(db, "users").await,
            "refused before anything ran"
        );
        let apart = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(POSTS, Apart).no_transaction(),
        ])
        .expect("descriptors");
        runner(db, apart)
            .apply_all()
            .await
            .expect("one statement per call applies");
    }

    pub async fn racing_ledger_initialization_is_safe(db: &TestDatabase) {
        // Ledgers on drivers of their own (separate pools, as separate processes have) race
        // to create the table and record its format, several times over.
        let mut drivers = Vec::new();
        for _ in 0..4 {
            drivers.push(
                ormed_migrate::Driver::connect(db.url())
                    .await
                    .expect("a driver"),
            );
        }
        let ledgers: Vec<SqlMigrationLedger> = drivers
            .iter()
            .map(|d| SqlMigrationLedger::new(d.clone(), "orm_migrations").expect("ledger"))
            .collect();
        for _round in 0..3 {
            let mut racers = tokio::task::JoinSet::new();
            for ledger in &ledgers {
                let ledger = ledger.clone();
                racers.spawn(async move { ledger.ensure_initialized().await });
            }
            while let Some(result) = racers.join_next().await {
                result.expect("no panic").expect("every racer succeeds");
            }
        }
        assert!(table_exists(db, "orm_migrations").await);
        let meta = ledgers[0].meta_table().to_owned();
        let rows = strings(db, &format!("SELECT value FROM {meta}")).await;
        assert_eq!(
            rows,
            [ormed_migrate::LEDGER_FORMAT.to_string()],
            "one format row"
        );
        for driver in drivers {
            driver.close().await;
        }
    }

    /// An application's shutdown between two migrations stops the run there: what finished
    /// stays applied and is named, nothing after it runs, and the next run does the rest.
    pub async fn an_interrupt_between_migrations_stops_before_the_next(db: &TestDatabase) {
        let runner = runner(db, blog());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let mut stop = Some(stop);
        let error = runner
            .apply_all()
            .interrupt_on(async move {
                let _ = stopped.await;
                ormed_migrate::Interrupt::Requested
            })
            .on_each(move |_| {
                if let Some(stop) = stop.take() {
                    let _ = stop.send(());
                }
            })
            .await
            .expect_err("interrupted");
        let MigrationError::Run(RunError::Interrupted { running, done, .. }) = &error else {
            panic!("{error:?}");
        };
        assert!(running.is_none(), "nothing was running: {error}");
        assert_eq!(done, &[id(USERS)]);
        assert_eq!(
            error.to_string(),
            format!("interrupted by a request: nothing was running. Done before it: {USERS}.")
        );
        assert!(table_exists(db, "users").await && !table_exists(db, "posts").await);
        let report = runner.apply_all().await.expect("the rest");
        assert_eq!(ids(&report), [POSTS, SEED]);
    }

    /// A run asked to stop before it took the migration lock does nothing at all.
    pub async fn an_interrupt_before_the_run_changes_nothing(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_all().limit(1).await.expect("apply one");
        let error = runner
            .rollback()
            .interrupt_on(std::future::ready(ormed_migrate::Interrupt::Requested))
            .await
            .expect_err("interrupted");
        assert!(
            matches!(&error, MigrationError::Run(RunError::Interrupted { running: None, done, .. }) if done.is_empty()),
            "{error:?}"
        );
        assert!(table_exists(db, "users").await);
        assert_eq!(states(&runner).await[0].1, Applied);
    }
}

support::suite! {
    apply_all_applies_everything_as_one_batch,
    limit_applies_at_most_n,
    rollback_undoes_the_last_batch_in_reverse,
    rollback_steps_undoes_several_batches,
    status_reports_every_state,
    apply_one_and_already_applied,
    checksum_mismatch_refuses_before_running_anything,
    applied_migration_missing_from_code_is_refused,
    failure_mid_run_keeps_earlier_and_names_the_statement,
    first_statement_failure_leaves_nothing_anywhere,
    pretend_changes_nothing,
    irreversible_rollback_is_refused,
    ledger_api_round_trip,
    racing_ledger_initialization_is_safe,
    raw_sql_is_classified_by_its_tokens,
    no_transaction_migrations_run_statement_by_statement,
    schema_qualified_ledger_on_postgres,
    repair_resolves_a_migration_that_failed_part_way,
    repair_accepts_a_reviewed_change,
    multi_statement_raw_failure_keeps_the_failure_mark,
    runner_sorts_its_list_and_rejects_duplicate_ids,
    a_ledger_on_another_database_is_refused,
    rollback_of_an_unknown_batch_is_an_error,
    rollback_warns_when_the_code_changed_since_applied,
    no_transaction_statements_share_one_session,
    an_interrupt_between_migrations_stops_before_the_next,
    an_interrupt_before_the_run_changes_nothing,
    raw_transaction_control_is_refused_in_a_transactional_migration,
    a_ledger_name_of_the_longest_valid_length_works,
    raw_sql_that_moves_the_session_does_not_move_the_ledger,
    two_concurrent_statements_in_one_raw_call_are_refused,
    one_round_trip_still_names_the_failing_statement,
    raw_statements_with_semicolons_and_comments_run_as_written,
    statements_that_a_text_would_misread_run_as_written,
}
