//! How [`Builder::explore`] runs: the explorations it makes (again, when
//! one learns of objects to pre-allocate or of like threads told apart),
//! on how many workers, a replay key's one execution, and the tallies put
//! together into a [`Report`].

use std::sync::Arc;
use std::time::Instant;

use happens_engine::explore::parallel::{self, End, Options};
use happens_engine::{Config, Control, Explorer, ReplayKey, Status};

use super::{Builder, Report, DEVIATIONS_PER_PREEMPTION};
use crate::report;
use crate::report::detect::{self, Verdict};
use crate::report::diagram::Picture;
use crate::report::Failure;
use crate::rt::{Known, Runtime};
use crate::worker::Worker;

/// How the execution of a replay key went.
enum Replayed {
    Failed(Box<Failure>, Option<Picture>),
    Passed,
    /// The program did not make the key's events (yet: see `explore`).
    Mismatch,
}

impl Builder {
    /// [`Builder::explore`], on the calling OS thread.
    pub(super) fn explore_here<F: Fn() + Sync + Send + 'static>(&self, f: F) -> Report {
        let start = Instant::now();
        let main: Arc<dyn Fn() + Sync + Send> = Arc::new(f);
        let key = self.replay.as_deref().map(|k| {
            let k = k.trim().trim_matches(['\'', '"']);
            ReplayKey::parse(k).unwrap_or_else(|e| panic!("HAPPENS_REPLAY: {e}"))
        });
        let mut known = Known::default();
        let progress = crate::worker::Progress::here();
        let shard_name = self
            .shard
            .map(|_| crate::shard::exploration_name(std::thread::current().name()));
        // what the shards of an earlier run learned, so that every shard
        // starts knowing it (see `crate::shard`)
        if let (Some(name), Some(dir)) = (&shard_name, std::env::var_os("HAPPENS_SHARD_LEARN")) {
            known.seed(crate::shard::learned(std::path::Path::new(&dir), name));
        }
        let mut replaying = key.is_some();
        // shards must cut one search the same way: no restarts that only
        // some of them would make
        let mut symmetry = self.symmetry && self.shard.is_none();
        loop {
            if let Some(key) = key.as_ref().filter(|_| replaying) {
                let mut w = Worker::new(self, &main, &known, start, &progress);
                match self.replay_one(&mut w.rt, key) {
                    Replayed::Failed(mut failure, picture) => {
                        if let Some(p) = picture {
                            p.write(&mut failure);
                        }
                        return Report {
                            executions: 1,
                            blocked: 0,
                            one_schedule: 0,
                            kept_outcome: 0,
                            stopped: None,
                            failure: Some(*failure),
                            complete: false,
                            bounded: 0,
                            elapsed: start.elapsed(),
                            threads: 1,
                            up_to_symmetry: false,
                        };
                    }
                    Replayed::Passed => replaying = false,
                    // the key's execution pre-allocates objects this
                    // exploration has not met yet (the exploration meets
                    // them in the same order as the one that made the key),
                    // or it is not an execution the engine can replay (one
                    // stopped at a data race: its guided replay does not
                    // look for races at writes), or not one of this
                    // program: the exploration finds it, if it exists
                    Replayed::Mismatch => {}
                }
                if let Some(more) = w.rt.needs_restart() {
                    known = more;
                    continue;
                }
            }
            let opts = Again { symmetry };
            match self.explore_once(&main, &known, start, &progress, shard_name.as_deref(), opts) {
                Ok(report) => return report,
                Err(Restart::Known(more)) => known = more,
                // like threads were told apart: again, without symmetry
                Err(Restart::Asymmetric) => symmetry = false,
            }
        }
    }

    fn config(&self, again: Again) -> Config {
        Config {
            max_events_per_thread: self.max_branches,
            stop_on_race: true,
            check_full: false,
            replay_porf_order: true,
            max_spins: self.max_spins,
            max_rounds: 1_000,
            max_deviations: self
                .preemption_bound
                .map(|b| (b as u32).saturating_mul(DEVIATIONS_PER_PREEMPTION)),
            going_on: self.going_on,
            symmetry: again.symmetry,
        }
    }

    /// Runs the one execution `key` describes.
    fn replay_one(&self, rt: &mut Runtime, key: &ReplayKey) -> Replayed {
        let mut out = Replayed::Mismatch;
        Explorer::new(self.model, self.config(Again { symmetry: false })).replay(
            rt,
            key,
            |e, rt| {
                if rt.discovered_any() || *e.status == Status::ReplayMismatch {
                    return Control::Stop;
                }
                let st = rt.ctx.st.borrow();
                out = match detect::verdict(e, &st, self.max_branches) {
                    Verdict::Fail(kind) => {
                        let (failure, picture) = report::failure(kind, e, &st, 1, self.pictures());
                        Replayed::Failed(Box::new(failure), picture)
                    }
                    Verdict::Ok | Verdict::Blocked => Replayed::Passed,
                };
                Control::Stop
            },
        );
        out
    }

    /// The OS threads an exploration knowing `known` runs on: one when a
    /// checkpoint or `max_permutations` counts executions in the
    /// sequential order, or when objects outliving executions are known
    /// (their memory is shared: see [`crate::worker`]).
    fn workers_for(&self, known: &Known) -> usize {
        if self.checkpoint_file.is_some()
            || self.max_permutations.is_some()
            || known.has_shared_objects()
        {
            1
        } else {
            self.workers.max(1)
        }
    }

    /// One exploration with the pre-allocations `known`; `Err` with more
    /// when an execution used an object it did not pre-allocate (the
    /// caller then starts again).
    fn explore_once(
        &self,
        main: &Arc<dyn Fn() + Sync + Send>,
        known: &Known,
        start: Instant,
        progress: &crate::worker::Progress,
        shard_name: Option<&str>,
        again: Again,
    ) -> Result<Report, Restart> {
        let opts = Options {
            workers: self.workers_for(known),
            name: std::thread::current().name().map(str::to_string),
            ..Options::default()
        };
        let make = || {
            let mut w = Worker::new(self, main, known, start, progress);
            w.symmetry = again.symmetry;
            w
        };
        let out = match self.shard {
            None => parallel::explore(&self.model, &self.config(again), &opts, make),
            Some(s) => parallel::explore_shard(
                &self.model,
                &self.config(again),
                &opts,
                make,
                s.index,
                s.of,
                crate::shard::pieces_for(s.of),
            ),
        };
        let mut more: Option<Known> = None;
        let (mut visited, mut blocked, mut one_schedule, mut kept_outcome) = (0, 0, 0, 0);
        let mut failure = None;
        let mut stopped = None;
        let mut budget = false;
        let (mut asymmetric, mut alike) = (false, false);
        let mut pieces = Vec::new();
        for (t, key) in out.tallies.into_iter().zip(out.keys) {
            if self.shard.is_some() {
                pieces.push(crate::shard::Piece {
                    key,
                    visited: t.visited,
                    blocked: t.blocked,
                    failure: t.failure.as_ref().map(|(f, _)| {
                        let mut unnumbered = f.clone();
                        unnumbered.execution = 0;
                        crate::shard::PieceFailure {
                            execution: f.execution,
                            kind: f.kind_name().to_string(),
                            replay: f.replay.clone(),
                            text: unnumbered.to_string(),
                        }
                    }),
                });
            }
            if let Some(k) = t.restart {
                more.get_or_insert_with(|| known.clone()).merge(&k);
            }
            if let Some((mut f, picture)) = t.failure {
                // numbered within its piece: add the executions before it
                f.execution += visited;
                if let Some(p) = picture {
                    p.write(&mut f);
                }
                failure = Some(f);
            }
            budget |= t.budget;
            asymmetric |= t.asymmetric;
            alike |= t.alike;
            visited += t.visited;
            blocked += t.blocked;
            one_schedule += t.one_schedule;
            kept_outcome += t.kept_outcome;
            stopped = stopped.or(t.stopped);
        }
        if let Some(more) = more {
            return Err(Restart::Known(more));
        }
        if asymmetric {
            return Err(Restart::Asymmetric);
        }
        let stats = out.stats;
        let complete = out.end == End::Complete && stats.bounded_out == 0;
        if let (Some(s), Some(name)) = (self.shard, shard_name) {
            let report = crate::shard::ShardReport {
                exploration: name.to_string(),
                shard: s.index,
                of: s.of,
                objects: known.objects() as u64,
                refuted: known.refuted(),
                complete: (complete && !budget) || out.end == End::Stopped,
                pieces,
            };
            let dir = crate::shard::dir();
            if let Err(e) = report.write_to(&dir) {
                panic!(
                    "happens: cannot write the shard report into {}: {e}",
                    dir.display()
                );
            }
        }
        // a failure stops the exploration, or halts it when it left its OS
        // thread unusable (see `Runtime::poisoned`)
        debug_assert!(failure.is_none() || out.end != End::Complete);
        Ok(Report {
            executions: visited.saturating_sub(blocked),
            blocked,
            one_schedule,
            kept_outcome,
            stopped: stopped.filter(|_| failure.is_none()),
            failure,
            complete: complete && !budget,
            bounded: stats.bounded_out,
            elapsed: start.elapsed(),
            threads: out.threads,
            up_to_symmetry: alike,
        })
    }
}

/// How one exploration of [`Builder::explore`] runs.
#[derive(Clone, Copy)]
struct Again {
    /// Symmetry reduction, unless like threads were told apart.
    symmetry: bool,
}

/// Why an exploration starts again.
enum Restart {
    /// An execution used objects it did not pre-allocate.
    Known(Known),
    /// Like threads were told apart ([`Builder::symmetry`]).
    Asymmetric,
}
