//! The explorer's path: every execution of a test under a model the
//! explorer runs (`rust`, `rc11`, `sc`, `x86`), counted by a [`Tally`] into
//! an [`Outcome`], each shown to a visitor with the renderer's [`Labels`];
//! the enumerator's models (`c++20`, `arm`) go to [`crate::axiomatic`].

use happens_engine::{
    Config, Control, EventId, EventKind, Explorer, Graph, Model, ModelKind, Race, Rc11, ReplayKey,
    Rust, Sc, Status, ThreadId, WriteKind, X86,
};

use crate::ast::{Key, Test};
use crate::interp::{Code, Machine};
use crate::outcome::{Access, ExecutionRecord, Labels, Outcome, RaceReport, RunOptions, Value};
use crate::tally::Tally;

/// Explores every execution of `test`.
pub fn run(test: &Test, opts: &RunOptions) -> Outcome {
    explore(test, opts, None, None, None)
}

/// Like [`run`], and calls `tick` after every execution (for progress
/// reports; cheaper than [`run_with`], which labels every execution).
pub fn run_with_progress(test: &Test, opts: &RunOptions, mut tick: impl FnMut()) -> Outcome {
    explore(test, opts, None, None, Some(&mut tick))
}

/// Runs only the execution that `key` describes (a key printed for an
/// execution of the same test) and calls `visit` on it. If the key does not
/// belong to this test, the execution's status is
/// [`Status::ReplayMismatch`] and it is counted in [`Outcome::errors`].
pub fn replay(
    test: &Test,
    opts: &RunOptions,
    key: &ReplayKey,
    mut visit: impl FnMut(&ExecutionRecord<'_>),
) -> Outcome {
    explore(test, opts, Some(key), Some(&mut visit), None)
}

/// Like [`run`], and calls `visit` on every execution.
pub fn run_with(
    test: &Test,
    opts: &RunOptions,
    mut visit: impl FnMut(&ExecutionRecord<'_>),
) -> Outcome {
    explore(test, opts, None, Some(&mut visit), None)
}

type Visitor<'v> = Option<&'v mut dyn FnMut(&ExecutionRecord<'_>)>;

fn explore(
    test: &Test,
    opts: &RunOptions,
    key: Option<&ReplayKey>,
    visit: Visitor<'_>,
    tick: Option<&mut dyn FnMut()>,
) -> Outcome {
    let config = Config {
        max_events_per_thread: opts.max_events_per_thread,
        stop_on_race: false,
        check_full: opts.check_full,
        ..Config::default()
    };
    match opts.model {
        ModelKind::Rust => explore_with(Rust, config, test, opts.model, key, visit, tick),
        ModelKind::Rc11 => explore_with(Rc11, config, test, opts.model, key, visit, tick),
        ModelKind::Sc => explore_with(Sc, config, test, opts.model, key, visit, tick),
        ModelKind::X86 => explore_with(X86, config, test, opts.model, key, visit, tick),
        // whole candidate executions, enumerated (no graphs: the visitor is
        // not called, and there are no replay keys)
        ModelKind::Cxx20 | ModelKind::Arm => match key {
            None => crate::axiomatic::run(test, opts.model, opts.max_candidates),
            Some(_) => {
                let mut o = Outcome::empty(test, opts.model);
                o.errors = 1;
                o.first_error = Some(format!(
                    "replay keys are not available under {}: its executions are enumerated, not explored",
                    opts.model
                ));
                o
            }
        },
    }
}

fn explore_with<M: Model>(
    model: M,
    config: Config,
    test: &Test,
    kind: ModelKind,
    key: Option<&ReplayKey>,
    mut visit: Visitor<'_>,
    mut tick: Option<&mut dyn FnMut()>,
) -> Outcome {
    let code = Code::compile(test);
    let mut machine = Machine::new(&code);
    let mut tally = Tally::new(test, kind);
    let keys = tally.keys().to_vec();
    let key_names: Vec<String> = keys.iter().map(|&k| test.key_name(k)).collect();
    let mut explorer = Explorer::new(model, config);
    let mut values: Vec<Value> = Vec::with_capacity(keys.len());
    let mut each = |e: &happens_engine::Execution<'_>, m: &mut Machine<'_>| {
        if let Some(t) = tick.as_mut() {
            t();
        }
        values.clear();
        for &k in &keys {
            values.push(Value::Int(key_value(test, m, e.graph, k)));
        }
        let mut holds = None;
        match e.status {
            Status::Complete => holds = tally.complete(&values, !e.races.is_empty()),
            Status::Blocked { .. } => tally.out.blocked += 1,
            Status::BoundExceeded { .. } => tally.out.bound_exceeded += 1,
            other => {
                let out = &mut tally.out;
                out.errors += 1;
                if out.first_error.is_none() {
                    out.first_error = Some(match other {
                        // the interpreter fails a thread only for this
                        Status::Failed { thread } => {
                            let name = m
                                .tids
                                .iter()
                                .position(|t| t == thread)
                                .map_or("?", |i| test.threads[i].name.as_str());
                            format!("thread {name} accessed an array out of its bounds")
                        }
                        Status::ReplayMismatch => {
                            "the replay key does not describe an execution of this test".to_string()
                        }
                        other => format!("internal error (a bug in happens): {other:?}"),
                    });
                }
            }
        }
        let want_labels = visit.is_some() || !e.races.is_empty();
        if want_labels {
            let labels = labels(test, m, e.graph);
            for r in e.races {
                tally.race(race_report(test, m, e.graph, &labels, r));
            }
            if let Some(v) = visit.as_mut() {
                let state: Vec<(String, i64)> = key_names
                    .iter()
                    .cloned()
                    .zip(
                        values
                            .iter()
                            .map(|v| v.as_int().expect("explored values are numbers")),
                    )
                    .collect();
                v(&ExecutionRecord {
                    graph: e.graph,
                    status: e.status,
                    races: e.races,
                    state: &state,
                    holds,
                    labels: &labels,
                });
            }
        }
        Control::Continue
    };
    match key {
        Some(k) => explorer.replay(&mut machine, k, &mut each),
        None => explorer.run(&mut machine, &mut each),
    };
    tally.finish()
}

fn key_value(test: &Test, m: &Machine<'_>, g: &Graph, k: Key) -> i64 {
    match k {
        Key::Reg { thread, reg } => m
            .threads
            .get(thread)
            .and_then(|t| t.regs.get(reg))
            .copied()
            .unwrap_or(0),
        Key::Loc(l) => match m.locs.get(l) {
            Some(&id) if !g.co(id).is_empty() => g.final_value(id) as i64,
            _ => test.locations.get(l).map_or(0, |x| x.init),
        },
    }
}

/// Names every thread, location and event of `g` for the renderer: the
/// threads (`P0`…, `t1`…; the main thread `init`, which only allocates the
/// locations and spawns, is drawn as the initial values), the locations,
/// and each event's source line and statement (`event_source`: boxes carry
/// the renderer's compact labels, with the register a read's value goes to,
/// `event_dest`).
fn labels(test: &Test, m: &Machine<'_>, g: &Graph) -> Labels {
    let mut l = Labels {
        hidden_threads: vec![ThreadId(0)],
        ..Labels::default()
    };
    l.thread_names.push((ThreadId(0), "init".to_string()));
    for (i, &t) in m.tids.iter().enumerate() {
        l.thread_names.push((t, test.threads[i].name.clone()));
    }
    for (i, &id) in m.locs.iter().enumerate() {
        l.loc_names.push((id, test.locations[i].name.clone()));
    }
    // main thread: allocations, then spawns
    let mut alloc = 0;
    let mut spawn = 0;
    for (i, ev) in g.thread_events(ThreadId(0)).iter().enumerate() {
        let id = EventId::new(ThreadId(0), i);
        match ev.kind {
            EventKind::Write(w) if w.kind == WriteKind::Alloc => {
                if let Some(loc) = test.locations.get(alloc) {
                    l.event_lines.push((id, loc.line));
                    l.event_source
                        .push((id, format!("{} = {}", loc.name, loc.init)));
                }
                alloc += 1;
            }
            EventKind::Spawn { .. } => {
                if let Some(th) = test.threads.get(spawn) {
                    l.event_lines.push((id, th.line));
                    l.event_source.push((id, format!("spawn {}", th.name)));
                }
                spawn += 1;
            }
            _ => {}
        }
    }
    // the threads' events: each carries the site of its operation
    for (i, &t) in m.tids.iter().enumerate() {
        for (j, ev) in g.thread_events(t).iter().enumerate() {
            let Some(site) = m.code.event_site(i, ev.site) else {
                continue;
            };
            let e = EventId::new(t, j);
            l.event_lines.push((e, site.line));
            l.event_source.push((e, site.text.clone()));
            // the register a read's value goes to (not an RMW's write half)
            if let (Some(dest), true) = (&site.dest, ev.kind.is_read()) {
                l.event_dest.push((e, dest.clone()));
            }
        }
    }
    l
}

fn access(labels: &Labels, g: &Graph, e: EventId) -> Access {
    let k = g.kind(e);
    Access {
        thread: labels
            .thread_name(e.thread)
            .map_or_else(|| format!("thread {}", e.thread), str::to_string),
        line: labels.line(e).unwrap_or(0),
        write: k.is_write(),
        atomic: !k.is_non_atomic(),
        text: labels.source(e).unwrap_or("").to_string(),
    }
}

fn race_report(test: &Test, m: &Machine<'_>, g: &Graph, labels: &Labels, r: &Race) -> RaceReport {
    let loc = g.kind(r.first).loc();
    let location = loc
        .and_then(|l| m.locs.iter().position(|&x| x == l))
        .and_then(|i| test.locations.get(i))
        .map_or_else(|| "?".to_string(), |l| l.name.clone());
    RaceReport::new(
        location,
        access(labels, g, r.first),
        access(labels, g, r.second),
    )
}
