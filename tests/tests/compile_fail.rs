//! Every misuse of `#[migration]` is exactly one compile error, pointing at the offending tokens.
//! The expected messages are the `.stderr` files next to each case in `tests/ui/`.

#[test]
fn misuses_of_the_migration_attribute_are_one_error_each() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    // The file-name check only applies inside a `migrations/` folder.
    t.compile_fail("tests/ui/migrations/*.rs");
    // A correct migration compiles, registers itself and is found at run time.
    t.pass("tests/ui/pass/*.rs");
}
