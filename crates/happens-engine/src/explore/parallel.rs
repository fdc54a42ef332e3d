//! One exploration on several OS threads, with the results of a sequential
//! one.
//!
//! TruSt's search is a tree whose subtrees are independent: an alternative
//! holds everything needed to explore below it (the graph up to its stamp
//! and the change it makes), and nothing explored in one subtree is looked
//! at in another. So the search splits into *pieces*: a frame and some of
//! its alternatives ([`Explorer::split`]). Each worker (an OS thread with
//! its own [`Explorer`] and its own program, made on that thread) explores
//! one piece at a time; a worker that has none waits, and a busy worker
//! gives it the part of its own piece it would visit last.
//!
//! **Order.** Every piece has a key, and the keys order the pieces as a
//! sequential exploration visits them: the root piece has the empty key,
//! and the `i`-th piece split off a piece with key `k` has key
//! `k ++ [u32::MAX - i]`. A split-off part comes after everything its
//! piece still has (a key is less than its extensions), and a later split
//! comes before an earlier one (it takes alternatives that were pushed
//! before the ones the earlier split took). Idle workers take the pending
//! piece with the least key.
//!
//! **Determinism.** A visitor that stops ([`Step::Stop`], a failure)
//! stops its piece; pieces after it are cancelled, pieces before it run to
//! their end (one of them may stop earlier still). The outcome lists the
//! pieces' tallies in key order up to the earliest stop, so it is exactly
//! what a sequential exploration would have seen: the same executions,
//! the same first failure, the same counts. [`Step::Halt`] stops every
//! worker at once (a budget, or an exploration that must start again),
//! and its outcome is not deterministic.
//!
//! Helpers start only after the calling thread has explored alone for
//! [`Options::warmup`]: small explorations never pay for threads.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{Config, Control, Execution, Explorer, Frame, Share, Stats};
use crate::model::Model;
use crate::program::Program;

/// What a worker's visitor wants after an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Continue,
    /// This execution ends the exploration (a failure): nothing after it
    /// in the sequential order is visited, everything before it is.
    Stop,
    /// Stop every worker now.
    Halt,
}

/// A program that visits its own executions, one per worker.
pub trait Worker: Program {
    /// What the visitor counts in one piece.
    type Tally: Default + Send;
    fn visit(&mut self, e: &Execution<'_>, tally: &mut Self::Tally) -> Step;
}

/// How to run an exploration in parallel.
#[derive(Clone, Debug)]
pub struct Options {
    /// Workers, the calling thread included; 1 explores on the calling
    /// thread alone.
    pub workers: usize,
    /// How long the calling thread explores alone before helpers start.
    pub warmup: Duration,
    /// The helpers' thread name (a test's thread is named after the test).
    pub name: Option<String>,
    /// Split off work after every execution, even when no worker waits for
    /// it: every piece is then as small as it can be (for testing the
    /// splitting; slow).
    pub eager: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            workers: 1,
            warmup: Duration::from_millis(50),
            name: None,
            eager: false,
        }
    }
}

/// How an exploration ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Every piece was explored.
    Complete,
    /// A visitor stopped it ([`Step::Stop`]); the stopping piece is last.
    Stopped,
    /// A visitor halted it ([`Step::Halt`]).
    Halted,
}

/// What an exploration found.
#[derive(Debug)]
pub struct Outcome<T> {
    /// The tallies of the pieces, in sequential order; after a stop, up
    /// to the stopping piece, which is last (and every piece before it
    /// ran to its end). After a halt, every piece that ran.
    pub tallies: Vec<T>,
    /// The key of each tally's piece (see the module docs).
    pub keys: Vec<Key>,
    /// The explorer's counts over the same pieces.
    pub stats: Stats,
    pub end: End,
    /// Pieces explored (all of them, cancelled ones too).
    pub pieces: usize,
    /// Workers that ran: 1, or [`Options::workers`] once the warm-up
    /// was over.
    pub threads: usize,
}

/// A piece's place in the sequential order (see the module docs).
pub type Key = Vec<u32>;

struct Piece {
    key: Key,
    /// `None` for the root piece: the whole search.
    frame: Option<Frame>,
    /// Pieces already split off this one (its next split is one more).
    splits: u32,
}

struct Done<T> {
    key: Key,
    tally: T,
    stats: Stats,
}

struct State<T> {
    pending: Vec<Piece>,
    /// Workers exploring a piece.
    running: usize,
    /// Workers waiting for one.
    waiting: usize,
    done: Vec<Done<T>>,
    /// The key of the earliest stopped piece.
    cutoff: Option<Key>,
    halted: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    wake: Condvar,
    /// Waiting workers no pending piece is left for: a busy worker splits
    /// when this is not 0.
    hungry: AtomicUsize,
    /// Set with `cutoff` or `halted`: busy workers then look whether their
    /// piece is cancelled.
    cut: AtomicBool,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // a worker that panicked holding the lock left a consistent state
        // (each critical section is a few assignments); its panic is
        // re-raised when the scope ends
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_hungry(&self, st: &State<T>) {
        let n = st.waiting.saturating_sub(st.pending.len());
        self.hungry.store(n, Ordering::Relaxed);
    }

    /// The next piece to explore; `None` when there is none left.
    fn take(&self) -> Option<Piece> {
        let mut st = self.lock();
        loop {
            if st.halted {
                return None;
            }
            if let Some(cut) = st.cutoff.clone() {
                st.pending.retain(|p| p.key <= cut);
            }
            let first = (0..st.pending.len()).min_by(|&a, &b| {
                let p = &st.pending;
                p[a].key.cmp(&p[b].key)
            });
            if let Some(i) = first {
                let piece = st.pending.swap_remove(i);
                st.running += 1;
                self.set_hungry(&st);
                return Some(piece);
            }
            if st.running == 0 {
                self.wake.notify_all();
                return None;
            }
            st.waiting += 1;
            self.set_hungry(&st);
            st = self.wake.wait(st).unwrap_or_else(|e| e.into_inner());
            st.waiting -= 1;
            self.set_hungry(&st);
        }
    }

    fn give(&self, piece: Piece) {
        let mut st = self.lock();
        st.pending.push(piece);
        self.set_hungry(&st);
        drop(st);
        self.wake.notify_one();
    }

    fn finish(&self, done: Done<T>) {
        let mut st = self.lock();
        st.running -= 1;
        st.done.push(done);
        if st.running == 0 {
            self.wake.notify_all();
        }
    }

    fn stop_at(&self, key: &Key) {
        let mut st = self.lock();
        if !st.cutoff.as_ref().is_some_and(|c| c <= key) {
            st.cutoff = Some(key.clone());
        }
        self.cut.store(true, Ordering::Relaxed);
    }

    fn halt(&self) {
        let mut st = self.lock();
        st.halted = true;
        self.cut.store(true, Ordering::Relaxed);
        drop(st);
        self.wake.notify_all();
    }

    /// Whether the piece with `key` is no longer wanted.
    fn cancelled(&self, key: &Key) -> bool {
        if !self.cut.load(Ordering::Relaxed) {
            return false;
        }
        let st = self.lock();
        st.halted || st.cutoff.as_ref().is_some_and(|c| key > c)
    }
}

/// The [`Share`] of a worker exploring the piece with key `key`.
struct Giver<'a, T> {
    shared: &'a Shared<T>,
    key: &'a Key,
    splits: u32,
    eager: bool,
}

impl<T> Share for Giver<'_, T> {
    fn wanted(&self) -> bool {
        self.eager || self.shared.hungry.load(Ordering::Relaxed) > 0
    }

    fn give(&mut self, frame: Frame) {
        self.splits += 1;
        let mut key = self.key.clone();
        key.push(u32::MAX - self.splits);
        self.shared.give(Piece {
            key,
            frame: Some(frame),
            splits: 0,
        });
    }
}

/// Explores every execution of the program `make` builds (once per
/// worker, on the worker's thread) on `opts.workers` threads; see the
/// module docs for what the outcome promises.
pub fn explore<M, W, F>(model: &M, config: &Config, opts: &Options, make: F) -> Outcome<W::Tally>
where
    M: Model + Clone + Send,
    W: Worker,
    F: Fn() -> W + Sync,
{
    explore_pieces(model, config, opts, make, vec![(Vec::new(), None, 0)])
}

/// Like [`explore`], over the given pieces of the search only (each a key,
/// a frame [`Explorer::split`] made or `None` for the whole search, and how
/// many pieces were split off it already).
pub fn explore_pieces<M, W, F>(
    model: &M,
    config: &Config,
    opts: &Options,
    make: F,
    pieces: Vec<(Key, Option<Frame>, u32)>,
) -> Outcome<W::Tally>
where
    M: Model + Clone + Send,
    W: Worker,
    F: Fn() -> W + Sync,
{
    let shared = Shared {
        state: Mutex::new(State {
            pending: pieces
                .into_iter()
                .map(|(key, frame, splits)| Piece { key, frame, splits })
                .collect(),
            running: 0,
            waiting: 0,
            done: Vec::new(),
            cutoff: None,
            halted: false,
        }),
        wake: Condvar::new(),
        hungry: AtomicUsize::new(0),
        cut: AtomicBool::new(false),
    };
    let start = Instant::now();
    let helpers = opts.workers.saturating_sub(1);
    let mut threads = 1;
    std::thread::scope(|s| {
        let mut spawned = helpers == 0;
        let spawn = || {
            for _ in 0..helpers {
                let model = model.clone();
                let mut b = std::thread::Builder::new();
                if let Some(name) = &opts.name {
                    b = b.name(name.clone());
                }
                let (shared, make) = (&shared, &make);
                b.spawn_scoped(s, move || {
                    work(model, config, opts, shared, make, &mut || {})
                })
                .expect("happens: cannot start a worker thread");
            }
        };
        // the calling thread starts the helpers once its warm-up is over
        let mut after_each = || {
            if !spawned && start.elapsed() >= opts.warmup {
                spawned = true;
                threads += helpers;
                spawn();
            }
        };
        work(model.clone(), config, opts, &shared, &make, &mut after_each);
    });
    let st = shared.state.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut done = st.done;
    let pieces = done.len();
    done.sort_by(|a, b| a.key.cmp(&b.key));
    let end = if st.halted {
        End::Halted
    } else if let Some(cut) = &st.cutoff {
        done.retain(|d| d.key <= *cut);
        End::Stopped
    } else {
        End::Complete
    };
    let mut stats = Stats::default();
    let mut tallies = Vec::with_capacity(done.len());
    let mut keys = Vec::with_capacity(done.len());
    for d in done {
        stats.add(&d.stats);
        tallies.push(d.tally);
        keys.push(d.key);
    }
    Outcome {
        tallies,
        keys,
        stats,
        end,
        pieces,
        threads,
    }
}

/// One worker: explores pieces until none is left.
fn work<M, W, F>(
    model: M,
    config: &Config,
    opts: &Options,
    shared: &Shared<W::Tally>,
    make: &F,
    after_each: &mut dyn FnMut(),
) where
    M: Model,
    W: Worker,
    F: Fn() -> W,
{
    // a panic here (a bug, or a program the runtime cannot run) must not
    // leave the other workers waiting for this one's pieces: they stop,
    // and the scope passes the panic on
    struct HaltOnPanic<'a, T>(&'a Shared<T>);
    impl<T> Drop for HaltOnPanic<'_, T> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                self.0.halt();
            }
        }
    }
    let _guard = HaltOnPanic(shared);
    let mut ex = Explorer::new(model, config.clone());
    let mut program: Option<W> = None;
    while let Some(piece) = shared.take() {
        let w = program.get_or_insert_with(make);
        let mut tally = W::Tally::default();
        let mut giver = Giver {
            shared,
            key: &piece.key,
            splits: piece.splits,
            eager: opts.eager,
        };
        let stats = ex.run_piece(
            piece.frame,
            w,
            |e, w| {
                let step = w.visit(e, &mut tally);
                after_each();
                match step {
                    Step::Continue if shared.cancelled(&piece.key) => Control::Stop,
                    Step::Continue => Control::Continue,
                    Step::Stop => {
                        shared.stop_at(&piece.key);
                        Control::Stop
                    }
                    Step::Halt => {
                        shared.halt();
                        Control::Stop
                    }
                }
            },
            &mut giver,
        );
        shared.finish(Done {
            key: piece.key,
            tally,
            stats,
        });
    }
}

/// One shard's part of an exploration split over `of` processes (each
/// runs this with its own `shard` in `0..of`): the same deterministic
/// pieces in every process, this one's explored.
///
/// **The common part**, the same in every process: the search is cut into
/// `pieces` pieces, each a frame and some of its alternatives with a key
/// as in [`explore`]. A piece whose frame has two alternatives or more is
/// cut in two without exploring anything (the one with the most, the least
/// key first: [`Frame::split_older_half`], the older half being the `i`-th
/// split of its piece, key `k ++ [u32::MAX - i]`); when none has, the
/// waiting piece whose alternatives change the earliest event (the root of
/// the largest subtree; the least key first) is explored for one execution
/// and everything it has left is split off ([`Explorer::split`]). The
/// pieces explored that way (one execution each, at most `16 * pieces`)
/// are shard 0's to report.
///
/// **Each its own.** The waiting pieces, in key order, go round the
/// shards (the `i`-th to shard `i % of`); each shard explores its own as
/// [`explore_pieces`] does (splitting them further among `opts.workers`).
/// The outcome's tallies are this shard's pieces, with their keys; the
/// shards' tallies together, in key order, are a sequential exploration's.
pub fn explore_shard<M, W, F>(
    model: &M,
    config: &Config,
    opts: &Options,
    make: F,
    shard: usize,
    of: usize,
    pieces: usize,
) -> Outcome<W::Tally>
where
    M: Model + Clone + Send,
    W: Worker,
    F: Fn() -> W + Sync,
{
    /// A waiting piece: its key, its frame, and how many pieces were split
    /// off it.
    type Waiting = (Key, Option<Frame>, u32);
    /// Takes everything the explorer has left into the waiting pieces.
    struct TakeAll<'a> {
        waiting: &'a mut Vec<Waiting>,
        key: &'a Key,
        splits: u32,
    }
    impl Share for TakeAll<'_> {
        fn wanted(&self) -> bool {
            true
        }
        fn give(&mut self, frame: Frame) {
            self.splits += 1;
            let mut key = self.key.clone();
            key.push(u32::MAX - self.splits);
            self.waiting.push((key, Some(frame), 0));
        }
    }
    let mut ex = Explorer::new(model.clone(), config.clone());
    let mut program = make();
    let mut waiting: Vec<Waiting> = vec![(Vec::new(), None, 0)];
    let mut keys = Vec::new();
    let mut tallies = Vec::new();
    let mut stats = Stats::default();
    let mut explored = 0;
    let mut common_end = End::Complete;
    while waiting.len() < pieces && !waiting.is_empty() && explored < 16 * pieces {
        // cut the piece with the most alternatives, if one has two
        let widest = (0..waiting.len())
            .filter(|&i| waiting[i].1.as_ref().is_some_and(|f| f.work.len() >= 2))
            .max_by(|&a, &b| {
                let w = |i: usize| waiting[i].1.as_ref().map_or(0, |f| f.work.len());
                w(a).cmp(&w(b)).then(waiting[b].0.cmp(&waiting[a].0))
            });
        if let Some(i) = widest {
            let (key, frame, splits) = &mut waiting[i];
            let older = frame.as_mut().and_then(Frame::split_older_half).unwrap();
            *splits += 1;
            let mut k = key.clone();
            k.push(u32::MAX - *splits);
            waiting.push((k, Some(older), 0));
            continue;
        }
        // else explore the piece rooted earliest for one execution, and
        // split off all it has left
        let earliest = |i: usize| {
            waiting[i]
                .1
                .as_ref()
                .and_then(|f| f.work.first())
                .map(|a| a.stamp())
        };
        let first = (0..waiting.len())
            .min_by(|&a, &b| {
                earliest(a)
                    .cmp(&earliest(b))
                    .then(waiting[a].0.cmp(&waiting[b].0))
            })
            .unwrap();
        let (key, frame, splits) = waiting.swap_remove(first);
        explored += 1;
        let mut tally = W::Tally::default();
        let mut end = End::Complete;
        let mut take = TakeAll {
            waiting: &mut waiting,
            key: &key,
            splits,
        };
        let piece_stats = ex.run_piece(
            frame,
            &mut program,
            |e, w| match w.visit(e, &mut tally) {
                Step::Continue => Control::Continue,
                Step::Stop => {
                    end = End::Stopped;
                    Control::Stop
                }
                Step::Halt => {
                    end = End::Halted;
                    Control::Stop
                }
            },
            &mut take,
        );
        let stopped_at = (end == End::Stopped).then(|| key.clone());
        if shard == 0 {
            keys.push(key);
            tallies.push(tally);
            stats.add(&piece_stats);
        }
        // a halt ends every shard there; a stop (each shard saw it, shard 0
        // reports it) leaves only the pieces before it in the sequential
        // order to explore
        if end == End::Halted {
            return Outcome {
                tallies,
                keys,
                stats,
                end,
                pieces: explored,
                threads: 1,
            };
        }
        if let Some(cut) = stopped_at {
            waiting.retain(|p| p.0 < cut);
            common_end = End::Stopped;
            break;
        }
    }
    // each its own
    waiting.sort_by(|a, b| a.0.cmp(&b.0));
    let mine: Vec<Waiting> = waiting
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % of == shard)
        .map(|(_, p)| p)
        .collect();
    let n = mine.len();
    let mut out = explore_pieces(model, config, opts, make, mine);
    keys.extend(out.keys);
    tallies.append(&mut out.tallies);
    stats.add(&out.stats);
    Outcome {
        tallies,
        keys,
        stats,
        end: if out.end == End::Complete {
            common_end
        } else {
            out.end
        },
        pieces: explored + n,
        threads: out.threads,
    }
}
