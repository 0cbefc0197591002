//! The worker's backend calibration runs on the device that lessons train on: it must leave that
//! device's random stream (burn's is one per backend, process-wide) exactly where it was. Alone
//! in its own test binary, because any test drawing from the stream in parallel would move it.

use kindling_engine::backend;
use kindling_engine::burn::tensor::{Device, Distribution, Tensor};
use kindling_engine::common::read::read_floats;
use kindling_engine::lessons::bench::runner::BenchRun;
use kindling_engine::lessons::bench::workload::Workload;

fn draw(device: &Device) -> Vec<f32> {
    let noise = Tensor::<1>::random([16], Distribution::Default, device);
    pollster::block_on(read_floats(noise))
}

#[test]
fn a_calibration_run_leaves_the_device_random_stream_where_it_was() {
    let device = backend::cpu();
    device.seed(5);
    draw(&device);
    let undisturbed = draw(&device);

    device.seed(5);
    draw(&device);
    let mut calibration = BenchRun::without_device_randomness(&device, 1);
    for _ in 0..2 {
        let (_, loss) = pollster::block_on(calibration.timed_step());
        assert!(loss.is_finite(), "{loss}");
    }
    assert_eq!(draw(&device), undisturbed);

    // An ordinary benchmark run reseeds and draws its weights: the same check sees that.
    device.seed(5);
    draw(&device);
    BenchRun::new(Workload::CnnSmall, &device, 1);
    assert_ne!(draw(&device), undisturbed);
}
