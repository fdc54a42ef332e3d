//! A modelled `Barrier`: one modelled word holding the generation (high 32
//! bits) and the arrivals in it (low 32 bits). Each `wait` arrives with an
//! `AcqRel` RMW (`RmwKind::Arrive`), so the arrivals form one release
//! sequence; the `n`-th arrival starts the next generation and is the
//! leader. The others wait for the first write of the next generation and
//! read it with `Acquire`: every arrival happens before every return, and
//! waiting costs no executions. The only choice explored is the order of
//! the arrivals (which thread is the leader).

use std::panic::Location;

use happens_engine::{LoadOrd, RmwKind, RmwOrd, Then, Until};

use super::raw::Word;

const ARRIVALS: u64 = 0xffff_ffff;

pub struct Barrier {
    n: usize,
    word: Word,
}

impl std::fmt::Debug for Barrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("Barrier { .. }")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    #[track_caller]
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n,
            word: Word::new(0, "Barrier"),
        }
    }

    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        let at = Location::caller();
        let n = self.n.max(1) as u64;
        let old = self.word.rmw(RmwKind::Arrive, n, RmwOrd::AcqRel, at);
        if (old & ARRIVALS) + 1 >= n {
            return BarrierWaitResult(true);
        }
        let next = ((old >> 32) + 1) << 32;
        let until = Until::Reached {
            mask: !ARRIVALS,
            count: next,
            or: next,
        };
        let then = Then::Load(LoadOrd::Acquire);
        self.word.await_(until, then, "barrier", at);
        BarrierWaitResult(false)
    }
}
