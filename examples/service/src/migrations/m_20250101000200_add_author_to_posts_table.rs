use ormed_migrate::prelude::*;

/// A column and its backfill: the kind of change a release ships and its first instance applies.
#[derive(Default)]
pub struct AddAuthorToPostsTable;

#[migration("m_20250101000200_add_author_to_posts_table")]
impl Migration for AddAuthorToPostsTable {
    fn up(&self, schema: &mut Schema) {
        schema.table("posts", |t| {
            t.string("author").length(100).nullable();
        });
        schema.raw("UPDATE posts SET author = 'staff' WHERE author IS NULL");
    }

    fn down(&self, schema: &mut Schema) {
        schema.table("posts", |t| {
            t.drop_column("author");
        });
    }
}
