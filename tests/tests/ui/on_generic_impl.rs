use std::marker::PhantomData;

use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateTable<T>(PhantomData<T>);

#[migration("m_20241201000000_create_table")]
impl<T: Send + Sync + 'static> Migration for CreateTable<T> {
    fn up(&self, schema: &mut Schema) {
        schema.create("things", |t| {
            t.id();
        });
    }
}

fn main() {}
