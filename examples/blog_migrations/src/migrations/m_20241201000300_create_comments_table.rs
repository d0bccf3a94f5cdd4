use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateCommentsTable;

#[migration("m_20241201000300_create_comments_table")]
impl Migration for CreateCommentsTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("comments", |t| {
            t.id();
            t.foreign_id("post_id")
                .constrained("posts")
                .on_delete(ForeignKeyAction::Cascade);
            t.foreign_id("user_id")
                .nullable()
                .constrained("users")
                .on_delete(ForeignKeyAction::SetNull);
            t.text("body");
            t.timestamps();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("comments");
    }
}
