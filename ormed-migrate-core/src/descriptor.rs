//! `MigrationDescriptor`, what the runner works with, and `MigrationEntry`, the programmatic way
//! to make descriptors without the `#[migration]` attribute.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::checksum::plan_checksum;
use crate::error::{MigrationError, SetupError};
use crate::id::MigrationId;
use crate::migration::Migration;
use crate::schema::{Plan, Schema, derived_down};

/// Where a migration is defined: the file and line of its `#[migration]` or `MigrationEntry::new`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceLocation {
    /// The file as the compiler saw it: for a file in `src/migrations/` its absolute path (the
    /// build script names it so), elsewhere the path relative to the workspace, as `file!()`.
    pub file: &'static str,
    /// Line, from 1.
    pub line: u32,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Which way a migration runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Applying (`up`).
    Up,
    /// Rolling back (`down`).
    Down,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Up => "up",
            Direction::Down => "down",
        })
    }
}

/// A migration ready to run: its id, checksum, source location, options and code.
#[derive(Clone)]
pub struct MigrationDescriptor {
    /// The migration's id.
    pub id: MigrationId,
    /// `sha256:<64 hex>`; compared with the ledger before anything runs.
    pub checksum: String,
    /// Where it is defined.
    pub source: SourceLocation,
    /// Runs statement by statement without a transaction (for `CREATE INDEX CONCURRENTLY`).
    pub no_transaction: bool,
    migration: Arc<dyn Migration>,
}

impl MigrationDescriptor {
    /// A descriptor with a known checksum (the `#[migration]` path).
    pub fn new(
        id: MigrationId,
        checksum: String,
        source: SourceLocation,
        no_transaction: bool,
        migration: Arc<dyn Migration>,
    ) -> MigrationDescriptor {
        MigrationDescriptor {
            id,
            checksum,
            source,
            no_transaction,
            migration,
        }
    }

    /// Records the plan for one direction, as it runs. A migration that does not write `down`
    /// gets the inverse of its `up` (see [`derived_down`]): the plan keeps
    /// [`not_written`](Plan::not_written), so that checksums encode "not written", never the
    /// derived operations, and is irreversible when an operation of the up cannot be undone.
    pub fn plan(&self, direction: Direction) -> Plan {
        let mut schema = Schema::new();
        match direction {
            Direction::Up => self.migration.up(&mut schema),
            Direction::Down => self.migration.down(&mut schema),
        }
        let plan = schema.into_plan();
        if direction == Direction::Down && plan.not_written {
            return derived_down(&self.up_plan());
        }
        plan
    }

    /// The `up` plan.
    pub fn up_plan(&self) -> Plan {
        self.plan(Direction::Up)
    }

    /// The `down` plan: the written one, or the one derived from the up.
    pub fn down_plan(&self) -> Plan {
        self.plan(Direction::Down)
    }

    /// False when the written `down` calls `schema.irreversible()`, or when `down` is not
    /// written and an operation of the up cannot be undone from the plan alone (a drop,
    /// `change()`, raw SQL).
    pub fn is_reversible(&self) -> bool {
        !self.down_plan().irreversible
    }

    /// Sorts descriptors by id and rejects duplicate ids, naming both source locations.
    pub fn sorted(
        mut descriptors: Vec<MigrationDescriptor>,
    ) -> Result<Vec<MigrationDescriptor>, MigrationError> {
        let mut seen: HashMap<&MigrationId, SourceLocation> = HashMap::new();
        for descriptor in &descriptors {
            if let Some(first) = seen.insert(&descriptor.id, descriptor.source) {
                let (first, second) = ordered(first, descriptor.source);
                return Err(SetupError::DuplicateId {
                    id: descriptor.id.clone(),
                    first,
                    second,
                }
                .into());
            }
        }
        descriptors.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(descriptors)
    }
}

/// Stable order for the two locations of a duplicate, whatever order they were found in.
fn ordered(a: SourceLocation, b: SourceLocation) -> (SourceLocation, SourceLocation) {
    if (a.file, a.line) <= (b.file, b.line) {
        (a, b)
    } else {
        (b, a)
    }
}

impl fmt::Debug for MigrationDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationDescriptor")
            .field("id", &self.id)
            .field("checksum", &self.checksum)
            .field("source", &self.source)
            .field("no_transaction", &self.no_transaction)
            .finish_non_exhaustive()
    }
}

/// A migration registered in code, as on the seed page's "Programmatic Usage":
///
/// ```
/// use ormed_migrate_core::{Migration, MigrationEntry, MigrationId, Schema};
///
/// #[derive(Default)]
/// struct CreateUsersTable;
/// impl Migration for CreateUsersTable {
///     fn up(&self, schema: &mut Schema) { schema.create("users", |t| { t.id(); }); }
///     fn down(&self, schema: &mut Schema) { schema.drop("users"); }
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let entries = vec![MigrationEntry::new(
///     MigrationId::parse("m_20241201000000_create_users_table")?,
///     CreateUsersTable,
/// )];
/// let descriptors = MigrationEntry::build_descriptors(entries)?; // sorted by id
/// assert!(descriptors[0].checksum.starts_with("sha256:"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MigrationEntry {
    id: MigrationId,
    migration: Arc<dyn Migration>,
    source: SourceLocation,
    no_transaction: bool,
}

impl MigrationEntry {
    /// An entry for `migration` with `id`; its source location is the caller's.
    #[track_caller]
    pub fn new(id: MigrationId, migration: impl Migration) -> MigrationEntry {
        let caller = std::panic::Location::caller();
        MigrationEntry {
            id,
            migration: Arc::new(migration),
            source: SourceLocation {
                file: caller.file(),
                line: caller.line(),
            },
            no_transaction: false,
        }
    }

    /// Runs this migration statement by statement, outside a transaction.
    pub fn no_transaction(mut self) -> MigrationEntry {
        self.no_transaction = true;
        self
    }

    /// Descriptors sorted by id, each checksummed from its recorded plans. Duplicate ids are an
    /// error naming both places.
    pub fn build_descriptors(
        entries: Vec<MigrationEntry>,
    ) -> Result<Vec<MigrationDescriptor>, MigrationError> {
        let descriptors = entries
            .into_iter()
            .map(MigrationEntry::into_descriptor)
            .collect();
        MigrationDescriptor::sorted(descriptors)
    }

    fn into_descriptor(self) -> MigrationDescriptor {
        let mut descriptor = MigrationDescriptor::new(
            self.id,
            String::new(),
            self.source,
            self.no_transaction,
            self.migration,
        );
        descriptor.checksum = plan_checksum(&descriptor.up_plan(), &descriptor.down_plan());
        descriptor
    }
}

impl fmt::Debug for MigrationEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationEntry")
            .field("id", &self.id)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Users(&'static str);
    impl Migration for Users {
        fn up(&self, schema: &mut Schema) {
            schema.create(self.0, |t| {
                t.id();
            });
        }
        fn down(&self, schema: &mut Schema) {
            schema.drop(self.0);
        }
    }

    struct OneWay;
    impl Migration for OneWay {
        fn up(&self, schema: &mut Schema) {
            schema.raw("UPDATE users SET active = 1");
        }
    }

    /// No `down`, and an up that can be undone.
    struct Derived;
    impl Migration for Derived {
        fn up(&self, schema: &mut Schema) {
            schema.create("tags", |t| {
                t.id();
            });
        }
    }

    /// An up that can be undone, and a `down` that says it cannot.
    struct Declared;
    impl Migration for Declared {
        fn up(&self, schema: &mut Schema) {
            schema.create("tags", |t| {
                t.id();
            });
        }
        fn down(&self, schema: &mut Schema) {
            schema.irreversible();
        }
    }

    fn id(text: &str) -> MigrationId {
        MigrationId::parse(text).unwrap()
    }

    #[test]
    fn build_descriptors_sorts_by_id_and_checksums_plans() {
        let entries = vec![
            MigrationEntry::new(id("m_20241201000100_b"), Users("b")),
            MigrationEntry::new(id("m_20241201000000_a"), Users("a")),
        ];
        let descriptors = MigrationEntry::build_descriptors(entries).unwrap();
        let ids: Vec<String> = descriptors.iter().map(|d| d.id.to_string()).collect();
        assert_eq!(ids, ["m_20241201000000_a", "m_20241201000100_b"]);
        assert_ne!(descriptors[0].checksum, descriptors[1].checksum);
        assert!(crate::checksum::is_well_formed(&descriptors[0].checksum));
        assert!(descriptors[0].source.file.ends_with("descriptor.rs"));
    }

    #[test]
    fn duplicate_ids_name_both_locations() {
        let entries = vec![
            MigrationEntry::new(id("m_20241201000000_a"), Users("a")),
            MigrationEntry::new(id("m_20241201000000_a"), Users("other")),
        ];
        let error = MigrationEntry::build_descriptors(entries).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("m_20241201000000_a"), "{message}");
        assert_eq!(message.matches("descriptor.rs:").count(), 2, "{message}");
    }

    #[test]
    fn timestamps_convert_to_chrono() {
        let id = id("m_20241201103000_a");
        let expected = chrono::DateTime::parse_from_rfc3339("2024-12-01T10:30:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(id.timestamp(), expected);
        assert_eq!(
            chrono::DateTime::<chrono::Utc>::from(id.timestamp()),
            expected
        );
    }

    #[test]
    fn a_default_down_is_derived_from_the_up() {
        let descriptors = MigrationEntry::build_descriptors(vec![
            MigrationEntry::new(id("m_20241201000000_a"), OneWay),
            MigrationEntry::new(id("m_20241201000001_b"), Users("b")),
            MigrationEntry::new(id("m_20241201000002_c"), Derived),
            MigrationEntry::new(id("m_20241201000003_d"), Declared),
        ])
        .unwrap();
        assert!(!descriptors[0].is_reversible(), "raw SQL cannot be undone");
        let refused = descriptors[0].down_plan();
        assert!(refused.not_written && refused.not_invertible.is_some());
        assert!(descriptors[1].is_reversible());
        assert!(
            descriptors[2].is_reversible(),
            "create table is undone by a drop"
        );
        let derived = descriptors[2].down_plan();
        assert!(derived.not_written);
        assert_eq!(
            derived.operations,
            [crate::schema::Operation::DropTable {
                table: "tags".into(),
                if_exists: false
            }]
        );
        assert!(
            !descriptors[3].is_reversible(),
            "schema.irreversible() wins"
        );
        assert!(descriptors[3].down_plan().not_invertible.is_none());
    }

    #[test]
    fn a_derived_down_leaves_the_checksum_as_not_written() {
        let mut not_written = Schema::new();
        not_written.not_written();
        let descriptors = MigrationEntry::build_descriptors(vec![MigrationEntry::new(
            id("m_20241201000000_a"),
            Derived,
        )])
        .unwrap();
        assert_eq!(
            descriptors[0].checksum,
            plan_checksum(&descriptors[0].up_plan(), not_written.plan())
        );
    }
}
