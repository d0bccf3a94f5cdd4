//! What the commands print: one line per migration, a summary, the status table.

use std::fmt::Write as _;

use super::hint::hint_lines;

use ormed_migrate_core::error::Hint;
use ormed_migrate_core::wipe::{ObjectKind, SchemaObject};
use ormed_migrate_core::{
    MigrationAction, MigrationId, MigrationReport, MigrationState, MigrationStatus, RepairNeeded,
};

/// Colours for stdout: on a terminal only, never with `NO_COLOR` set or `--no-color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Palette {
    enabled: bool,
}

impl Palette {
    /// No colour at all.
    pub fn plain() -> Palette {
        Palette { enabled: false }
    }

    /// Colour when stdout is a terminal that is not `dumb`, `NO_COLOR` is unset or empty, and
    /// `no_color` (the flag) is off.
    pub fn for_stdout(no_color: bool) -> Palette {
        use std::io::IsTerminal as _;
        let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|term| term == "dumb");
        Palette {
            enabled: !no_color && !set("NO_COLOR") && !dumb && std::io::stdout().is_terminal(),
        }
    }

    /// True when stdout is a terminal that takes colour (and so can show a line being
    /// replaced).
    pub fn is_terminal(self) -> bool {
        self.enabled
    }

    fn paint(self, code: &str, text: &str) -> String {
        match self.enabled {
            true => format!("\x1b[{code}m{text}\x1b[0m"),
            false => text.to_owned(),
        }
    }

    fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// How wide a migration line is, dots included.
const LINE_WIDTH: usize = 80;

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
            false => action_line(action, Palette::plain()),
        })
        .collect();
    format!("{warnings}{lines}{}", render_summary(report, nothing, verb))
}

/// `m_20241201000000_create_users_table ........ 12 ms DONE`: printed as each migration
/// finishes.
pub fn action_line(action: &MigrationAction, palette: Palette) -> String {
    let id = action.id.to_string();
    let time = format!("{} ms", action.duration.as_millis());
    let dots = LINE_WIDTH.saturating_sub(id.len() + time.len() + " DONE".len() + 2);
    format!(
        "{id} {} {time} {}\n",
        palette.dim(&".".repeat(dots.max(3))),
        palette.green("DONE")
    )
}

/// `m_20241201000000_create_users_table ........ RUNNING`, without a newline: shown on a
/// terminal while the migration runs, then replaced by its [`action_line`].
pub fn running_line(id: &MigrationId, palette: Palette) -> String {
    let id = id.to_string();
    let dots = LINE_WIDTH.saturating_sub(id.len() + " RUNNING".len() + 1);
    format!(
        "{id} {} {}",
        palette.dim(&".".repeat(dots.max(3))),
        palette.yellow("RUNNING")
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

/// What `migrate:fresh` drops, before the migrations: the statements with `pretend`, else one
/// line naming how many objects of each kind went.
pub fn render_drops(report: &MigrationReport) -> String {
    if report.dropped.is_empty() {
        return "The schema is empty: nothing to drop.\n".to_owned();
    }
    if report.pretend {
        let mut out = String::from("Drop every object of the schema:\n");
        for statement in &report.drop_statements {
            let _ = writeln!(out, "    {statement};");
        }
        return out;
    }
    let count = report.dropped.len();
    let noun = if count == 1 { "object" } else { "objects" };
    format!(
        "Dropped {count} {noun} of the schema: {}.\n",
        dropped_kinds(&report.dropped)
    )
}

/// `3 tables, 1 view`.
fn dropped_kinds(dropped: &[SchemaObject]) -> String {
    let mut counts: Vec<(ObjectKind, usize)> = Vec::new();
    for object in dropped {
        match counts.iter_mut().find(|(kind, _)| *kind == object.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((object.kind, 1)),
        }
    }
    counts
        .iter()
        .map(|(kind, n)| {
            let (one, many) = match kind {
                ObjectKind::View => ("view", "views"),
                ObjectKind::MaterializedView => ("materialized view", "materialized views"),
                ObjectKind::Table => ("table", "tables"),
                ObjectKind::Sequence => ("sequence", "sequences"),
                _ => ("type", "types"),
            };
            format!("{n} {}", if *n == 1 { one } else { many })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closing line (or `nothing` when there was nothing to do): how many, how long, which
/// batch.
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
        (_, false) => writeln!(
            out,
            "{verb} {count} {noun} in {total} ms ({}).",
            batches(report)
        ),
    };
    out
}

/// `batch 3` or `batches 3-5`.
fn batches(report: &MigrationReport) -> String {
    let numbers = report.actions.iter().map(|action| action.batch);
    let (low, high) = (numbers.clone().min(), numbers.max());
    match (low, high) {
        (Some(low), Some(high)) if low != high => format!("batches {low}-{high}"),
        (Some(low), _) => format!("batch {low}"),
        _ => String::new(),
    }
}

/// A table: state, batch, id, applied at; then counts. States are coloured with `palette`.
pub fn render_status(statuses: &[MigrationStatus], palette: Palette) -> String {
    let mut out = String::new();
    let header = format!(
        "{:<13} {:>5}  {:<60} Applied at (UTC)",
        "Status", "Batch", "Migration"
    );
    let _ = writeln!(out, "{}", palette.bold(&header));
    for status in statuses {
        let batch = status.batch.map(|b| b.to_string()).unwrap_or_default();
        let applied_at = status
            .applied_at
            .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let label = format!("{:<13}", status.state.label());
        let label = match status.state {
            MigrationState::Applied => palette.green(&label),
            MigrationState::Pending | MigrationState::Running(_) => palette.yellow(&label),
            _ => palette.red(&label),
        };
        let line = format!(
            "{label} {batch:>5}  {:<60} {applied_at}",
            status.id.to_string()
        );
        let _ = writeln!(out, "{}", line.trim_end());
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
    let attention = statuses.iter().filter(|s| s.needs_attention()).count();
    if attention > 0 {
        let _ = writeln!(
            out,
            "{attention} need attention (changed, missing or failed): `migrate:repair` lists the \
             way out for each."
        );
    }
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
