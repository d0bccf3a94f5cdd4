use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateUsersTable;

#[migration("m_20241201000000_create_users_table")]
impl Migration for CreateUsersTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
            t.string("email").unique();
            t.string("name").nullable();
            t.boolean("is_admin").default(false);
            t.timestamps();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("users");
    }
}
