//! Background jobs: the one place that starts them all, and the loop every job runs in. A job is a
//! `step` (one pass of work at a given `now`, which tests call directly) run by [`run`] on an
//! interval, backing off after errors, until the shared shutdown signal fires. Replicas are
//! stateless, so a step must be safe to run on several at once (they coordinate through Postgres).
pub mod expiry;
pub mod notifications;
pub mod poller;
pub mod sessions;
pub mod submissions;

use std::{fmt::Display, future::Future, time::Duration};

use rand::Rng;
use time::OffsetDateTime;
use tokio::{sync::watch, task::JoinHandle};

use super::state::AppState;

/// How often a job runs, and how far it backs off while its step keeps failing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub every: Duration,
    /// The first wait after a failure; doubled on each further one.
    pub first_backoff: Duration,
    /// The longest wait between failing steps.
    pub max_backoff: Duration,
}

/// The wait before the next step: `every` after a success; after `failures` failures in a row,
/// `first_backoff` doubled for each one but the first, at most `max_backoff`, then scaled by
/// `jitter` (from 0.5 to 1) so replicas that failed together do not retry together.
pub fn next_wait(schedule: &Schedule, failures: u32, jitter: f64) -> Duration {
    if failures == 0 {
        return schedule.every;
    }
    let doubled = schedule
        .first_backoff
        .saturating_mul(1u32.checked_shl(failures - 1).unwrap_or(u32::MAX));
    doubled
        .min(schedule.max_backoff)
        .mul_f64(jitter.clamp(0.5, 1.0))
}

/// The signal every job watches; [`ShutdownTrigger::fire`] stops them all.
#[derive(Clone, Debug)]
pub struct Shutdown(watch::Receiver<bool>);

#[derive(Debug)]
pub struct ShutdownTrigger(watch::Sender<bool>);

/// A new, unfired signal.
pub fn shutdown_signal() -> (ShutdownTrigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (ShutdownTrigger(tx), Shutdown(rx))
}

impl ShutdownTrigger {
    pub fn fire(&self) {
        self.0.send_replace(true);
    }
}

impl Shutdown {
    pub fn is_fired(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the signal fires (or its trigger is gone, which means the same).
    pub async fn fired(&mut self) {
        let _ = self.0.wait_for(|fired| *fired).await;
    }
}

/// Runs `step` now and then on `schedule` until `shutdown` fires. A step in progress finishes; the
/// signal is heeded between steps and during waits. Errors are logged and backed off from, never
/// fatal: a job that stopped for good would be noticed only by its absence.
pub async fn run<S, F, T, E>(
    name: &'static str,
    schedule: Schedule,
    mut shutdown: Shutdown,
    mut step: S,
) where
    S: FnMut(OffsetDateTime) -> F,
    F: Future<Output = Result<T, E>>,
    T: std::fmt::Debug,
    E: Display,
{
    let mut failures = 0u32;
    while !shutdown.is_fired() {
        // The clock is read here, at the boundary; the step takes it as a parameter.
        match step(OffsetDateTime::now_utc()).await {
            Ok(done) => {
                failures = 0;
                tracing::debug!(job = name, ?done, "job step done");
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(job = name, failures, error = ?e.to_string(), "job step failed; backing off");
            }
        }
        let wait = next_wait(&schedule, failures, rand::thread_rng().gen_range(0.5..=1.0));
        tokio::select! {
            () = shutdown.fired() => break,
            () = tokio::time::sleep(wait) => {}
        }
    }
    tracing::debug!(job = name, "job stopped");
}

/// Every running job, with the trigger that stops them.
pub struct Jobs {
    trigger: ShutdownTrigger,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Jobs {
    /// Starts every background job of this replica.
    pub fn start(state: &AppState) -> Self {
        let (trigger, shutdown) = shutdown_signal();
        let tasks = vec![
            (
                sessions::NAME,
                tokio::spawn(sessions::run(state.pool.clone(), shutdown.clone())),
            ),
            (
                expiry::NAME,
                tokio::spawn(expiry::run(
                    state.pool.clone(),
                    state.requests.approval_timeout,
                    shutdown.clone(),
                )),
            ),
            (
                submissions::NAME,
                tokio::spawn(submissions::run(state.clone(), shutdown.clone())),
            ),
            (
                poller::NAME,
                tokio::spawn(poller::run(state.clone(), shutdown.clone())),
            ),
            (
                notifications::NAME,
                tokio::spawn(notifications::run(state.clone(), shutdown.clone())),
            ),
        ];
        Self { trigger, tasks }
    }

    /// Fires the signal and waits up to `grace` for every job to finish its step; a job still busy
    /// then is aborted (its transaction rolls back).
    pub async fn stop(mut self, grace: Duration) {
        self.trigger.fire();
        let deadline = tokio::time::Instant::now() + grace;
        for (name, task) in &mut self.tasks {
            if tokio::time::timeout_at(deadline, &mut *task).await.is_err() {
                tracing::warn!(job = *name, "job did not stop in time; aborting it");
                task.abort();
            }
        }
        self.tasks.clear();
    }
}

impl Drop for Jobs {
    /// A server dropped without [`Jobs::stop`] (a test ending) leaves no job behind.
    fn drop(&mut self) {
        self.trigger.fire();
        for (_, task) in &self.tasks {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tokio::sync::mpsc;

    use super::*;

    const SCHEDULE: Schedule = Schedule {
        every: Duration::from_secs(600),
        first_backoff: Duration::from_secs(5),
        max_backoff: Duration::from_secs(300),
    };

    #[test]
    fn after_a_success_the_job_waits_its_interval() {
        assert_eq!(next_wait(&SCHEDULE, 0, 0.7), Duration::from_secs(600));
    }

    #[test]
    fn failures_back_off_doubling_up_to_the_ceiling_with_jitter() {
        assert_eq!(next_wait(&SCHEDULE, 1, 1.0), Duration::from_secs(5));
        assert_eq!(next_wait(&SCHEDULE, 2, 1.0), Duration::from_secs(10));
        assert_eq!(next_wait(&SCHEDULE, 3, 0.5), Duration::from_secs(10));
        assert_eq!(next_wait(&SCHEDULE, 7, 1.0), Duration::from_secs(300));
        assert_eq!(next_wait(&SCHEDULE, 40, 1.0), Duration::from_secs(300));
        assert_eq!(
            next_wait(&SCHEDULE, 1, 0.0),
            Duration::from_millis(2500),
            "jitter never shortens a wait below half"
        );
    }

    #[tokio::test]
    async fn the_loop_runs_its_step_and_stops_when_the_signal_fires() {
        let (trigger, shutdown) = shutdown_signal();
        let (ran, mut steps) = mpsc::unbounded_channel();
        let job = tokio::spawn(run("test", SCHEDULE, shutdown, move |now| {
            let ran = ran.clone();
            async move {
                let _ = ran.send(now);
                Ok::<_, Infallible>(())
            }
        }));
        // The first step runs at once; the next would be ten minutes later.
        assert!(steps.recv().await.is_some());
        trigger.fire();
        job.await.unwrap();
        assert!(steps.try_recv().is_err(), "no step after the signal");
    }

    #[tokio::test]
    async fn a_job_started_after_the_signal_never_steps() {
        let (trigger, shutdown) = shutdown_signal();
        trigger.fire();
        let mut stepped = false;
        run("test", SCHEDULE, shutdown, |_| {
            stepped = true;
            async { Ok::<_, Infallible>(()) }
        })
        .await;
        assert!(!stepped);
    }

    #[tokio::test]
    async fn a_failing_step_does_not_end_the_loop() {
        let (trigger, shutdown) = shutdown_signal();
        let (ran, mut steps) = mpsc::unbounded_channel();
        let failing = Schedule {
            every: Duration::from_secs(600),
            first_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        };
        let job = tokio::spawn(run("test", failing, shutdown, move |_| {
            let ran = ran.clone();
            async move {
                let _ = ran.send(());
                Err::<(), _>("Postgres is down")
            }
        }));
        // Failing again and again, with no wait between, it keeps stepping until told to stop.
        for _ in 0..3 {
            assert!(steps.recv().await.is_some());
        }
        trigger.fire();
        job.await.unwrap();
    }
}
