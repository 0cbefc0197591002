//! A small seeded generator (SplitMix64) so data sets and shuffles are the same on every
//! platform and every run with the same seed.

#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

/// SplitMix64's state moves by this odd constant at each draw.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// GAMMA's inverse modulo 2^64 (Newton's iteration doubles the correct bits each round).
const GAMMA_INVERSE: u64 = {
    let mut x = GAMMA;
    let mut round = 0;
    while round < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(GAMMA.wrapping_mul(x)));
        round += 1;
    }
    x
};

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed ^ GAMMA,
        }
    }

    /// The generator `Rng::new(seed)` becomes after `draws` numbers, without drawing them.
    pub fn at(seed: u64, draws: u64) -> Self {
        Self {
            state: Self::new(seed)
                .state
                .wrapping_add(draws.wrapping_mul(GAMMA)),
        }
    }

    /// How many numbers this generator has drawn since `Rng::new(seed)`: its position, which
    /// `Rng::at` goes back to.
    pub fn draws_since(&self, seed: u64) -> u64 {
        self.state
            .wrapping_sub(Self::new(seed).state)
            .wrapping_mul(GAMMA_INVERSE)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }

    /// Standard normal by Box–Muller.
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_uniform_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let mut c = Rng::new(8);
        let xs: Vec<u64> = (0..10).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..10).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..10).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        let mut r = Rng::new(1);
        let samples: Vec<f64> = (0..10_000).map(|_| r.uniform()).collect();
        assert!(samples.iter().all(|&u| (0.0..1.0).contains(&u)));
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
    }

    #[test]
    fn a_position_is_found_and_gone_back_to_without_drawing() {
        assert_eq!(GAMMA.wrapping_mul(GAMMA_INVERSE), 1);
        let mut r = Rng::new(11);
        for _ in 0..1234 {
            r.normal();
        }
        assert_eq!(r.draws_since(11), 2468);
        let mut again = Rng::at(11, 2468);
        assert_eq!(again.next_u64(), r.next_u64());
        assert_ne!(Rng::at(12, 2468).next_u64(), Rng::at(11, 2469).next_u64());
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut r = Rng::new(3);
        let mut v: Vec<usize> = (0..100).collect();
        r.shuffle(&mut v);
        assert_ne!(v, (0..100).collect::<Vec<_>>());
        v.sort();
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }
}
