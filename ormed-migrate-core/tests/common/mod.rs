//! What the SQL snapshot tests share: the three dialects and a plan rendered for each, one
//! section per dialect, one statement per `;` line (`deferred` before a statement rendered
//! against the live table when it runs, `-- error: …` for a plan a dialect refuses).

use ormed_migrate_core::{Dialect, Schema};

pub const DIALECTS: [(&str, Dialect); 3] = [
    ("sqlite", Dialect::Sqlite),
    ("postgres", Dialect::Postgres),
    ("mysql", Dialect::MySql),
];

/// The plan rendered for the three dialects.
pub fn render_all(schema: &Schema) -> String {
    let mut out = String::new();
    for (label, dialect) in DIALECTS {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("-- {label}\n"));
        match dialect.render_statements(schema.plan()) {
            Ok(statements) if statements.is_empty() => out.push_str("-- (no statements)\n"),
            Ok(statements) => {
                for statement in statements {
                    let kind = if statement.deferred.is_some() {
                        "deferred "
                    } else {
                        ""
                    };
                    out.push_str(&format!("{kind}{};\n", statement.sql));
                }
            }
            Err(error) => out.push_str(&format!("-- error: {error}\n")),
        }
    }
    out
}
