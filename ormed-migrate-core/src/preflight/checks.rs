//! The rules: what an operation needs of the schema as the model has it at that point.

use super::model::{Model, same_name};
use super::{Problem, Severity};
use crate::backend;
use crate::dialect::Dialect;
use crate::introspect::{ColumnSnapshot, IndexSnapshot, TableSnapshot, TypeFamily};
use crate::render::generated_name;
use crate::schema::{
    AlterTable, CreateTable, ForeignKeyAction, ForeignKeyDefinition, Operation, TableCommand,
};

/// What is wrong with `operation` against `model`, before it is applied.
pub(super) fn operation(model: &Model, operation: &Operation) -> Vec<Problem> {
    match operation {
        Operation::CreateTable(create) => create_table(model, create),
        Operation::AlterTable(alter) => alter_table(model, alter),
        Operation::DropTable { table, if_exists } => drop_table(model, table, *if_exists),
        Operation::RenameTable { from, to } => rename_table(model, from, to),
        _ => Vec::new(),
    }
}

fn create_table(model: &Model, create: &CreateTable) -> Vec<Problem> {
    let name = &create.table;
    if model.table(name).is_some() && model.knows(name) {
        return vec![Problem::error(
            format!("create table `{name}`"),
            format!(
                "table `{name}` already exists; drop it first, or change it with \
                 schema.table(\"{name}\", ..)"
            ),
        )];
    }
    // The table's own columns, for keys that reference the table itself.
    let mut own = TableSnapshot::empty(name);
    let mut problems = Vec::new();
    for command in &create.commands {
        super::model::apply_command(model.dialect, &mut own, command);
    }
    // A key of `CREATE TABLE` is made with the table, before the table's unique indexes
    // (separate statements after it): on PostgreSQL and MySQL a key to the table itself can
    // only use its primary key.
    let mut keyed_only = own.clone();
    if model.dialect != Dialect::Sqlite {
        keyed_only.indexes.clear();
    }
    for key in create.foreign_keys() {
        let itself = (key.referenced_table == *name).then_some(&keyed_only);
        problems.extend(foreign_key(model, &own, key, itself));
    }
    problems
}

fn alter_table(model: &Model, alter: &AlterTable) -> Vec<Problem> {
    let name = &alter.table;
    if !model.knows(name) {
        return Vec::new();
    }
    if model.table(name).is_none() {
        return vec![Problem::error(
            format!("change table `{name}`"),
            format!("there is no table `{name}` at this point; check the name, or create it first"),
        )];
    }
    // Each command is checked against the model as the block's earlier commands left it: the
    // table itself in progress, and the keys of other tables following its renames.
    let mut model = model.clone();
    let mut problems = Vec::new();
    for command in &alter.commands {
        if let Some(table) = model.table(name) {
            problems.extend(table_command(&model, name, table, command));
        }
        model.apply_table_command(name, command);
    }
    problems
}

/// The column `name` of `table`, whatever its case where the database ignores case.
fn column<'t>(model: &Model, table: &'t TableSnapshot, name: &str) -> Option<&'t ColumnSnapshot> {
    table.column(name).or_else(|| {
        table
            .columns
            .iter()
            .find(|c| same_name(model.dialect, &c.name, name))
    })
}

/// The index `name` of `table`, whatever its case where the database ignores case.
fn index<'t>(model: &Model, table: &'t TableSnapshot, name: &str) -> Option<&'t IndexSnapshot> {
    table.index(name).or_else(|| {
        table
            .indexes
            .iter()
            .find(|i| same_name(model.dialect, &i.name, name))
    })
}

/// One command of a block changing table `full_name` (as the model names it), against the
/// table as the block's earlier commands left it.
fn table_command(
    model: &Model,
    full_name: &str,
    table: &TableSnapshot,
    command: &TableCommand,
) -> Vec<Problem> {
    let what = format!("{} of `{}`", command.describe(), table.name);
    let error = |problem: String| vec![Problem::error(what.clone(), problem)];
    let missing_column = |column: &str| {
        error(format!(
            "table `{}` has no column `{column}` at this point; check the name (an earlier \
             change may have renamed or dropped it)",
            table.name
        ))
    };
    let backed = match command {
        TableCommand::DropIndex { name, .. } => backing_key(model, full_name, table, Some(name)),
        TableCommand::DropPrimary => backing_key(model, full_name, table, None),
        _ => None,
    };
    if let Some(problem) = backed {
        return error(problem);
    }
    match command {
        TableCommand::AddColumn(added) if column(model, table, &added.name).is_some() => {
            error(format!(
                "table `{}` already has a column `{}`; use .change() to change it",
                table.name, added.name
            ))
        }
        TableCommand::ChangeColumn(changed) if column(model, table, &changed.name).is_none() => {
            missing_column(&changed.name)
        }
        TableCommand::ChangeColumn(changed) => changed_column(model, full_name, table, changed),
        TableCommand::DropColumn(dropped) if column(model, table, dropped).is_none() => {
            missing_column(dropped)
        }
        TableCommand::DropColumn(dropped) => {
            let own_key = table.foreign_keys.iter().find(|key| {
                key.columns
                    .iter()
                    .any(|c| same_name(model.dialect, c, dropped))
            });
            match own_key {
                Some(key) if model.dialect == Dialect::MySql => error(format!(
                    "MySQL cannot drop column `{dropped}` while foreign key {} of `{}` uses it; \
                     drop the key first, in the same block (t.drop_foreign([\"{dropped}\"]), or \
                     t.drop_constrained_foreign_id(\"{dropped}\") for both)",
                    key.name.as_deref().unwrap_or("(unnamed)"),
                    table.name
                )),
                _ => referenced_column(model, full_name, table, dropped, &what),
            }
        }
        TableCommand::RenameColumn { from, .. } if column(model, table, from).is_none() => {
            missing_column(from)
        }
        // A rename that changes only the case is not a clash where case does not matter.
        TableCommand::RenameColumn { from, to }
            if column(model, table, to)
                .is_some_and(|c| !same_name(model.dialect, &c.name, from)) =>
        {
            error(format!(
                "table `{}` already has a column `{to}`",
                table.name
            ))
        }
        TableCommand::AddIndex(_) | TableCommand::AddPrimary(_)
            if first_missing(model, table, index_columns(command)).is_some() =>
        {
            missing_column(first_missing(model, table, index_columns(command)).unwrap_or_default())
        }
        TableCommand::AddIndex(added) => {
            let name = added.name.clone().unwrap_or_else(|| {
                generated_name(&table.name, &added.columns, added.kind.suffix())
            });
            if index(model, table, &name).is_some() {
                error(format!(
                    "table `{}` already has an index `{name}`",
                    table.name
                ))
            } else {
                Vec::new()
            }
        }
        TableCommand::AddPrimary(_) if table.primary_key.is_some() => error(format!(
            "table `{}` already has a primary key; drop it first with t.drop_primary()",
            table.name
        )),
        TableCommand::DropPrimary if table.primary_key.is_none() => {
            error(format!("table `{}` has no primary key", table.name))
        }
        TableCommand::DropIndex { name, .. } | TableCommand::RenameIndex { from: name, .. }
            if index(model, table, name).is_none() =>
        {
            error(format!(
                "table `{}` has no index `{name}` (its indexes: {})",
                table.name,
                list(table.indexes.iter().map(|i| i.name.as_str()))
            ))
        }
        TableCommand::DropIndex { name, .. } if model.dialect == Dialect::MySql => {
            match foreign_key_needing(model, table, name) {
                Some(key) => error(format!(
                    "MySQL needs index `{name}` for foreign key {key} of `{}` (no other index \
                     starts with its columns); add an index on its columns first, in the same \
                     block (t.index([..]); for a down the tool derives, write down() and add it \
                     there), or drop the foreign key",
                    table.name
                )),
                None => Vec::new(),
            }
        }
        TableCommand::RenameIndex { to, .. } if index(model, table, to).is_some() => error(
            format!("table `{}` already has an index `{to}`", table.name),
        ),
        TableCommand::DropForeign(name) if table.foreign_key(name).is_none() => {
            // A key declared without a name (SQLite) might be the one meant: stay silent.
            if table.foreign_keys.iter().any(|k| k.name.is_none()) {
                return Vec::new();
            }
            error(format!(
                "table `{}` has no foreign key `{name}` (its foreign keys: {})",
                table.name,
                list(table.foreign_keys.iter().filter_map(|k| k.name.as_deref()))
            ))
        }
        TableCommand::AddForeign(key) => match first_missing(model, table, &key.columns) {
            Some(column) => missing_column(column),
            None => {
                let itself = (key.referenced_table == full_name).then_some(table);
                foreign_key(model, table, key, itself)
            }
        },
        _ => Vec::new(),
    }
}

/// A `change()` of an existing column: an auto-increment column cannot lose its increment
/// (a change to an auto-increment type is refused when the plan is rendered), a key that sets
/// the column to NULL needs it nullable, and its new type must still fit every foreign key it
/// is part of, on either side.
fn changed_column(
    model: &Model,
    full_name: &str,
    table: &TableSnapshot,
    changed: &crate::schema::ColumnDefinition,
) -> Vec<Problem> {
    let what = format!("change column {} of `{}`", changed.name, table.name);
    let Some(old) = column(model, table, &changed.name) else {
        return Vec::new();
    };
    if old.auto_increment && !changed.column_type.is_auto_increment() {
        return vec![Problem::error(
            what,
            format!(
                "column `{}` of `{}` is auto-incrementing, which change() would take away \
                 (MySQL drops AUTO_INCREMENT, SQLite AUTOINCREMENT, PostgreSQL refuses); leave \
                 the key as it is, or change it with schema.raw_for(..) per database",
                old.name, table.name
            ),
        )];
    }
    let mut new = super::model::column_model(model.dialect, changed);
    new.name = old.name.clone();
    let mut after = table.clone();
    if let Some(slot) = after.columns.iter_mut().find(|c| c.name == old.name) {
        *slot = new.clone();
    }
    let own_keys = after.foreign_keys.iter().filter(|key| {
        key.columns
            .iter()
            .any(|c| same_name(model.dialect, c, &old.name))
    });
    let mut problems: Vec<Problem> = own_keys
        .filter_map(|key| {
            let actions = (key.on_delete, key.on_update);
            set_null_on_not_null(model, &what, &after, &key.columns, actions)
        })
        .take(1)
        .collect();
    problems.extend(keys_still_fit(model, full_name, &after, old, &new, &what));
    problems
}

/// The foreign keys column `old` (becoming `new`) of `table` takes part in, checked against
/// its new type; on MySQL any type change of such a column is refused, as MySQL refuses it.
fn keys_still_fit(
    model: &Model,
    full_name: &str,
    table: &TableSnapshot,
    old: &ColumnSnapshot,
    new: &ColumnSnapshot,
    what: &str,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (child, source, parent, target, key) in keys_using(model, full_name, table, &old.name) {
        let key_what = format!("{what} (foreign key {key})");
        if model.dialect == Dialect::MySql && !same_type(old, new) {
            return vec![Problem::error(
                key_what,
                format!(
                    "MySQL cannot change the type of column `{}.{}` while foreign key {key} uses \
                     it; drop the key first (t.drop_foreign(..)), change the columns on both \
                     sides, then add the key again",
                    table.name, old.name
                ),
            )];
        }
        problems.extend(types(
            model.dialect,
            &key_what,
            child,
            source,
            parent,
            target,
        ));
    }
    problems
}

/// Every foreign key column `column` of `table` (as it will be) takes part in, as (child,
/// child column, parent, parent column, key name): its own keys, and the keys of other tables
/// that reference it.
fn keys_using<'m>(
    model: &'m Model,
    full_name: &str,
    table: &'m TableSnapshot,
    column_name: &str,
) -> Vec<(
    &'m TableSnapshot,
    &'m ColumnSnapshot,
    &'m TableSnapshot,
    &'m ColumnSnapshot,
    String,
)> {
    let dialect = model.dialect;
    let named = |key: &crate::introspect::ForeignKeySnapshot| {
        key.name.clone().unwrap_or_else(|| "(unnamed)".to_owned())
    };
    let mut found = Vec::new();
    for key in &table.foreign_keys {
        let Some(parent) = model
            .table(&key.referenced_table)
            .filter(|_| model.knows(&key.referenced_table))
        else {
            continue;
        };
        let itself = key.referenced_table == full_name;
        let parent = if itself { table } else { parent };
        for (source, target) in key.columns.iter().zip(&key.referenced_columns) {
            // A key to the table itself uses the column on both sides.
            let uses = same_name(dialect, source, column_name)
                || (itself && same_name(dialect, target, column_name));
            if !uses {
                continue;
            }
            if let (Some(s), Some(t)) =
                (column(model, table, source), column(model, parent, target))
            {
                found.push((table, s, parent, t, named(key)));
            }
        }
    }
    for (name, child) in &model.tables {
        if name == full_name || !model.knows(name) {
            continue;
        }
        for key in child
            .foreign_keys
            .iter()
            .filter(|k| k.referenced_table == full_name)
        {
            for (source, target) in key.columns.iter().zip(&key.referenced_columns) {
                if !same_name(dialect, target, column_name) {
                    continue;
                }
                if let (Some(s), Some(t)) =
                    (column(model, child, source), column(model, table, target))
                {
                    found.push((child, s, table, t, named(key)));
                }
            }
        }
    }
    found
}

/// Whether the primary key or a unique index of `parent` has columns that `fit`.
fn key_or_unique(parent: &TableSnapshot, fit: impl Fn(&[String]) -> bool) -> bool {
    parent
        .primary_key
        .as_ref()
        .is_some_and(|pk| fit(&pk.columns))
        || parent.indexes.iter().any(|i| i.unique && fit(&i.columns))
}

/// Whether `a` and `b` hold the same columns, in any order.
fn same_columns(dialect: Dialect, a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && b.iter().all(|c| a.iter().any(|k| same_name(dialect, k, c)))
}

/// Whether two columns have the same type as far as MySQL's foreign keys care.
fn same_type(a: &ColumnSnapshot, b: &ColumnSnapshot) -> bool {
    (family(a.family), a.integer_bytes, a.length, a.unsigned)
        == (family(b.family), b.integer_bytes, b.length, b.unsigned)
}

/// What refuses dropping unique index `index` (or, with `None`, the primary key) of `table`:
/// a foreign key that references exactly its columns, when no other unique index or key of
/// the table would still back it.
fn backing_key(
    model: &Model,
    full_name: &str,
    table: &TableSnapshot,
    index_name: Option<&str>,
) -> Option<String> {
    let dialect = model.dialect;
    let (columns, what) = match index_name {
        Some(name) => {
            let dropped = index(model, table, name).filter(|i| i.unique)?;
            (
                dropped.columns.clone(),
                format!("unique index `{}`", dropped.name),
            )
        }
        None => (
            table.primary_key.as_ref()?.columns.clone(),
            "the primary key".to_owned(),
        ),
    };
    let same_set = |key: &[String]| same_columns(dialect, key, &columns);
    let others = table
        .indexes
        .iter()
        .filter(|i| i.unique && Some(i.name.as_str()) != index_name)
        .any(|i| same_set(&i.columns))
        || (index_name.is_some()
            && table
                .primary_key
                .as_ref()
                .is_some_and(|pk| same_set(&pk.columns)));
    if others {
        return None;
    }
    model.tables.iter().filter(|(name, _)| model.knows(name)).find_map(|(name, child)| {
        let key = child.foreign_keys.iter().find(|key| {
            let to_pk = key.referenced_columns.is_empty() && index_name.is_none();
            key.referenced_table == full_name && (to_pk || same_set(&key.referenced_columns))
        })?;
        Some(format!(
            "{what} of `{}` backs foreign key {} of `{name}` (a key needs its referenced columns \
             unique); drop that foreign key first",
            table.name,
            key.name.as_deref().unwrap_or("(unnamed)")
        ))
    })
}

/// The foreign key that would be left without an index if index `name` went: MySQL keeps an
/// index whose first columns are a foreign key's columns, and refuses to drop the last one.
fn foreign_key_needing(model: &Model, table: &TableSnapshot, name: &str) -> Option<String> {
    let starts_with = |columns: &[String], key: &[String]| columns.starts_with(key);
    let dropped = index(model, table, name)?;
    table.foreign_keys.iter().find_map(|key| {
        let served = |columns: &[String]| starts_with(columns, &key.columns);
        let others = table
            .indexes
            .iter()
            .filter(|index| index.name != dropped.name)
            .any(|index| served(&index.columns))
            || table
                .primary_key
                .as_ref()
                .is_some_and(|pk| served(&pk.columns));
        (served(&dropped.columns) && !others)
            .then(|| key.name.clone().unwrap_or_else(|| "(unnamed)".to_owned()))
    })
}

/// The first of `columns` the table does not have.
fn first_missing<'c>(
    model: &Model,
    table: &TableSnapshot,
    columns: &'c [String],
) -> Option<&'c str> {
    columns
        .iter()
        .find(|c| column(model, table, c).is_none())
        .map(String::as_str)
}

fn index_columns(command: &TableCommand) -> &[String] {
    match command {
        TableCommand::AddIndex(index) => &index.columns,
        TableCommand::AddPrimary(key) => &key.columns,
        _ => &[],
    }
}

/// A foreign key from `child` (its columns known) to the table it names; `itself` is the
/// child, as far as it is made at this point, when the key references its own table.
fn foreign_key(
    model: &Model,
    child: &TableSnapshot,
    key: &ForeignKeyDefinition,
    itself: Option<&TableSnapshot>,
) -> Vec<Problem> {
    let what = format!(
        "foreign key {} of `{}`",
        key.name
            .clone()
            .unwrap_or_else(|| generated_name(&child.name, &key.columns, "foreign")),
        child.name
    );
    let parent_name = key.referenced_table.as_str();
    if !key.referenced_columns.is_empty() && key.columns.len() != key.referenced_columns.len() {
        return vec![Problem::error(
            what,
            format!(
                "it has {} column(s) ({}) but references {} ({}); give .references(..) one \
                 column for each column of the key",
                key.columns.len(),
                key.columns.join(", "),
                key.referenced_columns.len(),
                key.referenced_columns.join(", ")
            ),
        )];
    }
    if parent_name.is_empty() || !model.knows(parent_name) {
        return Vec::new();
    }
    let parent = match itself {
        Some(own) => own,
        None => match model.table(parent_name) {
            Some(parent) => parent,
            None => {
                return vec![Problem::error(
                    what,
                    format!(
                        "it references table `{parent_name}`, which does not exist at this point; \
                         create `{parent_name}` in an earlier migration (or earlier in this one) \
                         than `{}`",
                        child.name
                    ),
                )];
            }
        },
    };
    let mut problems = Vec::new();
    let all_found = key
        .referenced_columns
        .iter()
        .all(|c| column(model, parent, c).is_some());
    if all_found {
        problems.extend(referenced_key(
            model,
            &what,
            parent,
            &key.referenced_columns,
        ));
    }
    let actions = (key.on_delete, key.on_update);
    problems.extend(set_null_on_not_null(
        model,
        &what,
        child,
        &key.columns,
        actions,
    ));
    for (source, referenced) in key.columns.iter().zip(&key.referenced_columns) {
        let Some(target) = column(model, parent, referenced) else {
            problems.push(Problem::error(
                what.clone(),
                format!(
                    "it references column `{parent_name}.{referenced}`, which does not exist; \
                     check the name in .references(..)"
                ),
            ));
            continue;
        };
        if let Some(source) = column(model, child, source) {
            problems.extend(types(model.dialect, &what, child, source, parent, target));
        }
    }
    problems
}

/// A key that sets its columns to NULL (`ON DELETE`/`ON UPDATE SET NULL`) over a column of
/// `child` that cannot hold NULL: MySQL refuses the key; PostgreSQL and SQLite accept it and
/// then fail the delete or update of a parent row, so it is a warning there.
fn set_null_on_not_null(
    model: &Model,
    what: &str,
    child: &TableSnapshot,
    columns: &[String],
    (on_delete, on_update): (ForeignKeyAction, ForeignKeyAction),
) -> Option<Problem> {
    let clause = match (on_delete, on_update) {
        (ForeignKeyAction::SetNull, _) => "on_delete",
        (_, ForeignKeyAction::SetNull) => "on_update",
        _ => return None,
    };
    let required = columns
        .iter()
        .filter_map(|c| column(model, child, c))
        .find(|c| !c.nullable)?;
    let problem = format!(
        "its {clause}(SetNull) sets `{}.{}` to NULL, but the column is NOT NULL; make it \
         .nullable(), or choose another action for {clause}",
        child.name, required.name
    );
    Some(match model.dialect {
        Dialect::MySql => Problem::error(
            what.to_owned(),
            format!("MySQL refuses this key: {problem}"),
        ),
        _ => Problem {
            severity: Severity::Warning,
            operation: what.to_owned(),
            problem: format!("{problem} (the parent row's change would then fail)"),
        },
    })
}

/// Whether `columns` of `parent` can be referenced: every database needs them to be its
/// primary key or a unique index (SQLite otherwise fails every write to the child with
/// "foreign key mismatch"); MySQL makes do with any index that starts with them, which is only
/// a warning there.
fn referenced_key(
    model: &Model,
    what: &str,
    parent: &TableSnapshot,
    columns: &[String],
) -> Option<Problem> {
    let dialect = model.dialect;
    // PostgreSQL and SQLite take the key's columns in any order; InnoDB needs an index whose
    // first columns are the key's, in its order.
    let matches = |key: &[String]| match dialect {
        Dialect::MySql => {
            key.len() == columns.len()
                && key
                    .iter()
                    .zip(columns)
                    .all(|(k, c)| same_name(dialect, k, c))
        }
        _ => same_columns(dialect, key, columns),
    };
    if columns.is_empty() || key_or_unique(parent, matches) {
        return None;
    }
    let spelled = columns.join(", ");
    let fix = format!(
        "make ({spelled}) unique in `{}` first (t.unique([..]) or .unique()), or reference its \
         primary key",
        parent.name
    );
    let starts = |index: &[String]| {
        index.len() >= columns.len()
            && index
                .iter()
                .zip(columns)
                .all(|(i, c)| same_name(dialect, i, c))
    };
    let indexed = parent.indexes.iter().any(|index| starts(&index.columns))
        || parent
            .primary_key
            .as_ref()
            .is_some_and(|pk| starts(&pk.columns));
    if dialect == Dialect::MySql && indexed {
        return Some(Problem {
            severity: Severity::Warning,
            operation: what.to_owned(),
            problem: format!(
                "it references ({spelled}) of `{}`, which is not unique: MySQL accepts it, \
                 PostgreSQL and SQLite do not; {fix}",
                parent.name
            ),
        });
    }
    let reordered = key_or_unique(parent, |key| same_columns(dialect, key, columns));
    if dialect == Dialect::MySql && reordered {
        return Some(Problem::error(
            what.to_owned(),
            format!(
                "it references ({spelled}) of `{}`, and MySQL needs an index whose first \
                 columns are these, in this order (a key or unique index over them in another \
                 order does not count); {fix}, in the key's column order",
                parent.name
            ),
        ));
    }
    Some(Problem::error(
        what.to_owned(),
        format!(
            "it references ({spelled}) of `{}`, which is neither its primary key nor unique; \
             {fix}",
            parent.name
        ),
    ))
}

/// Whether a foreign-key column's type fits the referenced column's.
fn types(
    dialect: Dialect,
    what: &str,
    child: &TableSnapshot,
    source: &ColumnSnapshot,
    parent: &TableSnapshot,
    target: &ColumnSnapshot,
) -> Option<Problem> {
    let names = format!(
        "`{}.{}` is {} but `{}.{}` is {}",
        child.name,
        source.name,
        spelled(source),
        parent.name,
        target.name,
        spelled(target)
    );
    let fix = "give both the same type (t.foreign_id(..) matches t.id())";
    let backend = backend::of(dialect);
    let text = [source, target]
        .iter()
        .any(|c| c.family == TypeFamily::Text);
    if text && backend.refuses_foreign_keys_on_text() {
        return Some(Problem::error(
            what.to_owned(),
            format!(
                "{names}: MySQL cannot make a foreign key on a TEXT column (it cannot index one \
                 without a prefix length); make both columns t.string(..) of the same length"
            ),
        ));
    }
    if family(source.family) != family(target.family) {
        // A type the check cannot place (a SQLite column without a declared type, a domain,
        // an enum) may well fit: the database decides, the check only warns.
        let unplaced = [source, target]
            .iter()
            .any(|c| c.family == TypeFamily::Other);
        if unplaced {
            return Some(Problem {
                severity: Severity::Warning,
                operation: what.to_owned(),
                problem: format!(
                    "{names}: check that the types match, or values may not find their parent \
                     rows; {fix}"
                ),
            });
        }
        // SQLite itself would accept it, comparing by the parent column's affinity; it is
        // refused there too, so that a migration that passes on SQLite does not fail on
        // PostgreSQL or MySQL.
        return Some(Problem::error(
            what.to_owned(),
            format!("{names}: a foreign key needs the same type on both sides; {fix}"),
        ));
    }
    let integers = source.family == TypeFamily::Integer;
    let widths = (source.integer_bytes, target.integer_bytes);
    let width_differs = matches!(widths, (Some(a), Some(b)) if a != b);
    let sign_differs = source.unsigned != target.unsigned;
    if !integers || !(width_differs || sign_differs) {
        return None;
    }
    if backend.refuses_foreign_keys_between_integer_widths() {
        return Some(Problem::error(
            what.to_owned(),
            format!(
                "{names}: MySQL refuses a foreign key between integers of different size or \
                 signedness; {fix}"
            ),
        ));
    }
    Some(Problem {
        severity: Severity::Warning,
        operation: what.to_owned(),
        problem: format!(
            "{names}: the database accepts it, but ids beyond the smaller type will not fit; {fix}"
        ),
    })
}

/// The type family as far as a foreign key cares: `varchar` and `text` are binary compatible.
fn family(family: TypeFamily) -> TypeFamily {
    match family {
        TypeFamily::Text => TypeFamily::String,
        other => other,
    }
}

fn spelled(column: &ColumnSnapshot) -> String {
    if column.data_type.is_empty() {
        format!("{:?}", column.family).to_lowercase()
    } else {
        column.data_type.clone()
    }
}

fn drop_table(model: &Model, table: &str, if_exists: bool) -> Vec<Problem> {
    if !model.knows(table) {
        return Vec::new();
    }
    let what = format!("drop table `{table}`");
    if model.table(table).is_none() {
        if if_exists {
            return Vec::new();
        }
        return vec![Problem::error(
            what,
            format!(
                "there is no table `{table}` at this point; use drop_if_exists if that is expected"
            ),
        )];
    }
    let children: Vec<String> = model
        .tables
        .iter()
        .filter(|(name, _)| name.as_str() != table && model.knows(name))
        .filter_map(|(name, child)| {
            child
                .foreign_keys
                .iter()
                .find(|key| key.referenced_table == table)
                .map(|key| {
                    format!(
                        "`{name}` ({})",
                        key.name.as_deref().unwrap_or("unnamed key")
                    )
                })
        })
        .collect();
    if children.is_empty() {
        return Vec::new();
    }
    vec![Problem::error(
        what,
        format!(
            "table `{table}` is still referenced by {}; drop those tables or their foreign keys \
             first (in a down, drop the child tables before their parents)",
            children.join(", ")
        ),
    )]
}

/// Dropping a column another table's foreign key (or one of the table's own, to itself)
/// references, with the model as it is at this point (keys dropped earlier are gone).
fn referenced_column(
    model: &Model,
    full_name: &str,
    table: &TableSnapshot,
    column: &str,
    what: &str,
) -> Vec<Problem> {
    let is_it = |c: &String| same_name(model.dialect, c, column);
    let referencing = model.tables.iter().find_map(|(name, child)| {
        if !model.knows(name) {
            return None;
        }
        child.foreign_keys.iter().find_map(|key| {
            let points_here =
                key.referenced_table == full_name && key.referenced_columns.iter().any(is_it);
            let own = name == full_name && key.columns.iter().any(is_it);
            (points_here && !own).then(|| (name.clone(), key.name.clone()))
        })
    });
    match referencing {
        Some((child, key)) => vec![Problem::error(
            what.to_owned(),
            format!(
                "column `{}.{column}` is referenced by foreign key {} of `{child}`; drop that \
                 foreign key first",
                table.name,
                key.unwrap_or_else(|| "(unnamed)".to_owned())
            ),
        )],
        None => Vec::new(),
    }
}

fn rename_table(model: &Model, from: &str, to: &str) -> Vec<Problem> {
    let what = format!("rename table `{from}` to `{to}`");
    if model.knows(from) && model.table(from).is_none() {
        return vec![Problem::error(
            what,
            format!("there is no table `{from}` at this point; check the name"),
        )];
    }
    // PostgreSQL keeps the table in its schema: `to` is looked up there.
    let target = model.renamed(from, to);
    if model.knows(&target) && model.table(&target).is_some() {
        return vec![Problem::error(
            what,
            format!("table `{target}` already exists"),
        )];
    }
    Vec::new()
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}
