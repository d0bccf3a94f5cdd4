//! Migrating on start-up during a rolling deploy, on each database: an older binary against a
//! database a newer one already migrated starts with a warning (or is refused when asked), and an
//! unknown migration older than the binary's newest stays an error.

mod support;

use std::sync::{Arc, Mutex};

use support::*;

/// A migration only the newer release has: newer than everything in `blog()`.
const NEWER: &str = "m_20241201000500_add_name_to_users";

fn add_name(schema: &mut Schema) {
    schema.table("users", |t| {
        t.string("name").nullable();
    });
}

fn drop_name(schema: &mut Schema) {
    schema.table("users", |t| {
        t.drop_column("name");
    });
}

fn descriptors(entries: Vec<MigrationEntry>) -> Vec<MigrationDescriptor> {
    MigrationEntry::build_descriptors(entries).expect("descriptors")
}

/// The blog, and then one more.
fn newer_release() -> Vec<MigrationDescriptor> {
    descriptors(vec![
        entry(USERS, CreateUsers),
        entry(POSTS, CreatePosts),
        entry(SEED, SeedUser),
        entry(NEWER, Steps(add_name, drop_name)),
    ])
}

async fn ledger_ids(db: &TestDatabase) -> Vec<String> {
    strings(db, "SELECT id FROM orm_migrations ORDER BY id").await
}

mod cases {
    use super::*;

    pub async fn an_older_binary_starts_against_a_database_ahead_with_a_warning(db: &TestDatabase) {
        let report = runner(db, newer_release())
            .migrate_on_startup()
            .await
            .expect("the newer release migrates");
        assert_eq!(ids(&report), [USERS, POSTS, SEED, NEWER]);

        let older = runner(db, blog());
        let heard = Arc::new(Mutex::new(Vec::new()));
        let hook = Arc::clone(&heard);
        let report = older
            .migrate_on_startup()
            .on_warning(move |warning| hook.lock().expect("hook").push(warning.to_owned()))
            .await
            .expect("the older release starts");
        assert!(report.is_empty(), "nothing to do: {:?}", ids(&report));
        assert_eq!(
            report.warnings,
            [format!(
                "the database is ahead of this binary: migration {NEWER} is applied but newer \
                 than {SEED}, the newest migration this binary contains (a newer release \
                 migrated the database). Nothing to do for it; to roll it back, use the release \
                 that contains it."
            )]
        );
        assert_eq!(*heard.lock().expect("heard"), report.warnings);

        // `migrate` (apply_all) says the same, and succeeds.
        let report = older.apply_all().await.expect("apply_all starts too");
        assert!(
            report.is_empty() && report.warnings.len() == 1,
            "{report:?}"
        );
        assert_eq!(ledger_ids(db).await, [USERS, POSTS, SEED, NEWER]);

        // Status shows the newer migration as applied and missing; rolling back stays refused.
        let last = states(&older).await.pop().expect("a status line");
        assert_eq!(
            last,
            (NEWER.into(), MigrationState::MissingFromCode, Some(1))
        );
        let error = older.rollback().await.expect_err("its down() is unknown");
        assert!(
            matches!(&error, MigrationError::Plan(PlanError::RollbackMissing { id: missing }) if missing == &id(NEWER)),
            "{error}"
        );
        assert_eq!(ledger_ids(db).await, [USERS, POSTS, SEED, NEWER]);
    }

    pub async fn a_database_ahead_is_refused_when_asked_and_nothing_runs(db: &TestDatabase) {
        // The newer release never had SEED; the older one has it pending.
        let without_seed = descriptors(vec![
            entry(USERS, CreateUsers),
            entry(POSTS, CreatePosts),
            entry(NEWER, Steps(add_name, drop_name)),
        ]);
        runner(db, without_seed)
            .apply_all()
            .await
            .expect("the newer release migrates");

        let expected = format!(
            "the database is ahead of this binary: migration {NEWER} is applied but newer than \
             {SEED}, the newest migration this binary contains, so a newer release has migrated \
             it. Refusing to start, as asked (refuse_ahead); nothing was run. Deploy the newer \
             release (the build that contains it), or run without refuse_ahead to start this \
             one anyway."
        );
        let error = runner(db, blog())
            .migrate_on_startup()
            .refuse_ahead(true)
            .await
            .expect_err("refused");
        assert!(
            matches!(&error, MigrationError::Plan(PlanError::DatabaseAhead { ids, newest_known })
                if ids == &[id(NEWER)] && newest_known == &id(SEED)),
            "{error}"
        );
        assert_eq!(error.to_string(), expected);

        // The runner's setting refuses every apply_all(), the CLI's `migrate` included.
        let refusing = runner(db, blog()).refuse_ahead(true);
        let error = refusing.apply_all().await.expect_err("refused");
        assert_eq!(error.to_string(), expected);
        assert_eq!(
            ledger_ids(db).await,
            [USERS, POSTS, NEWER],
            "SEED was not run"
        );
        let seeded = strings(db, "SELECT email FROM users").await;
        assert!(seeded.is_empty(), "{seeded:?}");

        // Without refusing, the older binary applies its own pending migration, out of order.
        let report = runner(db, blog())
            .migrate_on_startup()
            .await
            .expect("starts");
        assert_eq!(ids(&report), [SEED]);
        assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
        assert!(report.warnings[0].starts_with("the database is ahead of this binary"));
        assert!(report.warnings[1].contains("applying it out of order"));
    }

    pub async fn an_unknown_migration_older_than_the_newest_known_is_still_an_error(
        db: &TestDatabase,
    ) {
        runner(db, blog()).apply_all().await.expect("apply");
        // POSTS is applied, and this binary has SEED after it but not POSTS: not "ahead".
        let without_posts = descriptors(vec![
            entry(USERS, CreateUsers),
            entry(SEED, SeedUser),
            entry(NEWER, Steps(add_name, drop_name)),
        ]);
        let runner = runner(db, without_posts);
        let error = runner
            .migrate_on_startup()
            .await
            .expect_err("missing from the code");
        assert!(
            matches!(&error, MigrationError::Plan(PlanError::MissingFromCode { ids }) if ids == &[id(POSTS)]),
            "{error}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "the database has applied migrations that this binary does not contain: {POSTS}. \
                 Deploy a build that includes them (or link the crate that defines them). \
                 Nothing was run."
            )
        );
        let error = runner.apply_all().await.expect_err("apply_all too");
        assert!(
            matches!(
                error,
                MigrationError::Plan(PlanError::MissingFromCode { .. })
            ),
            "{error}"
        );
        assert_eq!(
            ledger_ids(db).await,
            [USERS, POSTS, SEED],
            "NEWER was not run"
        );
    }
}

suite! {
    an_older_binary_starts_against_a_database_ahead_with_a_warning,
    a_database_ahead_is_refused_when_asked_and_nothing_runs,
    an_unknown_migration_older_than_the_newest_known_is_still_an_error,
}
