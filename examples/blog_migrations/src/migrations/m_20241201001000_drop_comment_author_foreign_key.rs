use ormed_migrate::prelude::*;

/// Comments outlive their authors' accounts: the foreign key goes, the column stays.
#[derive(Default)]
pub struct DropCommentAuthorForeignKey;

#[migration("m_20241201001000_drop_comment_author_foreign_key")]
impl Migration for DropCommentAuthorForeignKey {
    fn up(&self, schema: &mut Schema) {
        schema.table("comments", |t| t.drop_foreign(["user_id"]));
    }

    fn down(&self, schema: &mut Schema) {
        schema.table("comments", |t| {
            t.foreign(["user_id"])
                .on("users")
                .on_delete(ForeignKeyAction::SetNull);
        });
    }
}
