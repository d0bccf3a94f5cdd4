use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateUsersTable;

#[migration(create_users)]
impl Migration for CreateUsersTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
        });
    }
}

fn main() {}
