//! `lazy_static!` support: each static gets a fresh value in every
//! execution, created by the main thread before the model closure runs (see
//! the runtime's pre-allocation: a static first used by an execution makes
//! the exploration start again with it). What the initializer creates lives
//! as long as the execution and is not reported as a leak. (Like loom, the
//! `&'static` it hands out must not be kept past the execution.)

use std::fmt;
use std::marker::PhantomData;

pub use std::thread::{panicking, AccessError};

pub use crate::thread::yield_now;

/// The value behind a `lazy_static!` static.
pub struct Lazy<T> {
    #[doc(hidden)]
    pub init: fn() -> T,
    #[doc(hidden)]
    pub _p: PhantomData<fn(T)>,
}

impl<T: 'static> Lazy<T> {
    /// The value of this static in the current execution.
    #[track_caller]
    pub fn get(&'static self) -> &'static T {
        let key = self as *const Self as usize;
        let found = crate::rt::with(|c| {
            c.st.borrow()
                .statics
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| &**v as *const dyn std::any::Any)
        });
        let p = match found {
            Some(p) => p,
            // a destructor run after its execution ended (a thread left
            // suspended is unwound: see `rt::Context::tearing_down`) meets
            // a static this execution never used: it gets a value built
            // outside the model, as the objects that destructor creates
            // are, kept until the next execution starts
            None if crate::rt::tearing_down() => {
                let v = init_at::<T>(key);
                crate::rt::with(|c| {
                    let mut st = c.st.borrow_mut();
                    st.statics.push((key, v));
                    let (_, v) = st.statics.last().expect("just pushed");
                    &**v as *const dyn std::any::Any
                })
            }
            // unknown so far: the main thread builds it before the closure
            // from now on
            None => crate::rt::discover(
                crate::rt::Key::Addr(key),
                crate::rt::What::Lazy { init: init_at::<T> },
                std::panic::Location::caller(),
            ),
        };
        // SAFETY: the value lives until the execution ends.
        unsafe { &*p }
            .downcast_ref::<T>()
            .expect("lazy_static type")
    }
}

/// Builds the value of the `Lazy<T>` at `addr` (pre-allocation).
fn init_at<T: 'static>(addr: usize) -> Box<dyn std::any::Any> {
    // SAFETY: `addr` is the address of a `static` `Lazy<T>` recorded by
    // `Lazy::get`.
    let lazy = unsafe { &*(addr as *const Lazy<T>) };
    Box::new((lazy.init)())
}

impl<T> fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Lazy { .. }")
    }
}

/// Declares statics initialized on first use in each execution.
#[macro_export]
macro_rules! lazy_static {
    ($(#[$attr:meta])* static ref $N:ident : $T:ty = $e:expr; $($t:tt)*) => {
        $crate::__lazy_static_internal!($(#[$attr])* () static ref $N : $T = $e; $($t)*);
    };
    ($(#[$attr:meta])* pub static ref $N:ident : $T:ty = $e:expr; $($t:tt)*) => {
        $crate::__lazy_static_internal!($(#[$attr])* (pub) static ref $N : $T = $e; $($t)*);
    };
    ($(#[$attr:meta])* pub ($($vis:tt)+) static ref $N:ident : $T:ty = $e:expr; $($t:tt)*) => {
        $crate::__lazy_static_internal!($(#[$attr])* (pub ($($vis)+)) static ref $N : $T = $e; $($t)*);
    };
    () => ()
}

#[doc(hidden)]
#[macro_export]
macro_rules! __lazy_static_internal {
    ($(#[$attr:meta])* ($($vis:tt)*) static ref $N:ident : $T:ty = $e:expr; $($t:tt)*) => {
        #[allow(missing_copy_implementations, non_camel_case_types, dead_code)]
        $(#[$attr])*
        $($vis)* struct $N { __private_field: () }
        #[doc(hidden)]
        $($vis)* static $N: $N = $N { __private_field: () };
        impl ::std::ops::Deref for $N {
            type Target = $T;
            fn deref(&self) -> &$T {
                fn __init() -> $T { $e }
                static LAZY: $crate::lazy_static::Lazy<$T> = $crate::lazy_static::Lazy {
                    init: __init,
                    _p: ::std::marker::PhantomData,
                };
                LAZY.get()
            }
        }
        $crate::lazy_static!($($t)*);
    };
    () => ()
}
