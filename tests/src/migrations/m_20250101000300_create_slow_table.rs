use ormed_migrate::prelude::*;

/// Creates `r_slow`; with `TRIAL_SLOW` set its first statement runs for a long time first, so
/// the process tests can interrupt a migration while the server is busy with it.
#[derive(Default)]
pub struct CreateSlowTable;

#[migration("m_20250101000300_create_slow_table")]
impl Migration for CreateSlowTable {
    fn up(&self, schema: &mut Schema) {
        if std::env::var_os("TRIAL_SLOW").is_some() {
            schema.raw_for(Dialect::Postgres, "SELECT pg_sleep(60)");
            // Inside a larger query, so that an interrupted SLEEP is an error, not a result.
            schema.raw_for(Dialect::MySql, "SELECT COUNT(*) FROM (SELECT SLEEP(60) AS s) AS t");
            schema.raw_for(
                Dialect::Sqlite,
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c \
                 WHERE x < 5000000000) SELECT COUNT(*) FROM c",
            );
        }
        schema.create("r_slow", |t| {
            t.id();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("r_slow");
    }
}
