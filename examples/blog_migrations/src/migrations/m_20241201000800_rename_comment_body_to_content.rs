use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct RenameCommentBodyToContent;

#[migration("m_20241201000800_rename_comment_body_to_content")]
impl Migration for RenameCommentBodyToContent {
    fn up(&self, schema: &mut Schema) {
        schema.table("comments", |t| t.rename_column("body", "content"));
    }

    fn down(&self, schema: &mut Schema) {
        schema.table("comments", |t| t.rename_column("content", "body"));
    }
}
