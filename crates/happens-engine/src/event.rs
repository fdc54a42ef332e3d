//! Events: the nodes of an execution graph.

use crate::ids::{EventId, LocId, Site, Stamp, ThreadId};
use crate::op::{BlockReason, Reply, RmwOp, Until, Val};
use crate::order::{FenceOrd, LoadOrd, RmwOrd, StoreOrd};

/// What kind of instruction a read belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadAccess {
    /// A plain load.
    Load,
    /// The read half of an RMW; its write half is the next event of the thread.
    Rmw { op: RmwOp, ord: RmwOrd },
    /// The read half of a compare-exchange. When it succeeds, its write half
    /// is the next event of the thread.
    Cas {
        expected: Val,
        new: Val,
        success: RmwOrd,
        failure: LoadOrd,
        weak: bool,
    },
}

impl ReadAccess {
    /// Whether two reads are the same instruction, up to the operands a
    /// run may give other values (an RMW's operand, a compare-exchange's
    /// expected and new values): what replaying checks.
    pub fn same_instruction(self, other: ReadAccess) -> bool {
        match (self, other) {
            (ReadAccess::Load, ReadAccess::Load) => true,
            (ReadAccess::Rmw { op, ord }, ReadAccess::Rmw { op: o, ord: d }) => {
                op.kind == o.kind && op.width == o.width && ord == d
            }
            (
                ReadAccess::Cas {
                    success,
                    failure,
                    weak,
                    ..
                },
                ReadAccess::Cas {
                    success: s,
                    failure: f,
                    weak: w,
                    ..
                },
            ) => success == s && failure == f && weak == w,
            _ => false,
        }
    }

    /// Whether a read of this kind that reads `val` (and fails spuriously
    /// or not) has a write half.
    pub fn writes(self, val: Val, spurious: bool) -> bool {
        match self {
            ReadAccess::Load => false,
            ReadAccess::Rmw { .. } => true,
            ReadAccess::Cas { expected, .. } => val == expected && !spurious,
        }
    }

    /// Whether a read of this kind is SeqCst for some value it may read.
    pub fn may_be_sc(self, plain: LoadOrd) -> bool {
        match self {
            ReadAccess::Load => plain == LoadOrd::SeqCst,
            ReadAccess::Rmw { ord, .. } => ord.load() == LoadOrd::SeqCst,
            ReadAccess::Cas {
                success, failure, ..
            } => success.load() == LoadOrd::SeqCst || failure == LoadOrd::SeqCst,
        }
    }
}

/// A read event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Read {
    pub loc: LocId,
    /// The ordering this read executes with. For a compare-exchange it is the
    /// success or the failure ordering, depending on the value read.
    pub ord: LoadOrd,
    pub access: ReadAccess,
    /// The write this read reads from.
    pub rf: EventId,
    /// The value read (the value of `rf`).
    pub val: Val,
    /// A weak compare-exchange that failed although the value matched.
    pub spurious: bool,
    /// The read repeats an earlier read of its thread in a waiting loop
    /// (see [`crate::Op::Wait`]): it reads a write of the value that one
    /// read, and is never revisited.
    pub repeat: bool,
    /// The read a waiting thread went on with after its rounds had read a
    /// value another thread has since overwritten (see
    /// [`Execution::moved_on`](crate::Execution::moved_on)): it reads only
    /// writes of another value than those rounds read, which `until` holds
    /// (`Until::IsNot`).
    pub moved: bool,
    /// The step of a blocking primitive ([`crate::Op::Await`]): it reads
    /// only writes this accepts.
    pub until: Option<Until>,
}

impl Read {
    /// Whether this is a blocking primitive's take that failed: a taking
    /// await a backward revisit made read a write it does not accept
    /// (another thread took first). It is never revisited again, and its
    /// thread issues the await again.
    pub fn is_failed_take(&self) -> bool {
        self.access != ReadAccess::Load && self.until.is_some_and(|u| !u.accepts(self.val))
    }

    /// Whether this is a try that changed nothing: a compare-exchange that
    /// failed, or an RMW (a compare-exchange) that wrote back what it read.
    pub fn is_idle_try(&self) -> bool {
        self.access != ReadAccess::Load && self.written_value().map_or(true, |w| w == self.val)
    }

    /// Whether this read is the read half of an RMW that writes (an RMW, or a
    /// compare-exchange that succeeds).
    pub fn is_exclusive(&self) -> bool {
        self.access.writes(self.val, self.spurious)
    }

    /// The value the write half writes, if this read has one.
    pub fn written_value(&self) -> Option<Val> {
        match self.access {
            ReadAccess::Load => None,
            ReadAccess::Rmw { op, .. } => Some(op.apply(self.val)),
            ReadAccess::Cas { new, .. } => self.is_exclusive().then_some(new),
        }
    }

    /// What the operation this read belongs to is answered: the value read,
    /// an RMW's with the value it wrote, a compare-exchange's with whether
    /// it succeeded.
    pub fn reply(&self) -> Reply {
        match self.access {
            ReadAccess::Load => Reply::Val(self.val),
            ReadAccess::Rmw { op, .. } => Reply::Rmw {
                old: self.val,
                new: op.apply(self.val),
            },
            ReadAccess::Cas { .. } => Reply::Cas {
                old: self.val,
                ok: self.is_exclusive(),
            },
        }
    }

    /// The ordering of the write half.
    pub fn write_ord(&self) -> Option<StoreOrd> {
        match self.access {
            ReadAccess::Load => None,
            ReadAccess::Rmw { ord, .. } => Some(ord.store()),
            ReadAccess::Cas { success, .. } => self.is_exclusive().then_some(success.store()),
        }
    }

    /// The write half this read has (an RMW, or a compare-exchange that
    /// succeeds), as it follows it in its thread.
    pub fn write_half(&self) -> Option<Write> {
        Some(Write {
            loc: self.loc,
            ord: self.write_ord()?,
            val: self.written_value()?,
            kind: WriteKind::Rmw,
        })
    }

    /// The ordering implied by the access and the value read.
    pub fn effective_ord(access: ReadAccess, plain: LoadOrd, val: Val, spurious: bool) -> LoadOrd {
        match access {
            ReadAccess::Load => plain,
            ReadAccess::Rmw { ord, .. } => ord.load(),
            ReadAccess::Cas {
                expected,
                success,
                failure,
                ..
            } => {
                if val == expected && !spurious {
                    success.load()
                } else {
                    failure
                }
            }
        }
    }
}

/// How a write came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteKind {
    /// A store.
    Store,
    /// The initial value of a location, written when it is created.
    Alloc,
    /// The write half of an RMW or a successful compare-exchange; the read
    /// half is the previous event of the thread.
    Rmw,
}

/// A write event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    pub loc: LocId,
    pub ord: StoreOrd,
    pub val: Val,
    pub kind: WriteKind,
}

/// The label of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Read(Read),
    Write(Write),
    Fence(FenceOrd),
    /// Spawns `child`, whose first event is a `Start`.
    Spawn {
        child: ThreadId,
    },
    /// First event of every thread but the main one. `like`: the thread
    /// it is symmetric to, as its parent's [`Op::Spawn`](crate::Op::Spawn)
    /// vouched.
    Start {
        parent: EventId,
        like: Option<ThreadId>,
    },
    /// Waits for `child`'s `Finish`.
    Join {
        child: ThreadId,
    },
    Finish,
    Block(BlockReason),
    /// The thread failed (assertion, panic) at this point.
    Fail,
}

/// An event of the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    /// When it was added to the graph (TruSt's `<_G`).
    pub stamp: Stamp,
    /// Where the front-end issued the operation it belongs to (an RMW's
    /// two events share their operation's).
    pub site: Site,
}

impl EventKind {
    pub fn loc(&self) -> Option<LocId> {
        match self {
            EventKind::Read(r) => Some(r.loc),
            EventKind::Write(w) => Some(w.loc),
            _ => None,
        }
    }
    pub fn as_read(&self) -> Option<&Read> {
        match self {
            EventKind::Read(r) => Some(r),
            _ => None,
        }
    }
    pub fn as_write(&self) -> Option<&Write> {
        match self {
            EventKind::Write(w) => Some(w),
            _ => None,
        }
    }
    pub fn is_read(&self) -> bool {
        matches!(self, EventKind::Read(_))
    }
    pub fn is_write(&self) -> bool {
        matches!(self, EventKind::Write(_))
    }
    /// Whether the event is a non-atomic memory access.
    pub fn is_non_atomic(&self) -> bool {
        match self {
            EventKind::Read(r) => !r.ord.is_atomic(),
            EventKind::Write(w) => !w.ord.is_atomic(),
            _ => false,
        }
    }
    /// Whether the event is a SeqCst access or fence.
    pub fn is_sc(&self) -> bool {
        match self {
            EventKind::Read(r) => r.ord.is_sc(),
            EventKind::Write(w) => w.ord.is_sc(),
            EventKind::Fence(f) => f.is_sc(),
            _ => false,
        }
    }
    /// Whether the event ends its thread.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            EventKind::Finish | EventKind::Block(_) | EventKind::Fail
        )
    }
}
