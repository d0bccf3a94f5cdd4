use ormed_migrate::prelude::*;

/// A data migration: plain SQL through `schema.raw`, undone by its own `down`.
#[derive(Default)]
pub struct SeedAdminUser;

#[migration("m_20241201000200_seed_admin_user")]
impl Migration for SeedAdminUser {
    fn up(&self, schema: &mut Schema) {
        schema.raw(
            "INSERT INTO users (email, name, is_admin) VALUES ('admin@example.com', 'Admin', TRUE)",
        );
        schema.raw(
            "INSERT INTO posts (user_id, title, body, published) \
             SELECT id, 'Hello, world', 'The first post.', TRUE FROM users \
             WHERE email = 'admin@example.com'",
        );
    }

    fn down(&self, schema: &mut Schema) {
        schema.raw("DELETE FROM users WHERE email = 'admin@example.com'");
    }
}
