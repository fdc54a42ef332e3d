//! `happens advise`: the ordering advisor for litmus tests.
//!
//! A litmus test *passes* when its final condition rules its outcome out
//! (`exists P` and `~exists P`: `P` never holds; `forall P`: `P` always
//! holds) and no execution has a data race. Its sites are its atomic
//! accesses and fences, in the order of the threads and of their
//! statements (a compare-exchange has two: its success and its failure
//! ordering). The search is the engine's (`happens_engine::advise`, the
//! library's `Builder::advise` uses the same): each site alone, weakest
//! orderings first, and one combination by greedy descent. Each ordering
//! that is just too weak comes with an execution that shows why: its
//! diagram and replay key, of the test with that ordering written in.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use happens_engine::advise::{advise, choice_word, Choice, SiteKind};
use happens_engine::{FenceOrd, LoadOrd, RmwOrd, Status, StoreOrd};
use happens_litmus::ast::{Expr, MemOp, Quantifier, StmtKind};
use happens_litmus::{ExecutionRecord, Holds, Outcome, RunOptions, Test};

use crate::graph::{self, Drawing};

/// One atomic access or fence of a test.
#[derive(Clone, Debug)]
pub struct Site {
    pub kind: SiteKind,
    pub written: Ordering,
    pub thread: String,
    pub line: u32,
    /// The statement's text.
    pub text: String,
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} line {} `{}` ({})",
            self.thread,
            self.line,
            self.text,
            self.kind.word()
        )
    }
}

/// Why a test with some orderings fails: what it reached, and one
/// execution that reaches it.
pub struct Why {
    pub what: String,
    pub drawing: Option<Drawing>,
    /// An execution could not run to its end (not a verdict).
    pub error: bool,
}

/// The advice for one test.
pub struct TestAdvice {
    pub sites: Vec<Site>,
    pub advice: happens_engine::advise::Advice<Why>,
    /// The failure as written.
    pub failure: Option<Why>,
}

fn load_std(o: LoadOrd) -> Option<Ordering> {
    match o {
        LoadOrd::NonAtomic => None,
        LoadOrd::Relaxed => Some(Ordering::Relaxed),
        LoadOrd::Acquire => Some(Ordering::Acquire),
        LoadOrd::SeqCst => Some(Ordering::SeqCst),
    }
}

fn store_std(o: StoreOrd) -> Option<Ordering> {
    match o {
        StoreOrd::NonAtomic => None,
        StoreOrd::Relaxed => Some(Ordering::Relaxed),
        StoreOrd::Release => Some(Ordering::Release),
        StoreOrd::SeqCst => Some(Ordering::SeqCst),
    }
}

fn rmw_std(o: RmwOrd) -> Ordering {
    match o {
        RmwOrd::Relaxed => Ordering::Relaxed,
        RmwOrd::Acquire => Ordering::Acquire,
        RmwOrd::Release => Ordering::Release,
        RmwOrd::AcqRel => Ordering::AcqRel,
        RmwOrd::SeqCst => Ordering::SeqCst,
    }
}

fn fence_std(o: FenceOrd) -> Ordering {
    match o {
        FenceOrd::Acquire => Ordering::Acquire,
        FenceOrd::Release => Ordering::Release,
        FenceOrd::AcqRel => Ordering::AcqRel,
        FenceOrd::SeqCst => Ordering::SeqCst,
    }
}

/// The engine ordering of `c` for an access of `kind` (only choices of
/// that kind are ever asked for).
fn set_load(o: &mut LoadOrd, c: Choice) {
    *o = match c {
        Some(Ordering::Acquire) => LoadOrd::Acquire,
        Some(Ordering::SeqCst) => LoadOrd::SeqCst,
        _ => LoadOrd::Relaxed,
    };
}

fn set_store(o: &mut StoreOrd, c: Choice) {
    *o = match c {
        Some(Ordering::Release) => StoreOrd::Release,
        Some(Ordering::SeqCst) => StoreOrd::SeqCst,
        _ => StoreOrd::Relaxed,
    };
}

fn set_rmw(o: &mut RmwOrd, c: Choice) {
    *o = match c {
        Some(Ordering::Acquire) => RmwOrd::Acquire,
        Some(Ordering::Release) => RmwOrd::Release,
        Some(Ordering::AcqRel) => RmwOrd::AcqRel,
        Some(Ordering::SeqCst) => RmwOrd::SeqCst,
        _ => RmwOrd::Relaxed,
    };
}

fn set_fence(o: &mut FenceOrd, c: Choice) {
    *o = match c {
        Some(Ordering::Acquire) => FenceOrd::Acquire,
        Some(Ordering::Release) => FenceOrd::Release,
        Some(Ordering::AcqRel) => FenceOrd::AcqRel,
        _ => FenceOrd::SeqCst,
    };
}

/// Changes the ordering of the site it was given for.
type Set<'a> = &'a mut dyn FnMut(Choice);

/// Called for each site of an expression: its kind, its ordering as
/// written, and how to change it.
type OnSite<'a> = &'a mut dyn FnMut(SiteKind, Ordering, Set<'_>);

/// Called for each site of a statement list, with the statement's line and
/// text; returns `Some(true)` to remove the statement (a fence removed).
type OnStmtSite<'a> = &'a mut dyn FnMut(u32, &str, SiteKind, Ordering, Set<'_>) -> Option<bool>;

/// Visits every site of a memory operation, in order: `f(kind, written,
/// set)` where `set` changes it.
fn mem_sites(op: &mut MemOp, f: OnSite<'_>) {
    match op {
        MemOp::Load { ord, .. } => {
            if let Some(o) = load_std(*ord) {
                f(SiteKind::Load, o, &mut |c| set_load(ord, c));
            }
        }
        MemOp::Store { value, ord, .. } => {
            expr_sites(value, f);
            if let Some(o) = store_std(*ord) {
                f(SiteKind::Store, o, &mut |c| set_store(ord, c));
            }
        }
        MemOp::Rmw { operand, ord, .. } => {
            expr_sites(operand, f);
            let o = rmw_std(*ord);
            f(SiteKind::Rmw, o, &mut |c| set_rmw(ord, c));
        }
        MemOp::Cas(cas) => {
            expr_sites(&mut cas.desired, f);
            let o = rmw_std(cas.success);
            f(SiteKind::CasSuccess, o, &mut |c| {
                set_rmw(&mut cas.success, c)
            });
            if let Some(o) = load_std(cas.failure) {
                f(SiteKind::CasFailure, o, &mut |c| {
                    set_load(&mut cas.failure, c)
                });
            }
        }
        MemOp::Fence(ord) => {
            let o = fence_std(*ord);
            f(SiteKind::Fence, o, &mut |c| set_fence(ord, c));
        }
        MemOp::At { offset, op, .. } => {
            expr_sites(offset, f);
            mem_sites(op, f);
        }
    }
}

fn expr_sites(e: &mut Expr, f: OnSite<'_>) {
    match e {
        Expr::Int(_) | Expr::Reg(_) => {}
        Expr::Unary(_, a) => expr_sites(a, f),
        Expr::Binary(_, a, b) => {
            expr_sites(a, f);
            expr_sites(b, f);
        }
        Expr::Mem(op) => mem_sites(op, f),
    }
}

/// Visits every site of a thread's statements; `f(line, text, kind,
/// written, set)`. A fence statement given `None` becomes a statement with
/// no memory effect.
fn stmt_sites(stmts: &mut [happens_litmus::Stmt], f: OnStmtSite<'_>) {
    for s in stmts {
        let (line, text) = (s.line, s.text.clone());
        let mut removed = false;
        {
            let mut g = |kind: SiteKind, o: Ordering, set: &mut dyn FnMut(Choice)| {
                if f(line, &text, kind, o, set) == Some(true) {
                    removed = true;
                }
            };
            match &mut s.kind {
                StmtKind::Assign { value, .. } => expr_sites(value, &mut g),
                StmtKind::CasPair { cas, .. } => {
                    let mut op = MemOp::Cas(cas.clone());
                    mem_sites(&mut op, &mut g);
                    if let MemOp::Cas(c) = op {
                        *cas = c;
                    }
                }
                StmtKind::Eval(e) => expr_sites(e, &mut g),
                StmtKind::If { cond, .. } | StmtKind::While { cond, .. } => {
                    expr_sites(cond, &mut g)
                }
                StmtKind::Hint => {}
            }
        }
        if removed {
            s.kind = StmtKind::Hint;
        }
        match &mut s.kind {
            StmtKind::If { then, els, .. } => {
                stmt_sites(then, f);
                stmt_sites(els, f);
            }
            StmtKind::While { body, .. } => stmt_sites(body, f),
            _ => {}
        }
    }
}

/// The test's sites, in order.
pub fn sites(test: &Test) -> Vec<Site> {
    let mut t = test.clone();
    let mut out = Vec::new();
    for th in &mut t.threads {
        let name = th.name.clone();
        stmt_sites(&mut th.body, &mut |line, text, kind, written, _| {
            out.push(Site {
                kind,
                written,
                thread: name.clone(),
                line,
                text: text.to_string(),
            });
            None
        });
    }
    out
}

/// `test` with each site `i` given `choices[i]`; a fence given `None` is
/// removed (only a fence that is a statement of its own can be).
pub fn with_choices(test: &Test, choices: &[Choice]) -> Test {
    let mut t = test.clone();
    let mut i = 0;
    for th in &mut t.threads {
        stmt_sites(&mut th.body, &mut |_, _, kind, _, set| {
            let c = choices[i];
            i += 1;
            set(c);
            Some(kind == SiteKind::Fence && c.is_none())
        });
    }
    t
}

/// Whether an outcome passes (see the module docs).
pub fn passes(o: &Outcome) -> bool {
    let ruled_out = match &o.condition {
        None => true,
        Some(c) => match c.quantifier {
            Quantifier::Exists | Quantifier::NotExists => c.holds == Holds::Never,
            Quantifier::Forall => c.holds == Holds::Always,
        },
    };
    ruled_out && !o.undefined && o.errors == 0
}

/// Runs `test`; `None` if it passes, else why not, with the first
/// execution that shows it drawn.
fn run(test: &Test, opts: &RunOptions, ascii: bool, width: usize) -> Option<Why> {
    let quantifier = test.condition.as_ref().map(|c| c.quantifier);
    let term = happens_render::TermOptions { ascii, width };
    let draw =
        |g: &happens_engine::Graph, l: &_, m: &_| happens_render::render_terminal(g, l, m, &term);
    let mut first: Option<Drawing> = None;
    let mut number = 0;
    let outcome = happens_litmus::run_with(test, opts, |e: &ExecutionRecord<'_>| {
        number += 1;
        if first.is_some() || *e.status != Status::Complete {
            return;
        }
        let bad = !e.races.is_empty()
            || quantifier.zip(e.holds).is_some_and(|(q, holds)| match q {
                Quantifier::Forall => !holds,
                _ => holds,
            });
        if bad {
            first = Some(graph::drawing(e, number, &draw));
        }
    });
    if passes(&outcome) {
        return None;
    }
    let what = if outcome.undefined {
        "a data race (undefined behaviour)".to_string()
    } else if outcome.errors > 0 {
        outcome
            .first_error
            .clone()
            .unwrap_or_else(|| "an execution that could not run to its end".to_string())
    } else {
        let c = outcome.condition.as_ref().expect("a failing condition");
        let n = |k: u64| format!("{k} execution{}", if k == 1 { "" } else { "s" });
        match c.quantifier {
            Quantifier::Forall => format!("`{}` fails in {}", c.text, n(c.negative)),
            _ => format!("`{}` holds in {}", c.text, n(c.positive)),
        }
    };
    Some(Why {
        what,
        drawing: first,
        error: outcome.errors > 0,
    })
}

/// Advises `test` (see the module docs).
pub fn advise_test(test: &Test, opts: &RunOptions, ascii: bool, width: usize) -> TestAdvice {
    let sites = sites(test);
    let failure = run(test, opts, ascii, width);
    let kinds: Vec<(SiteKind, Ordering)> = sites.iter().map(|s| (s.kind, s.written)).collect();
    let advice = advise(&kinds, failure.is_none(), |choices| {
        run(&with_choices(test, choices), opts, ascii, width)
    });
    TestAdvice {
        sites,
        advice,
        failure,
    }
}

/// The advice as text. `replay` is the command that replays a key of this
/// file (under the model advised for).
pub fn render(file: &str, a: &TestAdvice, replay: &str) -> String {
    let mut s = String::new();
    let adv = &a.advice;
    if !adv.passes {
        let _ = writeln!(s, "{file}: fails as written");
        if let Some(w) = &a.failure {
            let _ = writeln!(s, "  {}", w.what);
        }
        if adv.strengthen.is_empty() {
            let _ = writeln!(s, "  no single site's stronger ordering makes it pass");
        }
        for &(i, to) in &adv.strengthen {
            let site = &a.sites[i];
            let _ = writeln!(s, "  {site}: {:?} -> {to:?} makes it pass", site.written);
        }
        return s;
    }
    let _ = writeln!(
        s,
        "{file}: passes as written; {} atomic sites ({} runs)",
        a.sites.len(),
        adv.runs + 1
    );
    let _ = writeln!(s, "each site alone, every other as written:");
    for (site, alone) in a.sites.iter().zip(&adv.alone) {
        let verdict = if alone.weakest == [Some(site.written)] {
            format!("keep {:?}", site.written)
        } else {
            let w: Vec<String> = alone.weakest.iter().map(|&c| choice_word(c)).collect();
            format!("{} (written {:?})", w.join(" or "), site.written)
        };
        let fails: Vec<String> = alone.why.iter().map(|(c, _)| choice_word(*c)).collect();
        if fails.is_empty() {
            let _ = writeln!(s, "  {site}: {verdict}");
        } else {
            let _ = writeln!(s, "  {site}: {verdict}; {} fails", fails.join(", "));
        }
    }
    let _ = writeln!(
        s,
        "together ({}):",
        if adv.together_passes {
            "passes"
        } else {
            "FAILS as a whole"
        }
    );
    for (site, c) in a.sites.iter().zip(&adv.together) {
        let _ = writeln!(s, "  {site}: {}", choice_word(*c));
    }
    for (site, alone) in a.sites.iter().zip(&adv.alone) {
        for (c, why) in &alone.why {
            let _ = writeln!(
                s,
                "\nwhy {site} needs more than {}: {}",
                choice_word(*c),
                why.what
            );
            if let Some(d) = &why.drawing {
                let _ = writeln!(s, "execution {}, ending in {}:", d.number, d.title);
                s.push_str(&d.picture);
                let _ = writeln!(
                    s,
                    "replay (with {} written there): {replay} '{}'",
                    choice_word(*c),
                    d.key
                );
            }
        }
    }
    s
}
