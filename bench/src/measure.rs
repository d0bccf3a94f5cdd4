//! Timings: several repetitions of one thing, their median and spread.

use std::time::Duration;

/// The repetitions of one side of one workload.
#[derive(Debug)]
pub struct Figures {
    /// `W1 apply`, `W2 rollback`, `W3 status`.
    pub workload: &'static str,
    /// `ours`, `floor (raw SQL)`, `sqlx Migrator`.
    pub label: &'static str,
    /// The baseline the workload's ratios are taken against.
    pub floor: bool,
    pub times: Vec<Duration>,
}

impl Figures {
    pub fn new(workload: &'static str, label: &'static str, floor: bool) -> Figures {
        Figures {
            workload,
            label,
            floor,
            times: Vec::new(),
        }
    }

    pub fn median(&self) -> Duration {
        let mut times = self.times.clone();
        times.sort();
        times.get(times.len() / 2).copied().unwrap_or_default()
    }

    /// `12.3 ms (11.9..13.0)`.
    pub fn spread(&self) -> String {
        let min = self.times.iter().min().copied().unwrap_or_default();
        let max = self.times.iter().max().copied().unwrap_or_default();
        format!("{} ({}..{})", ms(self.median()), ms(min), ms(max))
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
