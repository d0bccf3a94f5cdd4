use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateUsersTable;

#[migration("m_20241201000000_create_users_table", no_transaction)]
impl Migration for CreateUsersTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
            t.string("email").unique();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("users");
    }
}

fn main() {
    let migrations = ormed_migrate::build_migrations().expect("one migration is registered");
    assert_eq!(migrations.len(), 1);
    assert_eq!(
        migrations[0].id.to_string(),
        "m_20241201000000_create_users_table"
    );
    assert!(migrations[0].no_transaction);
    assert!(migrations[0].checksum.starts_with("sha256:"));
}
