//! Ctrl-C and SIGTERM: the first asks the run to stop cleanly (the running statement is
//! cancelled on the server and nothing after it runs); a second one ends the process at once.

use std::future::Future;
use std::pin::Pin;

use ormed_migrate_core::Interrupt;

/// The exit code of a run stopped by `interrupt`: 128 plus the signal's number, as a shell
/// reports a process killed by it.
pub fn exit_code(interrupt: Interrupt) -> u8 {
    match interrupt {
        Interrupt::Terminate => 143,
        _ => 130,
    }
}

/// Starts listening now (so the default handlers no longer kill the process) and returns the
/// future that resolves at the first signal. Where the signals cannot be listened to, the
/// defaults stay: a signal ends the process, and the database undoes the open transaction.
pub fn listen() -> Pin<Box<dyn Future<Output = Interrupt> + Send + 'static>> {
    let mut signals = match Signals::new() {
        Ok(signals) => signals,
        Err(error) => {
            eprintln!(
                "warning: cannot listen for Ctrl-C and SIGTERM ({error}); they end the process"
            );
            return Box::pin(std::future::pending());
        }
    };
    Box::pin(async move {
        let first = signals.next().await;
        eprintln!(
            "{} received: stopping after the running statement is cancelled (again to quit at once)",
            first.name()
        );
        tokio::spawn(async move {
            let second = signals.next().await;
            eprintln!("{} received again: quitting now", second.name());
            std::process::exit(i32::from(exit_code(second)));
        });
        first
    })
}

#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) -> Interrupt {
        tokio::select! {
            _ = self.interrupt.recv() => Interrupt::Interrupt,
            _ = self.terminate.recv() => Interrupt::Terminate,
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Signals)
    }

    async fn next(&mut self) -> Interrupt {
        let _ = tokio::signal::ctrl_c().await;
        Interrupt::Interrupt
    }
}
