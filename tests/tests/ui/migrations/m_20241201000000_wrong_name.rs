use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateUsersTable;

// The file is named m_20241201000000_wrong_name.rs but the id says other_name.
#[migration("m_20241201000000_other_name")]
impl Migration for CreateUsersTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
        });
    }
}

fn main() {}
