//! The labelled examples an experiment trains on: `k` images per class, picked with a seed.

use super::config::{TARGET_DIGITS, Target};
use crate::datasets::mnist::Images;
use crate::rng::Rng;

/// The part of a data set (`target`'s own, from its folder) the target task uses, labelled
/// 0..`target.classes()`: digits 5–9 of MNIST as 0–4, all of Fashion-MNIST as it is.
pub fn target_images(target: Target, set: &Images) -> Images {
    match target {
        Target::Digits => set.with_classes(&TARGET_DIGITS),
        Target::Fashion => set.clone(),
    }
}

/// `per_class` images of each class of `set` (labels 0..`classes`), picked at random with
/// `seed`, in class-interleaved order; all of `set` when `per_class` is 0. A class with fewer
/// images gives all it has.
pub fn labelled(set: &Images, classes: usize, per_class: u32, seed: u64) -> Images {
    if per_class == 0 {
        return set.clone();
    }
    let mut rng = Rng::new(seed);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &label) in set.labels.iter().enumerate() {
        if let Some(list) = by_class.get_mut(label as usize) {
            list.push(i);
        }
    }
    for list in &mut by_class {
        rng.shuffle(list);
        list.truncate(per_class as usize);
    }
    let mut picked = Images {
        rows: set.rows,
        cols: set.cols,
        pixels: Vec::new(),
        labels: Vec::new(),
    };
    for rank in 0..per_class as usize {
        for list in &by_class {
            if let Some(&i) = list.get(rank) {
                picked.pixels.extend_from_slice(set.image(i));
                picked.labels.push(set.labels[i]);
            }
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> Images {
        let labels: Vec<u8> = (0..60).map(|i| (i % 3) as u8).collect();
        Images {
            rows: 1,
            cols: 1,
            pixels: (0..60).collect(),
            labels,
        }
    }

    #[test]
    fn each_target_keeps_its_classes() {
        let digits = Images {
            rows: 1,
            cols: 1,
            pixels: (0..10).collect(),
            labels: (0..10).collect(),
        };
        let five_to_nine = target_images(Target::Digits, &digits);
        assert_eq!(five_to_nine.labels, vec![0, 1, 2, 3, 4]);
        assert_eq!(five_to_nine.pixels, vec![5, 6, 7, 8, 9]);
        assert_eq!(target_images(Target::Fashion, &digits), digits);
        assert_eq!(Target::Digits.classes(), 5);
        assert_eq!(Target::Fashion.classes(), 10);
    }

    #[test]
    fn picks_k_of_each_class_the_same_way_for_a_seed() {
        let picked = labelled(&set(), 3, 5, 7);
        assert_eq!(picked.len(), 15);
        for class in 0..3u8 {
            assert_eq!(picked.labels.iter().filter(|&&l| l == class).count(), 5);
        }
        // Each picked pixel is its image's index, whose label is index mod 3.
        for (pixel, label) in picked.pixels.iter().zip(&picked.labels) {
            assert_eq!(pixel % 3, *label);
        }
        assert_eq!(picked, labelled(&set(), 3, 5, 7));
        assert_ne!(picked, labelled(&set(), 3, 5, 8));
        assert_eq!(labelled(&set(), 3, 0, 7), set());
        assert_eq!(labelled(&set(), 3, 100, 7).len(), 60);
    }
}
