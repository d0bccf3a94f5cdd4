use ormed_migrate::prelude::*;

#[migration("m_20241201000000_create_users_table")]
#[derive(Default)]
pub struct CreateUsersTable;

impl Migration for CreateUsersTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
        });
    }
}

fn main() {}
