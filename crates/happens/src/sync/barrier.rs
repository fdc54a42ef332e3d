//! A modelled `Barrier` on `Mutex` + `Condvar` (generation counting).

use std::panic::Location;

use super::{Condvar, Mutex};

pub struct Barrier {
    n: usize,
    state: Mutex<(usize, usize)>,
    cv: Condvar,
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
            state: Mutex::new((0, 0)),
            cv: Condvar::new(),
        }
    }

    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        let _ = Location::caller();
        let mut g = self.state.lock().unwrap();
        let gen = g.1;
        g.0 += 1;
        if g.0 < self.n {
            while g.1 == gen {
                g = self.cv.wait(g).unwrap();
            }
            BarrierWaitResult(false)
        } else {
            g.0 = 0;
            g.1 = g.1.wrapping_add(1);
            drop(g);
            self.cv.notify_all();
            BarrierWaitResult(true)
        }
    }
}
