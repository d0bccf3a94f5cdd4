use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateTrialItems;

#[migration("m_20250101000000_create_trial_items")]
impl Migration for CreateTrialItems {
    fn up(&self, schema: &mut Schema) {
        schema.create("r_items", |t| {
            t.id();
            t.string("name").nullable();
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("r_items");
    }
}
