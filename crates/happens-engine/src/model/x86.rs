//! x86-TSO: what a C/Rust program does on an x86-64 machine once every
//! access is compiled by the standard mapping.
//!
//! ## The model in prose
//!
//! Each core has a FIFO store buffer. A store goes into its core's buffer
//! and reaches memory later, in order; a load reads the newest store to its
//! location in its own buffer, or else memory. So a core sees its own stores
//! early, and a load may be performed before an earlier store (to another
//! location) is visible to anyone: the only reordering x86 shows is a store
//! followed by a load (store buffering, `SB`). A locked instruction (`lock`
//! prefix, or `xchg` with memory) and `mfence` drain the buffer first, so
//! they order everything. Stores reach memory in one global order (there is
//! one memory), so every other core sees them in that order: `IRIW` and
//! `2+2W` are forbidden, and so are message passing with plain moves (`MP`)
//! and load buffering (`LB`).
//!
//! ## The compiled events
//!
//! The events are those of the C/Rust test, compiled by the mapping of
//! `shared/litmus/README.md` ("Hardware: x86-64 ..."):
//!
//! - every load (non-atomic, relaxed, acquire, SeqCst) is a plain `mov`
//!   read; non-atomic, relaxed and release stores are plain `mov` writes;
//! - a SeqCst store is `xchg`, a *locked* write (see below for its read);
//! - every RMW is locked (`lock add`, `xchg`, `lock xadd`,
//!   `lock cmpxchg`): both halves are locked events;
//! - a compare-exchange that fails is a *locked read* with no write: that
//!   is herd's `X86_64` semantics of `lock cmpxchg` (`X86_64Sem.ml`: on a
//!   failed comparison the instruction writes the register `rax`, not
//!   memory), and like every locked instruction it orders everything. A weak
//!   compare-exchange is `lock cmpxchg` too, which never fails spuriously:
//!   a read marked as a spurious failure is inconsistent here;
//! - a SeqCst fence is `mfence`; acquire, release and acq_rel fences
//!   compile to nothing (they only constrain the compiler) and order nothing;
//! - a location's `Alloc` is herd's initial write; thread creation (`Spawn`,
//!   `Start`) and joining (`Finish`, `Join`) order everything, as `mfence`
//!   (creating and joining threads go through the kernel and locked
//!   operations; in a litmus test the main thread only allocates and
//!   spawns, and no cycle can pass through its events, so this changes no
//!   answer there).
//!
//! ## The axioms
//!
//! As herd's `x86tso.cat` (herdtools7 `herd/libdir/x86tso.cat`), with `po`
//! the program order (and the spawn/join edges above), `A` the locked
//! events, `fr = rf⁻¹ ; co`, `com = rf ∪ co ∪ fr`, `ext` pairs of different
//! threads:
//!
//! - **SC per location** (uniproc): `acyclic(po|loc ∪ com)`;
//! - **atomicity**: `rmw ∩ (fr;ext ; co;ext)` is empty;
//! - **TSO**: `acyclic(ghb)` with
//!   `ghb = ppo ∪ implied ∪ mfence ∪ rfe ∪ co ∪ fr`, where
//!   `ppo = po ∩ (M × M) \ (W × R)` (x86tso.cat's `WW(po) | RM(po)`),
//!   `implied = po ∩ (W × R) ∩ (A × M ∪ M × A)` (a locked event orders the
//!   write–read pairs it is part of), `mfence = po ; [F] ; po` between
//!   memory events, for `F` an `mfence` (or a spawn/join event).
//!
//! Sources: Owens, Sarkar and Sewell, "A better x86 memory model: x86-TSO",
//! TPHOLs 2009 (the store-buffer machine and its axiomatic equivalent);
//! Alglave, Maranget and Tautschnig, "Herding cats", TOPLAS 2014 (§4 and
//! the `ghb` formulation); herd's `x86tso.cat` and `X86_64Sem.ml`, the
//! oracle of the corpus's `.x86.expected` files (herd7 with `x86tso.cat`
//! over the tests compiled by the mapping).
//!
//! ### A SeqCst store is one locked write
//!
//! herd's `xchg` makes a locked read `Rl` and a locked write `Wl` (`rmw`);
//! its value goes to a register nobody reads. We keep the one write event,
//! marked locked, and this loses nothing: by atomicity `Rl` reads `p`, the
//! write right before `Wl` in `co`, so its `rf` is fixed (no extra
//! executions), and every `ghb` path through `Rl` has a path through `Wl`
//! instead: into `Rl` come `po`-earlier events (which precede the write
//! `Wl` in `ppo`) and `rfe` from `p` (`p co Wl`); out of `Rl` go
//! `po`-later events (which `Wl`, being locked, precedes: `implied` or
//! `WW`) and `fr` to `Wl` and the writes `co`-after it (`Wl co` those).
//! The same holds for the uniproc edges. So the graphs with and without
//! `Rl` are consistent together.
//!
//! ## How it is checked
//!
//! [`Model::read_ok`] and [`Model::write_ok`] check coherence and atomicity
//! locally ([`super::coherence`]) with `(po ∪ rf)+` in the part of
//! happens-before, as `sc` does. That is exactly uniproc plus atomicity
//! here: `porf`-coherence implies `po|loc`-coherence (`po ⊆ porf`), which
//! with atomicity is SC per location; and every TSO-consistent graph is
//! `porf`-coherent. (If `a porf b` across threads, then `a ghb+ b`: the
//! path leaves each thread by `rfe` from a write `po`-after (or equal to)
//! where it entered at a read, and `R → M`, `M → W` are in `ppo`. A
//! coherence violation `b eco a` then ends in `co`, `fr` or `rfe`, all in
//! `ghb`, or in `rfi` from a write `w po a`, and `w ghb+ b` likewise: a
//! cycle.) The external atomicity of `x86tso.cat` is the same as the
//! `rmw ∩ (fr ; co)` checked there: an internal middle write would break
//! SC per location. [`Model::global_ok`] builds `ghb` over the events
//! after each change and searches it for a cycle: within a thread only the
//! edges from each event to the next read, the next write, the next locked
//! read and the next fence that its kind orders, and between threads
//! `rfe`, `co` and `fr` to the immediate `co`-successors, whose transitive
//! closure is `ghb`'s. Litmus tests are small, so a search over the whole
//! graph (linear in its size, in reused buffers) is cheap.
//! [`Model::check_full`] computes every relation from its definition
//! ([`crate::relation`]), the reference the incremental checks are tested
//! against.
//!
//! ## Why the explorer is complete for x86-TSO
//!
//! TruSt (Kokologiannakis, Marmanis, Gladstein and Vafeiadis, POPL 2022)
//! visits every consistent graph exactly once for a model that is
//! - **`porf`-acyclic**: every consistent graph has acyclic `po ∪ rf`. Here
//!   a `po ∪ rf` cycle leaves each thread by `rfe` and enters it at a read;
//!   collapsing `rfi` into `po` (uniproc makes `rfi ⊆ po`), each `po` step
//!   goes from a read to a write (`RM(po)`), so the cycle is in `ghb`;
//! - **prefix-closed**: a `porf`-prefix of a consistent graph is
//!   consistent. Restricting a graph to a `po`-closed set of events keeps
//!   or removes each `ghb`, `po|loc` and `com` pair, and adds none (a fence
//!   between two kept events is kept, since each thread keeps a
//!   `po`-prefix);
//! - **extensible**: adding an event at the end of its thread, a read
//!   reading the `co`-latest write or a write placed `co`-last, keeps the
//!   graph consistent. Such an event has edges in (from `po`, `rfe`, `co`)
//!   but none out: no `fr` (nothing is `co`-after what it reads or is),
//!   nothing `po`-after it, no reader. A node without outgoing edges lies
//!   on no cycle, and it breaks no local coherence.
//!
//! ## Not modelled
//!
//! Data races: there is no undefined behaviour on hardware, so none is
//! reported (`races_are_ub` is false; the corpus's race flag for an x86 run
//! is the C test's). Mixed-size and unaligned accesses, `lfence`/`sfence`,
//! non-temporal stores and string instructions, memory types other than
//! write-back, and the write-back Intel's manual describes for a failing
//! `lock cmpxchg` (herd, the oracle, models none of them). Compiler
//! optimisations: the mapping is taken as the compiler's output, access for
//! access. `fetch_add` whose result is used is `lock xadd`, a locked RMW like
//! the rest (herd's `X86_64` has no `xadd`, so the corpus has no x86 file for
//! such tests).

use std::cell::RefCell;

use super::coherence::{self, Order};
use super::Model;
use crate::event::{EventKind, ReadAccess, WriteKind};
use crate::graph::Graph;
use crate::ids::{EventId, ThreadId};
use crate::relation::{Base, Rel};

/// x86-TSO over the events of a C/Rust program compiled by the standard
/// mapping (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct X86;

impl Model for X86 {
    fn name(&self) -> &'static str {
        "x86"
    }

    fn read_ok(&self, g: &Graph, r: EventId) -> bool {
        // `lock cmpxchg` never fails spuriously
        !g.read(r).is_some_and(|rd| rd.spurious) && coherence::read_ok(g, Order::Porf, r)
    }

    fn write_ok(&self, g: &Graph, w: EventId) -> bool {
        coherence::write_ok(g, Order::Porf, w)
    }

    fn co_floor(&self, g: &Graph, e: EventId) -> usize {
        coherence::floor(g, Order::Porf, e)
    }

    fn global_ok(&self, g: &Graph, changed: &[EventId]) -> bool {
        if changed.len() == 1 && is_sink(g, changed[0]) {
            return true;
        }
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => s.ghb_acyclic(g),
            Err(_) => Scratch::default().ghb_acyclic(g),
        })
    }

    fn races_are_ub(&self) -> bool {
        false
    }

    fn check_full(&self, g: &Graph) -> Result<(), &'static str> {
        check_full(g)
    }
}

/// What an event is on x86, after the mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Read {
        locked: bool,
    },
    Write {
        locked: bool,
    },
    /// `mfence`, or a spawn/join event: orders everything.
    Barrier,
    /// Orders nothing (a fence that compiles to nothing, a blocked or
    /// failed end of a thread).
    Other,
}

fn class(k: &EventKind) -> Class {
    match k {
        // an RMW's or compare-exchange's read, successful or not, is locked
        EventKind::Read(r) => Class::Read {
            locked: r.access != ReadAccess::Load,
        },
        EventKind::Write(w) => Class::Write {
            locked: match w.kind {
                WriteKind::Rmw => true,
                // a SeqCst store is `xchg`
                WriteKind::Store => w.ord.is_sc(),
                WriteKind::Alloc => false,
            },
        },
        EventKind::Fence(f) if f.is_sc() => Class::Barrier,
        EventKind::Fence(_) => Class::Other,
        EventKind::Spawn { .. }
        | EventKind::Start { .. }
        | EventKind::Join { .. }
        | EventKind::Finish => Class::Barrier,
        EventKind::Block(_) | EventKind::Fail => Class::Other,
    }
}

/// Whether `e`, the last event of its thread, has no outgoing `ghb` edge:
/// a read of the `co`-latest write, a write that is `co`-last and read by
/// no one, or a fence (nothing follows it in `po`).
fn is_sink(g: &Graph, e: EventId) -> bool {
    if e.index as usize + 1 != g.thread_len(e.thread) {
        return false;
    }
    match g.kind(e) {
        EventKind::Read(r) => g.co_max(r.loc) == r.rf,
        EventKind::Write(w) => {
            g.co_max(w.loc) == e
                && g.location(w.loc)
                    .reads
                    .iter()
                    .all(|&r| g.read(r).map_or(true, |rd| rd.rf != e))
        }
        EventKind::Fence(_) => true,
        _ => false,
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

const NONE: u32 = u32::MAX;

/// Buffers of the `ghb` search, reused across calls.
#[derive(Default)]
struct Scratch {
    /// Node number of each thread's first event.
    offset: Vec<usize>,
    /// Successors of each node (inner vectors keep their capacity).
    succ: Vec<Vec<u32>>,
    /// Position in `co` of each write node.
    co_pos: Vec<u32>,
    colour: Vec<u8>,
    stack: Vec<(u32, u32)>,
}

impl Scratch {
    fn node(&self, e: EventId) -> usize {
        self.offset[e.thread.index()] + e.index as usize
    }

    /// Builds the `ghb` edges of `g` (see the module docs).
    fn build(&mut self, g: &Graph) {
        let nt = g.num_threads();
        self.offset.clear();
        let mut n = 0;
        for t in 0..nt {
            self.offset.push(n);
            n += g.thread_len(ThreadId::from_index(t));
        }
        for s in self.succ.iter_mut().take(n) {
            s.clear();
        }
        if self.succ.len() < n {
            self.succ.resize_with(n, Vec::new);
        }
        self.co_pos.clear();
        self.co_pos.resize(n, NONE);
        // within threads: each event to the next read, write, locked read
        // and barrier that its kind orders it with
        for t in 0..nt {
            let tid = ThreadId::from_index(t);
            let base = self.offset[t];
            let evs = g.thread_events(tid);
            let (mut next_r, mut next_w, mut next_lr, mut next_b) = (NONE, NONE, NONE, NONE);
            for i in (0..evs.len()).rev() {
                let v = base + i;
                let c = class(&evs[i].kind);
                let out: [u32; 3] = match c {
                    Class::Read { .. } | Class::Write { locked: true } | Class::Barrier => {
                        [next_r, next_w, next_b]
                    }
                    // a plain write is not ordered before a later plain read
                    // unless a locked event or a barrier comes between
                    Class::Write { locked: false } => [next_w, next_lr, next_b],
                    Class::Other => [NONE; 3],
                };
                self.succ[v].extend(out.into_iter().filter(|&x| x != NONE));
                match c {
                    Class::Read { locked } => {
                        next_r = v as u32;
                        if locked {
                            next_lr = v as u32;
                        }
                    }
                    Class::Write { .. } => next_w = v as u32,
                    Class::Barrier => next_b = v as u32,
                    Class::Other => {}
                }
                match evs[i].kind {
                    EventKind::Start { parent, .. } => {
                        let p = self.node(parent);
                        self.succ[p].push(v as u32);
                    }
                    EventKind::Join { child } if g.thread_len(child) > 0 => {
                        let f = self.node(EventId::new(child, g.thread_len(child) - 1));
                        self.succ[f].push(v as u32);
                    }
                    _ => {}
                }
            }
        }
        // between events of one location: co, rfe, fr
        for (_, l) in g.locations() {
            for (k, &w) in l.co.iter().enumerate() {
                let v = self.node(w);
                self.co_pos[v] = k as u32;
                if let Some(&next) = l.co.get(k + 1) {
                    let u = self.node(next) as u32;
                    self.succ[v].push(u);
                }
            }
            for &r in &l.reads {
                let Some(rd) = g.read(r) else { continue };
                let (vr, vw) = (self.node(r), self.node(rd.rf));
                if rd.rf.thread != r.thread {
                    self.succ[vw].push(vr as u32);
                }
                if let Some(&next) = l.co.get(self.co_pos[vw] as usize + 1) {
                    let u = self.node(next) as u32;
                    self.succ[vr].push(u);
                }
            }
        }
    }

    /// Whether `ghb` is acyclic (an iterative depth-first search).
    fn ghb_acyclic(&mut self, g: &Graph) -> bool {
        self.build(g);
        let n = self.co_pos.len();
        self.colour.clear();
        self.colour.resize(n, 0);
        for s in 0..n {
            if self.colour[s] != 0 {
                continue;
            }
            self.colour[s] = 1;
            self.stack.clear();
            self.stack.push((s as u32, 0));
            while let Some(&mut (v, ref mut i)) = self.stack.last_mut() {
                let succ = &self.succ[v as usize];
                if (*i as usize) < succ.len() {
                    let u = succ[*i as usize] as usize;
                    *i += 1;
                    match self.colour[u] {
                        0 => {
                            self.colour[u] = 1;
                            self.stack.push((u as u32, 0));
                        }
                        1 => return false,
                        _ => {}
                    }
                } else {
                    self.colour[v as usize] = 2;
                    self.stack.pop();
                }
            }
        }
        true
    }
}

/// Every axiom from scratch, with the relations computed from their
/// definitions (bit matrices, no shortcuts). Slow; the reference for the
/// incremental checks.
pub fn check_full(g: &Graph) -> Result<(), &'static str> {
    let b = Base::of(g);
    let n = b.len();
    if b.kinds
        .iter()
        .any(|k| matches!(k, EventKind::Read(r) if r.spurious))
    {
        return Err("no-spurious-failure");
    }
    let classes: Vec<Class> = b.kinds.iter().map(class).collect();
    let is_r = |a: usize| matches!(classes[a], Class::Read { .. });
    let is_w = |a: usize| matches!(classes[a], Class::Write { .. });
    let is_m = |a: usize| is_r(a) || is_w(a);
    let locked = |a: usize| {
        matches!(
            classes[a],
            Class::Read { locked: true } | Class::Write { locked: true }
        )
    };
    let is_barrier = |a: usize| classes[a] == Class::Barrier;
    // `po` here is the program order with the spawn/join edges (`sb`)
    let po = &b.sb;
    let mut ext = Rel::new(n);
    for x in 0..n {
        for y in 0..n {
            if b.ids[x].thread != b.ids[y].thread {
                ext.set(x, y);
            }
        }
    }
    // SC per location: acyclic(po|loc ∪ rf ∪ co ∪ fr)
    let com = b.rf.union(&b.co).union(&b.rb);
    if !po.intersect(&b.loc).union(&com).acyclic() {
        return Err("sc-per-location");
    }
    // atomicity: rmw ∩ (fre ; coe) = ∅
    let fre = b.rb.intersect(&ext);
    let coe = b.co.intersect(&ext);
    if !b.rmw.intersect(&fre.seq(&coe)).is_empty_rel() {
        return Err("atomicity");
    }
    // ghb = ppo ∪ implied ∪ mfence ∪ rfe ∪ co ∪ fr
    let mm = po.restrict(is_m, is_m);
    let wr = po.restrict(is_w, is_r);
    let ppo = mm.minus(&wr);
    let implied = wr
        .restrict(locked, |_| true)
        .union(&wr.restrict(|_| true, locked));
    let mfence = po
        .restrict(is_m, is_barrier)
        .seq(&po.restrict(is_barrier, is_m));
    let rfe = b.rf.intersect(&ext);
    let ghb = ppo
        .union(&implied)
        .union(&mfence)
        .union(&rfe)
        .union(&b.co)
        .union(&b.rb);
    if !ghb.acyclic() {
        return Err("tso");
    }
    Ok(())
}
