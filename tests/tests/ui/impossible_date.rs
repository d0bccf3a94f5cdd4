use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateUsersTable;

// Month 13.
#[migration("m_20241301000000_x")]
impl Migration for CreateUsersTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
        });
    }
}

fn main() {}
