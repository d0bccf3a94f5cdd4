use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateUsersTable;

#[migration("m_20241201000000_create_users_table")]
impl CreateUsersTable {
    pub fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
        });
    }
}

fn main() {}
