//! What both ways of running a test count alike: the explorer's
//! ([`crate::explore`]) and the axiomatic enumerator's
//! ([`crate::axiomatic`]). Each gives every complete execution's values of
//! the test's state keys and every race it finds to one [`Tally`], which
//! evaluates the final condition on them, keeps the final states of the
//! race-free ones and turns the lot into the run's [`Outcome`]. How an
//! execution came to be, and what went wrong in one that did not finish,
//! is each path's own.

use std::collections::BTreeMap;

use happens_engine::ModelKind;

use crate::ast::{Key, Prop, Quantifier, Test};
use crate::outcome::{ConditionResult, Holds, Outcome, RaceReport, State, Value};

/// The counts of one run of a test.
pub(crate) struct Tally<'t> {
    test: &'t Test,
    /// The test's state keys ([`Test::state_keys`]), the order of the
    /// values each execution gives.
    keys: Vec<Key>,
    /// Final states of complete race-free executions, and how many end in
    /// each.
    states: BTreeMap<Vec<Value>, u64>,
    /// Complete executions where the condition's proposition holds, and
    /// where it does not.
    positive: u64,
    negative: u64,
    /// What the paths count themselves (executions that did not finish,
    /// errors); states, condition and races are filled by [`Tally::finish`].
    pub out: Outcome,
}

impl<'t> Tally<'t> {
    pub fn new(test: &'t Test, model: ModelKind) -> Tally<'t> {
        Tally {
            test,
            keys: test.state_keys(),
            states: BTreeMap::new(),
            positive: 0,
            negative: 0,
            out: Outcome::empty(test, model),
        }
    }

    /// The keys an execution's values are given for, in order.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// Counts one complete execution whose state keys have `values`: the
    /// condition is evaluated on it, and its final state is kept unless it
    /// is `racy` (a data race is undefined behaviour: no outcome). Returns
    /// whether the condition's proposition holds (`None` without one).
    pub fn complete(&mut self, values: &[Value], racy: bool) -> Option<bool> {
        self.out.executions += 1;
        if !racy {
            match self.states.get_mut(values) {
                Some(n) => *n += 1,
                None => {
                    self.states.insert(values.to_vec(), 1);
                }
            }
        }
        let c = self.test.condition.as_ref()?;
        let get = |k: Key| {
            self.keys
                .iter()
                .position(|&x| x == k)
                .map_or(Value::Int(0), |i| values[i])
        };
        let holds = eval(&c.prop, &get);
        if holds {
            self.positive += 1;
        } else {
            self.negative += 1;
        }
        Some(holds)
    }

    /// A data race some execution has: the run's behaviour is undefined.
    /// Each race is reported once.
    pub fn race(&mut self, race: RaceReport) {
        self.out.undefined = true;
        if !self.out.races.contains(&race) {
            self.out.races.push(race);
        }
    }

    /// The run's outcome: the states sorted, the condition's verdict, the
    /// races sorted.
    pub fn finish(mut self) -> Outcome {
        let names: Vec<String> = self.keys.iter().map(|&k| self.test.key_name(k)).collect();
        self.out.races.sort();
        self.out.states = self
            .states
            .into_iter()
            .map(|(vals, n)| State {
                values: names.iter().cloned().zip(vals).collect(),
                executions: n,
            })
            .collect();
        let (pos, neg) = (self.positive, self.negative);
        self.out.condition = self.test.condition.as_ref().map(|c| ConditionResult {
            quantifier: c.quantifier,
            text: c.text.clone(),
            holds: if pos == 0 {
                Holds::Never
            } else if neg == 0 {
                Holds::Always
            } else {
                Holds::Sometimes
            },
            positive: pos,
            negative: neg,
            validated: match c.quantifier {
                Quantifier::Exists => pos > 0,
                Quantifier::NotExists => pos == 0,
                Quantifier::Forall => neg == 0,
            },
        });
        self.out
    }
}

/// Evaluates a proposition; a symbol equals no number (herd: a thin-air
/// value is none of the constants the condition names).
fn eval(p: &Prop, get: &dyn Fn(Key) -> Value) -> bool {
    match p {
        Prop::True => true,
        Prop::False => false,
        Prop::Atom { key, eq, value } => (get(*key) == Value::Int(*value)) == *eq,
        Prop::Not(a) => !eval(a, get),
        Prop::And(a, b) => eval(a, get) && eval(b, get),
        Prop::Or(a, b) => eval(a, get) || eval(b, get),
    }
}
