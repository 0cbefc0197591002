//! The benchmark's workloads natively on the CPU backend, for profiling the engine without a
//! browser: `cargo run --release -p kindling-engine --example bench [workload…]`.

use kindling_engine::backend;
use kindling_engine::lessons::bench::runner;
use kindling_engine::lessons::bench::workload::Workload;

fn main() {
    let names: Vec<String> = std::env::args().skip(1).collect();
    let workloads: Vec<Workload> = if names.is_empty() {
        Workload::ALL.to_vec()
    } else {
        names
            .iter()
            .map(|n| Workload::from_name(n).unwrap_or_else(|| panic!("unknown workload {n}")))
            .collect()
    };
    let device = backend::cpu();
    println!("| workload | first step (ms) | median step (ms) |");
    println!("|---|---|---|");
    for workload in workloads {
        let result = pollster::block_on(runner::run(workload, &device, 1, 3, 20));
        println!(
            "| {} | {:.1} | {:.1} |",
            workload.name(),
            result.first_ms,
            result.median_ms()
        );
    }
}
