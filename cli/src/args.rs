//! The command line: what each subcommand takes, with the help text `--help` prints.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kindling_engine::backend::NativeBackend;

#[derive(Parser, Debug)]
#[command(
    name = "kindling",
    version,
    about = "Train, evaluate and inspect Kindling's models natively, with burn-train",
    long_about = "Train, evaluate and inspect Kindling's models natively, with burn-train.\n\n\
        The networks are the ones the browser lessons train (the same Rust code), and the model \
        files are the ones the site downloads and loads: a model trained here loads in the \
        browser, and a model downloaded from the browser evaluates or keeps training here."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a network from a lesson's settings and save it as a model file.
    #[command(subcommand)]
    Train(TrainCommand),
    /// Train one of the shipped models from its recipe (or check the shipped files).
    #[command(
        long_about = "Train one of the models Kindling ships, from its recipe, and write \
        static/models/<name>.safetensors with its card (<name>.json) and static/models/index.json.\n\n\
        With --check, nothing is written: each shipped file's SHA-256 is checked against its \
        .json card, the .json against the card inside the file, and a retraining of the first \
        batches must give the first batch losses the card records (exactly on the machine that \
        made them, within the card's tolerance elsewhere). That takes seconds, not a retraining."
    )]
    Pretrain(PretrainArgs),
    /// Test accuracy of a model file on the MNIST test set.
    #[command(
        long_about = "Evaluate a model file (a CNN or a residual network, saved by this \
        program or downloaded from the browser) on the MNIST test set: its accuracy, its loss, \
        and whether that agrees with the accuracy its card states."
    )]
    Eval(EvalArgs),
    /// Print a model file's card and check its checksums.
    #[command(
        long_about = "Print a model file's card (the network, the data, the training, \
        the provenance of a shipped model) after checking the SHA-256 of its weights. When a \
        <name>.json card lies next to <name>.safetensors, it is checked against the file too."
    )]
    Info(InfoArgs),
    /// Time the benchmark's workloads on a backend (milliseconds a step).
    #[command(
        long_about = "Time the benchmark's workloads on a native backend: A (a small CNN's \
        training step, cnn-small), the CNN lesson's default network (cnn-default), B (a GAN \
        iteration, gan), C (the small CNN's inference at batch 1, inference) and D (transfer: \
        frozen convolutions, a new head). The same code, seeds and data as the browser's #/bench \
        page and `cargo xtask bench`. Each step is waited for by reading its result back; the \
        first step (with shader compilation on a GPU) is reported apart, then the median of \
        --steps after --warmup untimed ones."
    )]
    Bench(BenchArgs),
}

#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// The "Seeing digits" lesson's convolutional network.
    #[command(
        long_about = "Train the \"Seeing digits\" lesson's convolutional network on MNIST.\n\n\
        --settings takes the lesson's link, or only its query, for example\n  \
        'blocks=8x5s1p2max2,16x5s1p0max2&dense=128&dropout=0&act=relu&opt=adam&lr=0.002&batch=64&epochs=2&seed=1'\n\
        (each block is <filters>x<kernel>s<stride>p<padding> then max<n>, avg<n> or none). \
        Missing keys keep the lesson's defaults; a bad value is an error. The same settings and \
        seed give the same first batches and the same initial weights as the lesson."
    )]
    Cnn(TrainCnnArgs),
    /// A small residual network (stem, residual blocks with batch norm, global average pooling).
    Resnet(TrainResnetArgs),
}

#[derive(Args, Debug)]
pub struct TrainCnnArgs {
    /// The lesson's settings: its link (`…#/cnn?blocks=…`) or only the query.
    #[arg(long, default_value = "")]
    pub settings: String,
    /// Epochs to train (overrides the settings' `epochs`).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Where to write the model file.
    #[arg(long, default_value = "model.safetensors")]
    pub out: PathBuf,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Args, Debug)]
pub struct TrainResnetArgs {
    /// Epochs to train.
    #[arg(long, default_value_t = 2)]
    pub epochs: usize,
    /// Train on these digits only, e.g. `0-4` or `3,8` (labels become their position in the
    /// list); default all ten, or the digits of the --from file.
    #[arg(long)]
    pub digits: Option<String>,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the model file.
    #[arg(long, default_value = "resnet.safetensors")]
    pub out: PathBuf,
    #[command(flatten)]
    pub run: RunArgs,
}

/// What every training run takes besides the network.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
    /// The learning rate over the run: constant, or annealed to 0 on a cosine.
    #[arg(long, value_enum, default_value_t = Schedule::Constant)]
    pub schedule: Schedule,
    /// Store the weights as f16 (half the size).
    #[arg(long)]
    pub f16: bool,
    /// burn-train's folder: metric logs, experiment.log and the checkpoint of every epoch
    /// (default: a folder under the system's temporary directory).
    #[arg(long)]
    pub artifacts: Option<PathBuf>,
    /// Resume from the checkpoint burn-train saved after this epoch in --artifacts.
    #[arg(long)]
    pub resume: Option<usize>,
    /// Start from this model file's network and weights (a model downloaded from the browser,
    /// or trained here) instead of fresh weights, with a fresh optimiser.
    #[arg(long)]
    pub from: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// The MNIST folder: manifest.json and the four gzip-compressed idx files, as `cargo xtask
    /// data` writes them (default: static/mnist of this repository).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct DeviceArgs {
    /// The burn backend: cpu, or wgpu / cuda when built with the `wgpu` / `cuda` feature.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// Train data-parallel on this many devices with burn-train's multi-device strategy: each
    /// device takes its own share of every epoch, and the gradients are summed on the first
    /// device before each optimiser step.
    #[arg(long, default_value_t = 1)]
    pub devices: usize,
    /// With --devices: burn-train's distributed data-parallel strategy instead (a copy of the
    /// network on every device, gradients averaged by an all-reduce after each step). wgpu and
    /// CUDA only: burn's CPU backend has no all-reduce.
    #[arg(long)]
    pub ddp: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Cpu,
    Wgpu,
    Cuda,
}

impl Backend {
    pub fn native(self) -> NativeBackend {
        match self {
            Self::Cpu => NativeBackend::Cpu,
            Self::Wgpu => NativeBackend::Wgpu,
            Self::Cuda => NativeBackend::Cuda,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Schedule {
    Constant,
    Cosine,
}

#[derive(Args, Debug)]
pub struct PretrainArgs {
    /// Which model; `all` for every one.
    #[arg(value_enum)]
    pub name: ShippedName,
    /// The folder of the shipped models.
    #[arg(long, default_value = "static/models")]
    pub models: PathBuf,
    /// Check the shipped files instead of training (see above).
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
    /// burn-train's folder (default: a folder under the system's temporary directory).
    #[arg(long)]
    pub artifacts: Option<PathBuf>,
    /// mnist-detector only: train this many steps instead of the recipe's (unfreezing halfway),
    /// to measure the cost; point --models at another folder holding mnist-resnet.
    #[arg(long, conflicts_with = "check")]
    pub steps: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShippedName {
    MnistClassifier,
    #[value(name = "mnist04-resnet")]
    Mnist04Resnet,
    MnistResnet,
    /// The detection project's detector on mnist-resnet (trained by the engine's own loop).
    MnistDetector,
    All,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The model file (.safetensors).
    pub model: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// The burn backend.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The burn backend.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// Which workloads, comma-separated (default: all): cnn-small, cnn-default, gan, inference,
    /// transfer.
    #[arg(long, default_value = "")]
    pub workloads: String,
    /// Untimed steps after the first.
    #[arg(long, default_value_t = 5)]
    pub warmup: u32,
    /// Timed steps.
    #[arg(long, default_value_t = 30)]
    pub steps: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also run each workload this many steps from the same weights and data on the CPU and on
    /// --backend, and report how far the values read back (losses, or a logit) differ.
    #[arg(long, default_value_t = 0)]
    pub agree: u32,
    /// Also write the results (every step's time) to this JSON file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// The model file (.safetensors).
    pub model: PathBuf,
}

/// `0-4` → [0, 1, 2, 3, 4]; `3,8` → [3, 8]; each digit once.
pub fn parse_digits(text: &str) -> Result<Vec<u8>, String> {
    let bad = || format!("--digits {text:?}: write digits like 0-4 or 3,8");
    let mut digits = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (first, last) = part.split_once('-').unwrap_or((part, part));
        let digit = |t: &str| match t.trim().parse::<u8>() {
            Ok(d) if d <= 9 => Ok(d),
            _ => Err(bad()),
        };
        let (first, last) = (digit(first)?, digit(last)?);
        if first > last {
            return Err(bad());
        }
        for d in first..=last {
            if digits.contains(&d) {
                return Err(format!("--digits {text:?}: digit {d} is listed twice"));
            }
            digits.push(d);
        }
    }
    if digits.len() < 2 {
        return Err(format!("--digits {text:?}: at least two digits are needed"));
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn digit_lists_parse() {
        assert_eq!(parse_digits("0-4"), Ok(vec![0, 1, 2, 3, 4]));
        assert_eq!(parse_digits("3, 8"), Ok(vec![3, 8]));
        assert_eq!(parse_digits("0-9").map(|d| d.len()), Ok(10));
        for bad in ["", "5", "4-0", "1,1", "0-10", "a-b", "3,,8"] {
            assert!(parse_digits(bad).is_err(), "{bad}");
        }
    }
}
