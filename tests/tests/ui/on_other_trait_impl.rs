use ormed_migrate::prelude::*;

pub struct CreateUsersTable;

#[migration("m_20241201000000_create_users_table")]
impl Default for CreateUsersTable {
    fn default() -> Self {
        CreateUsersTable
    }
}

fn main() {}
