//! Checkpoints (`LOOM_CHECKPOINT_FILE`, feature `checkpoint`).
//!
//! The explorer is stateless, so a checkpoint only records how many
//! executions were already checked. Resuming re-runs those executions
//! (the exploration order is deterministic) without checking them again, and
//! checks the rest. Without the feature, naming a file panics, as in loom.

use std::path::Path;

/// Progress of an exploration.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "checkpoint", derive(serde::Serialize, serde::Deserialize))]
pub struct Checkpoint {
    /// Executions already checked.
    pub executions: u64,
}

impl Checkpoint {
    /// Loads the checkpoint of `file` (a fresh one if the file does not
    /// exist); `None` when no file is configured.
    pub fn load(file: Option<&Path>) -> Option<Checkpoint> {
        let file = file?;
        #[cfg(feature = "checkpoint")]
        {
            match std::fs::read_to_string(file) {
                Ok(s) => {
                    Some(serde_json::from_str(&s).unwrap_or_else(|e| {
                        panic!("invalid checkpoint file {}: {e}", file.display())
                    }))
                }
                Err(_) => Some(Checkpoint::default()),
            }
        }
        #[cfg(not(feature = "checkpoint"))]
        {
            panic!(
                "checkpoint file {} given, but `happens` was not compiled with the `checkpoint` feature",
                file.display()
            )
        }
    }

    /// Writes the checkpoint to `file`.
    pub fn store(&self, file: Option<&Path>) {
        let Some(file) = file else { return };
        #[cfg(feature = "checkpoint")]
        {
            let s = serde_json::to_string(self).expect("checkpoint serializes");
            std::fs::write(file, s)
                .unwrap_or_else(|e| panic!("cannot write checkpoint file {}: {e}", file.display()));
        }
        #[cfg(not(feature = "checkpoint"))]
        {
            let _ = file;
        }
    }
}
