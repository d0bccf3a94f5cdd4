//! Drift detection on real databases (SQLite always, PostgreSQL and MariaDB/MySQL when their
//! URLs are set): after migrating, the live schema is what the migrations made; a column added,
//! an index dropped or a key changed by hand is reported; tables named by raw SQL are
//! unverifiable, never drift; tables no migration mentions count only when asked for.

mod support;

use ormed_migrate::Drift;
use ormed_migrate::ForeignKeyAction;
use support::*;

const TEAMS: &str = "m_20250101000000_create_teams";
const MEMBERS: &str = "m_20250101000100_create_members";
const CHANGE: &str = "m_20250101000200_change_members";
const AUDIT: &str = "m_20250101000300_create_audit_log_by_hand";

fn create_teams(schema: &mut Schema) {
    schema.create("teams", |t| {
        t.id();
        t.string("name").unique();
        t.boolean("active").default(true);
        t.timestamps();
    });
}

fn create_members(schema: &mut Schema) {
    schema.create("members", |t| {
        t.id();
        t.foreign_id("team_id")
            .constrained("teams")
            .on_delete(ForeignKeyAction::Cascade);
        t.string("name").length(100);
        t.integer("score").unsigned().nullable();
        t.index(["name"]);
    });
}

fn change_members(schema: &mut Schema) {
    schema.table("members", |t| {
        t.string("email").nullable();
        t.rename_column("score", "points");
        t.string("name").length(150).change();
    });
}

fn audit_log(schema: &mut Schema) {
    schema.raw("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, note TEXT)");
}

fn nothing(_: &mut Schema) {}

fn migrations() -> Vec<MigrationDescriptor> {
    MigrationEntry::build_descriptors(vec![
        entry(TEAMS, Steps(create_teams, nothing)),
        entry(MEMBERS, Steps(create_members, nothing)),
        entry(CHANGE, Steps(change_members, nothing)),
        entry(AUDIT, Steps(audit_log, nothing)),
    ])
    .expect("descriptors")
}

fn lines(drift: &Drift) -> Vec<String> {
    drift.differences.iter().map(ToString::to_string).collect()
}

mod cases {
    use super::*;

    pub async fn hand_made_changes_are_drift(db: &TestDatabase) {
        let runner = runner(db, migrations());
        runner.apply_all().await.expect("migrate");
        let drift = runner.drift(false).await.expect("drift");
        assert!(drift.is_clean(), "no false alarm: {:?}", lines(&drift));
        assert_eq!(drift.unverifiable, ["audit_log"]);

        let drop_index = match db.dialect() {
            Dialect::MySql => "DROP INDEX members_name_index ON members",
            _ => "DROP INDEX members_name_index",
        };
        for sql in [
            "ALTER TABLE members ADD COLUMN nickname VARCHAR(50)",
            drop_index,
            "ALTER TABLE audit_log ADD COLUMN extra TEXT",
            "CREATE TABLE scratch_notes (id INTEGER PRIMARY KEY)",
        ] {
            db.driver().execute(sql).await.expect(sql);
        }
        let drift = runner.drift(false).await.expect("drift");
        let found = lines(&drift);
        assert!(
            found
                .iter()
                .any(|l| l.starts_with("+ members: column nickname string(50) NULL")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|l| l.starts_with("- members: index members_name_index (name)")),
            "{found:?}"
        );
        assert_eq!(
            found.len(),
            2,
            "audit_log is unverifiable, scratch_notes not asked for: {found:?}"
        );
        // A default changed by hand (SQLite cannot change one in place).
        let default = match db.dialect() {
            Dialect::Sqlite => None,
            Dialect::MySql => Some("ALTER TABLE teams ALTER COLUMN active SET DEFAULT 0"),
            _ => Some("ALTER TABLE teams ALTER COLUMN active SET DEFAULT false"),
        };
        if let Some(sql) = default {
            db.driver().execute(sql).await.expect(sql);
            let found = lines(&runner.drift(false).await.expect("drift"));
            assert!(
                found
                    .iter()
                    .any(|l| l
                        .starts_with("~ teams: column active: expected boolean NOT NULL DEFAULT")),
                "{found:?}"
            );
        }
        let everything = lines(&runner.drift(true).await.expect("drift"));
        assert!(
            everything
                .iter()
                .any(|l| l.starts_with("+ scratch_notes: table (id)")),
            "{everything:?}"
        );
        assert!(
            !everything.iter().any(|l| l.contains("orm_migrations")),
            "the ledger is never drift: {everything:?}"
        );
    }

    pub async fn a_pending_migration_is_not_drift(db: &TestDatabase) {
        let runner = runner(db, migrations());
        runner.apply_all().limit(2).await.expect("two");
        let drift = runner.drift(false).await.expect("drift");
        assert!(drift.is_clean(), "{:?}", lines(&drift));
    }
}

suite!(
    hand_made_changes_are_drift,
    a_pending_migration_is_not_drift
);
