use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct AddAvatarToUsersTable;

#[migration("m_20241201000600_add_avatar_to_users_table")]
impl Migration for AddAvatarToUsersTable {
    fn up(&self, schema: &mut Schema) {
        schema.table("users", |t| {
            t.string("avatar").nullable();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.table("users", |t| t.drop_column("avatar"));
    }
}
