//! Values against the training step for a chart, thinned out as they grow.

/// A point is kept every `stride` steps, and the stride doubles (dropping every other point)
/// whenever the series would exceed `MAX` points.
#[derive(Clone, Debug, PartialEq)]
pub struct Series<T, const MAX: usize> {
    pub points: Vec<(u64, T)>,
    pub stride: u64,
}

impl<T, const MAX: usize> Default for Series<T, MAX> {
    fn default() -> Self {
        Self {
            points: Vec::new(),
            stride: 1,
        }
    }
}

impl<T, const MAX: usize> Series<T, MAX> {
    /// A series holding these points (as kept earlier: in order, already thinned).
    pub fn from_points(points: Vec<(u64, T)>) -> Self {
        let mut series = Self::default();
        for (step, value) in points {
            series.push(step, value);
        }
        series
    }

    /// Adds a point; a step before the last one starts the series again, the same step
    /// replaces the last value.
    pub fn push(&mut self, step: u64, value: T) {
        if let Some(last) = self.points.last_mut() {
            if step < last.0 {
                *self = Self::default();
            } else if step == last.0 {
                last.1 = value;
                return;
            } else if step < last.0.saturating_add(self.stride) {
                return;
            }
        }
        self.points.push((step, value));
        if self.points.len() > MAX {
            let mut index = 0;
            self.points.retain(|_| {
                index += 1;
                index % 2 == 1
            });
            self.stride = self.stride.saturating_mul(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_stay_bounded_and_restart() {
        const MAX: usize = 400;
        let mut series = Series::<f32, MAX>::default();
        for step in 0..10_000 {
            series.push(step, 1.0);
        }
        assert!(series.points.len() <= MAX);
        assert!(series.points.len() > MAX / 4);
        assert!(series.points.windows(2).all(|w| w[0].0 < w[1].0));
        let last = series.points.last().unwrap().0;
        series.push(last, 2.0);
        assert_eq!(series.points.last(), Some(&(last, 2.0)));
        series.push(3, 1.0);
        assert_eq!(series.points, vec![(3, 1.0)]);
    }
}
