//! The lessons' default worked examples and the source article's printed values, read from
//! `www/lessons/examples.json` (the same file the page shows them from).

use serde::{Deserialize, Serialize};

use crate::lessons::activations::ActivationFn;
use crate::lessons::losses::LossKind;

pub const EXAMPLES_JSON: &str = include_str!("../../../www/lessons/examples.json");

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ActivationExample {
    pub function: ActivationFn,
    pub inputs: Vec<f64>,
    /// What the article printed for these inputs, if it printed anything.
    pub article: Option<Vec<f64>>,
    /// Indices where the article's value is wrong to 3 decimals.
    pub article_wrong: Vec<usize>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LossExample {
    pub loss: LossKind,
    pub predictions: Vec<f64>,
    pub targets: Vec<f64>,
    pub article: Option<f64>,
    pub article_wrong: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CcePrinted {
    pub labels: Vec<f64>,
    pub log_args: Vec<f64>,
    pub article: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AdversarialPrinted {
    pub terms: Vec<[f64; 2]>,
    pub article: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ArticleExpressions {
    pub cce_as_printed: CcePrinted,
    pub adversarial_as_printed: AdversarialPrinted,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Examples {
    pub activations: Vec<ActivationExample>,
    pub losses: Vec<LossExample>,
    pub article_expressions: ArticleExpressions,
}

impl Examples {
    pub fn load() -> Result<Self, String> {
        serde_json::from_str(EXAMPLES_JSON).map_err(|e| e.to_string())
    }

    pub fn activation(&self, function: ActivationFn) -> Option<&ActivationExample> {
        self.activations.iter().find(|e| e.function == function)
    }

    pub fn loss(&self, loss: LossKind) -> Option<&LossExample> {
        self.losses.iter().find(|e| e.loss == loss)
    }
}

/// The article's cross-entropy expression evaluated as printed: −(1/3)·Σ yᵢ·ln(argᵢ), where its
/// third log argument repeats 0.4 for a label that has no prediction.
pub fn cce_as_printed(e: &CcePrinted) -> f64 {
    -e.labels
        .iter()
        .zip(&e.log_args)
        .map(|(y, p)| y * p.ln())
        .sum::<f64>()
        / e.labels.len() as f64
}

/// The article's "adversarial loss" evaluated as printed: Σ over its bracketed pairs of
/// ½·(−ln a − ln b).
pub fn adversarial_as_printed(e: &AdversarialPrinted) -> f64 {
    e.terms.iter().map(|[a, b]| 0.5 * (-a.ln() - b.ln())).sum()
}
