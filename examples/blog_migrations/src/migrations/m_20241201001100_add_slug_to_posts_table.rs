use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct AddSlugToPostsTable;

#[migration("m_20241201001100_add_slug_to_posts_table")]
impl Migration for AddSlugToPostsTable {
    fn up(&self, schema: &mut Schema) {
        schema.table("posts", |t| {
            t.string("slug").length(220).nullable().unique();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.table("posts", |t| {
            t.drop_unique(["slug"]);
            t.drop_column("slug");
        });
    }
}
