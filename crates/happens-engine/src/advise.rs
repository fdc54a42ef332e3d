//! The ordering advisor's search, shared by the front-ends (the library's
//! `Builder::advise`, the CLI's `happens advise` for litmus files): which
//! ordering does each atomic call site of a test need?
//!
//! A front-end knows its sites (each with its [`SiteKind`] and the ordering
//! written there) and can run its test with some sites given other
//! orderings. [`advise`] decides which runs to make:
//!
//! - **A passing test, each site alone**: the orderings of one kind of
//!   access form a lattice (an RMW's: `Relaxed` < `Acquire`, `Release` <
//!   `AcqRel` < `SeqCst`; a fence may also be removed, below everything).
//!   A weaker ordering only adds executions, so if an ordering passes,
//!   every stronger one does: the candidates below the written ordering are
//!   tried weakest first, and the minimal ones that pass are the answer,
//!   with every other site as written. Each comes with the failure of each
//!   ordering just below it: why it is needed.
//! - **Together**: one combination, by greedy descent (each site in the
//!   front-end's order takes the weakest ordering that passes with the
//!   choices made so far), run again as a whole at the end.
//! - **A failing test**: for each site alone, the weakest stronger ordering
//!   that makes the test pass, if there is one.
//!
//! Runs: at most four per site alone, four per site together, and one.

use std::sync::atomic::Ordering;

/// Which of a site's orderings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SiteKind {
    Load,
    Store,
    /// A read-modify-write (`fetch_add`, `swap`, ...).
    Rmw,
    /// A compare-exchange's ordering when it succeeds.
    CasSuccess,
    /// A compare-exchange's ordering when it fails.
    CasFailure,
    Fence,
}

impl SiteKind {
    /// How reports name it.
    pub fn word(self) -> &'static str {
        match self {
            SiteKind::Load => "load",
            SiteKind::Store => "store",
            SiteKind::Rmw => "read-modify-write",
            SiteKind::CasSuccess => "compare-exchange (success)",
            SiteKind::CasFailure => "compare-exchange (failure)",
            SiteKind::Fence => "fence",
        }
    }

    /// Every choice a site of this kind can take, weakest first (a linear
    /// order that extends the lattice).
    pub fn choices(self) -> &'static [Choice] {
        use Ordering::*;
        match self {
            SiteKind::Load | SiteKind::CasFailure => &[Some(Relaxed), Some(Acquire), Some(SeqCst)],
            SiteKind::Store => &[Some(Relaxed), Some(Release), Some(SeqCst)],
            SiteKind::Rmw | SiteKind::CasSuccess => &[
                Some(Relaxed),
                Some(Acquire),
                Some(Release),
                Some(AcqRel),
                Some(SeqCst),
            ],
            SiteKind::Fence => &[
                None,
                Some(Acquire),
                Some(Release),
                Some(AcqRel),
                Some(SeqCst),
            ],
        }
    }
}

/// An ordering a site can be given; `None`: a fence removed.
pub type Choice = Option<Ordering>;

/// How reports name a choice.
pub fn choice_word(c: Choice) -> String {
    match c {
        None => "removed".to_string(),
        Some(o) => format!("{o:?}"),
    }
}

/// Whether `a` is at most as strong as `b` (two choices of one kind).
pub fn at_most(a: Choice, b: Choice) -> bool {
    use Ordering::*;
    let rank = |c: Choice| match c {
        None => 0,
        Some(Relaxed) => 1,
        Some(Acquire) | Some(Release) => 2,
        Some(AcqRel) => 3,
        _ => 4,
    };
    match (a, b) {
        (Some(Acquire), Some(Release)) | (Some(Release), Some(Acquire)) => false,
        _ => rank(a) <= rank(b),
    }
}

/// The choices just below `c`: those whose failures show `c` is needed.
pub fn just_below(kind: SiteKind, c: Choice) -> Vec<Choice> {
    let below: Vec<Choice> = kind
        .choices()
        .iter()
        .copied()
        .filter(|&d| d != c && at_most(d, c))
        .collect();
    below
        .iter()
        .copied()
        .filter(|&d| !below.iter().any(|&e| e != d && at_most(d, e)))
        .collect()
}

/// One site alone, in a passing test.
#[derive(Debug)]
pub struct Alone<F> {
    /// The weakest choices that pass with every other site as written
    /// (just the written one when nothing weaker passes).
    pub weakest: Vec<Choice>,
    /// For each choice just below a weakest one: its failure.
    pub why: Vec<(Choice, F)>,
}

/// The search's answer; sites are the indices of the front-end's list.
#[derive(Debug)]
pub struct Advice<F> {
    /// The test as written passes.
    pub passes: bool,
    /// For a passing test: each site alone.
    pub alone: Vec<Alone<F>>,
    /// For a passing test: the combination, a choice per site, and whether
    /// it passes as a whole.
    pub together: Vec<Choice>,
    pub together_passes: bool,
    /// For a failing test: the sites whose strengthening alone makes it
    /// pass, each with the weakest such ordering.
    pub strengthen: Vec<(usize, Ordering)>,
    /// Runs made.
    pub runs: usize,
}

/// Advises a test whose sites are `sites` (each's kind and written
/// ordering), which passed as written if `passes`. `run(choices)` runs the
/// test with each site `i` given `choices[i]` and returns its failure, if
/// any (see the module docs).
pub fn advise<F>(
    sites: &[(SiteKind, Ordering)],
    passes: bool,
    mut run: impl FnMut(&[Choice]) -> Option<F>,
) -> Advice<F> {
    let written: Vec<Choice> = sites.iter().map(|&(_, o)| Some(o)).collect();
    let mut runs = 0;
    let mut try_one = |choices: &[Choice]| {
        runs += 1;
        run(choices)
    };
    let mut advice = Advice {
        passes,
        alone: Vec::new(),
        together: Vec::new(),
        together_passes: false,
        strengthen: Vec::new(),
        runs: 0,
    };
    if !passes {
        for (i, &(kind, o)) in sites.iter().enumerate() {
            for &c in kind.choices() {
                if c == Some(o) || !at_most(Some(o), c) {
                    continue;
                }
                let mut trial = written.clone();
                trial[i] = c;
                if try_one(&trial).is_none() {
                    advice
                        .strengthen
                        .push((i, c.expect("a stronger choice is an ordering")));
                    break;
                }
            }
        }
        advice.runs = runs;
        return advice;
    }
    for (i, &(kind, o)) in sites.iter().enumerate() {
        let mut weakest: Vec<Choice> = Vec::new();
        let mut failed: Vec<(Choice, F)> = Vec::new();
        for &c in kind.choices() {
            if c == Some(o) || !at_most(c, Some(o)) || weakest.iter().any(|&w| at_most(w, c)) {
                continue;
            }
            let mut trial = written.clone();
            trial[i] = c;
            match try_one(&trial) {
                None => weakest.push(c),
                Some(f) => failed.push((c, f)),
            }
        }
        if weakest.is_empty() {
            weakest.push(Some(o));
        }
        let mut why = Vec::new();
        for &w in &weakest {
            for d in just_below(kind, w) {
                if let Some(k) = failed.iter().position(|(c, _)| *c == d) {
                    why.push(failed.swap_remove(k));
                }
            }
        }
        advice.alone.push(Alone { weakest, why });
    }
    let mut chosen = written;
    for (i, &(kind, _)) in sites.iter().enumerate() {
        let now = chosen[i];
        for &c in kind.choices() {
            if c == now || !at_most(c, now) {
                continue;
            }
            let mut trial = chosen.clone();
            trial[i] = c;
            if try_one(&trial).is_none() {
                chosen = trial;
                break;
            }
        }
    }
    advice.together_passes = try_one(&chosen).is_none();
    advice.together = chosen;
    advice.runs = runs;
    advice
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn the_lattice_of_an_rmw() {
        assert!(at_most(Some(Relaxed), Some(Acquire)));
        assert!(!at_most(Some(Acquire), Some(Release)));
        assert!(at_most(Some(Release), Some(AcqRel)));
        assert!(at_most(None, Some(Acquire)));
        assert_eq!(
            just_below(SiteKind::Rmw, Some(AcqRel)),
            vec![Some(Acquire), Some(Release)]
        );
        assert_eq!(just_below(SiteKind::Fence, Some(Acquire)), vec![None]);
        assert_eq!(just_below(SiteKind::Load, Some(Relaxed)), vec![]);
    }

    /// A test that passes when site 0 is at least `Acquire` and site 1 at
    /// least `Release` (a stand-in for message passing).
    #[test]
    fn message_passing_needs_release_and_acquire() {
        let sites = [(SiteKind::Load, SeqCst), (SiteKind::Store, SeqCst)];
        let a = advise(&sites, true, |c: &[Choice]| {
            let ok = at_most(Some(Acquire), c[0]) && at_most(Some(Release), c[1]);
            (!ok).then_some("fails")
        });
        assert_eq!(a.alone[0].weakest, vec![Some(Acquire)]);
        assert_eq!(a.alone[0].why.len(), 1);
        assert_eq!(a.alone[0].why[0].0, Some(Relaxed));
        assert_eq!(a.alone[1].weakest, vec![Some(Release)]);
        assert_eq!(a.together, vec![Some(Acquire), Some(Release)]);
        assert!(a.together_passes);
        // alone, each site: Relaxed (fails), then Acquire or Release
        // (passes); together the same again; then the final run
        assert_eq!(a.runs, 2 * 2 + 2 * 2 + 1);
    }

    /// An RMW that passes with either `Acquire` or `Release`: both are
    /// weakest, and `Relaxed` is why.
    #[test]
    fn two_incomparable_weakest_orderings() {
        let sites = [(SiteKind::Rmw, SeqCst)];
        let a = advise(&sites, true, |c: &[Choice]| {
            (c[0] == Some(Relaxed)).then_some("fails")
        });
        assert_eq!(a.alone[0].weakest, vec![Some(Acquire), Some(Release)]);
        assert_eq!(a.alone[0].why.len(), 1);
        assert_eq!(a.together, vec![Some(Acquire)]);
    }

    #[test]
    fn a_failing_test_is_told_what_to_strengthen() {
        let sites = [(SiteKind::Load, Relaxed), (SiteKind::Store, Relaxed)];
        let a = advise(&sites, false, |c: &[Choice]| {
            (c[1] == Some(Relaxed)).then_some("fails")
        });
        assert!(!a.passes);
        assert_eq!(a.strengthen, vec![(1, Release)]);
    }
}
