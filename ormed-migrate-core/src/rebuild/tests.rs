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
