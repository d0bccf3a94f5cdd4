//! The pre-flight check: before anything runs, the whole pending plan is checked against a
//! model of the schema (the live schema, introspected, plus the effects of the run's earlier
//! operations). A foreign key to a table or column that does not exist yet, a drop of a table
//! that is still referenced, a foreign-key column whose type does not fit the referenced one, a
//! change naming a missing column, index or key, and creating what exists are refused with the
//! migration and the operation named — the seed page's "Foreign Key Constraint Failed" advice
//! turned into errors that come before the failure. Raw SQL is opaque and never causes an
//! alarm: what it names is unknown from there on.

mod checks;
mod model;

pub(crate) use model::Model;

use crate::descriptor::{Direction, MigrationDescriptor};
use crate::error::PlanError;
use crate::schema::Plan;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Severity {
    /// The database would refuse it, or it would fail: nothing runs.
    Error,
    /// The database accepts it, but it is likely a mistake.
    Warning,
}

/// One thing wrong with one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) severity: Severity,
    /// The operation, as the builder call that records it.
    pub(crate) operation: String,
    /// What is wrong and what to change.
    pub(crate) problem: String,
}

impl Problem {
    fn error(operation: String, problem: String) -> Problem {
        Problem {
            severity: Severity::Error,
            operation,
            problem,
        }
    }
}

/// Checks each migration's plan in run order against `model`, which follows them; the first
/// error refuses the run, warnings are returned.
pub(crate) fn check(
    mut model: Model,
    plans: &[(&MigrationDescriptor, Direction, &Plan)],
) -> Result<Vec<String>, PlanError> {
    let mut warnings = Vec::new();
    for (descriptor, direction, plan) in plans {
        for operation in &plan.operations {
            for problem in checks::operation(&model, operation) {
                match problem.severity {
                    Severity::Error => {
                        return Err(PlanError::Preflight {
                            id: descriptor.id.clone(),
                            direction: *direction,
                            operation: problem.operation,
                            problem: problem.problem,
                        });
                    }
                    Severity::Warning => warnings.push(format!(
                        "migration {} ({direction}), {}: {}",
                        descriptor.id, problem.operation, problem.problem
                    )),
                }
            }
            model.apply(operation);
        }
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests;
