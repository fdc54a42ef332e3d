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
    explore_pieces(model, config, opts, make, vec![(Vec::new(), None)])
}

/// Like [`explore`], over the given pieces of the search only (each a key
/// and a frame [`Explorer::split`] made, or `None` for the whole search).
pub fn explore_pieces<M, W, F>(
    model: &M,
    config: &Config,
    opts: &Options,
    make: F,
    pieces: Vec<(Key, Option<Frame>)>,
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
                .map(|(key, frame)| Piece { key, frame })
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
            splits: 0,
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
/// Every shard explores the whole search alone, in the sequential order,
/// splitting off the part it would visit last after each execution
/// ([`Explorer::split`]) until it has `pieces` of them or the search is
/// done; that much is the same in every process. The `j`-th split-off
/// piece (key `[u32::MAX - j]`, as in [`explore`]) belongs to shard
/// `(j - 1) % of`; what is left of the whole search (the empty key) to
/// shard 0, which explores it on. Each shard then explores its pieces as
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
    struct Splitter {
        frames: Vec<Frame>,
        want: usize,
    }
    impl Share for Splitter {
        fn wanted(&self) -> bool {
            self.frames.len() < self.want
        }
        fn give(&mut self, frame: Frame) {
            self.frames.push(frame);
        }
    }
    let mut ex = Explorer::new(model.clone(), config.clone());
    let mut program = make();
    let mut tally = W::Tally::default();
    let mut splitter = Splitter {
        frames: Vec::new(),
        want: pieces,
    };
    let mut end = End::Complete;
    let want = pieces;
    // the splitter is lent to the explorer; how many it holds is read
    // through this count, which the visitor sees after each execution
    let split_count = std::cell::Cell::new(0usize);
    let root_stats = {
        let mut counting = CountingShare {
            inner: &mut splitter,
            count: &split_count,
        };
        ex.run_piece(
            None,
            &mut program,
            |e, w| match w.visit(e, &mut tally) {
                Step::Continue if shard != 0 && split_count.get() >= want => Control::Stop,
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
            &mut counting,
        )
    };
    let mut keys = Vec::new();
    let mut tallies = Vec::new();
    let mut stats = Stats::default();
    // the whole search's remainder is shard 0's
    if shard == 0 {
        keys.push(Vec::new());
        tallies.push(tally);
        stats.add(&root_stats);
    }
    // a failure or a halt while the pieces were split off ended every
    // shard there (each saw it; shard 0 reports it); one in shard 0's
    // remainder comes before every piece
    if end != End::Complete {
        return Outcome {
            tallies,
            keys,
            stats,
            end,
            pieces: 1,
            threads: 1,
        };
    }
    let mine: Vec<(Key, Option<Frame>)> = splitter
        .frames
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % of == shard)
        .map(|(i, f)| (vec![u32::MAX - (i as u32 + 1)], Some(f)))
        .collect();
    let n = mine.len();
    let mut out = explore_pieces(model, config, opts, make, mine);
    keys.extend(out.keys);
    tallies.append(&mut out.tallies);
    stats.add(&out.stats);
    if end == End::Complete {
        end = out.end;
    }
    Outcome {
        tallies,
        keys,
        stats,
        end,
        pieces: n + 1,
        threads: out.threads,
    }
}

/// A [`Share`] that counts what it was given.
struct CountingShare<'a, S: Share> {
    inner: &'a mut S,
    count: &'a std::cell::Cell<usize>,
}

impl<S: Share> Share for CountingShare<'_, S> {
    fn wanted(&self) -> bool {
        self.inner.wanted()
    }
    fn give(&mut self, frame: Frame) {
        self.count.set(self.count.get() + 1);
        self.inner.give(frame);
    }
}
