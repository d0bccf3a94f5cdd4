//! W4: what `#[migration]` files cost the build, beside the same migrations in a hand-written
//! list.
//!
//! Three crates are generated in a workspace of their own, each with N migrations of the shape
//! W1 applies (a `CREATE TABLE` of four columns and an index), one file each, all depending on
//! this workspace's `ormed-migrate` by path:
//!
//! - `w4-macro`, ours: laid out as the README and `examples/blog` say, `src/migrations/<id>.rs`
//!   with `#[migration("<id>")]` on each impl, `build.rs` calling
//!   `ormed_migrate_build::compile_migrations()`, and `ormed_migrate::migrations!()` with
//!   `build_migrations()` in `main.rs`;
//! - `w4-list`, the floor: the same impls without the attribute, a `mod` line each and one
//!   `MigrationEntry::new` each in a hand-written list, `MigrationEntry::build_descriptors` in
//!   `main.rs`, no build script;
//! - `w4-expanded`, to tell costs apart: `w4-macro` with each `#[migration]` replaced by the code
//!   it expands to (the same `inventory` registration, a stand-in checksum literal of the same
//!   length), so the proc macro never runs but everything else is the same.
//!
//! The workspace's target directory is its own and kept between runs, so its dependencies (sqlx,
//! tokio, …) are compiled once, before anything is timed; every timed build is checked to have
//! compiled only the crate itself. Timed, in the debug profile as `cargo build`:
//!
//! - clean build: `cargo clean -p <crate>` (not timed), then `cargo build -p <crate>`: its build
//!   script compiled and run (`w4-macro`, `w4-expanded`), the crate compiled and linked;
//! - rebuild: one column renamed in one migration file (the middle one), then `cargo build`;
//! - no-op build: `cargo build` with nothing changed (Cargo's own checks).
//!
//! Each clean build and rebuild is also given as CPU time (user and system, of cargo and all it
//! ran, from `/proc/self/stat` on Linux): on a shared machine it moves less than the wall time.
//! After the table, how often the build script re-ran on an edit (with `-v`, Cargo says when it
//! runs one).
//!
//! The directory is `$ORMED_BENCH_W4_DIR`, else `ormed-migrate-bench-w4` in the harness's own
//! target directory (the temp directory if that is not found); its target directory takes 1–2
//! GB, and the first run spends a few minutes compiling its dependencies.

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta};

use super::measure::Figures;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// One generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `#[migration]` files and the build script: ours.
    Macro,
    /// The macro's expansion written out.
    Expanded,
    /// A hand-written `MigrationEntry` list: the floor.
    List,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Macro, Kind::Expanded, Kind::List];

    fn package(self) -> &'static str {
        match self {
            Kind::Macro => "w4-macro",
            Kind::Expanded => "w4-expanded",
            Kind::List => "w4-list",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Macro => "ours",
            Kind::Expanded => "expanded, no macro",
            Kind::List => "floor (listed by hand)",
        }
    }

    fn has_build_script(self) -> bool {
        self != Kind::List
    }
}

/// One generated migration.
struct Generated {
    id: String,
    type_name: String,
    table: String,
}

fn migrations(count: usize) -> Result<Vec<Generated>> {
    let start = NaiveDate::from_ymd_opt(2025, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or("start date")?;
    Ok((0..count)
        .map(|n| {
            let at = start + TimeDelta::seconds(n as i64);
            Generated {
                id: format!("m_{}_create_bench_{n:05}", at.format("%Y%m%d%H%M%S")),
                type_name: format!("CreateBench{n:05}"),
                table: format!("bench_{n:05}"),
            }
        })
        .collect())
}

/// The column the edit renames: `n` in the original, `n_edited` after an odd number of edits.
const COLUMN: &str = "t.integer(\"n\");";
const EDITED: &str = "t.integer(\"n_edited\");";

/// The impl block, the same in every crate.
fn impl_block(m: &Generated) -> String {
    format!(
        r#"impl Migration for {ty} {{
    fn up(&self, schema: &mut Schema) {{
        schema.create("{table}", |t| {{
            t.id();
            t.string("name").length(100);
            {COLUMN}
            t.timestamp("created_at").nullable();
            t.index(["name"]);
        }});
    }}

    fn down(&self, schema: &mut Schema) {{
        schema.drop("{table}");
    }}
}}
"#,
        ty = m.type_name,
        table = m.table
    )
}

/// A migration file of `kind`.
fn migration_file(kind: Kind, m: &Generated, n: usize) -> String {
    let head = format!(
        "use ormed_migrate::prelude::*;\n\n#[derive(Default)]\npub struct {};\n\n",
        m.type_name
    );
    match kind {
        Kind::Macro => format!("{head}#[migration(\"{}\")]\n{}", m.id, impl_block(m)),
        // What `#[migration]` expands to (see ormed-migrate-macros/src/expand.rs).
        Kind::Expanded => format!(
            "{head}{}const _: () = {{\n    ::ormed_migrate::__private::inventory::submit! {{\n        \
             ::ormed_migrate::__private::Registration::new(\n            \"{id}\",\n            \
             \"sha256:{n:064x}\",\n            ::core::file!(),\n            ::core::line!(),\n  \
             \x20         ::ormed_migrate::__private::RegistrationOptions::DEFAULT,\n            \
             ::ormed_migrate::__private::construct::<{ty}>,\n        )\n    }}\n}};\n",
            impl_block(m),
            id = m.id,
            ty = m.type_name
        ),
        Kind::List => format!("{head}{}", impl_block(m)),
    }
}

/// The workspace and its three crates, written afresh (the target directory is kept).
fn generate(dir: &Path, root: &Path, all: &[Generated]) -> Result<()> {
    let members: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{:?}", k.package()))
        .collect();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "# @generated by ormed-migrate-bench (W4); rewritten on every run.\n[workspace]\n\
             resolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )?;
    // The workspace's own versions of every dependency, and no registry look-up.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    let path_of = |krate: &str| format!("{:?}", root.join(krate).display().to_string());
    for kind in Kind::ALL {
        let krate = dir.join(kind.package());
        if krate.exists() {
            std::fs::remove_dir_all(&krate)?;
        }
        std::fs::create_dir_all(krate.join("src/migrations"))?;
        let mut manifest = format!(
            "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\normed-migrate = {{ path = {} }}\n",
            kind.package(),
            path_of("ormed-migrate")
        );
        if kind.has_build_script() {
            writeln!(
                manifest,
                "\n[build-dependencies]\normed-migrate-build = {{ path = {} }}",
                path_of("ormed-migrate-build")
            )?;
            std::fs::write(
                krate.join("build.rs"),
                "fn main() {\n    ormed_migrate_build::compile_migrations();\n}\n",
            )?;
        }
        std::fs::write(krate.join("Cargo.toml"), manifest)?;
        let main = match kind {
            Kind::Macro | Kind::Expanded => {
                "ormed_migrate::migrations!();\n\nfn main() {\n    let migrations = \
                 ormed_migrate::build_migrations().expect(\"valid migrations\");\n    \
                 println!(\"{}\", migrations.len());\n}\n"
            }
            Kind::List => {
                "mod migrations;\n\nfn main() {\n    let migrations = \
                 ormed_migrate::MigrationEntry::build_descriptors(migrations::entries())\n        \
                 .expect(\"valid migrations\");\n    println!(\"{}\", migrations.len());\n}\n"
            }
        };
        std::fs::write(krate.join("src/main.rs"), main)?;
        for (n, m) in all.iter().enumerate() {
            std::fs::write(
                krate.join(format!("src/migrations/{}.rs", m.id)),
                migration_file(kind, m, n),
            )?;
        }
        if kind == Kind::List {
            std::fs::write(krate.join("src/migrations/mod.rs"), list_module(all))?;
        }
    }
    Ok(())
}

/// The hand-written list: a `mod` line and an entry per migration.
fn list_module(all: &[Generated]) -> String {
    let mut out = String::from("use ormed_migrate::{MigrationEntry, MigrationId};\n\n");
    for m in all {
        out.push_str(&format!("mod {};\n", m.id));
    }
    out.push_str("\npub fn entries() -> Vec<MigrationEntry> {\n    vec![\n");
    for m in all {
        out.push_str(&format!(
            "        MigrationEntry::new(id(\"{id}\"), {id}::{ty}),\n",
            id = m.id,
            ty = m.type_name
        ));
    }
    out.push_str(
        "    ]\n}\n\nfn id(text: &str) -> MigrationId {\n    \
         MigrationId::parse(text).expect(\"a valid id\")\n}\n",
    );
    out
}

/// Runs the generated workspace's cargo.
struct Cargo {
    dir: PathBuf,
    program: std::ffi::OsString,
}

/// What one `cargo build -v` did.
struct Build {
    took: Duration,
    /// The CPU time (user and system) of cargo and everything it ran, where it can be read.
    cpu: Option<Duration>,
    /// The packages it compiled.
    compiled: Vec<String>,
    /// Whether it ran a build script.
    ran_build_script: bool,
    stderr: String,
}

impl Cargo {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", self.dir.join("target"))
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("CARGO_BUILD_TARGET_DIR");
        command
    }

    fn run(&self, args: &[&str]) -> Result<(Duration, Option<Duration>, String)> {
        let cpu_before = children_cpu();
        let started = Instant::now();
        let output = self.command(args).output()?;
        let took = started.elapsed();
        let cpu = children_cpu()
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if !output.status.success() {
            return Err(format!("`cargo {}` failed:\n{stderr}", args.join(" ")).into());
        }
        Ok((took, cpu, stderr))
    }

    fn build(&self, kind: Kind) -> Result<Build> {
        let (took, cpu, stderr) = self.run(&["build", "-v", "-p", kind.package()])?;
        let compiled = stderr
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("Compiling "))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
            .collect();
        let ran_build_script = stderr
            .lines()
            .any(|line| line.trim_start().starts_with("Running") && line.contains("build-script"));
        Ok(Build {
            took,
            cpu,
            compiled,
            ran_build_script,
            stderr,
        })
    }

    /// `prepare`, then a timed build that must compile `kind` alone (nothing at all, when
    /// `nothing`). A build that also compiled a dependency (this workspace was edited during the
    /// run) is measured again, with `prepare` again.
    fn timed_build(
        &self,
        kind: Kind,
        nothing: bool,
        mut prepare: impl FnMut() -> Result<()>,
    ) -> Result<Build> {
        let expected: &[&str] = if nothing { &[] } else { &[kind.package()] };
        for _ in 0..3 {
            prepare()?;
            let build = self.build(kind)?;
            // Cargo's summary of the crate's own warnings (a path dependency's are replayed too).
            if build
                .stderr
                .contains(&format!("warning: `{}`", kind.package()))
            {
                return Err(
                    format!("{} builds with warnings:\n{}", kind.package(), build.stderr).into(),
                );
            }
            if build.compiled == expected {
                return Ok(build);
            }
            eprintln!(
                "(W4: the build of {} also compiled {:?}, edited meanwhile; measuring again)",
                kind.package(),
                build.compiled
            );
        }
        Err(format!("{}: its dependencies keep changing", kind.package()).into())
    }
}

/// The CPU time (user and system) of this process's children that have ended, and of theirs
/// that those waited for: every process a `cargo build` ran. Linux only (`/proc/self/stat`).
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name in parentheses: field 3 (state) onwards; cutime and cstime are
    // fields 16 and 17, in clock ticks.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(
        ticks as f64 / clock_ticks_per_second(),
    ))
}

/// `getconf CLK_TCK`, asked once; 100 (Linux's value) if that fails.
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
            .filter(|ticks: &f64| *ticks > 0.0)
            .unwrap_or(100.0)
    })
}

/// `ormed-migrate-bench-w4` in the target directory the harness itself was built in (so that
/// `cargo clean` removes it and CI keeps it as long as its own build cache), else in the temp
/// directory.
fn default_dir() -> PathBuf {
    let target_dir = std::env::current_exe().ok().and_then(|exe| {
        // <target>/<profile>/ormed-migrate-bench
        let target = exe.parent()?.parent()?.to_path_buf();
        target.join("CACHEDIR.TAG").exists().then_some(target)
    });
    target_dir
        .unwrap_or_else(std::env::temp_dir)
        .join("ormed-migrate-bench-w4")
}

/// W4's figures, and notes on what the builds did.
pub struct Outcome {
    pub figures: Vec<Figures>,
    pub notes: Vec<String>,
}

/// W4 with `count` migrations per crate, `reps` times.
pub fn run(count: usize, reps: usize) -> Result<Outcome> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the bench crate has no parent directory")?
        .to_path_buf();
    let dir = match std::env::var_os("ORMED_BENCH_W4_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => default_dir(),
    };
    std::fs::create_dir_all(&dir)?;
    let all = migrations(count)?;
    generate(&dir, &root, &all)?;
    let cargo = Cargo {
        dir: dir.clone(),
        program: std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
    };

    // Dependencies once, untimed; then each binary must find all its migrations.
    let warm = Instant::now();
    cargo.run(&["build", "--workspace"])?;
    eprintln!(
        "(W4: {} migrations generated in {}; dependencies and the three crates built in {:.1} \
         s, not timed)",
        count,
        dir.display(),
        warm.elapsed().as_secs_f64()
    );
    for kind in Kind::ALL {
        let binary = dir.join("target/debug").join(kind.package());
        let output = Command::new(&binary).output()?;
        let printed = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !output.status.success() || printed != count.to_string() {
            return Err(format!(
                "{} found {printed:?} migrations, not {count}: {}",
                kind.package(),
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
    }

    let edited = all.get(count / 2).ok_or("no migration to edit")?;
    let mut clean: Vec<Figures> = Kind::ALL
        .iter()
        .map(|k| Figures::new("W4 clean build", k.label(), *k == Kind::List))
        .collect();
    let mut rebuild: Vec<Figures> = Kind::ALL
        .iter()
        .map(|k| Figures::new("W4 rebuild", k.label(), *k == Kind::List))
        .collect();
    let mut clean_cpu: Vec<Figures> = Kind::ALL
        .iter()
        .map(|k| Figures::new("W4 clean, CPU", k.label(), *k == Kind::List))
        .collect();
    let mut rebuild_cpu: Vec<Figures> = Kind::ALL
        .iter()
        .map(|k| Figures::new("W4 rebuild, CPU", k.label(), *k == Kind::List))
        .collect();
    let mut noop: Vec<Figures> = Kind::ALL
        .iter()
        .map(|k| Figures::new("W4 no-op build", k.label(), *k == Kind::List))
        .collect();
    let mut reran = [0usize; 3];
    for rep in 0..reps {
        // The order turns each repetition, so that no crate always builds first.
        let order: Vec<usize> = (0..3).map(|i| (rep + i) % 3).collect();
        for &i in &order {
            let kind = Kind::ALL[i];
            let clean_it = || cargo.run(&["clean", "-p", kind.package()]).map(drop);
            let build = cargo.timed_build(kind, false, clean_it)?;
            clean[i].times.push(build.took);
            clean_cpu[i].times.extend(build.cpu);
        }
        for &i in &order {
            let kind = Kind::ALL[i];
            let file = dir
                .join(kind.package())
                .join(format!("src/migrations/{}.rs", edited.id));
            let edit = || -> Result<()> {
                let text = std::fs::read_to_string(&file)?;
                let text = if text.contains(COLUMN) {
                    text.replacen(COLUMN, EDITED, 1)
                } else {
                    text.replacen(EDITED, COLUMN, 1)
                };
                Ok(std::fs::write(&file, text)?)
            };
            let build = cargo.timed_build(kind, false, edit)?;
            rebuild[i].times.push(build.took);
            rebuild_cpu[i].times.extend(build.cpu);
            reran[i] += usize::from(build.ran_build_script);
        }
        for &i in &order {
            let build = cargo.timed_build(Kind::ALL[i], true, || Ok(()))?;
            noop[i].times.push(build.took);
        }
    }
    let notes = Kind::ALL
        .iter()
        .zip(reran)
        .filter(|(kind, _)| kind.has_build_script())
        .map(|(kind, reran)| {
            format!(
                "{}: its build script re-ran on {reran} of {reps} one-file edits",
                kind.package()
            )
        })
        .collect();
    let mut figures = Vec::new();
    let measured_cpu = clean_cpu.iter().all(|f| !f.times.is_empty());
    let mut groups = vec![clean, rebuild, noop];
    if measured_cpu {
        groups.extend([clean_cpu, rebuild_cpu]);
    }
    for mut group in groups {
        // The floor first, as in the other tables.
        group.rotate_right(1);
        figures.extend(group);
    }
    Ok(Outcome { figures, notes })
}
