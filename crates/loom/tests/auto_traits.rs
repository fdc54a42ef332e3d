// The auto-trait table of happens (crates/happens/tests/auto_traits.rs),
// checked at the facade's paths: every type of loom 0.7 the table lists is
// at its loom path here, with loom's traits.

include!("../../happens/tests/auto_traits.rs");

mod facade {
    use super::{NotSend, NotSync, NotUnwindSafe};

    loom_types!(loom);
}
