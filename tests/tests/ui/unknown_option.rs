use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateUsersTable;

#[migration("m_20241201000000_x", fast)]
impl Migration for CreateUsersTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
        });
    }
}

fn main() {}
