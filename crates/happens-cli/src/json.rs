//! JSON lines: one object per test (per line) for `--json`.
//!
//! `happens litmus --json` prints
//!
//! ```json
//! {"file":"sb.litmus","test":"SB","model":"rust","executions":4,"blocked":0,
//!  "bound_exceeded":0,"errors":0,"states":[{"values":{"0:r0":0,"1:r0":0},"executions":1}],
//!  "condition":{"quantifier":"exists","text":"...","holds":"sometimes",
//!  "verdict":"Ok","validated":true,"positive":1,"negative":3},
//!  "undefined":false,"races":[]}
//! ```
//!
//! (on one line); `condition` is `null` for a test without one. `values`
//! keeps the column order of the text report. `happens compare --json` prints
//! `{"file":..,"test":..,"models":[<one object as above per model>]}`.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use happens_litmus::{Access, ConditionResult, Outcome, RaceReport, State, Value};

use crate::report::{holds_word, verdict};

#[derive(Serialize)]
struct OutcomeJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    test: &'a str,
    model: &'static str,
    executions: u64,
    blocked: u64,
    bound_exceeded: u64,
    errors: u64,
    states: Vec<StateJson<'a>>,
    condition: Option<ConditionJson<'a>>,
    undefined: bool,
    races: Vec<RaceJson<'a>>,
}

#[derive(Serialize)]
struct StateJson<'a> {
    values: Values<'a>,
    executions: u64,
}

/// A state's values as a JSON object, in the state's own order: numbers,
/// and thin-air symbols (`c++20`) as strings (`"S1"`).
struct Values<'a>(&'a [(String, Value)]);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            match v {
                Value::Int(i) => m.serialize_entry(k, i)?,
                Value::Symbol(_) => m.serialize_entry(k, &v.to_string())?,
            }
        }
        m.end()
    }
}

#[derive(Serialize)]
struct ConditionJson<'a> {
    quantifier: String,
    text: &'a str,
    holds: &'static str,
    verdict: &'static str,
    validated: bool,
    positive: u64,
    negative: u64,
}

#[derive(Serialize)]
struct RaceJson<'a> {
    location: &'a str,
    first: AccessJson<'a>,
    second: AccessJson<'a>,
}

#[derive(Serialize)]
struct AccessJson<'a> {
    thread: &'a str,
    file: &'a str,
    line: u32,
    write: bool,
    atomic: bool,
    text: &'a str,
}

fn access<'a>(file: &'a str, a: &'a Access) -> AccessJson<'a> {
    AccessJson {
        thread: &a.thread,
        file,
        line: a.line,
        write: a.write,
        atomic: a.atomic,
        text: &a.text,
    }
}

fn race<'a>(file: &'a str, r: &'a RaceReport) -> RaceJson<'a> {
    RaceJson {
        location: &r.location,
        first: access(file, &r.first),
        second: access(file, &r.second),
    }
}

fn condition(c: &ConditionResult, undefined: bool) -> ConditionJson<'_> {
    ConditionJson {
        quantifier: crate::report::quantifier_word(c.quantifier).to_string(),
        text: &c.text,
        holds: holds_word(c.holds),
        verdict: verdict(c, undefined),
        validated: c.validated,
        positive: c.positive,
        negative: c.negative,
    }
}

fn state(s: &State) -> StateJson<'_> {
    StateJson {
        values: Values(&s.values),
        executions: s.executions,
    }
}

fn outcome<'a>(file: Option<&'a str>, o: &'a Outcome) -> OutcomeJson<'a> {
    let race_file = file.unwrap_or("");
    OutcomeJson {
        file,
        test: &o.test,
        model: o.model.name(),
        executions: o.executions,
        blocked: o.blocked,
        bound_exceeded: o.bound_exceeded,
        errors: o.errors,
        states: o.states.iter().map(state).collect(),
        condition: o.condition.as_ref().map(|c| condition(c, o.undefined)),
        undefined: o.undefined,
        races: o.races.iter().map(|r| race(race_file, r)).collect(),
    }
}

fn to_line<T: Serialize>(v: &T) -> String {
    // Serialising these plain structs cannot fail: every key is a string.
    serde_json::to_string(v).expect("JSON serialisation of an outcome")
}

/// The JSON line of one test run under one model.
pub fn outcome_line(file: &str, o: &Outcome) -> String {
    to_line(&outcome(Some(file), o))
}

#[derive(Serialize)]
struct CompareJson<'a> {
    file: &'a str,
    test: &'a str,
    models: Vec<OutcomeJson<'a>>,
}

/// The JSON line of one test run under several models.
pub fn compare_line(file: &str, outcomes: &[Outcome]) -> String {
    let test = outcomes.first().map_or("", |o| o.test.as_str());
    to_line(&CompareJson {
        file,
        test,
        models: outcomes
            .iter()
            .map(|o| {
                let mut j = outcome(None, o);
                j.races = o.races.iter().map(|r| race(file, r)).collect();
                j
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct MergedJson<'a> {
    exploration: &'a str,
    shards: usize,
    executions: u64,
    blocked: u64,
    complete: bool,
    failure: Option<MergedFailureJson<'a>>,
}

#[derive(Serialize)]
struct MergedFailureJson<'a> {
    execution: u64,
    kind: &'a str,
    replay: &'a str,
    text: &'a str,
}

/// One line of `happens merge --json`: `{"exploration":..,"shards":..,
/// "executions":..,"blocked":..,"complete":..,"failure":null or
/// {"execution":..,"kind":..,"replay":..,"text":..}}`.
pub fn merged_line(m: &happens::shard::Merged) -> String {
    serde_json::to_string(&MergedJson {
        exploration: &m.exploration,
        shards: m.shards,
        executions: m.executions,
        blocked: m.blocked,
        complete: m.complete,
        failure: m.failure.as_ref().map(|f| MergedFailureJson {
            execution: f.execution,
            kind: &f.kind,
            replay: &f.replay,
            text: &f.text,
        }),
    })
    .expect("a merged report serialises")
}

#[derive(Serialize)]
struct AdviceJson<'a> {
    file: &'a str,
    passes: bool,
    /// Why it fails as written, for a failing test.
    failure: Option<&'a str>,
    sites: Vec<SiteJson<'a>>,
    together_passes: Option<bool>,
}

#[derive(Serialize)]
struct SiteJson<'a> {
    thread: &'a str,
    line: u32,
    text: &'a str,
    kind: &'static str,
    written: String,
    /// For a passing test: the weakest orderings alone, and the combination's.
    weakest: Vec<String>,
    together: Option<String>,
    /// For each ordering just too weak: what fails, and one execution's key.
    why: Vec<WhyJson<'a>>,
    /// For a failing test: the weakest stronger ordering that makes it pass.
    strengthen: Option<String>,
}

#[derive(Serialize)]
struct WhyJson<'a> {
    ordering: String,
    fails: &'a str,
    replay: Option<&'a str>,
}

/// One line of `happens advise --json`: `{"file":..,"passes":..,"failure":..,
/// "sites":[{"thread":..,"line":..,"text":..,"kind":..,"written":..,
/// "weakest":[..],"together":..,"why":[{"ordering":..,"fails":..,"replay":..}],
/// "strengthen":..}],"together_passes":..}`; an ordering is `"Relaxed"`,
/// ..., or `"removed"` for a fence.
pub fn advice_line(file: &str, a: &crate::advise::TestAdvice) -> String {
    use happens_engine::advise::choice_word;
    let adv = &a.advice;
    let sites = a
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| SiteJson {
            thread: &s.thread,
            line: s.line,
            text: &s.text,
            kind: s.kind.word(),
            written: format!("{:?}", s.written),
            weakest: adv
                .alone
                .get(i)
                .map(|al| al.weakest.iter().map(|&c| choice_word(c)).collect())
                .unwrap_or_default(),
            together: adv.together.get(i).map(|&c| choice_word(c)),
            why: adv
                .alone
                .get(i)
                .map(|al| {
                    al.why
                        .iter()
                        .map(|(c, w)| WhyJson {
                            ordering: choice_word(*c),
                            fails: &w.what,
                            replay: w.drawing.as_ref().map(|d| d.key.as_str()),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            strengthen: adv
                .strengthen
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, o)| format!("{o:?}")),
        })
        .collect();
    serde_json::to_string(&AdviceJson {
        file,
        passes: adv.passes,
        failure: a.failure.as_ref().map(|w| w.what.as_str()),
        sites,
        together_passes: adv.passes.then_some(adv.together_passes),
    })
    .expect("advice serialises")
}
