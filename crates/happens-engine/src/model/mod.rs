//! Memory models. Each model is one module behind the [`Model`] trait.
//!
//! The explorer adds one event at a time and asks the model whether the
//! graph is still consistent. Because TruSt only ever adds an event at the
//! end of `po ∪ rf` (or changes the `rf` of a read that has nothing after it),
//! the checks can be local: [`Model::read_ok`] and [`Model::write_ok`] look at
//! the event that just changed, [`Model::global_ok`] at the axioms that are
//! not local (SC).

pub mod arm;
pub mod coherence;
pub mod cxx20;
pub mod psc;
pub mod rc11;
pub mod rust;
pub mod sc;
pub mod x86;

use crate::graph::Graph;
use crate::ids::EventId;

pub use arm::Arm;
pub use cxx20::Cxx20;
pub use psc::ScRule;
pub use rc11::Rc11;
pub use rust::Rust;
pub use sc::Sc;
pub use x86::X86;

/// A memory model, as a consistency predicate on execution graphs.
pub trait Model {
    /// Short name (`rust`, `rc11`, `sc`, `x86`).
    fn name(&self) -> &'static str;
    /// The graph was consistent before read `r` (the last event of its thread)
    /// got its current `rf`; is it still?
    fn read_ok(&self, g: &Graph, r: EventId) -> bool;
    /// The graph was consistent before write `w` (the last event of its
    /// thread) was put at its current place in `co`; is it still?
    fn write_ok(&self, g: &Graph, w: EventId) -> bool;
    /// For a new read or write `e` (the last event of its thread): the
    /// lowest position in its location's `co` (not counting `e`) it may
    /// read from or be placed right after; every place below it fails
    /// `read_ok`/`write_ok`, so the explorer does not try them. `0` (try
    /// all) unless the model knows better.
    fn co_floor(&self, g: &Graph, e: EventId) -> usize {
        let _ = (g, e);
        0
    }
    /// Whether the new read `r` (the last event of its thread) may read
    /// every write at or above [`Model::co_floor`] with `read_ok` and
    /// `global_ok` holding for each, so that the explorer need not ask
    /// (a read no other axiom sees). `false` unless the model knows.
    fn reads_freely(&self, g: &Graph, r: EventId) -> bool {
        let _ = (g, r);
        false
    }
    /// Axioms that are not checked locally. Called after every change, with
    /// the events that changed (added, or given a new `rf` or `co` place); the
    /// graph was consistent before.
    fn global_ok(&self, g: &Graph, changed: &[EventId]) -> bool;
    /// Whether unordered conflicting accesses, one of them non-atomic, are
    /// undefined behaviour in this model.
    fn races_are_ub(&self) -> bool;
    /// Checks every axiom from scratch: for tests, and to double-check a
    /// finished graph. Returns the name of a violated axiom.
    fn check_full(&self, g: &Graph) -> Result<(), &'static str>;
}

/// The models `happens` implements, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ModelKind {
    /// Rust's model, C++20's with the no-thin-air axiom ([`Rust`]): RC11's
    /// axioms with C++20 release sequences and C++20's SC rule.
    #[default]
    Rust,
    /// RC11 (Lahav et al., PLDI 2017) with C++20 release sequences: the
    /// paper's weaker SC rule ([`Rc11`]).
    Rc11,
    /// Sequential consistency ([`Sc`]).
    Sc,
    /// x86-TSO over the program compiled by the standard mapping ([`X86`]):
    /// a hardware model for litmus tests, with no undefined behaviour (the
    /// library runs it too, but it is no verdict on a Rust program: see
    /// `happens::model::Builder::model`).
    X86,
    /// C++20 as written: `rust` without no-thin-air, so load buffering is
    /// allowed ([`Cxx20`]). Checked on whole candidate executions, which
    /// only the litmus front-end enumerates: not [`ModelKind::explorable`].
    Cxx20,
    /// ARMv8 (POPL 2018, herd's `aarch64.cat`) after the standard mapping
    /// ([`Arm`]): checked on whole candidate executions with dependencies,
    /// litmus tests only; not [`ModelKind::explorable`].
    Arm,
}

impl ModelKind {
    /// Every model, the default first.
    pub const ALL: [ModelKind; 6] = [
        ModelKind::Rust,
        ModelKind::Rc11,
        ModelKind::Sc,
        ModelKind::Cxx20,
        ModelKind::X86,
        ModelKind::Arm,
    ];

    /// Whether the explorer (and so the library) can explore under this
    /// model. `c++20` needs executions the explorer cannot build (`po ∪ rf`
    /// cycles), and `arm` needs dependencies: litmus tests only, through
    /// their axiomatic enumerator. x86-TSO keeps `po ∪ rf` acyclic, so the
    /// explorer runs it.
    pub fn explorable(self) -> bool {
        matches!(
            self,
            ModelKind::Rust | ModelKind::Rc11 | ModelKind::Sc | ModelKind::X86
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Rust => "rust",
            ModelKind::Rc11 => "rc11",
            ModelKind::Sc => "sc",
            ModelKind::X86 => "x86",
            ModelKind::Cxx20 => "c++20",
            ModelKind::Arm => "arm",
        }
    }

    pub fn from_name(s: &str) -> Option<ModelKind> {
        match s.to_ascii_lowercase().as_str() {
            // not "c11": the original C11 SC semantics differ
            "rust" => Some(ModelKind::Rust),
            "c++20" | "cxx20" => Some(ModelKind::Cxx20),
            "arm" | "aarch64" => Some(ModelKind::Arm),
            "rc11" => Some(ModelKind::Rc11),
            "sc" => Some(ModelKind::Sc),
            "x86" => Some(ModelKind::X86),
            _ => None,
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A model chosen at run time: each call goes to the named model (for
/// front-ends that pick the model from an option; generic code can take the
/// model types themselves).
impl Model for ModelKind {
    fn name(&self) -> &'static str {
        ModelKind::name(*self)
    }

    fn read_ok(&self, g: &Graph, r: EventId) -> bool {
        match self {
            ModelKind::Rust => Rust.read_ok(g, r),
            ModelKind::Rc11 => Rc11.read_ok(g, r),
            ModelKind::Sc => Sc.read_ok(g, r),
            ModelKind::X86 => X86.read_ok(g, r),
            ModelKind::Cxx20 => Cxx20.read_ok(g, r),
            ModelKind::Arm => Arm.read_ok(g, r),
        }
    }

    fn write_ok(&self, g: &Graph, w: EventId) -> bool {
        match self {
            ModelKind::Rust => Rust.write_ok(g, w),
            ModelKind::Rc11 => Rc11.write_ok(g, w),
            ModelKind::Sc => Sc.write_ok(g, w),
            ModelKind::X86 => X86.write_ok(g, w),
            ModelKind::Cxx20 => Cxx20.write_ok(g, w),
            ModelKind::Arm => Arm.write_ok(g, w),
        }
    }

    fn co_floor(&self, g: &Graph, e: EventId) -> usize {
        match self {
            ModelKind::Rust => Rust.co_floor(g, e),
            ModelKind::Rc11 => Rc11.co_floor(g, e),
            ModelKind::Sc => Sc.co_floor(g, e),
            ModelKind::X86 => X86.co_floor(g, e),
            ModelKind::Cxx20 => Cxx20.co_floor(g, e),
            ModelKind::Arm => Arm.co_floor(g, e),
        }
    }

    fn reads_freely(&self, g: &Graph, r: EventId) -> bool {
        match self {
            ModelKind::Rust => Rust.reads_freely(g, r),
            ModelKind::Rc11 => Rc11.reads_freely(g, r),
            ModelKind::Sc => Sc.reads_freely(g, r),
            ModelKind::X86 => X86.reads_freely(g, r),
            ModelKind::Cxx20 => Cxx20.reads_freely(g, r),
            ModelKind::Arm => Arm.reads_freely(g, r),
        }
    }

    fn global_ok(&self, g: &Graph, changed: &[EventId]) -> bool {
        match self {
            ModelKind::Rust => Rust.global_ok(g, changed),
            ModelKind::Rc11 => Rc11.global_ok(g, changed),
            ModelKind::Sc => Sc.global_ok(g, changed),
            ModelKind::X86 => X86.global_ok(g, changed),
            ModelKind::Cxx20 => Cxx20.global_ok(g, changed),
            ModelKind::Arm => Arm.global_ok(g, changed),
        }
    }

    fn races_are_ub(&self) -> bool {
        match self {
            ModelKind::Rust => Rust.races_are_ub(),
            ModelKind::Rc11 => Rc11.races_are_ub(),
            ModelKind::Sc => Sc.races_are_ub(),
            ModelKind::X86 => X86.races_are_ub(),
            ModelKind::Cxx20 => Cxx20.races_are_ub(),
            ModelKind::Arm => Arm.races_are_ub(),
        }
    }

    fn check_full(&self, g: &Graph) -> Result<(), &'static str> {
        match self {
            ModelKind::Rust => Rust.check_full(g),
            ModelKind::Rc11 => Rc11.check_full(g),
            ModelKind::Sc => Sc.check_full(g),
            ModelKind::X86 => X86.check_full(g),
            ModelKind::Cxx20 => Cxx20.check_full(g),
            ModelKind::Arm => Arm.check_full(g),
        }
    }
}
