//! `kindling`: Kindling's models trained, evaluated and inspected natively (see `args.rs` for the
//! commands, or `kindling --help`).

use std::process::ExitCode;

use clap::Parser;

use kindling_cli::args::{Cli, Command, TrainCommand};
use kindling_cli::{bench, eval, info, pretrain, train};

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Train(TrainCommand::Cnn(args)) => train::cnn(args),
        Command::Train(TrainCommand::Resnet(args)) => train::resnet(args),
        Command::Pretrain(args) => pretrain::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Info(args) => info::run(args),
        Command::Bench(args) => bench::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kindling: {message}");
            ExitCode::FAILURE
        }
    }
}
