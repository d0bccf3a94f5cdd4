use ormed_migrate::prelude::*;

/// Alters `r_items`, so that a session holding a lock on it makes this migration wait.
#[derive(Default)]
pub struct AddNoteToItems;

#[migration("m_20250101000200_add_note_to_items")]
impl Migration for AddNoteToItems {
    fn up(&self, schema: &mut Schema) {
        schema.raw("ALTER TABLE r_items ADD COLUMN note VARCHAR(100)");
    }

    fn down(&self, schema: &mut Schema) {
        schema.raw("ALTER TABLE r_items DROP COLUMN note");
    }
}
