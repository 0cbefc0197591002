//! The GAN lesson's settings as text in its link, e.g.
//! `#/gan?target=ring&zdim=2&z=gaussian&g=64,64&d=64,64&gact=relu&dact=relu&gopt=adam&dopt=adam&glr=0.001&dlr=0.001&k=1&loss=nonsat&batch=128&seed=1`
//! (in `ToyField::ALL`'s order).
//! A drawn or pasted distribution travels as `pts=x,y;x,y;…`. Missing keys keep their default; a
//! bad value keeps its default and is reported. Pure functions.

use super::settings::{
    D_STEPS, LAYERS, LossKind, NOISE_DIM, NoiseKind, Target, ToyError, ToyField, ToyProblem,
    ToySettings, WIDTH,
};
use crate::common::activation::Activation;
use crate::common::optimizer::OptimizerKind;
use crate::common::parse::{
    BATCH_SIZE, LEARNING_RATE, Problem, SEED, parse_real, parse_whole, query_pairs,
};

impl ToyField {
    pub const ALL: &'static [ToyField] = &[
        ToyField::Target,
        ToyField::Points,
        ToyField::NoiseDim,
        ToyField::Noise,
        ToyField::GLayers,
        ToyField::DLayers,
        ToyField::GActivation,
        ToyField::DActivation,
        ToyField::GOptimizer,
        ToyField::DOptimizer,
        ToyField::GLearningRate,
        ToyField::DLearningRate,
        ToyField::DSteps,
        ToyField::Loss,
        ToyField::BatchSize,
        ToyField::Seed,
    ];

    /// The key in the link; the page names the field with `gan.field.<key>`.
    pub fn key(self) -> &'static str {
        match self {
            ToyField::Target => "target",
            ToyField::Points => "pts",
            ToyField::NoiseDim => "zdim",
            ToyField::Noise => "z",
            ToyField::GLayers => "g",
            ToyField::DLayers => "d",
            ToyField::GActivation => "gact",
            ToyField::DActivation => "dact",
            ToyField::GOptimizer => "gopt",
            ToyField::DOptimizer => "dopt",
            ToyField::GLearningRate => "glr",
            ToyField::DLearningRate => "dlr",
            ToyField::DSteps => "k",
            ToyField::Loss => "loss",
            ToyField::BatchSize => "batch",
            ToyField::Seed => "seed",
        }
    }
}

/// A coordinate as the link and the settings keep it: three decimals.
pub fn quantize(value: f32) -> f32 {
    (value * 1000.0).round() / 1000.0
}

fn widths_text(widths: &[usize]) -> String {
    widths
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn points_text(points: &[[f32; 2]]) -> String {
    points
        .iter()
        .map(|[x, y]| format!("{},{}", quantize(*x), quantize(*y)))
        .collect::<Vec<_>>()
        .join(";")
}

fn parse_widths(text: &str) -> Result<Vec<usize>, Problem> {
    let widths = text
        .split(',')
        .map(|w| parse_whole(w, WIDTH).map(|w| w as usize))
        .collect::<Result<Vec<_>, _>>()?;
    let count = widths.len() as f64;
    if count < LAYERS.0 || count > LAYERS.1 {
        return Err(Problem::OutOfRange {
            min: LAYERS.0,
            max: LAYERS.1,
        });
    }
    Ok(widths)
}

fn parse_points(text: &str) -> Result<Vec<[f32; 2]>, Problem> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let any = (f64::NEG_INFINITY, f64::INFINITY);
    text.split(';')
        .map(|pair| {
            let (x, y) = pair.split_once(',').ok_or(Problem::NotANumber)?;
            Ok([parse_real(x, any)? as f32, parse_real(y, any)? as f32])
        })
        .collect()
}

fn named<T>(found: Option<T>) -> Result<T, Problem> {
    found.ok_or(Problem::Unknown)
}

/// Sets one field from text, as a link carries it; on error the settings are unchanged.
pub fn set(settings: &mut ToySettings, field: ToyField, text: &str) -> Result<(), Problem> {
    let text = text.trim();
    let s = settings;
    match field {
        ToyField::Target => s.target = named(Target::from_name(text))?,
        ToyField::Points => s.custom = parse_points(text)?,
        ToyField::NoiseDim => s.noise_dim = parse_whole(text, NOISE_DIM)? as usize,
        ToyField::Noise => s.noise = named(NoiseKind::from_name(text))?,
        ToyField::GLayers => s.g_hidden = parse_widths(text)?,
        ToyField::DLayers => s.d_hidden = parse_widths(text)?,
        ToyField::GActivation => s.g_activation = named(Activation::from_name(text))?,
        ToyField::DActivation => s.d_activation = named(Activation::from_name(text))?,
        ToyField::GOptimizer => s.g_optimizer = named(OptimizerKind::from_name(text))?,
        ToyField::DOptimizer => s.d_optimizer = named(OptimizerKind::from_name(text))?,
        ToyField::GLearningRate => s.g_learning_rate = parse_real(text, LEARNING_RATE)?,
        ToyField::DLearningRate => s.d_learning_rate = parse_real(text, LEARNING_RATE)?,
        ToyField::DSteps => s.d_steps = parse_whole(text, D_STEPS)? as usize,
        ToyField::Loss => s.loss = named(LossKind::from_name(text))?,
        ToyField::BatchSize => s.batch_size = parse_whole(text, BATCH_SIZE)? as usize,
        ToyField::Seed => s.seed = parse_whole(text, SEED)?,
    }
    Ok(())
}

/// Whether a (raw) query sets any of the toy's settings.
pub fn has_keys(query: &str) -> bool {
    query_pairs(query)
        .iter()
        .any(|(k, _)| ToyField::ALL.iter().any(|f| f.key() == k))
}

/// Settings from a link's (raw) query, and the values that had to keep their default.
pub fn from_query(query: &str) -> (ToySettings, Vec<ToyError>) {
    let mut settings = ToySettings::default();
    let mut errors = Vec::new();
    for (key, value) in query_pairs(query) {
        let Some(field) = ToyField::ALL.iter().copied().find(|f| f.key() == key) else {
            continue;
        };
        if let Err(problem) = set(&mut settings, field, &value) {
            let problem = ToyProblem::Value(problem);
            errors.push(ToyError { field, problem });
        }
    }
    (settings, errors)
}

/// One setting as text, as the form's field and the link show it.
pub fn text(s: &ToySettings, field: ToyField) -> String {
    match field {
        ToyField::Target => s.target.name().into(),
        ToyField::Points => points_text(&s.custom),
        ToyField::NoiseDim => s.noise_dim.to_string(),
        ToyField::Noise => s.noise.name().into(),
        ToyField::GLayers => widths_text(&s.g_hidden),
        ToyField::DLayers => widths_text(&s.d_hidden),
        ToyField::GActivation => s.g_activation.name().into(),
        ToyField::DActivation => s.d_activation.name().into(),
        ToyField::GOptimizer => s.g_optimizer.name().into(),
        ToyField::DOptimizer => s.d_optimizer.name().into(),
        ToyField::GLearningRate => s.g_learning_rate.to_string(),
        ToyField::DLearningRate => s.d_learning_rate.to_string(),
        ToyField::DSteps => s.d_steps.to_string(),
        ToyField::Loss => s.loss.name().into(),
        ToyField::BatchSize => s.batch_size.to_string(),
        ToyField::Seed => s.seed.to_string(),
    }
}

/// Every setting as a link's query; the points only for a drawn or pasted target.
pub fn to_query(s: &ToySettings) -> String {
    ToyField::ALL
        .iter()
        .filter(|&&f| f != ToyField::Points || s.target == Target::Custom)
        .map(|&f| format!("{}={}", f.key(), text(s, f)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::gan::settings::Preset;

    #[test]
    fn every_setting_round_trips() {
        let settings = ToySettings {
            target: Target::Custom,
            custom: vec![[0.125, -0.5], [1.0, 0.333], [-1.2, 0.0]],
            noise_dim: 1,
            noise: NoiseKind::Uniform,
            g_hidden: vec![3, 128, 7],
            d_hidden: vec![5],
            g_activation: Activation::Tanh,
            d_activation: Activation::Sigmoid,
            g_optimizer: OptimizerKind::Sgd,
            d_optimizer: OptimizerKind::Momentum,
            g_learning_rate: 0.0003,
            d_learning_rate: 0.25,
            d_steps: 4,
            loss: LossKind::LeastSquares,
            batch_size: 17,
            seed: 4_000_000_000,
        };
        let (back, errors) = from_query(&to_query(&settings));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, settings);
        for &preset in Preset::ALL {
            assert_eq!(
                from_query(&to_query(&preset.settings())).0,
                preset.settings()
            );
        }
        assert!(has_keys("k=2") && !has_keys("lang=zh"));
    }

    #[test]
    fn bad_values_keep_their_default_and_are_reported() {
        let (settings, errors) =
            from_query("target=blob&g=0&d=8,8,8,8,8&glr=-1&k=0&zdim=3&pts=1,2;x&loss=ls&seed=2");
        let expected = ToySettings {
            loss: LossKind::LeastSquares,
            seed: 2,
            ..ToySettings::default()
        };
        assert_eq!(settings, expected);
        let fields: Vec<ToyField> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                ToyField::Target,
                ToyField::GLayers,
                ToyField::DLayers,
                ToyField::GLearningRate,
                ToyField::DSteps,
                ToyField::NoiseDim,
                ToyField::Points
            ]
        );
    }
}
