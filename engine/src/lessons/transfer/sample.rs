//! The labelled examples an experiment trains on: `k` images per class, picked with a seed.

use crate::datasets::mnist::Images;
use crate::rng::Rng;

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
