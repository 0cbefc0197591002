//! MNIST batches for burn-train, in the order the browser's trainers draw them.
//!
//! burn's own data loader shuffles with its own generator; this one shuffles as the lessons do
//! (the engine's seeded generator, seeded with `seed + 1`, reshuffling the previous order at
//! the start of every epoch, full batches only), so the same settings give the same batches
//! natively and in the browser. It also knows which epoch it is at: a resumed run replays the
//! shuffles of the epochs already done and continues with the batches an uninterrupted run would
//! have seen.

use std::sync::{Arc, Mutex};

use burn::data::dataloader::{DataLoader, DataLoaderIterator, Progress};
use burn::data::dataset::DatasetError;
use burn::tensor::{Device, Int, Tensor};
use kindling_engine::datasets::mnist::{Images, batch};
use kindling_engine::rng::Rng;

/// Images normalised as the networks read them, [count, 1, rows, cols], and their labels.
#[derive(Clone, Debug)]
pub struct Batch {
    pub images: Tensor<4>,
    pub labels: Tensor<1, Int>,
}

/// The epoch shuffle: the generator and the order it last produced (positions in the loader's
/// images).
#[derive(Clone)]
struct Shuffle {
    rng: Rng,
    order: Vec<usize>,
}

pub struct MnistLoader {
    set: Arc<Images>,
    /// The images of `set` this loader serves (all of them, or a device's share).
    images: Arc<Vec<usize>>,
    batch: usize,
    device: Device,
    /// None: every epoch in the images' order, the last batch partial (evaluation).
    shuffle: Option<Arc<Mutex<Shuffle>>>,
    seed: u64,
}

impl MnistLoader {
    /// Training batches of `batch` images (at most the set's size), shuffled every epoch from
    /// `seed` as the lessons shuffle; a partial last batch is dropped. `epochs_done` epochs are
    /// replayed first (for a resumed run).
    pub fn training(
        set: Arc<Images>,
        batch: usize,
        seed: u64,
        epochs_done: usize,
        device: Device,
    ) -> Self {
        let images = Arc::new((0..set.len()).collect::<Vec<_>>());
        let loader = Self::shuffled(set, images, batch, seed, device);
        if let Some(shuffle) = &loader.shuffle {
            let mut shuffle = shuffle.lock().expect("a fresh lock");
            for _ in 0..epochs_done {
                let Shuffle { rng, order } = &mut *shuffle;
                rng.shuffle(order);
            }
        }
        loader
    }

    fn shuffled(
        set: Arc<Images>,
        images: Arc<Vec<usize>>,
        batch: usize,
        seed: u64,
        device: Device,
    ) -> Self {
        let shuffle = Shuffle {
            // The lessons' trainers seed their shuffle so (CnnTrainer::new).
            rng: Rng::new(seed.wrapping_add(1)),
            order: (0..images.len()).collect(),
        };
        Self {
            batch: batch.clamp(1, images.len().max(1)),
            set,
            images,
            device,
            shuffle: Some(Arc::new(Mutex::new(shuffle))),
            seed,
        }
    }

    /// Every image in order, in batches of `batch` (the last one partial).
    pub fn evaluation(set: Arc<Images>, batch: usize, device: Device) -> Self {
        let images = Arc::new((0..set.len()).collect::<Vec<_>>());
        Self {
            batch: batch.max(1),
            set,
            images,
            device,
            shuffle: None,
            seed: 0,
        }
    }

    /// Batches an epoch gives.
    pub fn steps_per_epoch(&self) -> usize {
        match self.shuffle {
            Some(_) => self.images.len() / self.batch,
            None => self.images.len().div_ceil(self.batch),
        }
    }

    fn with_device(&self, device: &Device) -> Self {
        Self {
            set: self.set.clone(),
            images: self.images.clone(),
            batch: self.batch,
            device: device.clone(),
            // Its own copy of the shuffle, as burn's loaders fork theirs.
            shuffle: self.shuffle.as_ref().map(|s| {
                let copy = s.lock().expect("the shuffle lock").clone();
                Arc::new(Mutex::new(copy))
            }),
            seed: self.seed,
        }
    }
}

impl DataLoader<Batch> for MnistLoader {
    fn iter<'a>(&'a self) -> Box<dyn DataLoaderIterator<Batch> + 'a> {
        let (order, count) = match &self.shuffle {
            Some(shuffle) => {
                let mut shuffle = shuffle.lock().expect("the shuffle lock");
                let Shuffle { rng, order } = &mut *shuffle;
                rng.shuffle(order);
                (order.clone(), self.steps_per_epoch() * self.batch)
            }
            None => ((0..self.images.len()).collect(), self.images.len()),
        };
        Box::new(Batches {
            loader: self,
            order,
            count,
            done: 0,
        })
    }

    fn num_items(&self) -> usize {
        match self.shuffle {
            Some(_) => self.steps_per_epoch() * self.batch,
            None => self.images.len(),
        }
    }

    fn to_device(&self, device: &Device) -> Arc<dyn DataLoader<Batch>> {
        Arc::new(self.with_device(device))
    }

    /// A device's share for burn-train's multi-device strategy: positions `start..end` of the
    /// images, shuffled by their own generator.
    fn slice(&self, start: usize, end: usize) -> Arc<dyn DataLoader<Batch>> {
        let images = Arc::new(self.images[start..end].to_vec());
        match self.shuffle {
            Some(_) => {
                let seed = self.seed ^ (start as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                Arc::new(Self::shuffled(
                    self.set.clone(),
                    images,
                    self.batch,
                    seed,
                    self.device.clone(),
                ))
            }
            None => Arc::new(Self {
                images,
                ..self.with_device(&self.device)
            }),
        }
    }
}

struct Batches<'a> {
    loader: &'a MnistLoader,
    /// Positions in the loader's images, in the order of this epoch.
    order: Vec<usize>,
    /// Images this epoch serves.
    count: usize,
    done: usize,
}

impl Iterator for Batches<'_> {
    type Item = Result<Batch, DatasetError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done >= self.count {
            return None;
        }
        let end = (self.done + self.loader.batch).min(self.count);
        let indices = self.order[self.done..end]
            .iter()
            .map(|&position| self.loader.images[position]);
        let (images, labels) = batch(&self.loader.set, indices, &self.loader.device);
        self.done = end;
        Some(Ok(Batch { images, labels }))
    }
}

impl DataLoaderIterator<Batch> for Batches<'_> {
    fn progress(&self) -> Progress {
        Progress::new(self.done, self.count, Some("images".to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten 1 × 1 images whose pixel is their index.
    fn tiny() -> Arc<Images> {
        Arc::new(Images {
            rows: 1,
            cols: 1,
            pixels: (0..10).collect(),
            labels: (0..10).map(|i| i % 10).collect(),
        })
    }

    fn labels(batch: Result<Batch, DatasetError>) -> Vec<i64> {
        let data = batch.unwrap().labels.into_data().convert::<i64>();
        data.try_into_vec::<i64>().unwrap()
    }

    fn labels_of(loader: &MnistLoader) -> Vec<Vec<i64>> {
        loader.iter().map(labels).collect()
    }

    #[test]
    fn training_batches_are_full_shuffled_and_replayable() {
        let device = Device::flex();
        let loader = MnistLoader::training(tiny(), 3, 7, 0, device.clone());
        assert_eq!((loader.steps_per_epoch(), loader.num_items()), (3, 9));
        let first = labels_of(&loader);
        let second = labels_of(&loader);
        assert_eq!(first.len(), 3);
        assert!(first.iter().all(|b| b.len() == 3));
        assert_ne!(first, second, "each epoch reshuffles");
        let mut seen: Vec<i64> = first.concat();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 9, "no image twice in an epoch");
        // The order the engine's generator gives, seeded as the lessons seed it.
        let mut rng = Rng::new(8);
        let mut order: Vec<usize> = (0..10).collect();
        rng.shuffle(&mut order);
        let expected: Vec<i64> = order[..9].iter().map(|&i| i as i64).collect();
        assert_eq!(first.concat(), expected);
        // A loader resumed after one epoch gives the second epoch's batches.
        let resumed = MnistLoader::training(tiny(), 3, 7, 1, device);
        assert_eq!(labels_of(&resumed), second);
    }

    #[test]
    fn evaluation_batches_keep_the_order_and_the_partial_batch() {
        let loader = MnistLoader::evaluation(tiny(), 4, Device::flex());
        assert_eq!(loader.steps_per_epoch(), 3);
        let batches = labels_of(&loader);
        assert_eq!(
            batches,
            vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]
        );
        assert_eq!(labels_of(&loader), batches);
    }

    #[test]
    fn device_shares_split_the_images() {
        let loader = MnistLoader::training(tiny(), 2, 1, 0, Device::flex());
        let (a, b) = (loader.slice(0, 5), loader.slice(5, 10));
        let mut all: Vec<i64> = [a, b]
            .iter()
            .flat_map(|l| l.iter().flat_map(labels).collect::<Vec<_>>())
            .collect();
        all.sort();
        // Two full batches from each share of five.
        assert_eq!(all.len(), 8);
        all.dedup();
        assert_eq!(all.len(), 8);
    }
}
