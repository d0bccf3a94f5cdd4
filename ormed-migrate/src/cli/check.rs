//! `migrate:check`: every problem a deploy or CI should stop on, one line each: migrations that
//! are not simply applied, and drift of the live schema from what the migrations made.

use std::fmt::Write as _;

use ormed_migrate_core::{Drift, MigrationState, MigrationStatus};

/// One line per problem (pending, changed, missing, failed or running migrations, each
/// difference of `drift`), a line naming the unverifiable tables, and a closing line; whether
/// there was any problem.
pub fn render_check(statuses: &[MigrationStatus], drift: &Drift) -> (String, bool) {
    let mut out = String::new();
    let mut problems = 0;
    for status in statuses {
        let Some(problem) = problem(status) else {
            continue;
        };
        problems += 1;
        let _ = writeln!(out, "{:<8} {}: {problem}", status.state.name(), status.id);
    }
    for difference in &drift.differences {
        problems += 1;
        let _ = writeln!(out, "drift    {difference}");
    }
    if let Some(why) = &drift.not_checked {
        let _ = writeln!(out, "Drift not checked: {why}.");
    }
    if !drift.unverifiable.is_empty() {
        let _ = writeln!(
            out,
            "Not checked for drift (named by raw SQL in a migration): {}.",
            drift.unverifiable.join(", ")
        );
    }
    let applied = statuses.iter().filter(|s| s.is_applied()).count();
    let _ = match problems {
        0 => writeln!(
            out,
            "No problems: {applied} migrations applied, none pending."
        ),
        1 => writeln!(out, "1 problem found."),
        n => writeln!(out, "{n} problems found."),
    };
    (out, problems > 0)
}

/// What is wrong with `status`, and what to do; `None` when it is applied as the code says.
fn problem(status: &MigrationStatus) -> Option<String> {
    let id = &status.id;
    Some(match status.state {
        MigrationState::Applied => return None,
        MigrationState::Pending => "not applied yet; run migrate".to_owned(),
        MigrationState::ChecksumChanged => format!(
            "its code changed since it was applied; revert the edit, or accept it after review \
             with `migrate:repair {id} --applied`"
        ),
        MigrationState::MissingFromCode => format!(
            "applied, but this binary does not have it; deploy the code that has it, or forget \
             it with `migrate:repair {id} --rolled-back`"
        ),
        MigrationState::Failed(direction) => {
            format!("failed part way ({direction}); see `migrate:repair` for the way out")
        }
        MigrationState::Running(direction) => format!(
            "another runner is running it ({direction}) right now; check again when it is done"
        ),
        _ => format!("in state {}", status.state.label()),
    })
}
