use ormed_migrate::prelude::*;

/// A column change: on SQLite the posts table is rebuilt, keeping its comments and tags.
#[derive(Default)]
pub struct LengthenPostTitles;

#[migration("m_20241201000700_lengthen_post_titles")]
impl Migration for LengthenPostTitles {
    fn up(&self, schema: &mut Schema) {
        schema.table("posts", |t| {
            t.string("title").length(255).change();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.table("posts", |t| {
            t.string("title").length(200).change();
        });
    }
}
