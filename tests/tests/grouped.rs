//! Grouped mode (`apply_all().grouped()`) on real databases: the whole batch in one transaction
//! on SQLite and PostgreSQL, all or nothing; progress only after the commit; refused, with
//! nothing written, on MySQL/MariaDB, with `step`, for `no_transaction` migrations, and on
//! PostgreSQL for a batch beyond the server's lock table.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ormed_migrate::error::FailureState;
use ormed_migrate::{Interrupt, MigrationReport};
use support::*;

/// A table of its own, as many as a test needs.
struct Table(String);

impl Migration for Table {
    fn up(&self, schema: &mut Schema) {
        schema.create(&self.0, |t| {
            t.id();
            t.string("name").length(100);
            t.integer("n");
            t.index(["name"]);
        });
    }
    fn down(&self, schema: &mut Schema) {
        schema.drop(&self.0);
    }
}

fn tables(count: usize) -> Vec<MigrationDescriptor> {
    let entries = (0..count)
        .map(|n| {
            let (hours, minutes, seconds) = (n / 3600, n / 60 % 60, n % 60);
            let id = format!("m_20250101{hours:02}{minutes:02}{seconds:02}_table_{n}");
            entry(&id, Table(format!("grouped_{n}")))
        })
        .collect();
    MigrationEntry::build_descriptors(entries).expect("descriptors")
}

/// Applies `runner`'s pending migrations grouped, recording the id of each `on_each` call.
async fn apply_grouped(
    runner: &MigrationRunner,
) -> (Result<MigrationReport, MigrationError>, Vec<String>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let result = runner
        .apply_all()
        .grouped()
        .on_each(move |action| {
            record
                .lock()
                .expect("not poisoned")
                .push(action.id.to_string())
        })
        .await;
    let seen = seen.lock().expect("not poisoned").clone();
    (result, seen)
}

fn refused_on_mysql(result: &Result<MigrationReport, MigrationError>) -> bool {
    match result {
        Err(MigrationError::Plan(PlanError::GroupedNeedsTransactionalDdl { dialect })) => {
            assert_eq!(*dialect, Dialect::MySql);
            true
        }
        _ => false,
    }
}

mod cases {
    use super::*;

    pub async fn a_batch_commits_as_one_and_is_reported_after(db: &TestDatabase) {
        let runner = runner(db, blog());
        let (result, seen) = apply_grouped(&runner).await;
        if db.dialect() == Dialect::MySql {
            assert!(refused_on_mysql(&result), "{result:?}");
            let message = result.expect_err("refused").to_string();
            assert!(message.contains("without --grouped"), "{message}");
            assert!(seen.is_empty());
            // Refused before the lock and the ledger: nothing at all was written.
            assert!(!table_exists(db, "orm_migrations").await);
            assert!(!table_exists(db, "users").await);
            return;
        }
        let report = result.expect("grouped apply");
        assert_eq!(ids(&report), [USERS, POSTS, SEED]);
        assert_eq!(seen, [USERS, POSTS, SEED], "each reported once, in order");
        let states = states(&runner).await;
        assert!(
            states
                .iter()
                .all(|(_, state, batch)| *state == MigrationState::Applied && *batch == Some(1)),
            "{states:?}"
        );
        assert_eq!(
            strings(db, "SELECT email FROM users").await,
            ["a@example.com"]
        );
        // Rolled back by batch, as any batch.
        runner.rollback().await.expect("rollback");
        assert!(!table_exists(db, "users").await);
    }

    pub async fn a_failure_rolls_back_every_migration_of_the_batch(db: &TestDatabase) {
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(POSTS, CreatePosts),
            entry(FAILS, FailsHalfway),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        let (result, seen) = apply_grouped(&runner).await;
        if db.dialect() == Dialect::MySql {
            assert!(refused_on_mysql(&result), "{result:?}");
            return;
        }
        let error = result.expect_err("the third migration fails");
        assert!(
            matches!(
                &error,
                MigrationError::Run(RunError::StatementFailed { id: failed, state: FailureState::BatchRolledBack, .. })
                    if failed.to_string() == FAILS
            ),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("no_such_table")
                && message.contains("grouped batch was rolled back as a whole")
                && !message.contains("stay applied"),
            "{message}"
        );
        assert!(seen.is_empty(), "nothing reported applied: {seen:?}");
        for table in ["users", "posts", "tags"] {
            assert!(!table_exists(db, table).await, "{table} rolled back");
        }
        assert!(
            states(&runner)
                .await
                .iter()
                .all(|(_, state, _)| *state == MigrationState::Pending)
        );
        // The same run without grouped mode keeps the two before the failure.
        runner.apply_all().await.expect_err("fails again");
        assert!(table_exists(db, "posts").await);
    }

    pub async fn step_and_no_transaction_are_refused_before_anything_runs(db: &TestDatabase) {
        let runner = runner(db, blog());
        let error = runner
            .apply_all()
            .grouped()
            .step()
            .await
            .expect_err("step and grouped");
        assert!(
            matches!(error, MigrationError::Plan(PlanError::GroupedWithStep)),
            "{error:?}"
        );
        assert!(!table_exists(db, "orm_migrations").await, "nothing written");

        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(POSTS, CreatePosts).no_transaction(),
        ])
        .expect("descriptors");
        let runner = support::runner(db, migrations);
        let error = runner
            .apply_all()
            .grouped()
            .await
            .expect_err("no_transaction");
        match db.dialect() {
            Dialect::MySql => assert!(
                matches!(
                    error,
                    MigrationError::Plan(PlanError::GroupedNeedsTransactionalDdl { .. })
                ),
                "{error:?}"
            ),
            _ => {
                assert!(
                    matches!(&error, MigrationError::Plan(PlanError::GroupedNoTransaction { id }) if id.to_string() == POSTS),
                    "{error:?}"
                );
                assert!(error.to_string().contains("--limit"), "{error}");
            }
        }
        assert!(!table_exists(db, "users").await, "nothing ran");
    }

    /// A SQLite rebuild inside the batch: foreign keys go off before the one `BEGIN`, so
    /// dropping the old parent table does not cascade into its children.
    pub async fn a_rebuild_in_the_batch_keeps_child_rows(db: &TestDatabase) {
        if db.dialect() == Dialect::MySql {
            return;
        }
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(POSTS, CreatePosts),
            entry(SEED, SeedUser),
            entry(
                "m_20241201000300_seed_post",
                Steps(
                    |s| s.raw("INSERT INTO posts (user_id, title) SELECT id, 'hello' FROM users"),
                    |s| s.raw("DELETE FROM posts"),
                ),
            ),
            entry(
                "m_20241201000400_lengthen_emails",
                Steps(
                    |s| {
                        s.table("users", |t| {
                            t.string("email").length(500).change();
                        })
                    },
                    |s| {
                        s.table("users", |t| {
                            t.string("email").change();
                        })
                    },
                ),
            ),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        runner
            .apply_all()
            .grouped()
            .await
            .expect("grouped with a rebuild");
        assert_eq!(strings(db, "SELECT title FROM posts").await, ["hello"]);
        let users = schema_of(db).await;
        let email = users.tables["users"]
            .columns
            .iter()
            .find(|c| c.name == "email")
            .expect("email")
            .clone();
        assert_eq!(email.length, Some(500), "{email:?}");
    }

    /// An interrupt while the second migration runs cancels it and rolls back the first too.
    pub async fn an_interrupt_rolls_back_the_whole_batch(db: &TestDatabase) {
        let slow = match db.dialect() {
            Dialect::MySql => return,
            Dialect::Postgres => "SELECT pg_sleep(30)",
            _ => {
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c \
                 WHERE x < 1000000000) SELECT count(*) FROM c"
            }
        };
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(SEED, SlowRaw(slow)),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        let error = runner
            .apply_all()
            .grouped()
            .interrupt_on(async {
                tokio::time::sleep(Duration::from_millis(700)).await;
                Interrupt::Requested
            })
            .await
            .expect_err("interrupted");
        let MigrationError::Run(RunError::Interrupted {
            running,
            done,
            rolled_back,
            ..
        }) = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(
            running.as_ref().map(|r| r.id.to_string()).as_deref(),
            Some(SEED)
        );
        assert!(done.is_empty());
        assert_eq!(
            rolled_back
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [USERS]
        );
        assert!(
            error.to_string().contains("is still pending too"),
            "{error}"
        );
        assert!(!table_exists(db, "users").await);
    }
}

struct SlowRaw(&'static str);

impl Migration for SlowRaw {
    fn up(&self, schema: &mut Schema) {
        schema.raw(self.0);
    }
    fn down(&self, _schema: &mut Schema) {}
}

support::suite! {
    a_batch_commits_as_one_and_is_reported_after,
    a_failure_rolls_back_every_migration_of_the_batch,
    step_and_no_transaction_are_refused_before_anything_runs,
    a_rebuild_in_the_batch_keeps_child_rows,
    an_interrupt_rolls_back_the_whole_batch,
}

/// A batch that needs more locks than the server's lock table holds is refused before it
/// runs, naming the setting to raise (PostgreSQL only: the other databases have no such
/// table).
#[tokio::test]
async fn postgres_refuses_a_batch_beyond_its_lock_table() {
    support::run(Some(POSTGRES_URL_VAR), async |db: &TestDatabase| {
        let setting = |name: &str| format!("SELECT current_setting('{name}')");
        let number = async |name: &str| -> u64 {
            strings(db, &setting(name)).await[0].parse().expect("number")
        };
        let capacity = number("max_locks_per_transaction").await
            * (number("max_connections").await + number("max_prepared_transactions").await);
        // Six locks per table (see the runner's count); one table more than fits.
        let count = usize::try_from(capacity / 6 + 1).expect("size");
        let runner = runner(db, tables(count));
        let error = runner.apply_all().grouped().await.expect_err("too big");
        assert!(
            matches!(
                &error,
                MigrationError::Plan(PlanError::GroupedTooManyLocks { capacity: c, .. }) if *c == capacity
            ),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("Raise max_locks_per_transaction to at least"),
            "{message}"
        );
        assert!(!table_exists(db, "grouped_0").await, "nothing ran");
        // The same batch, cut to what fits, runs grouped.
        let runner = support::runner(db, tables(50));
        runner.apply_all().grouped().await.expect("fits");
        assert!(table_exists(db, "grouped_49").await);
    })
    .await;
}
