//! The axiomatic enumerator: every candidate execution of a litmus test,
//! filtered by a model's consistency predicate over explicit relations. It
//! serves the models the explorer cannot: `c++20` allows `po ∪ rf` cycles
//! (load buffering), which the explorer's graphs, built one event at a time
//! with clocks, cannot contain; `arm` allows them too and needs the
//! program's dependencies ([`arm`] compiles each path by the standard
//! mapping).
//!
//! As herd7 does for C: each thread's paths are found symbolically
//! ([`symbolic`]); a candidate is one path per thread, an `rf` for every
//! read (any write to its location, the initial one included) and a `co`
//! for every location (its initial write first, then any order of the
//! others), with `po` between statements and, inside one, the statement's
//! own causality (herd's C `po` includes `iico`); its values are solved
//! from the `rf` equations ([`solve`]), and it counts if they have a
//! solution and the model accepts it. Under `c++20`
//! counts are therefore herd's: candidate executions up to `rf` and `co`,
//! racy ones included (under `arm` they are ours: herd's also count a
//! failing CAS that writes). Values no write determines (out of thin air) are reported as
//! symbols, [`Value::Symbol`], with herd's names where its numbering can be
//! replayed ([`herd_names`]), numbered per state in the order of the state's
//! keys otherwise.
//!
//! The cost is the product of the choices; litmus tests are small. Loops
//! are unrolled as herd's are (see [`symbolic`]).

mod arm;
mod herd_names;
mod solve;
mod symbolic;

use happens_engine::model::{arm as arm_model, cxx20};
use happens_engine::relation::Rel;
use happens_engine::{CEvent, CKind, Candidate, ModelKind};

use crate::ast::{Key, Test};
use crate::interp::Code;
use crate::outcome::{Access, Outcome, RaceReport, Value};
use crate::tally::Tally;
use herd_names::HerdVars;
use solve::{Ev, Solver, Tref};
use symbolic::{PEvent, Path, Spurious, Terms};

/// Where an event of a candidate comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meta {
    /// Test thread (`None`: an initial write).
    pub thread: Option<usize>,
    /// The read's variable.
    pub var: Option<usize>,
    /// The value written.
    pub val: Option<Tref>,
    pub site: u32,
    /// Its `po` index in its thread: events with the same index are
    /// unordered (herd's C: one statement; Arm: one instruction).
    pub stmt: u32,
    /// The index of its path event (an Arm RMW's two events share one).
    pub pev: usize,
}

/// Runs `test` under `model` (an axiomatic one: [`ModelKind::Cxx20`] or
/// [`ModelKind::Arm`]).
pub(crate) fn run(test: &Test, model: ModelKind, max_candidates: u64) -> Outcome {
    let code = Code::compile(test);
    // under the Arm mapping a weak compare-exchange is the `CAS` instruction
    // a strong one is, which never fails spuriously
    let spurious = match model {
        ModelKind::Arm => Spurious::No,
        _ => Spurious::Yes,
    };
    let threads: Vec<(Terms, Vec<Path>)> = code
        .threads
        .iter()
        .map(|c| symbolic::paths(c, spurious))
        .collect();
    let terms: Vec<Terms> = threads.iter().map(|(t, _)| t.clone()).collect();
    let mut e = Enumeration {
        model,
        herd: HerdVars::of(test),
        tried: 0,
        max: max_candidates,
        test,
        code: &code,
        terms: &terms,
        tally: Tally::new(test, model),
    };
    // every choice of one path per thread
    let counts: Vec<usize> = threads.iter().map(|(_, p)| p.len()).collect();
    if counts.iter().all(|&c| c > 0) {
        let mut choice = vec![0usize; threads.len()];
        loop {
            let paths: Vec<&Path> = choice
                .iter()
                .enumerate()
                .map(|(t, &i)| &threads[t].1[i])
                .collect();
            e.paths(&paths);
            if e.tried > e.max || !next(&mut choice, &counts) {
                break;
            }
        }
    }
    e.tally.finish()
}

/// Advances an odometer; `false` when it wraps around.
fn next(digits: &mut [usize], limits: &[usize]) -> bool {
    for (d, &l) in digits.iter_mut().zip(limits) {
        *d += 1;
        if *d < l {
            return true;
        }
        *d = 0;
    }
    false
}

/// Every permutation of `0..n`, in lexicographic order.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut p: Vec<usize> = (0..n).collect();
    loop {
        out.push(p.clone());
        // next permutation
        let Some(i) = (1..n).rev().find(|&i| p[i - 1] < p[i]) else {
            return out;
        };
        let j = (i..n).rev().find(|&j| p[j] > p[i - 1]).unwrap_or(i);
        p.swap(i - 1, j);
        p[i..].reverse();
    }
}

struct Enumeration<'a> {
    model: ModelKind,
    /// herd's numbering of the test's variables, for naming thin-air values.
    herd: Option<HerdVars>,
    /// Candidates tried so far, and how many may be (the enumeration is
    /// exhaustive, and its cost the product of the choices).
    tried: u64,
    max: u64,
    test: &'a Test,
    code: &'a Code,
    terms: &'a [Terms],
    /// The states, the condition and the races, counted as the explorer's
    /// path counts them.
    tally: Tally<'a>,
}

impl Enumeration<'_> {
    /// Every candidate with these paths.
    fn paths(&mut self, paths: &[&Path]) {
        let nlocs = self.test.locations.len();
        let mut events = Vec::new();
        let mut meta = Vec::new();
        for (l, loc) in self.test.locations.iter().enumerate() {
            events.push(CEvent {
                thread: None,
                kind: CKind::Init,
                loc: Some(l as u32),
            });
            meta.push(Meta {
                thread: None,
                var: None,
                val: Some(Tref::Const(loc.init)),
                site: 0,
                stmt: 0,
                pev: 0,
            });
        }
        let mut base = Vec::with_capacity(paths.len());
        let mut nvars = 0;
        for (t, p) in paths.iter().enumerate() {
            base.push(nvars);
            if self.model == ModelKind::Arm {
                arm::events(t, p, nvars, &mut events, &mut meta);
            } else {
                for (i, (ev, &stmt)) in p.events.iter().zip(&p.stmts).enumerate() {
                    let (kind, loc, var, val) = match *ev {
                        PEvent::Read { loc, ord, var, .. } => {
                            (CKind::Read(ord), Some(loc), Some(var), None)
                        }
                        PEvent::Write { loc, ord, val, .. } => {
                            (CKind::Write(ord), Some(loc), None, Some(val))
                        }
                        PEvent::Rmw {
                            loc, ord, var, val, ..
                        } => (CKind::Rmw(ord), Some(loc), Some(var), Some(val)),
                        PEvent::Fence { ord, .. } => (CKind::Fence(ord), None, None, None),
                    };
                    events.push(CEvent {
                        thread: Some(t as u32),
                        kind,
                        loc: loc.map(|l| l as u32),
                    });
                    meta.push(Meta {
                        thread: Some(t),
                        var: var.map(|v| nvars + v as usize),
                        val: val.map(|v| Tref::Term(t, v)),
                        site: ev.site(),
                        stmt,
                        pev: i,
                    });
                }
            }
            nvars += p.nreads as usize;
        }
        let n = events.len();
        let mut x = Candidate::new(events);
        for a in 0..n {
            for b in a + 1..n {
                if meta[a].thread.is_some()
                    && meta[a].thread == meta[b].thread
                    && meta[a].stmt < meta[b].stmt
                {
                    x.po.set(a, b);
                }
            }
        }
        if self.model == ModelKind::Arm {
            arm::relations(&mut x, &meta, paths, self.terms);
        } else {
            // herd's C `po` also orders events of one statement by its
            // causality (`iico`); under Arm each is an instruction of its own
            let first: Vec<usize> = (0..paths.len())
                .map(|t| meta.iter().position(|m| m.thread == Some(t)).unwrap_or(n))
                .collect();
            for (t, p) in paths.iter().enumerate() {
                for &(a, b) in &p.iico {
                    x.po.set(first[t] + a, first[t] + b);
                }
            }
        }
        // the writes of each location, initial write first
        let mut writes: Vec<Vec<usize>> = vec![Vec::new(); nlocs];
        for (e, ev) in x.events.iter().enumerate() {
            if let (true, Some(l)) = (ev.is_write(), ev.loc) {
                writes[l as usize].push(e);
            }
        }
        let reads: Vec<usize> = (0..n).filter(|&e| x.events[e].is_read()).collect();
        let sources: Vec<Vec<usize>> = reads
            .iter()
            .map(|&r| {
                let l = x.events[r].loc.unwrap_or(0) as usize;
                writes[l].iter().copied().filter(|&w| w != r).collect()
            })
            .collect();
        if sources.iter().any(Vec::is_empty) {
            return;
        }
        let perms: Vec<Vec<Vec<usize>>> = writes
            .iter()
            .map(|ws| permutations(ws.len().saturating_sub(1)))
            .collect();
        let perm_counts: Vec<usize> = perms.iter().map(Vec::len).collect();
        let src_counts: Vec<usize> = sources.iter().map(Vec::len).collect();
        let failed = paths.iter().position(|p| p.failed);
        let mut rf_choice = vec![0usize; reads.len()];
        loop {
            self.tried += 1;
            if self.tried > self.max {
                self.tally.out.errors += 1;
                self.tally.out.first_error = Some(format!(
                    "more than {} candidate executions: too large for the {} enumerator, which tries every rf and co",
                    self.max, self.model
                ));
                return;
            }
            x.rf = Rel::new(n);
            let mut eqs = Vec::with_capacity(reads.len());
            for (i, &r) in reads.iter().enumerate() {
                let w = sources[i][rf_choice[i]];
                x.rf.set(w, r);
                if let (Some(v), Some(val)) = (meta[r].var, meta[w].val) {
                    eqs.push((Tref::Var(v), val));
                }
            }
            let mut solver = Solver::new(self.terms, &base, nvars);
            if solver.solve(&eqs, paths) {
                let hb = match self.model {
                    ModelKind::Arm => Rel::new(n),
                    _ => cxx20::happens_before(&x),
                };
                if self.model == ModelKind::Arm || hb.irreflexive() {
                    let mut co_choice = vec![0usize; nlocs];
                    loop {
                        self.tried += 1;
                        x.co = Rel::new(n);
                        for (l, ws) in writes.iter().enumerate() {
                            let Some((&init, rest)) = ws.split_first() else {
                                continue;
                            };
                            let order = &perms[l][co_choice[l]];
                            let mut prev = vec![init];
                            for &k in order {
                                let w = rest[k];
                                for &p in &prev {
                                    x.co.set(p, w);
                                }
                                prev.push(w);
                            }
                        }
                        let ok = match self.model {
                            ModelKind::Arm => arm_model::check(&x).is_ok(),
                            _ => cxx20::check_with(&x, &hb).is_ok(),
                        };
                        if ok {
                            self.record(&x, &hb, &meta, paths, &writes, &mut solver, failed);
                        }
                        if !next(&mut co_choice, &perm_counts) {
                            break;
                        }
                    }
                }
            }
            if !next(&mut rf_choice, &src_counts) {
                break;
            }
        }
    }

    /// Counts one consistent execution.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        x: &Candidate,
        hb: &Rel,
        meta: &[Meta],
        paths: &[&Path],
        writes: &[Vec<usize>],
        solver: &mut Solver<'_>,
        failed: Option<usize>,
    ) {
        if let Some(t) = failed {
            self.tally.out.errors += 1;
            if self.tally.out.first_error.is_none() {
                self.tally.out.first_error = Some(format!(
                    "thread {} accessed an array out of its bounds",
                    self.test.threads[t].name
                ));
            }
            return;
        }
        // symbols: herd's names where we can replay them, else numbered in
        // the order of the state's keys
        let mut herd: Option<Option<Vec<(usize, usize)>>> = None;
        let mut symbols: Vec<usize> = Vec::new();
        let mut values = Vec::with_capacity(self.tally.keys().len());
        for &k in self.tally.keys() {
            let r = match k {
                Key::Reg { thread, reg } => paths
                    .get(thread)
                    .and_then(|p| p.regs.get(reg))
                    .map_or(Tref::Const(0), |&t| Tref::Term(thread, t)),
                Key::Loc(l) => {
                    // the co-last write of the location
                    let last = writes[l]
                        .iter()
                        .copied()
                        .find(|&w| writes[l].iter().all(|&v| v == w || !x.co.get(w, v)));
                    last.and_then(|w| meta[w].val).unwrap_or(Tref::Const(0))
                }
            };
            values.push(match solver.eval(r) {
                Ev::Const(c) => Value::Int(c),
                Ev::Class(c) => {
                    let names =
                        herd.get_or_insert_with(|| self.herd_symbols(x, meta, paths, solver));
                    match names.as_ref().and_then(|ns| ns.iter().find(|n| n.0 == c)) {
                        Some(&(_, name)) => Value::Symbol(name as u32),
                        None => {
                            let i = match symbols.iter().position(|&s| s == c) {
                                Some(i) => i,
                                None => {
                                    symbols.push(c);
                                    symbols.len() - 1
                                }
                            };
                            Value::Symbol(i as u32 + 1)
                        }
                    }
                }
                // cannot happen: every operation was solved
                Ev::Undet => Value::Symbol(0),
            });
        }
        // hardware has no data races (no undefined behaviour): every
        // execution's state counts
        let races = match self.model {
            ModelKind::Arm => Vec::new(),
            _ => cxx20::races(x, hb),
        };
        self.tally.complete(&values, !races.is_empty());
        for (a, b) in races {
            let rep = self.race_report(x, meta, a, b);
            self.tally.race(rep);
        }
    }

    /// herd's name of each undetermined class of the solution (class, name),
    /// if the test's numbering can be replayed ([`HerdVars`]).
    fn herd_symbols(
        &self,
        x: &Candidate,
        meta: &[Meta],
        paths: &[&Path],
        solver: &mut Solver<'_>,
    ) -> Option<Vec<(usize, usize)>> {
        let hv = self.herd.as_ref()?;
        let nthreads = self.test.threads.len();
        // each event's index among its thread's reads or writes
        let (mut nr, mut nw) = (vec![0usize; nthreads], vec![0usize; nthreads]);
        let mut index = vec![0usize; x.len()];
        for (e, ev) in x.events.iter().enumerate() {
            let Some(t) = meta[e].thread else { continue };
            if ev.is_rmw() {
                return None;
            }
            if ev.is_read() {
                index[e] = nr[t];
                nr[t] += 1;
            } else if ev.is_write() {
                index[e] = nw[t];
                nw[t] += 1;
            }
        }
        let mut loads = Vec::new();
        let mut classes = Vec::new();
        for (e, ev) in x.events.iter().enumerate() {
            let (Some(t), true) = (meta[e].thread, ev.is_read()) else {
                continue;
            };
            let w = (0..x.len()).find(|&w| x.rf.get(w, e))?;
            let src = meta[w].thread.map(|u| (u, index[w]));
            loads.push((t, index[e], src));
            classes.push(match meta[e].var.map(|v| solver.eval(Tref::Var(v))) {
                Some(Ev::Class(c)) => Some(c),
                _ => None,
            });
        }
        let decisions: Vec<&[bool]> = paths.iter().map(|p| &p.decisions[..]).collect();
        let names = hv.names(&decisions, &loads)?;
        let mut out: Vec<(usize, usize)> = Vec::new();
        for (c, name) in classes.into_iter().zip(names) {
            let Some(c) = c else { continue };
            match out.iter().find(|o| o.0 == c) {
                // one class, one name, or herd's numbering is not ours
                Some(o) if o.1 != name => return None,
                Some(_) => {}
                None => out.push((c, name)),
            }
        }
        Some(out)
    }

    fn access(&self, x: &Candidate, meta: &[Meta], e: usize) -> Access {
        let t = meta[e].thread.unwrap_or(0);
        let site = self.code.site(t, meta[e].site);
        Access {
            thread: self.test.threads[t].name.clone(),
            line: site.map_or(0, |s| s.line),
            write: x.events[e].is_write(),
            atomic: x.events[e].is_atomic(),
            text: site.map_or_else(String::new, |s| s.text.clone()),
        }
    }

    fn race_report(&self, x: &Candidate, meta: &[Meta], a: usize, b: usize) -> RaceReport {
        let l = x.events[a].loc.unwrap_or(0) as usize;
        RaceReport::new(
            self.test.locations[l].name.clone(),
            self.access(x, meta, a),
            self.access(x, meta, b),
        )
    }
}
