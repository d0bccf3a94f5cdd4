//! The words of every refusal the runner gives before it runs anything, pinned on each database:
//! what happened, and the way out. The troubleshooting catalogue (docs/troubleshooting.md) quotes
//! these messages.

mod support;

use std::time::Duration;

use support::*;

/// The blog without POSTS: an applied migration older than the newest this code has (a newer
/// one missing would be a database ahead of the binary, a warning).
fn fewer_than_blog() -> Vec<MigrationDescriptor> {
    MigrationEntry::build_descriptors(vec![entry(USERS, CreateUsers), entry(SEED, SeedUser)])
        .expect("descriptors")
}

mod cases {
    use super::*;

    pub async fn applied_migrations_missing_from_the_code(db: &TestDatabase) {
        runner(db, blog()).apply_all().await.expect("apply");
        let runner = runner(db, fewer_than_blog());
        let message = runner.apply_all().await.expect_err("missing").to_string();
        assert_eq!(
            message,
            format!(
                "the database has applied migrations that this binary does not contain: {POSTS}. \
                 Deploy a build that includes them (or link the crate that defines them). \
                 Nothing was run."
            )
        );
        let message = runner
            .rollback()
            .await
            .expect_err("unknown down")
            .to_string();
        assert!(
            message.starts_with(&format!(
                "Migration {POSTS} is applied but not defined in this binary, so its down() is \
                 unknown"
            )),
            "{message}"
        );
    }

    pub async fn one_migration_that_is_not_applied_or_not_known(db: &TestDatabase) {
        let runner = runner(db, blog());
        let message = runner
            .rollback_one(&id(USERS))
            .await
            .expect_err("not applied")
            .to_string();
        assert_eq!(
            message,
            format!("Migration {USERS} has not been applied, so there is nothing to roll back")
        );
        let unknown = id("m_20300101000000_nope");
        let message = runner
            .apply_one(&unknown)
            .await
            .expect_err("unknown")
            .to_string();
        assert_eq!(
            message,
            "Migration m_20300101000000_nope is not defined in this binary; the status lists the \
             known ones"
        );
        let error = runner.apply_one(&unknown).await.expect_err("unknown");
        assert_eq!(error.hint(), Some(Hint::Status));
    }

    pub async fn a_migration_without_down_is_not_rolled_back(db: &TestDatabase) {
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(ONE_WAY, OneWay),
        ])
        .expect("descriptors");
        let runner = runner(db, migrations);
        runner.apply_all().await.expect("apply");
        let message = runner
            .rollback()
            .await
            .expect_err("irreversible")
            .to_string();
        assert!(
            message.starts_with(&format!(
                "Migration {ONE_WAY} cannot be rolled back: it has no down(), and its up runs raw \
                 SQL `UPDATE users SET email = email`, which cannot be undone from the plan \
                 alone ("
            )),
            "{message}"
        );
        assert!(
            message.ends_with(
                "Write its down(), or undo it with a new migration. Nothing was rolled back."
            ),
            "{message}"
        );
    }

    pub async fn an_older_pending_migration_warns_or_is_refused_in_strict_order(db: &TestDatabase) {
        let without_posts = MigrationEntry::build_descriptors(vec![
            entry(USERS, CreateUsers),
            entry(SEED, SeedUser),
        ])
        .expect("descriptors");
        runner(db, without_posts).apply_all().await.expect("apply");
        let message = runner(db, blog())
            .strict_order(true)
            .apply_all()
            .await
            .expect_err("strict")
            .to_string();
        assert_eq!(
            message,
            format!(
                "migration {POSTS} is pending but older than the newest applied migration \
                 {SEED}; strict order is on, so nothing was run. Give it a newer id, or run \
                 without strict order"
            )
        );
        assert!(!table_exists(db, "posts").await, "nothing ran");
        let report = runner(db, blog()).apply_all().await.expect("warns");
        assert_eq!(
            report.warnings,
            [format!(
                "migration {POSTS} is older than the newest applied migration {SEED}; applying \
                 it out of order"
            )]
        );
    }

    pub async fn a_ledger_on_another_database(db: &TestDatabase) {
        let elsewhere = TestDatabase::sqlite().await.expect("second database");
        let ledger =
            SqlMigrationLedger::new(elsewhere.driver().clone(), "orm_migrations").expect("ledger");
        let runner = MigrationRunner::new(db.driver().clone(), ledger, blog());
        let message = runner.apply_all().await.expect_err("refused").to_string();
        assert!(
            message.contains("but its ledger is on")
                && message.ends_with(
                    "give both the same driver (the ledger must live in the database it describes)"
                ),
            "{message}"
        );
        elsewhere.cleanup().await.expect("cleanup");
    }

    pub async fn another_runner_holds_the_migration_lock(db: &TestDatabase) {
        let held = db
            .driver()
            .lock("orm_migrations", Duration::from_secs(1))
            .await
            .expect("lock");
        let message = runner(db, blog())
            .migration_lock_timeout(Duration::from_millis(300))
            .apply_all()
            .await
            .expect_err("times out")
            .to_string();
        assert!(
            message.starts_with(
                "another migration run holds the migration lock of this database; waited"
            ),
            "{message}"
        );
        assert!(
            message.ends_with(
                "Let it finish, then run again (a runner that died releases the lock by itself)"
            ),
            "{message}"
        );
        held.release().await.expect("release");
        assert!(!table_exists(db, "users").await, "nothing ran");
    }

    pub async fn forgetting_a_ledger_row_that_is_not_there(db: &TestDatabase) {
        let runner = runner(db, blog());
        let message = runner
            .forget_ledger_row("no such row")
            .await
            .expect_err("absent")
            .to_string();
        assert_eq!(
            message,
            "the migration ledger table orm_migrations has no row with id \"no such row\""
        );
    }

    pub async fn repair_without_a_decision_and_of_a_healthy_migration(db: &TestDatabase) {
        let runner = runner(db, blog());
        runner.apply_all().await.expect("apply");
        let error = runner
            .repair(&id(USERS), Repair::RolledBack)
            .await
            .expect_err("healthy");
        assert_eq!(error.hint(), Some(Hint::Rollback));
        let message = error.to_string();
        assert_eq!(
            message,
            format!(
                "Migration {USERS} is applied and matches its code, so there is nothing to \
                 repair; to undo it, roll it back, which runs its down()"
            )
        );
    }
}

support::suite! {
    applied_migrations_missing_from_the_code,
    one_migration_that_is_not_applied_or_not_known,
    a_migration_without_down_is_not_rolled_back,
    an_older_pending_migration_warns_or_is_refused_in_strict_order,
    a_ledger_on_another_database,
    another_runner_holds_the_migration_lock,
    forgetting_a_ledger_row_that_is_not_there,
    repair_without_a_decision_and_of_a_healthy_migration,
}
