use ormed_migrate::prelude::*;

/// Replaces the (user_id, published) index with one on user_id and one on published_at. The
/// user_id index comes first: MySQL needs an index for the posts → users foreign key and refuses
/// to drop the last one (the pre-flight check says so before anything runs).
#[derive(Default)]
pub struct DropPublishedIndexFromPosts;

#[migration("m_20241201000900_drop_published_index_from_posts")]
impl Migration for DropPublishedIndexFromPosts {
    fn up(&self, schema: &mut Schema) {
        schema.table("posts", |t| {
            t.index(["user_id"]);
            t.drop_index(["user_id", "published"]);
            t.index(["published_at"]);
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.table("posts", |t| {
            t.drop_index(["published_at"]);
            t.index(["user_id", "published"]);
            t.drop_index(["user_id"]);
        });
    }
}
