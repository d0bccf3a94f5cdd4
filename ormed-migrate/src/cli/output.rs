//! What the commands print: one line per migration, a summary, the status table.

use std::fmt::Write as _;

use super::hint::hint_lines;

use ormed_migrate_core::error::Hint;
use ormed_migrate_core::{
    MigrationAction, MigrationReport, MigrationState, MigrationStatus, RepairNeeded,
};

/// One line per migration with its duration, then a summary; with `pretend`, the SQL instead.
pub fn render_report(report: &MigrationReport, nothing: &str, verb: &str) -> String {
    let warnings: String = report
        .warnings
        .iter()
        .map(|warning| format!("warning: {warning}\n"))
        .collect();
    let lines: String = report
        .actions
        .iter()
        .map(|action| match report.pretend {
            true => pretend_lines(action),
            false => action_line(verb, action),
        })
        .collect();
    format!("{warnings}{lines}{}", render_summary(report, nothing, verb))
}

/// `Applied      m_… (12 ms, batch 3)`: printed as each migration finishes.
pub fn action_line(verb: &str, action: &MigrationAction) -> String {
    format!(
        "{verb:<12} {} ({} ms, batch {})\n",
        action.id,
        action.duration.as_millis(),
        action.batch
    )
}

fn pretend_lines(action: &MigrationAction) -> String {
    let mut out = format!(
        "{} ({}, batch {}):\n",
        action.id, action.direction, action.batch
    );
    for statement in &action.statements {
        let _ = writeln!(out, "    {statement};");
    }
    out
}

/// The closing line (or `nothing` when there was nothing to do).
pub fn render_summary(report: &MigrationReport, nothing: &str, verb: &str) -> String {
    let mut out = String::new();
    let count = report.actions.len();
    let noun = if count == 1 {
        "migration"
    } else {
        "migrations"
    };
    let total: u128 = report.actions.iter().map(|a| a.duration.as_millis()).sum();
    let _ = match (count, report.pretend) {
        (0, _) => writeln!(out, "{nothing}"),
        (_, true) => writeln!(out, "Pretend: {count} {noun}, nothing was run."),
        (_, false) => writeln!(out, "{verb} {count} {noun} in {total} ms."),
    };
    out
}

/// A table: state, batch, id, applied at; then counts.
pub fn render_status(statuses: &[MigrationStatus]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<13} {:>5}  {:<60} Applied at (UTC)",
        "Status", "Batch", "Migration"
    );
    for status in statuses {
        let batch = status.batch.map(|b| b.to_string()).unwrap_or_default();
        let applied_at = status
            .applied_at
            .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<13} {batch:>5}  {:<60} {applied_at}",
            status.state.label(),
            status.id.to_string()
        );
    }
    let applied = statuses.iter().filter(|s| s.is_applied()).count();
    let pending = statuses.iter().filter(|s| s.is_pending()).count();
    let running = statuses
        .iter()
        .filter(|s| matches!(s.state, MigrationState::Running(_)))
        .count();
    let _ = match running {
        0 => writeln!(out, "{applied} applied, {pending} pending."),
        _ => writeln!(
            out,
            "{applied} applied, {pending} pending, {running} running (another runner holds the \
             migration lock)."
        ),
    };
    out
}

/// `migrate:repair` without an id: what needs a decision, and the command for each choice.
pub fn render_repair_needed(needed: &RepairNeeded) -> String {
    let mut out = String::new();
    for status in &needed.statuses {
        let id = &status.id;
        let advice = match status.state {
            MigrationState::Failed(direction) => {
                let hint = Hint::ResolvePartial {
                    id: id.clone(),
                    direction,
                };
                format!(
                    "failed part way ({direction}); inspect the schema, then: {}",
                    hint_lines(&hint).join("; ")
                )
            }
            MigrationState::ChecksumChanged => format!(
                "its code changed since it was applied; revert the change, or accept it after \
                 review with `migrate:repair {id} --applied`"
            ),
            MigrationState::MissingFromCode => format!(
                "applied but not in this binary; deploy the code that has it, or forget it with \
                 `migrate:repair {id} --rolled-back`"
            ),
            _ => continue,
        };
        let _ = writeln!(out, "{id}: {advice}");
    }
    for problem in &needed.unreadable {
        let _ = writeln!(out, "{problem}");
        for line in problem.hint().iter().flat_map(hint_lines) {
            let _ = writeln!(out, "  {line}");
        }
    }
    if out.is_empty() {
        out.push_str("Nothing to repair.\n");
    }
    out
}
