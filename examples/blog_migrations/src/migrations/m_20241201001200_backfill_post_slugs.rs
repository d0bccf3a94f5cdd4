use ormed_migrate::prelude::*;

/// A data backfill: every post gets a slug from its id; the down clears them again.
#[derive(Default)]
pub struct BackfillPostSlugs;

#[migration("m_20241201001200_backfill_post_slugs")]
impl Migration for BackfillPostSlugs {
    fn up(&self, schema: &mut Schema) {
        schema.raw("UPDATE posts SET slug = CONCAT('post-', id) WHERE slug IS NULL");
    }

    fn down(&self, schema: &mut Schema) {
        schema.raw("UPDATE posts SET slug = NULL");
    }
}
