use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreatePostsTable;

#[migration("m_20250101000000_create_posts_table")]
impl Migration for CreatePostsTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("posts", |t| {
            t.id();
            t.string("title").length(200);
            t.text("body");
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("posts");
    }
}
