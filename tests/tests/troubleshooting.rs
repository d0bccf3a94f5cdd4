//! docs/troubleshooting.md is backed by tests: every entry names a test that exists and that
//! contains the words the entry says it checks, so the catalogue cannot drift from what the
//! framework prints.

use std::path::{Path, PathBuf};

/// One `Test: <file> → <test>, checking «<text>»` line.
#[derive(Debug)]
struct Backing {
    entry: String,
    file: PathBuf,
    test: Option<String>,
    checked: String,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the workspace")
        .to_path_buf()
}

fn catalogue() -> String {
    std::fs::read_to_string(workspace().join("docs/troubleshooting.md")).expect("the catalogue")
}

fn backings(catalogue: &str) -> Vec<Backing> {
    let mut entry = String::new();
    let mut found = Vec::new();
    for line in catalogue.lines() {
        if let Some(title) = line.strip_prefix("### ") {
            entry = title.to_owned();
        }
        let Some(rest) = line.strip_prefix("Test: ") else {
            continue;
        };
        let (file, rest) = rest.split_once(" → ").unwrap_or_else(|| panic!("{line}"));
        let (test, rest) = rest
            .split_once(", checking «")
            .unwrap_or_else(|| panic!("{line}"));
        let checked = rest.strip_suffix('»').unwrap_or_else(|| panic!("{line}"));
        found.push(Backing {
            entry: entry.clone(),
            file: workspace().join(file),
            test: (test != "-").then(|| test.to_owned()),
            checked: checked.to_owned(),
        });
    }
    found
}

#[test]
fn the_catalogue_has_at_least_forty_entries_each_backed_by_a_test() {
    let catalogue = catalogue();
    let entries = catalogue.lines().filter(|l| l.starts_with("### ")).count();
    let backed = backings(&catalogue);
    assert!(entries >= 40, "{entries} entries");
    assert_eq!(backed.len(), entries, "one Test: line per entry");
    let mut problems = Vec::new();
    for backing in &backed {
        let source = std::fs::read_to_string(&backing.file)
            .unwrap_or_else(|e| panic!("{}: {}: {e}", backing.entry, backing.file.display()));
        if let Some(test) = &backing.test {
            let defined = [format!("fn {test}("), format!("mod {test} ")]
                .iter()
                .any(|definition| source.contains(definition.as_str()));
            if !defined {
                problems.push(format!(
                    "{}: no test `{test}` in {}",
                    backing.entry,
                    backing.file.display()
                ));
            }
        }
        if !source.contains(&backing.checked) {
            problems.push(format!(
                "{}: {} does not contain «{}»",
                backing.entry,
                backing.file.display(),
                backing.checked
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn entries_are_numbered_in_order() {
    let numbers: Vec<usize> = catalogue()
        .lines()
        .filter_map(|line| line.strip_prefix("### "))
        .map(|title| {
            let (number, _) = title.split_once(". ").expect("numbered");
            number.parse().expect("a number")
        })
        .collect();
    let expected: Vec<usize> = (1..=numbers.len()).collect();
    assert_eq!(numbers, expected);
}
