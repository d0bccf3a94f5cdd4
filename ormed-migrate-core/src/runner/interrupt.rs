//! Interrupts: a run asked to stop (Ctrl-C, SIGTERM, or the application) cancels the statement
//! it is running on the server, lets the database undo what it can, and stops before the next
//! migration.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Why a run was asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Interrupt {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// The application asked.
    Requested,
}

impl Interrupt {
    /// `Ctrl-C`, `SIGTERM`, `a request`.
    pub fn name(self) -> &'static str {
        match self {
            Interrupt::Interrupt => "Ctrl-C",
            Interrupt::Terminate => "SIGTERM",
            Interrupt::Requested => "a request",
        }
    }
}

/// The future that says when to stop.
pub(super) type Signal<'r> = Pin<Box<dyn Future<Output = Interrupt> + Send + 'r>>;

/// A run's interrupt: the signal it listens to, and whether it has fired.
#[derive(Default)]
pub(crate) struct Interruption<'r> {
    signal: Option<Signal<'r>>,
    fired: Option<Interrupt>,
}

impl<'r> Interruption<'r> {
    pub(super) fn listen(&mut self, signal: Signal<'r>) {
        self.signal = Some(signal);
    }

    /// Whether it has fired, looking at the signal without waiting.
    pub(crate) fn check(&mut self) -> Option<Interrupt> {
        if self.fired.is_none()
            && let Some(signal) = self.signal.as_mut()
        {
            let mut context = Context::from_waker(Waker::noop());
            if let Poll::Ready(interrupt) = signal.as_mut().poll(&mut context) {
                self.fire(interrupt);
            }
        }
        self.fired
    }

    /// Whether waiting on it can still return.
    pub(crate) fn is_armed(&self) -> bool {
        self.fired.is_none() && self.signal.is_some()
    }

    /// Resolves when the signal fires; never when there is none, or once it has fired.
    pub(crate) async fn wait(&mut self) -> Interrupt {
        match self.signal.as_mut() {
            Some(signal) if self.fired.is_none() => {
                let interrupt = signal.await;
                self.fire(interrupt);
                interrupt
            }
            _ => std::future::pending().await,
        }
    }

    fn fire(&mut self, interrupt: Interrupt) {
        self.fired = Some(interrupt);
        // A finished future must not be polled again.
        self.signal = None;
    }
}
