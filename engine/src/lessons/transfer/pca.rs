//! Principal component analysis of feature vectors, down to two dimensions: the covariance
//! matrix's two leading eigenvectors by power iteration with deflation. Plain f64 arithmetic:
//! a few hundred 64-value vectors need no device.

/// Iterations of the power method per component; it stops earlier once the vector settles.
const ITERATIONS: usize = 500;
const SETTLED: f64 = 1e-12;

/// The two leading principal axes of `rows` (each of length `dims`) and each row's coordinates
/// on them, centred. Axes are unit vectors whose largest component is positive (so the picture
/// does not flip between runs). Empty for no rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub axes: [Vec<f64>; 2],
    /// The variance along each axis (the eigenvalues).
    pub variances: [f64; 2],
    /// The variance of all dimensions together (the covariance matrix's trace).
    pub total: f64,
    /// [x, y] per row.
    pub points: Vec<[f32; 2]>,
}

/// The covariance matrix (divided by n) of `rows`, row-major `dims × dims`, and the mean.
pub fn covariance(rows: &[Vec<f32>], dims: usize) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len().max(1) as f64;
    let mut mean = vec![0.0; dims];
    for row in rows {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += v as f64 / n;
        }
    }
    let mut cov = vec![0.0; dims * dims];
    for row in rows {
        let centred: Vec<f64> = row.iter().zip(&mean).map(|(&v, m)| v as f64 - m).collect();
        for i in 0..dims {
            for j in i..dims {
                cov[i * dims + j] += centred[i] * centred[j] / n;
            }
        }
    }
    for i in 0..dims {
        for j in 0..i {
            cov[i * dims + j] = cov[j * dims + i];
        }
    }
    (cov, mean)
}

/// The leading eigenvector and eigenvalue of the symmetric `dims × dims` matrix `m`.
fn leading(m: &[f64], dims: usize) -> (Vec<f64>, f64) {
    // A start that is not orthogonal to the answer for any matrix we meet in practice.
    let mut v: Vec<f64> = (0..dims).map(|i| 1.0 + 0.1 * i as f64).collect();
    normalise(&mut v);
    for _ in 0..ITERATIONS {
        let mut next = multiply(m, &v, dims);
        if normalise(&mut next) == 0.0 {
            return (v, 0.0);
        }
        let change: f64 = next.iter().zip(&v).map(|(a, b)| (a - b).abs()).sum();
        v = next;
        if change < SETTLED {
            break;
        }
    }
    let mv = multiply(m, &v, dims);
    let value = mv.iter().zip(&v).map(|(a, b)| a * b).sum();
    (v, value)
}

fn multiply(m: &[f64], v: &[f64], dims: usize) -> Vec<f64> {
    (0..dims)
        .map(|i| (0..dims).map(|j| m[i * dims + j] * v[j]).sum())
        .collect()
}

/// Scales `v` to unit length; returns its former length.
fn normalise(v: &mut [f64]) -> f64 {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    norm
}

/// Flips `v` so that its largest component (by size) is positive.
fn orient(v: &mut [f64]) {
    let largest = v.iter().copied().fold(
        0.0f64,
        |best, x| if x.abs() > best.abs() { x } else { best },
    );
    if largest < 0.0 {
        v.iter_mut().for_each(|x| *x = -*x);
    }
}

/// The two leading eigenvectors and eigenvalues of a symmetric matrix (power iteration, then
/// deflation by the first).
pub fn top_two(m: &[f64], dims: usize) -> ([Vec<f64>; 2], [f64; 2]) {
    let (mut first, first_value) = leading(m, dims);
    let mut deflated = m.to_vec();
    for i in 0..dims {
        for j in 0..dims {
            deflated[i * dims + j] -= first_value * first[i] * first[j];
        }
    }
    let (mut second, second_value) = leading(&deflated, dims);
    orient(&mut first);
    orient(&mut second);
    ([first, second], [first_value, second_value])
}

/// Projects `rows` onto their two principal axes.
pub fn project(rows: &[Vec<f32>]) -> Projection {
    let dims = rows.first().map_or(0, Vec::len);
    if rows.is_empty() || dims == 0 {
        return Projection {
            axes: [Vec::new(), Vec::new()],
            variances: [0.0; 2],
            total: 0.0,
            points: Vec::new(),
        };
    }
    let (cov, mean) = covariance(rows, dims);
    let (axes, variances) = top_two(&cov, dims);
    let total = (0..dims).map(|i| cov[i * dims + i]).sum();
    let points = rows
        .iter()
        .map(|row| {
            let coordinate = |axis: &[f64]| -> f32 {
                row.iter()
                    .zip(&mean)
                    .zip(axis)
                    .map(|((&v, m), a)| (v as f64 - m) * a)
                    .sum::<f64>() as f32
            };
            [coordinate(&axes[0]), coordinate(&axes[1])]
        })
        .collect();
    Projection {
        axes,
        variances,
        total,
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) {
        assert!((a - b).abs() <= tolerance, "{a} vs {b}");
    }

    #[test]
    fn the_eigenvectors_of_a_small_symmetric_matrix_match_the_ones_worked_by_hand() {
        // [[2, 1, 0], [1, 2, 0], [0, 0, 1]]: eigenvalues 3, 1, 1; the leading eigenvector is
        // (1, 1, 0)/√2. With a third row/column made distinct: [[4, 1, 0], [1, 4, 0], [0, 0, 2]]
        // has eigenvalues 5 ((1, 1, 0)/√2), 3 ((1, −1, 0)/√2) and 2 ((0, 0, 1)).
        let m = [4.0, 1.0, 0.0, 1.0, 4.0, 0.0, 0.0, 0.0, 2.0];
        let ([first, second], [a, b]) = top_two(&m, 3);
        close(a, 5.0, 1e-9);
        close(b, 3.0, 1e-9);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        for (found, expected) in first.iter().zip([h, h, 0.0]) {
            close(*found, expected, 1e-6);
        }
        // Largest component positive: (1, −1, 0)/√2 has a tie, the first of the two wins.
        for (found, expected) in second.iter().zip([h, -h, 0.0]) {
            close(found.abs(), expected.abs(), 1e-6);
        }
        close(
            first.iter().zip(&second).map(|(x, y)| x * y).sum(),
            0.0,
            1e-9,
        );
    }

    #[test]
    fn points_spread_along_one_line_project_onto_it() {
        // Points t·(3, 4)/5 + small noise e along (−4, 3)/5, e summing to 0 and uncorrelated
        // with t: the first axis is (0.6, 0.8), the second (−0.8, 0.6) up to its sign, and
        // each point's coordinates are (t − mean t, ±e).
        let ts = [-2.0f32, -1.0, 0.0, 1.0, 2.0, 3.0];
        let noise = [0.1f32, -0.05, -0.05, -0.05, -0.05, 0.1];
        let rows: Vec<Vec<f32>> = ts
            .iter()
            .zip(noise)
            .map(|(&t, e)| vec![0.6 * t - 0.8 * e, 0.8 * t + 0.6 * e])
            .collect();
        let projection = project(&rows);
        close(projection.axes[0][0], 0.6, 1e-6);
        close(projection.axes[0][1], 0.8, 1e-6);
        close(projection.axes[1][0].abs(), 0.8, 1e-6);
        let mean = ts.iter().sum::<f32>() / ts.len() as f32;
        for ((point, t), e) in projection.points.iter().zip(ts).zip(noise) {
            close(point[0] as f64, (t - mean) as f64, 1e-5);
            close(point[1].abs() as f64, e.abs() as f64, 1e-5);
        }
        // The variance along the line is that of t (divided by n).
        let var = ts.iter().map(|t| (t - mean).powi(2)).sum::<f32>() / ts.len() as f32;
        close(projection.variances[0], var as f64, 1e-5);
        assert!(project(&[]).points.is_empty());
    }
}
