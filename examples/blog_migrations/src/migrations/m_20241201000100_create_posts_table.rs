use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreatePostsTable;

#[migration("m_20241201000100_create_posts_table")]
impl Migration for CreatePostsTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("posts", |t| {
            t.id();
            t.foreign_id("user_id")
                .constrained("users")
                .on_delete(ForeignKeyAction::Cascade);
            t.string("title").length(200);
            t.text("body");
            t.boolean("published").default(false);
            t.timestamp("published_at").nullable();
            t.index(["user_id", "published"]);
            t.timestamps();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("posts");
    }
}
