use ormed_migrate::prelude::*;

/// Four tables; the down drops them one by one, so a failure at the second drop (a table that
/// references `r_b`) stops it part way.
#[derive(Default)]
pub struct CreateFourTables;

const TABLES: [&str; 4] = ["r_a", "r_b", "r_c", "r_d"];

#[migration("m_20250101000100_create_four_tables")]
impl Migration for CreateFourTables {
    fn up(&self, schema: &mut Schema) {
        for table in TABLES {
            schema.create(table, |t| {
                t.id();
            });
        }
    }

    fn down(&self, schema: &mut Schema) {
        // The second drop is raw SQL, so that the pre-flight check (which would see the table
        // that blocks it) leaves the failure to the database, part way through the down.
        schema.drop(TABLES[0]);
        schema.raw("DROP TABLE r_b");
        schema.drop(TABLES[2]);
        schema.drop(TABLES[3]);
    }
}
