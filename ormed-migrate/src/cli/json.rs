//! `migrate:status --json`: the status as an array of objects, for scripts and CI.
//!
//! Each object has `id`, `state` (`applied`, `pending`, `changed`, `missing`, `failed` or
//! `running`), `batch` (a number, or null when pending), `applied_at` (RFC 3339 in UTC with a
//! `Z`, or null) and `checksum` (the code's; for `missing` the one the ledger recorded); a
//! migration whose code changed since it was applied has `recorded_checksum`, a failed or
//! running one `direction` (`up` or `down`).

use chrono::SecondsFormat;
use ormed_migrate_core::MigrationStatus;
use serde_json::{Value, json};

/// The statuses as pretty-printed JSON, with a final newline.
pub fn render_status_json(statuses: &[MigrationStatus]) -> String {
    let items: Vec<Value> = statuses.iter().map(status_object).collect();
    let mut text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

fn status_object(status: &MigrationStatus) -> Value {
    let mut object = json!({
        "id": status.id.to_string(),
        "state": status.state.name(),
        "batch": status.batch,
        "applied_at": status
            .applied_at
            .map(|at| at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        "checksum": status.checksum,
    });
    if let Some(recorded) = &status.recorded_checksum {
        object["recorded_checksum"] = json!(recorded);
    }
    if let Some(direction) = status.state.direction() {
        object["direction"] = json!(direction.to_string());
    }
    object
}
