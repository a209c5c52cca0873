//! The header deadline, kept by one timer per connection rather than one per request.
//!
//! hyper's own header deadline arms a timer each time a connection starts waiting for a
//! request's headers: on hyper-util's Tokio timer a boxed `tokio::time::Sleep`, registered in
//! the runtime's timer wheel when the socket has nothing to read yet and taken out again when
//! the headers come, plus one more turn of hyper's read loop per request to start the next
//! deadline. For a request as small as `/csrf` that was 1.9k of its 35.2k instructions
//! (docs/PERFORMANCE.md).
//!
//! Here the connection notes when it starts waiting: when it opens and when an answer has
//! been sent (its body dropped by hyper, sent whole or not). A request whose headers have
//! been read is being served until then, however long its handler or its body takes, as under
//! hyper's deadline. One Tokio timer per connection ([`overdue`]) looks at that note when it
//! fires and moves itself forward, so it is re-armed about once per deadline, not once per
//! request. The answer to a late client is the same as hyper's: the connection is closed,
//! nothing written.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body::{Body, Frame, SizeHint};

/// When a connection started waiting for a request's headers, and whether it is serving one.
#[derive(Debug)]
pub(super) struct HeaderDeadline {
    /// What `waiting_since` counts from.
    start: Instant,
    /// Requests whose headers have been read and whose answer has not been sent yet.
    serving: AtomicUsize,
    /// Nanoseconds after `start` at which the connection started waiting, when `serving` is 0.
    /// Every access is made by the connection's one task (hyper polls the service and drops
    /// the answer's body within the connection's future), so `Relaxed` suffices.
    waiting_since: AtomicU64,
}

impl HeaderDeadline {
    /// A connection just opened: waiting for its first request's headers.
    pub(super) fn new() -> Arc<Self> {
        Arc::new(HeaderDeadline {
            start: now(),
            serving: AtomicUsize::new(0),
            waiting_since: AtomicU64::new(0),
        })
    }

    /// A request's headers have been read: nothing is due until the returned mark is dropped
    /// (with its answer's body, or with the request given up on).
    pub(super) fn serving(self: &Arc<Self>) -> Serving {
        self.serving.fetch_add(1, Ordering::Relaxed);
        Serving(Arc::clone(self))
    }

    /// An answer has been sent (or given up on): the connection waits for the next headers.
    fn answered(&self) {
        let since = now().saturating_duration_since(self.start).as_nanos();
        self.waiting_since
            .store(u64::try_from(since).unwrap_or(u64::MAX), Ordering::Relaxed);
        self.serving.fetch_sub(1, Ordering::Relaxed);
    }

    /// When the headers awaited are due, or `None` while a request is being served.
    fn due(&self, timeout: Duration) -> Option<Instant> {
        if self.serving.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let since = Duration::from_nanos(self.waiting_since.load(Ordering::Relaxed));
        Some(self.start + since + timeout)
    }
}

/// One request being served ([`HeaderDeadline::serving`]); dropping it marks the answer sent.
#[derive(Debug)]
pub(super) struct Serving(Arc<HeaderDeadline>);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.answered();
    }
}

/// An answer's body, carrying its request's [`Serving`] mark until hyper is done with it.
/// Everything else is the body's own: its frames, its end, its size (the `Content-Length`
/// hyper writes).
#[derive(Debug)]
pub(super) struct Answer<B> {
    body: B,
    _serving: Serving,
}

impl<B> Answer<B> {
    pub(super) fn new(body: B, serving: Serving) -> Self {
        Answer {
            body,
            _serving: serving,
        }
    }
}

impl<B: Body + Unpin> Body for Answer<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Completes once a request's headers are past due; never while a request is being served.
/// One Tokio timer, first set `timeout` from now (when the connection opened, so never later
/// than its first deadline); each time it fires it moves to the deadline then pending, or to
/// `timeout` from now while a request is served. A deadline set later, when an answer is sent,
/// is `timeout` after that, so the timer never fires after the deadline it watches.
pub(super) async fn overdue(deadline: &HeaderDeadline, timeout: Duration) {
    // A deadline set to "never" (`Duration::MAX`, say) must not overflow the clock's arithmetic:
    // a century is as good as never.
    let timeout = timeout.min(CENTURY);
    let timer = tokio::time::sleep(timeout);
    tokio::pin!(timer);
    loop {
        timer.as_mut().await;
        let fired = now();
        let next = match deadline.due(timeout) {
            Some(due) if due <= fired => return,
            Some(due) => due,
            None => fired + timeout,
        };
        timer.as_mut().reset(next.into());
    }
}

/// The longest header deadline [`overdue`] keeps.
const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// Tokio's clock, which [`overdue`]'s timer runs on: the system's, or in tests a paused one.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::future::Future;

    #[tokio::test(start_paused = true)]
    async fn overdue_counts_from_each_answer_and_never_while_a_request_is_served() {
        let timeout = Duration::from_secs(10);
        let deadline = HeaderDeadline::new();
        let watching = overdue(&deadline, timeout);
        tokio::pin!(watching);
        let not_done = |watching: Pin<&mut _>| {
            let mut cx = Context::from_waker(std::task::Waker::noop());
            Future::poll(watching, &mut cx).is_pending()
        };
        let answer = |deadline: &Arc<HeaderDeadline>| Answer::new((), deadline.serving());

        // Headers read at 4 s, answered at 5 s.
        assert!(not_done(watching.as_mut()));
        tokio::time::advance(Duration::from_secs(4)).await;
        let first = answer(&deadline);
        tokio::time::advance(Duration::from_secs(1)).await;
        drop(first);
        // At 10 s the timer fires and moves to 15 s: not overdue.
        tokio::time::advance(Duration::from_secs(6)).await;
        assert!(not_done(watching.as_mut()));
        // Headers read at 12 s; a handler (or a body) running past 15 s is not cut.
        tokio::time::advance(Duration::from_secs(1)).await;
        let second = answer(&deadline);
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(not_done(watching.as_mut()));
        // Answered at 22 s: overdue at 32 s and not before.
        drop(second);
        tokio::time::advance(Duration::from_millis(9_900)).await;
        assert!(not_done(watching.as_mut()));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(!not_done(watching.as_mut()));
    }

    #[tokio::test(start_paused = true)]
    async fn a_deadline_of_duration_max_never_comes_and_does_not_overflow() {
        let deadline = HeaderDeadline::new();
        let watching = overdue(&deadline, Duration::MAX);
        tokio::pin!(watching);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(watching.as_mut().poll(&mut cx).is_pending());
        drop(Answer::new((), deadline.serving()));
        // Past the 30 years Tokio keeps a far timer at: the timer fires and moves on.
        tokio::time::advance(Duration::from_secs(31 * 365 * 24 * 60 * 60)).await;
        assert!(watching.as_mut().poll(&mut cx).is_pending());
    }
}
