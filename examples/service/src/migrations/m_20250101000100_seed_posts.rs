use ormed_migrate::prelude::*;

/// Something to serve on the first start.
#[derive(Default)]
pub struct SeedPosts;

#[migration("m_20250101000100_seed_posts")]
impl Migration for SeedPosts {
    fn up(&self, schema: &mut Schema) {
        schema.raw(
            "INSERT INTO posts (title, body) VALUES \
             ('Hello, world', 'The first post.'), \
             ('Migrated on start-up', 'This service applied its migrations as it booted.')",
        );
    }

    fn down(&self, schema: &mut Schema) {
        schema.raw("DELETE FROM posts WHERE title IN ('Hello, world', 'Migrated on start-up')");
    }
}
