//! The ordering advisor: which ordering does each atomic call site need?
//!
//! [`Builder::advise`](crate::model::Builder::advise) explores a test as
//! written, noting every atomic call site of the program (a load, a store,
//! an RMW, a compare-exchange's success and failure orderings, a fence)
//! with the ordering it was given. It then explores the same test again
//! with one site's ordering changed, with no recompilation: the runtime
//! gives that site's operations the new ordering (`ordering`).
//!
//! Which runs to make is the engine's search (`happens_engine::advise`,
//! shared with the CLI's `happens advise` for litmus files): for a passing
//! test, each site alone (the weakest orderings that keep it passing with
//! every other site as written, each with the failure of every ordering
//! just below it: the execution, diagram, trace and replay key, that shows
//! why it is needed) and one combination by greedy descent in source
//! order, checked as a whole; for a failing test, the sites that alone,
//! strengthened, make it pass. A counter-example's replay key replays the
//! program with that site's ordering written in.
//!
//! What it does not do: atomics of the library's own bookkeeping (`Arc`'s
//! counts) and of its primitives are not sites; a site is a source
//! location, so two calls of one generic function are one site; an
//! exploration that a budget or `LOOM_MAX_PREEMPTIONS` cut short counts as
//! passing when it found no failure.

use std::fmt;
use std::panic::Location;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use happens_engine::advise::{choice_word, Advice as Search};
pub use happens_engine::advise::{Choice, SiteKind};

use crate::report::Failure;

/// An atomic call site: its source location and which of its orderings.
#[derive(Clone, Copy, Debug)]
pub struct Site {
    pub at: &'static Location<'static>,
    pub kind: SiteKind,
}

impl PartialEq for Site {
    fn eq(&self, o: &Site) -> bool {
        self.kind == o.kind
            && self.at.line() == o.at.line()
            && self.at.column() == o.at.column()
            && self.at.file() == o.at.file()
    }
}

impl Eq for Site {}

impl Site {
    fn key(&self) -> (&'static str, u32, u32, SiteKind) {
        (self.at.file(), self.at.line(), self.at.column(), self.kind)
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{} {}",
            self.at.file(),
            self.at.line(),
            self.at.column(),
            self.kind.word()
        )
    }
}

/// What an exploration under the advisor shares with the runtime: the
/// orderings to give some sites, and the sites met.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    overrides: Vec<(Site, Choice)>,
    seen: Mutex<Vec<(Site, Ordering)>>,
}

impl Ctx {
    /// The ordering a site's operation takes (`None`: a fence removed);
    /// notes the site and the ordering the program gave it.
    pub(crate) fn ordering(&self, site: Site, written: Ordering) -> Choice {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.iter().any(|(s, _)| *s == site) {
            seen.push((site, written));
        }
        drop(seen);
        self.overrides
            .iter()
            .find(|(s, _)| *s == site)
            .map_or(Some(written), |&(_, c)| c)
    }
}

/// Advisor explorations running in the process.
static ADVISING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The ordering the current thread's operation at `at` takes: as written,
/// unless the advisor changes it. `None`: a fence the advisor removed.
#[inline(always)]
pub(crate) fn ordering(
    at: &'static Location<'static>,
    kind: SiteKind,
    written: Ordering,
) -> Choice {
    // the common case, no advisor running anywhere in the process: one
    // load, no look into the runtime's state
    if ADVISING.load(std::sync::atomic::Ordering::Relaxed) == 0 {
        return Some(written);
    }
    match crate::rt::advice() {
        None => Some(written),
        Some(ctx) => ctx.ordering(Site { at, kind }, written),
    }
}

/// One site's advice.
#[derive(Debug)]
pub struct SiteAdvice {
    pub site: Site,
    /// The ordering as written.
    pub written: Ordering,
    /// The weakest orderings that pass with every other site as written
    /// (just the written one when nothing weaker passes).
    pub weakest: Vec<Choice>,
    /// For each ordering just below a weakest one: its failure.
    pub why: Vec<(Choice, Box<Failure>)>,
}

/// A site a failing test needs strengthened.
#[derive(Debug)]
pub struct Strengthen {
    pub site: Site,
    pub written: Ordering,
    /// The weakest ordering that makes the test pass.
    pub to: Ordering,
}

/// The advisor's answer (see the module docs).
#[derive(Debug)]
#[non_exhaustive]
pub struct Advice {
    /// The test as written passes.
    pub passes: bool,
    /// The test's failure as written, if any.
    pub failure: Option<Box<Failure>>,
    /// For a passing test: each site alone, in source order.
    pub sites: Vec<SiteAdvice>,
    /// For a passing test: one combination of weakest orderings, and
    /// whether it passes as a whole.
    pub together: Vec<(Site, Choice)>,
    pub together_passes: bool,
    /// For a failing test: the sites whose strengthening alone makes it
    /// pass.
    pub strengthen: Vec<Strengthen>,
    /// Explorations run, the one as written included.
    pub explorations: usize,
}

/// Runs the advisor over `f` with `b`'s configuration.
pub(crate) fn advise(b: &crate::model::Builder, f: Arc<dyn Fn() + Sync + Send>) -> Advice {
    let run = |overrides: Vec<(Site, Choice)>| {
        let ctx = Arc::new(Ctx {
            overrides,
            seen: Mutex::new(Vec::new()),
        });
        let mut b = b.clone();
        b.advice = Some(ctx.clone());
        let f = f.clone();
        ADVISING.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| b.explore(move || f())));
        ADVISING.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        let r = r.unwrap_or_else(|p| std::panic::resume_unwind(p));
        let seen = std::mem::take(&mut *ctx.seen.lock().unwrap_or_else(|e| e.into_inner()));
        (r.failure.map(Box::new), seen)
    };
    let (failure, mut seen) = run(Vec::new());
    seen.sort_by_key(|(s, _)| s.key());
    let kinds: Vec<(SiteKind, Ordering)> = seen.iter().map(|&(s, o)| (s.kind, o)).collect();
    let search: Search<Box<Failure>> =
        happens_engine::advise::advise(&kinds, failure.is_none(), |choices| {
            let overrides = seen
                .iter()
                .zip(choices)
                .map(|(&(s, _), &c)| (s, c))
                .collect();
            run(overrides).0
        });
    Advice {
        passes: search.passes,
        failure,
        sites: seen
            .iter()
            .zip(search.alone)
            .map(|(&(site, written), a)| SiteAdvice {
                site,
                written,
                weakest: a.weakest,
                why: a.why,
            })
            .collect(),
        together: seen.iter().map(|&(s, _)| s).zip(search.together).collect(),
        together_passes: search.together_passes,
        strengthen: search
            .strengthen
            .iter()
            .map(|&(i, to)| Strengthen {
                site: seen[i].0,
                written: seen[i].1,
                to,
            })
            .collect(),
        explorations: search.runs + 1,
    }
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.passes {
            writeln!(f, "happens advise: the test fails as written")?;
            if self.strengthen.is_empty() {
                writeln!(f, "  no single site's stronger ordering makes it pass")?;
            }
            for s in &self.strengthen {
                writeln!(
                    f,
                    "  {}: {:?} -> {:?} makes it pass",
                    s.site, s.written, s.to
                )?;
            }
            if let Some(fl) = &self.failure {
                writeln!(f, "\nthe failure as written:\n{fl}")?;
            }
            return Ok(());
        }
        writeln!(
            f,
            "happens advise: the test passes as written; {} atomic call sites ({} explorations)",
            self.sites.len(),
            self.explorations
        )?;
        writeln!(f, "each site alone, every other as written:")?;
        for s in &self.sites {
            let weakest: Vec<String> = s.weakest.iter().map(|&c| choice_word(c)).collect();
            let verdict = if s.weakest == [Some(s.written)] {
                format!("keep {:?}", s.written)
            } else {
                format!("{} (written {:?})", weakest.join(" or "), s.written)
            };
            let fails: Vec<String> = s.why.iter().map(|(c, _)| choice_word(*c)).collect();
            if fails.is_empty() {
                writeln!(f, "  {}: {verdict}", s.site)?;
            } else {
                writeln!(f, "  {}: {verdict}; {} fails", s.site, fails.join(", "))?;
            }
        }
        writeln!(
            f,
            "together ({}):",
            if self.together_passes {
                "passes"
            } else {
                "FAILS as a whole"
            }
        )?;
        for (site, c) in &self.together {
            writeln!(f, "  {site}: {}", choice_word(*c))?;
        }
        for s in &self.sites {
            for (c, fl) in &s.why {
                writeln!(
                    f,
                    "\nwhy {} needs more than {} (the execution with {} written there):\n{fl}",
                    s.site,
                    choice_word(*c),
                    choice_word(*c)
                )?;
            }
        }
        Ok(())
    }
}
