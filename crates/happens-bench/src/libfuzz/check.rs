//! Exploring a program and checking what comes back.

use super::*;

/// How programs are made and explored.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Executions a program may explore.
    pub executions: usize,
    /// The time budget of a `parallel` program (and a safety net for all).
    pub duration: Duration,
    /// Leave out what makes known bugs of happens show (see
    /// [`avoid_known_bugs`]).
    pub avoid_known_bugs: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            executions: 20_000,
            duration: Duration::from_secs(2),
            avoid_known_bugs: false,
        }
    }
}

/// What a case came to.
#[derive(Debug)]
pub struct Outcome {
    /// Executions explored (blocked ones included).
    pub executions: u64,
    /// The failure's `kind_name`, if any.
    pub failure: Option<&'static str>,
    /// Whether the exploration visited everything.
    pub complete: bool,
    /// What was wrong, if anything.
    pub findings: Vec<String>,
}

/// The known failure kinds, in the order figures are printed.
pub const KINDS: [&str; 9] = [
    "panic",
    "data race",
    "deadlock",
    "leak",
    "loop bound",
    "livelock",
    "stack overflow",
    "invalid memory access",
    "nondeterminism",
];

/// Event bound of the explorations (`max_branches`): a loop bound costs
/// this many events, not the default 100 000 (and replaying its key
/// takes time quadratic in it).
const MAX_BRANCHES: usize = 1_000;

fn builder(p: &Program, settings: Settings) -> Builder {
    let mut b = Builder::new();
    b.diagram(false);
    b.max_branches = MAX_BRANCHES;
    b.max_duration = Some(settings.duration);
    if p.parallel {
        b.workers(2);
    } else {
        b.max_permutations = Some(settings.executions);
        b.workers(1);
    }
    b
}

/// The threads a failure names, to compare a replay with the original.
fn threads_of(k: &FailureKind) -> Vec<usize> {
    match k {
        FailureKind::Panic { thread, .. }
        | FailureKind::LoopBound { thread, .. }
        | FailureKind::Livelock { thread, .. }
        | FailureKind::StackOverflow { thread, .. }
        | FailureKind::InvalidAccess { thread, .. }
        | FailureKind::Nondeterminism { thread, .. } => vec![*thread],
        FailureKind::UseAfterFree {
            thread, dropped_by, ..
        } => vec![*thread, *dropped_by],
        FailureKind::DataRace { first, second, .. } => vec![first.thread, second.thread],
        FailureKind::Deadlock { threads } => threads.iter().map(|w| w.thread).collect(),
        FailureKind::Leak { .. } => vec![],
        // a kind added later names no threads this check knows of
        _ => vec![],
    }
}

fn explore(p: &std::sync::Arc<Program>, b: &Builder) -> Result<Report, String> {
    let f = closure(p.clone());
    panic::catch_unwind(AssertUnwindSafe(|| b.explore(f))).map_err(|e| {
        let msg = e
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "Box<dyn Any>".to_string());
        format!("explore panicked: {msg}")
    })
}

fn render(r: &Report) -> Result<String, String> {
    panic::catch_unwind(AssertUnwindSafe(|| (r.to_string(), format!("{r:?}"))))
        .map(|(s, _)| s)
        .map_err(|_| "the report's Display or Debug panicked".to_string())
}

/// Checks one failure of program `p`.
fn check_failure(p: &Program, f: &Failure, findings: &mut Vec<String>) {
    let name = f.kind_name();
    if !KINDS.contains(&name) {
        findings.push(format!("unknown failure kind {name:?}"));
    }
    let n = p.threads.len();
    if let Some(t) = threads_of(&f.kind).into_iter().find(|&t| t >= n) {
        findings.push(format!("{name} names thread {t}, the program has {n}"));
    }
    if f.headline().trim().is_empty() {
        findings.push(format!("{name}: empty headline"));
    }
    if f.to_string().trim().is_empty() {
        findings.push(format!("{name}: empty rendering"));
    }
    // the main thread creates the shared state first: every failing
    // execution has events
    if f.trace.is_empty() {
        findings.push(format!("{name}: empty trace"));
    }
    if let Some(e) = f.trace.iter().find(|e| e.thread >= n) {
        findings.push(format!("{name}: trace event of thread {}", e.thread));
    }
    if !f.replay.starts_with("h1/") {
        findings.push(format!("{name}: replay key {:?}", f.replay));
    }
    if f.execution == 0 {
        findings.push(format!("{name}: execution number 0"));
    }
    match &f.kind {
        FailureKind::Panic {
            message, thread, ..
        } => {
            // every panic of the program says which thread made it
            let tag = message
                .split_once("fuzz: T")
                .and_then(|(_, rest)| rest.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok());
            match tag {
                None => findings.push(format!(
                    "a panic with a message the program has not: {message:?}"
                )),
                Some(t) if t != *thread => findings.push(format!(
                    "a panic of thread {t} reported as thread {thread}'s: {message:?}"
                )),
                Some(_) => {}
            }
        }
        FailureKind::Deadlock { threads } if threads.is_empty() => {
            findings.push("a deadlock without threads".to_string())
        }
        FailureKind::Nondeterminism { .. } => findings.push(format!(
            "nondeterminism in a deterministic program: {}",
            f.headline()
        )),
        FailureKind::UseAfterFree { .. } => {
            findings.push("a use after free in a program that frees nothing early".to_string())
        }
        FailureKind::InvalidAccess { .. }
            if !p.threads.iter().flatten().any(|o| matches!(o, Op::Wild)) =>
        {
            findings.push("an invalid access in a program without one".to_string())
        }
        FailureKind::StackOverflow { .. }
            if !p
                .threads
                .iter()
                .flatten()
                .any(|o| matches!(o, Op::Recurse { .. })) =>
        {
            findings.push("a stack overflow in a program without recursion".to_string())
        }
        _ => {}
    }
}

/// Explores case `case` (program [`generate`]`(case)`) and checks the
/// report and the failure's replay.
pub fn check(case: u64, settings: Settings) -> Outcome {
    check_program(
        &std::sync::Arc::new(generate(case, settings.avoid_known_bugs)),
        settings,
    )
}

/// [`check`] for a given program (a case reduced by hand, say).
pub fn check_program(p: &std::sync::Arc<Program>, settings: Settings) -> Outcome {
    let p = p.clone();
    let mut findings = Vec::new();
    let b = builder(&p, settings);
    let r = match explore(&p, &b) {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                executions: 0,
                failure: None,
                complete: false,
                findings: vec![e],
            }
        }
    };
    if let Err(e) = render(&r) {
        findings.push(e);
    }
    let mut out = Outcome {
        executions: r.executions + r.blocked,
        failure: r.failure.as_ref().map(Failure::kind_name),
        complete: r.complete,
        findings: Vec::new(),
    };
    if let Some(f) = &r.failure {
        check_failure(&p, f, &mut findings);
        let mut again = builder(&p, settings);
        again.replay(&f.replay);
        match explore(&p, &again) {
            Err(e) => findings.push(format!("replay: {e}")),
            Ok(r2) => {
                if let Err(e) = render(&r2) {
                    findings.push(format!("replay: {e}"));
                }
                match &r2.failure {
                    None => findings.push(format!(
                        "the replay key of a {} gives no failure ({} executions)",
                        f.kind_name(),
                        r2.executions
                    )),
                    Some(g) => {
                        if std::mem::discriminant(&g.kind) != std::mem::discriminant(&f.kind)
                            || threads_of(&g.kind) != threads_of(&f.kind)
                        {
                            findings.push(format!(
                                "the replay key of a {} in threads {:?} gives a {} in threads {:?}",
                                f.kind_name(),
                                threads_of(&f.kind),
                                g.kind_name(),
                                threads_of(&g.kind)
                            ));
                        }
                        check_failure(&p, g, &mut findings);
                    }
                }
            }
        }
    } else if r.executions + r.blocked == 0 {
        findings.push("no execution and no failure".to_string());
    }
    out.findings = findings;
    out
}

/// Regenerates `case`, explores it and describes the result (for
/// `--replay`).
pub fn describe(case: u64, settings: Settings) -> String {
    let p = std::sync::Arc::new(generate(case, settings.avoid_known_bugs));
    let mut s = format!("case {case}:\n{p}\n");
    let mut b = builder(&p, settings);
    b.diagram(true);
    match explore(&p, &b) {
        Ok(r) => s.push_str(&render(&r).unwrap_or_else(|e| e)),
        Err(e) => s.push_str(&e),
    }
    s.push('\n');
    let o = check(case, settings);
    if o.findings.is_empty() {
        s.push_str("checks: no finding\n");
    } else {
        for f in &o.findings {
            s.push_str(&format!("finding: {f}\n"));
        }
    }
    s
}
