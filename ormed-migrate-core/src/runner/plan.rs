//! What a run will do, decided from the code's migrations and the ledger's rows alone: which
//! migrations to apply or roll back, in which batches, with which warnings, or why nothing may
//! run. Pure functions with no database, tested as such (refinery's `check_missing_divergent`
//! is the model); the runner only reads the ledger, calls them, and runs what they return.

use std::collections::{BTreeSet, HashMap};

use crate::descriptor::MigrationDescriptor;
use crate::dialect::Dialect;
use crate::error::PlanError;
use crate::id::MigrationId;
use crate::ledger::AppliedMigration;
use crate::schema::{IrreversibleReason, Plan};

/// What `apply_all()` / `apply_one(..)` were asked to apply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ApplySelection {
    /// Only this migration (`apply_one`).
    pub(crate) only: Option<MigrationId>,
    /// At most this many.
    pub(crate) limit: Option<usize>,
    /// One batch per migration.
    pub(crate) step: bool,
    /// The whole batch in one transaction.
    pub(crate) grouped: bool,
    /// Refuse pending migrations older than the newest applied one.
    pub(crate) strict_order: bool,
    /// Refuse (instead of warning about) a database that is ahead of this binary: applied
    /// migrations newer than every migration it knows.
    pub(crate) refuse_ahead: bool,
}

/// What `rollback()` / `rollback_one(..)` were asked to undo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RollbackSelection {
    /// Only this migration (`rollback_one`).
    pub(crate) only: Option<MigrationId>,
    /// The last this many batches.
    pub(crate) steps: usize,
    /// Exactly this batch.
    pub(crate) batch: Option<i64>,
}

impl Default for RollbackSelection {
    fn default() -> Self {
        RollbackSelection {
            only: None,
            steps: 1,
            batch: None,
        }
    }
}

/// The rules of one runner that are not part of a selection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    /// The database, for the words of a refusal.
    pub(crate) dialect: Dialect,
    /// Apply even when the ledger lists migrations this binary does not contain.
    pub(crate) allow_missing: bool,
}

/// Migrations to apply, each with its batch, in order, and the warnings to give first.
#[derive(Debug)]
pub(crate) struct ToApply<'a> {
    pub(crate) migrations: Vec<(&'a MigrationDescriptor, i64)>,
    pub(crate) warnings: Vec<String>,
}

/// Migrations to roll back, each with its ledger row, in order, and the warnings to give first.
#[derive(Debug)]
pub(crate) struct ToRollBack<'a, 'r> {
    pub(crate) migrations: Vec<(&'a MigrationDescriptor, &'r AppliedMigration)>,
    pub(crate) warnings: Vec<String>,
}

/// What to apply, or why nothing may run: a failure mark, an edited migration, an applied
/// migration missing from the code, an unknown or already applied migration, strict order, a
/// database ahead of this binary when that is refused.
pub(crate) fn apply<'a>(
    known: &'a [MigrationDescriptor],
    applied: &[AppliedMigration],
    selection: &ApplySelection,
    rules: Rules,
) -> Result<ToApply<'a>, PlanError> {
    refuse_failures(applied, rules.dialect)?;
    let ahead = refuse_changed_or_missing(known, applied, rules.allow_missing)?;
    let mut warnings = ahead_warning(known, ahead, selection.refuse_ahead)?;
    let selected = select_pending(known, applied, selection)?;
    warnings.extend(order_warnings(&selected, applied, selection.strict_order)?);
    let first_batch = applied.iter().map(|row| row.batch).max().unwrap_or(0) + 1;
    let migrations = selected
        .into_iter()
        .enumerate()
        .map(|(index, descriptor)| {
            let offset = if selection.step { index as i64 } else { 0 };
            (descriptor, first_batch + offset)
        })
        .collect();
    Ok(ToApply {
        migrations,
        warnings,
    })
}

/// What to roll back, newest first, or why nothing may: a failure mark, a migration the code
/// does not contain, a migration or batch that is not applied.
pub(crate) fn rollback<'a, 'r>(
    known: &'a [MigrationDescriptor],
    applied: &'r [AppliedMigration],
    selection: &RollbackSelection,
    rules: Rules,
) -> Result<ToRollBack<'a, 'r>, PlanError> {
    refuse_failures(applied, rules.dialect)?;
    let by_id = index(known);
    let rows = select_rollback(&by_id, applied, selection)?;
    let mut migrations = Vec::with_capacity(rows.len());
    for row in rows {
        let descriptor = by_id
            .get(&row.id)
            .ok_or_else(|| PlanError::RollbackMissing { id: row.id.clone() })?;
        migrations.push((*descriptor, row));
    }
    let warnings = changed_since_applied(&migrations);
    Ok(ToRollBack {
        migrations,
        warnings,
    })
}

/// Refuses to roll back a migration whose down (as it runs: written, or derived from the up)
/// is irreversible, saying why.
pub(crate) fn refuse_irreversible(
    descriptor: &MigrationDescriptor,
    down: &Plan,
) -> Result<(), PlanError> {
    if down.irreversible {
        let reason = match &down.not_invertible {
            Some(operation) => IrreversibleReason::NotInvertible(operation.clone()),
            None => IrreversibleReason::Declared,
        };
        return Err(PlanError::Irreversible {
            id: descriptor.id.clone(),
            source_location: descriptor.source,
            reason,
        });
    }
    Ok(())
}

fn index(known: &[MigrationDescriptor]) -> HashMap<&MigrationId, &MigrationDescriptor> {
    known.iter().map(|d| (&d.id, d)).collect()
}

/// Nothing runs while a migration is marked failed.
fn refuse_failures(applied: &[AppliedMigration], dialect: Dialect) -> Result<(), PlanError> {
    match applied.iter().find_map(|row| row.failed.map(|d| (row, d))) {
        Some((row, direction)) => Err(PlanError::PartiallyApplied {
            id: row.id.clone(),
            direction,
            dialect,
        }),
        None => Ok(()),
    }
}

/// Nothing runs when applied code changed, or applied migrations are missing from the code,
/// unless every missing one is newer than every known one: then the database is ahead of this
/// binary (a newer release migrated it, as in a rolling deploy), and those ids are returned.
/// A binary that knows no migrations at all is never taken for an older release: far more
/// often its migrations crate was not linked in, which the error's advice covers.
fn refuse_changed_or_missing(
    known: &[MigrationDescriptor],
    applied: &[AppliedMigration],
    allow_missing: bool,
) -> Result<Vec<MigrationId>, PlanError> {
    let by_id = index(known);
    let mut missing = Vec::new();
    for row in applied {
        match by_id.get(&row.id) {
            Some(descriptor) if descriptor.checksum != row.checksum => {
                return Err(PlanError::ChecksumMismatch {
                    id: row.id.clone(),
                    recorded: row.checksum.clone(),
                    current: descriptor.checksum.clone(),
                    source_location: descriptor.source,
                });
            }
            Some(_) => {}
            None => missing.push(row.id.clone()),
        }
    }
    let newest_known = known.iter().map(|d| &d.id).max();
    let is_ahead = |id: &MigrationId| newest_known.is_some_and(|newest| id > newest);
    if !allow_missing && !missing.iter().all(is_ahead) {
        return Err(PlanError::MissingFromCode { ids: missing });
    }
    missing.retain(is_ahead);
    missing.sort();
    Ok(missing)
}

/// Applied migrations newer than every known one: a warning (there is nothing to do for them),
/// or an error when the run refuses a database ahead of its binary.
fn ahead_warning(
    known: &[MigrationDescriptor],
    ahead: Vec<MigrationId>,
    refuse: bool,
) -> Result<Vec<String>, PlanError> {
    let Some(newest_known) = known.iter().map(|d| &d.id).max() else {
        return Ok(Vec::new());
    };
    if ahead.is_empty() {
        return Ok(Vec::new());
    }
    if refuse {
        return Err(PlanError::DatabaseAhead {
            ids: ahead,
            newest_known: newest_known.clone(),
        });
    }
    let (noun, verb, them) = match ahead.len() {
        1 => ("migration", "is", "it"),
        _ => ("migrations", "are", "them"),
    };
    let ids = ahead
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Ok(vec![format!(
        "the database is ahead of this binary: {noun} {ids} {verb} applied but newer than \
         {newest_known}, the newest migration this binary contains (a newer release migrated \
         the database). Nothing to do for {them}; to roll {them} back, use the release that \
         contains {them}."
    )])
}

fn select_pending<'a>(
    known: &'a [MigrationDescriptor],
    applied: &[AppliedMigration],
    selection: &ApplySelection,
) -> Result<Vec<&'a MigrationDescriptor>, PlanError> {
    let applied_ids: BTreeSet<&MigrationId> = applied.iter().map(|row| &row.id).collect();
    if let Some(id) = &selection.only {
        let descriptor = known
            .iter()
            .find(|d| &d.id == id)
            .ok_or_else(|| PlanError::UnknownMigration { id: id.clone() })?;
        if applied_ids.contains(id) {
            return Err(PlanError::AlreadyApplied { id: id.clone() });
        }
        return Ok(vec![descriptor]);
    }
    let pending = known.iter().filter(|d| !applied_ids.contains(&d.id));
    Ok(pending
        .take(selection.limit.unwrap_or(usize::MAX))
        .collect())
}

/// Pending migrations older than the newest applied one: a warning, or an error when strict.
fn order_warnings(
    selected: &[&MigrationDescriptor],
    applied: &[AppliedMigration],
    strict_order: bool,
) -> Result<Vec<String>, PlanError> {
    let Some(newest) = applied.iter().map(|row| &row.id).max() else {
        return Ok(Vec::new());
    };
    let mut warnings = Vec::new();
    for descriptor in selected.iter().filter(|d| &d.id < newest) {
        if strict_order {
            return Err(PlanError::OutOfOrder {
                id: descriptor.id.clone(),
                newest: newest.clone(),
            });
        }
        warnings.push(format!(
            "migration {} is older than the newest applied migration {newest}; applying it \
             out of order",
            descriptor.id
        ));
    }
    Ok(warnings)
}

/// The rows to roll back, in reverse order of application.
fn select_rollback<'r>(
    known: &HashMap<&MigrationId, &MigrationDescriptor>,
    applied: &'r [AppliedMigration],
    selection: &RollbackSelection,
) -> Result<Vec<&'r AppliedMigration>, PlanError> {
    if let Some(id) = &selection.only {
        return match applied.iter().find(|row| &row.id == id) {
            Some(row) => Ok(vec![row]),
            None if known.contains_key(id) => Err(PlanError::NotApplied { id: id.clone() }),
            None => Err(PlanError::UnknownMigration { id: id.clone() }),
        };
    }
    let batches: BTreeSet<i64> = applied.iter().map(|row| row.batch).collect();
    let chosen: BTreeSet<i64> = match selection.batch {
        Some(batch) if !batches.contains(&batch) => {
            return Err(PlanError::UnknownBatch {
                batch,
                batches: batches.into_iter().collect(),
            });
        }
        Some(batch) => BTreeSet::from([batch]),
        None => batches.into_iter().rev().take(selection.steps).collect(),
    };
    let mut rows: Vec<&AppliedMigration> = applied
        .iter()
        .filter(|row| chosen.contains(&row.batch))
        .collect();
    // Within a batch migrations were applied in id order; undo them the other way round.
    rows.sort_by(|a, b| (b.batch, &b.id).cmp(&(a.batch, &a.id)));
    Ok(rows)
}

/// Rolling back runs today's `down()`; say so when the code changed since it was applied.
fn changed_since_applied(migrations: &[(&MigrationDescriptor, &AppliedMigration)]) -> Vec<String> {
    migrations
        .iter()
        .filter(|(descriptor, row)| descriptor.checksum != row.checksum)
        .map(|(descriptor, _)| {
            format!(
                "migration {} changed since it was applied; rolling back with its current down()",
                descriptor.id
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Utc;

    use super::*;
    use crate::descriptor::{Direction, SourceLocation};
    use crate::{Migration, Schema};

    struct Empty;
    impl Migration for Empty {
        fn up(&self, _schema: &mut Schema) {}
    }

    fn id(text: &str) -> MigrationId {
        MigrationId::parse(text).expect("valid id")
    }

    fn known(ids: &[&str]) -> Vec<MigrationDescriptor> {
        ids.iter()
            .map(|text| {
                MigrationDescriptor::new(
                    id(text),
                    format!("sha256:{text}"),
                    SourceLocation {
                        file: "m.rs",
                        line: 1,
                    },
                    false,
                    Arc::new(Empty),
                )
            })
            .collect()
    }

    fn row(text: &str, batch: i64) -> AppliedMigration {
        AppliedMigration {
            id: id(text),
            stored_id: text.to_owned(),
            checksum: format!("sha256:{text}"),
            batch,
            applied_at: Utc::now(),
            execution_ms: 0,
            failed: None,
        }
    }

    const A: &str = "m_20240101000000_a";
    const B: &str = "m_20240102000000_b";
    const C: &str = "m_20240103000000_c";

    const RULES: Rules = Rules {
        dialect: Dialect::Sqlite,
        allow_missing: false,
    };

    fn ids_and_batches(plan: &ToApply<'_>) -> Vec<(String, i64)> {
        plan.migrations
            .iter()
            .map(|(d, batch)| (d.id.to_string(), *batch))
            .collect()
    }

    #[test]
    fn everything_pending_is_one_new_batch_or_one_batch_each() {
        let known = known(&[A, B, C]);
        let applied = [row(A, 3)];
        let plan = apply(&known, &applied, &ApplySelection::default(), RULES).unwrap();
        assert_eq!(ids_and_batches(&plan), [(B.into(), 4), (C.into(), 4)]);
        let step = ApplySelection {
            step: true,
            ..ApplySelection::default()
        };
        let plan = apply(&known, &applied, &step, RULES).unwrap();
        assert_eq!(ids_and_batches(&plan), [(B.into(), 4), (C.into(), 5)]);
        let limit = ApplySelection {
            limit: Some(1),
            ..ApplySelection::default()
        };
        let plan = apply(&known, &[], &limit, RULES).unwrap();
        assert_eq!(ids_and_batches(&plan), [(A.into(), 1)]);
    }

    #[test]
    fn an_older_pending_migration_warns_or_is_refused() {
        let known = known(&[A, B, C]);
        let applied = [row(A, 1), row(C, 1)];
        let plan = apply(&known, &applied, &ApplySelection::default(), RULES).unwrap();
        assert_eq!(plan.warnings.len(), 1);
        assert!(plan.warnings[0].starts_with(&format!("migration {B} is older")));
        let strict = ApplySelection {
            strict_order: true,
            ..ApplySelection::default()
        };
        let error = apply(&known, &applied, &strict, RULES).unwrap_err();
        assert!(matches!(error, PlanError::OutOfOrder { .. }), "{error}");
    }

    #[test]
    fn changed_missing_and_failed_migrations_stop_everything() {
        let known = known(&[A, B]);
        let mut edited = row(A, 1);
        edited.checksum = "sha256:other".into();
        let error = apply(&known, &[edited], &ApplySelection::default(), RULES).unwrap_err();
        assert!(
            matches!(error, PlanError::ChecksumMismatch { .. }),
            "{error}"
        );

        // B is applied but missing from code that goes on to C: not a database ahead.
        let known_ac = self::known(&[A, C]);
        let applied = [row(A, 1), row(B, 1)];
        let error = apply(&known_ac, &applied, &ApplySelection::default(), RULES).unwrap_err();
        assert!(matches!(error, PlanError::MissingFromCode { ref ids } if ids == &[id(B)]));
        let allow = Rules {
            allow_missing: true,
            ..RULES
        };
        let plan = apply(&known_ac, &applied, &ApplySelection::default(), allow).unwrap();
        assert_eq!(ids_and_batches(&plan), [(C.into(), 2)]);
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);

        let mut failed = row(A, 1);
        failed.failed = Some(Direction::Down);
        let error = rollback(&known, &[failed], &RollbackSelection::default(), RULES).unwrap_err();
        assert!(matches!(
            error,
            PlanError::PartiallyApplied {
                direction: Direction::Down,
                ..
            }
        ));
    }

    const D: &str = "m_20240104000000_d";

    fn refusing_ahead() -> ApplySelection {
        ApplySelection {
            refuse_ahead: true,
            ..ApplySelection::default()
        }
    }

    #[test]
    fn a_database_ahead_of_the_binary_is_a_warning_with_nothing_to_do() {
        let known = known(&[A, B]);
        let applied = [row(A, 1), row(B, 1), row(C, 2), row(D, 2)];
        let plan = apply(&known, &applied, &ApplySelection::default(), RULES).unwrap();
        assert!(plan.migrations.is_empty());
        assert_eq!(
            plan.warnings,
            [format!(
                "the database is ahead of this binary: migrations {C}, {D} are applied but newer \
                 than {B}, the newest migration this binary contains (a newer release migrated \
                 the database). Nothing to do for them; to roll them back, use the release that \
                 contains them."
            )]
        );
        let one = apply(&known, &applied[..3], &ApplySelection::default(), RULES).unwrap();
        assert!(one.warnings[0].contains(&format!("migration {C} is applied")));
    }

    #[test]
    fn a_database_ahead_still_gets_the_pending_migrations_of_the_binary() {
        let known = known(&[A, B]);
        let applied = [row(A, 1), row(C, 2)];
        let plan = apply(&known, &applied, &ApplySelection::default(), RULES).unwrap();
        assert_eq!(ids_and_batches(&plan), [(B.into(), 3)]);
        assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
        assert!(plan.warnings[0].starts_with("the database is ahead"));
        assert!(plan.warnings[1].starts_with(&format!("migration {B} is older")));
    }

    #[test]
    fn a_database_ahead_is_refused_when_asked_naming_the_ids_and_the_way_out() {
        let known = known(&[A, B]);
        let applied = [row(A, 1), row(B, 1), row(D, 2), row(C, 2)];
        let error = apply(&known, &applied, &refusing_ahead(), RULES).unwrap_err();
        assert!(
            matches!(error, PlanError::DatabaseAhead { ref ids, ref newest_known }
                if ids == &[id(C), id(D)] && newest_known == &id(B)),
            "{error}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "the database is ahead of this binary: migrations {C}, {D} are applied but newer \
                 than {B}, the newest migration this binary contains, so a newer release has \
                 migrated it. Refusing to start, as asked (refuse_ahead); nothing was run. Deploy \
                 the newer release (the build that contains them), or run without refuse_ahead \
                 to start this one anyway."
            )
        );
        // Refusing wins over allowing missing migrations.
        let allow = Rules {
            allow_missing: true,
            ..RULES
        };
        let error = apply(&known, &applied, &refusing_ahead(), allow).unwrap_err();
        assert!(matches!(error, PlanError::DatabaseAhead { .. }), "{error}");
        // Nothing ahead: nothing to refuse.
        let plan = apply(&known, &applied[..2], &refusing_ahead(), RULES).unwrap();
        assert!(plan.migrations.is_empty() && plan.warnings.is_empty());
    }

    #[test]
    fn an_unknown_migration_older_than_the_newest_known_one_is_still_refused() {
        // B is missing from the code between A and C: not ahead, whatever else is.
        let known = known(&[A, C]);
        let applied = [row(A, 1), row(B, 1), row(C, 1), row(D, 2)];
        let error = apply(&known, &applied, &ApplySelection::default(), RULES).unwrap_err();
        assert!(
            matches!(error, PlanError::MissingFromCode { ref ids } if ids == &[id(B), id(D)]),
            "{error}"
        );
        let allow = Rules {
            allow_missing: true,
            ..RULES
        };
        let plan = apply(&known, &applied, &ApplySelection::default(), allow).unwrap();
        assert_eq!(
            plan.warnings.len(),
            1,
            "D is still ahead: {:?}",
            plan.warnings
        );
        assert!(plan.warnings[0].contains(&format!("migration {D} is applied")));
        // A binary without migrations is more likely unlinked than behind.
        let error = apply(&[], &applied, &ApplySelection::default(), RULES).unwrap_err();
        assert!(
            matches!(error, PlanError::MissingFromCode { .. }),
            "{error}"
        );
    }

    #[test]
    fn a_database_ahead_cannot_be_rolled_back_by_this_binary() {
        let known = known(&[A, B]);
        let applied = [row(A, 1), row(B, 1), row(C, 2)];
        let error = rollback(&known, &applied, &RollbackSelection::default(), RULES).unwrap_err();
        assert!(
            matches!(error, PlanError::RollbackMissing { ref id } if id == &self::id(C)),
            "{error}"
        );
    }

    #[test]
    fn one_migration_must_be_known_and_in_the_right_state() {
        let known = known(&[A, B]);
        let applied = [row(A, 1)];
        let only = |text: &str| ApplySelection {
            only: Some(id(text)),
            ..ApplySelection::default()
        };
        let error = apply(&known, &applied, &only(A), RULES).unwrap_err();
        assert!(matches!(error, PlanError::AlreadyApplied { .. }));
        let error = apply(&known, &applied, &only(C), RULES).unwrap_err();
        assert!(matches!(error, PlanError::UnknownMigration { .. }));
        let plan = apply(&known, &applied, &only(B), RULES).unwrap();
        assert_eq!(ids_and_batches(&plan), [(B.into(), 2)]);

        let undo = |text: &str| RollbackSelection {
            only: Some(id(text)),
            ..RollbackSelection::default()
        };
        let error = rollback(&known, &applied, &undo(B), RULES).unwrap_err();
        assert!(matches!(error, PlanError::NotApplied { .. }));
        let error = rollback(&known, &applied, &undo(C), RULES).unwrap_err();
        assert!(matches!(error, PlanError::UnknownMigration { .. }));
    }

    #[test]
    fn rollback_takes_the_last_batches_newest_first() {
        let known = known(&[A, B, C]);
        let applied = [row(A, 1), row(B, 2), row(C, 2)];
        let ids = |plan: ToRollBack<'_, '_>| -> Vec<String> {
            plan.migrations
                .iter()
                .map(|(d, _)| d.id.to_string())
                .collect()
        };
        let last = rollback(&known, &applied, &RollbackSelection::default(), RULES).unwrap();
        assert_eq!(ids(last), [C, B]);
        let two = RollbackSelection {
            steps: 2,
            ..RollbackSelection::default()
        };
        assert_eq!(
            ids(rollback(&known, &applied, &two, RULES).unwrap()),
            [C, B, A]
        );
        let first = RollbackSelection {
            batch: Some(1),
            ..RollbackSelection::default()
        };
        assert_eq!(ids(rollback(&known, &applied, &first, RULES).unwrap()), [A]);
        let unknown = RollbackSelection {
            batch: Some(7),
            ..RollbackSelection::default()
        };
        let error = rollback(&known, &applied, &unknown, RULES).unwrap_err();
        assert!(
            matches!(error, PlanError::UnknownBatch { batch: 7, ref batches } if batches == &[1, 2])
        );
    }

    #[test]
    fn rollback_refuses_code_it_does_not_have_and_warns_about_edits() {
        let known_ab = known(&[A, B]);
        let applied = [row(A, 1), row(C, 1)];
        let error =
            rollback(&known_ab, &applied, &RollbackSelection::default(), RULES).unwrap_err();
        assert!(matches!(error, PlanError::RollbackMissing { .. }));
        let mut edited = row(B, 1);
        edited.checksum = "sha256:before".into();
        let applied = [edited];
        let plan = rollback(&known_ab, &applied, &RollbackSelection::default(), RULES).unwrap();
        assert_eq!(plan.warnings.len(), 1);
        assert!(plan.warnings[0].contains("changed since it was applied"));
    }

    #[test]
    fn an_irreversible_down_is_refused() {
        let known = known(&[A]);
        let mut schema = Schema::new();
        schema.irreversible();
        let error = refuse_irreversible(&known[0], schema.plan()).unwrap_err();
        assert!(matches!(
            error,
            PlanError::Irreversible {
                reason: IrreversibleReason::Declared,
                ..
            }
        ));
        assert_eq!(
            error.to_string(),
            format!(
                "Migration {A} cannot be rolled back: its down() calls schema.irreversible() \
                 (m.rs:1). Undo it with a new migration, or make its down() undo it instead of \
                 calling schema.irreversible(). Nothing was rolled back."
            )
        );
        assert!(refuse_irreversible(&known[0], &Plan::default()).is_ok());
    }

    #[test]
    fn a_derived_down_that_stops_is_refused_naming_the_operation() {
        let known = known(&[A]);
        let mut up = Schema::new();
        up.table("users", |t| {
            t.string("avatar").nullable();
            t.drop_column("legacy");
        });
        let down = crate::schema::derived_down(up.plan());
        let error = refuse_irreversible(&known[0], &down).unwrap_err();
        assert!(matches!(
            error,
            PlanError::Irreversible {
                reason: IrreversibleReason::NotInvertible(_),
                ..
            }
        ));
        assert_eq!(
            error.to_string(),
            format!(
                "Migration {A} cannot be rolled back: it has no down(), and its up drops column \
                 `legacy` of `users`, which cannot be undone from the plan alone (m.rs:1). Write \
                 its down(), or undo it with a new migration. Nothing was rolled back."
            )
        );
        let mut up = Schema::new();
        up.table("users", |t| {
            t.string("avatar").nullable();
        });
        assert!(refuse_irreversible(&known[0], &crate::schema::derived_down(up.plan())).is_ok());
    }
}
