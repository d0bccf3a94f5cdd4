use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateTagsTable;

#[migration("m_20241201000400_create_tags_table")]
impl Migration for CreateTagsTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("tags", |t| {
            t.id();
            t.string("name").length(50).unique();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("tags");
    }
}
