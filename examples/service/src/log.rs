//! A minimal `tracing` subscriber: one line on stderr per event, `LEVEL message key=value…`.
//! A real service installs `tracing-subscriber` (or its own exporter) instead; this example
//! keeps to the workspace's dependencies, and so that the start-up's log can be read.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Installs the subscriber for the whole process.
pub fn init() {
    let stderr = Stderr {
        next_span: AtomicU64::new(1),
    };
    if let Err(error) = tracing::subscriber::set_global_default(stderr) {
        eprintln!("warning: no log: {error}");
    }
}

struct Stderr {
    next_span: AtomicU64,
}

impl Subscriber for Stderr {
    /// Information from the service and the migrations; only warnings and errors from the
    /// libraries beneath (sqlx logs every statement at lower levels).
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let ours = ["service", "ormed_migrate"]
            .iter()
            .any(|prefix| metadata.target().starts_with(prefix));
        let level = *metadata.level();
        level <= Level::WARN || (ours && level <= Level::INFO)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        // Spans are not printed, but each needs an id of its own (never 0).
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut line = Line::default();
        event.record(&mut line);
        eprintln!(
            "{:>5} {}{}",
            event.metadata().level(),
            line.message,
            line.fields
        );
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// An event's message and its other fields.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_owned(),
            name => {
                let _ = write!(self.fields, " {name}={value}");
            }
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            name => {
                let _ = write!(self.fields, " {name}={value:?}");
            }
        }
    }
}
