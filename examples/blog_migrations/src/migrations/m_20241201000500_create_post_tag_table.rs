use ormed_migrate::prelude::*;

/// The pivot table between posts and tags: a composite primary key, both keys cascading.
#[derive(Default)]
pub struct CreatePostTagTable;

#[migration("m_20241201000500_create_post_tag_table")]
impl Migration for CreatePostTagTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("post_tag", |t| {
            t.foreign_id("post_id")
                .constrained("posts")
                .on_delete(ForeignKeyAction::Cascade);
            t.foreign_id("tag_id")
                .constrained("tags")
                .on_delete(ForeignKeyAction::Cascade);
            t.primary(["post_id", "tag_id"]);
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("post_tag");
    }
}
