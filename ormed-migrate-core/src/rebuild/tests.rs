use super::draft::rename_in_create_index;

#[test]
fn an_index_is_renamed_where_its_statement_names_it() {
    let renamed = |sql: &str| rename_in_create_index(sql, "users_name_index", "by_name");
    assert_eq!(
        renamed(r#"CREATE INDEX "users_name_index" ON "users" ("name")"#).as_deref(),
        Some(r#"CREATE INDEX "by_name" ON "users" ("name")"#)
    );
    assert_eq!(
        renamed("create unique index if not exists users_name_index on users (name) where x")
            .as_deref(),
        Some(r#"create unique index if not exists "by_name" on users (name) where x"#)
    );
    // A longer name that starts with the same letters is another index.
    assert_eq!(
        renamed("CREATE INDEX users_name_index2 ON users (name)"),
        None
    );
}

#[test]
fn defaults_are_written_back_as_sqlite_reads_them() {
    use super::draft::default_clause;
    assert_eq!(default_clause("'draft'"), "'draft'");
    assert_eq!(default_clause("-1"), "-1");
    assert_eq!(default_clause("1.5"), "1.5");
    assert_eq!(default_clause("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP");
    assert_eq!(default_clause("NULL"), "NULL");
    assert_eq!(default_clause("X'00ff'"), "X'00ff'");
    // SQLite took a bare or double-quoted word as text.
    assert_eq!(default_clause("active"), "'active'");
    assert_eq!(default_clause("\"it's\""), "'it''s'");
    // Expressions stay expressions.
    assert_eq!(default_clause("datetime('now')"), "(datetime('now'))");
    assert_eq!(default_clause("CAST(0 AS REAL)"), "(CAST(0 AS REAL))");
}
