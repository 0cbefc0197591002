//! What every lesson's checkpoints share (issue 14): how often a training run sends one, why one
//! could not be taken or resumed from, and runs kept in the browser, read format first. Plain
//! data; the burn side is `stepper.rs` (optimisers) and `snapshot.rs` (networks).

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// How often a training worker sends its checkpoint: every this many milliseconds of training,
/// and whenever training stops (paused, finished).
pub const CHECKPOINT_EVERY_MS: f64 = 5_000.0;

/// Why a checkpoint could not be taken or could not be resumed from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ResumeError {
    /// The settings no longer build a network for these images.
    BadSettings,
    /// The recorded bytes could not be read or applied (or the device could not be read).
    Unreadable { message: String },
    /// The step is past the end of the run, or not one this run can reach.
    BadStep { step: u64 },
    /// A weight is NaN or infinite: the run blew up, and its weights are not worth keeping or
    /// going on from. A worker taking a checkpoint skips it (the next one may be good again).
    NotNumbers,
}

/// Why a kept run could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum KeptRunError {
    /// Not the bytes of a kept run (damaged, or written by something else).
    Unreadable { message: String },
    /// Kept by another version of the site.
    OtherFormat { format: u32 },
}

/// A kept run of `format` from its bytes (postcard, the format as its first field). The format is
/// read first, so another version's run is named as such, not as damage.
pub fn read_kept<T: DeserializeOwned>(bytes: &[u8], format: u32) -> Result<T, KeptRunError> {
    let (found, _) =
        postcard::take_from_bytes::<u32>(bytes).map_err(|e| KeptRunError::Unreadable {
            message: e.to_string(),
        })?;
    if found != format {
        return Err(KeptRunError::OtherFormat { format: found });
    }
    crate::protocol::decode(bytes).map_err(|message| KeptRunError::Unreadable { message })
}

/// A lesson's checkpoint, as a run kept in the browser holds it (see [`KeptTraining`]).
pub trait KeptCheckpoint: Serialize + DeserializeOwned + Clone + Debug + PartialEq {
    /// The kept run's format; a kept run of another format is not read.
    const KEPT_FORMAT: u32;
    /// The curves the page drew up to the checkpoint.
    type Curves: Serialize + DeserializeOwned + Clone + Debug + PartialEq;
}

/// A run kept in the browser (IndexedDB) to resume after a reload: its checkpoint and the curves
/// the page drew up to it. The format comes first, so that [`read_kept`] can name another
/// version's run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(bound = "")]
pub struct KeptTraining<C: KeptCheckpoint> {
    pub format: u32,
    pub checkpoint: C,
    pub curves: C::Curves,
}

impl<C: KeptCheckpoint> KeptTraining<C> {
    pub fn new(checkpoint: C, curves: C::Curves) -> Self {
        Self {
            format: C::KEPT_FORMAT,
            checkpoint,
            curves,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        crate::protocol::encode(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeptRunError> {
        read_kept(bytes, C::KEPT_FORMAT)
    }
}
