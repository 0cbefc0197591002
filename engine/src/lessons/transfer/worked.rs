//! What the page shows inside the networks: one test image through one arm by the numbers
//! (features, logits, softmax, loss and the gradient each layer gets), the backbone's features
//! of test images in two dimensions, and the first layer's kernels.

use burn::module::{Module, ModuleVisitor, Param, ParamGroup};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Gradients, Tensor, activation};

use super::config::{Arm, FeatureMap2d, Filters, LayerGradient, WorkedExample, layer_names};
use super::model::{is_running_statistic, layer_of, stem_filters};
use super::pca::project;
use crate::common::read::{read_floats, read_scalar};
use crate::datasets::mnist::{Images, batch};
use crate::models::resnet::model::Resnet;

/// Test image `index` through `model` (an arm's network, `blocks` blocks) on `device` (with
/// autodiff): its features, logits, probabilities, loss, and the gradient that reaches each
/// layer's weights. Batch norms read their running statistics, as at test time, and their own
/// scale and shift are left out; a frozen layer gets no gradient and shows 0. None for an index
/// out of range.
pub async fn worked_example(
    arm: Arm,
    model: &Resnet,
    blocks: usize,
    test: &Images,
    index: usize,
    device: &Device,
) -> Option<WorkedExample> {
    if index >= test.len() {
        return None;
    }
    let model = model
        .clone()
        .freeze_group(ParamGroup::from_predicate("norm"));
    let label = test.labels[index];
    let (x, y) = batch(test, [index], device);
    let features = model.features(x.clone());
    let logits = model.forward(x);
    let probabilities = activation::softmax(logits.clone(), 1);
    let loss = CrossEntropyLossConfig::new()
        .init(device)
        .forward(logits.clone(), y);
    let grads = loss.backward();
    let squares = gradient_squares(&model, blocks, &grads);
    let bias = head_bias_gradient(&model, &grads);
    let mut layers = Vec::new();
    for (layer, square) in layer_names(blocks).into_iter().zip(squares) {
        let (trains, norm) = match square {
            Some(tensor) => (true, read_scalar(tensor).await.sqrt()),
            None => (false, 0.0),
        };
        layers.push(LayerGradient {
            layer,
            trains,
            norm,
        });
    }
    Some(WorkedExample {
        arm,
        test_index: index,
        label,
        image: test.image(index).to_vec(),
        features: read_floats(features.without_autodiff()).await,
        logits: read_floats(logits.without_autodiff()).await,
        probabilities: read_floats(probabilities.without_autodiff()).await,
        loss: read_scalar(loss.without_autodiff()).await,
        head_bias_gradient: match bias {
            Some(tensor) => read_floats(tensor).await,
            None => Vec::new(),
        },
        layers,
    })
}

/// Per layer, the sum of squares of the gradients its parameters got (None: none of them got
/// one). Running statistics are not parameters and are skipped.
fn gradient_squares(model: &Resnet, blocks: usize, grads: &Gradients) -> Vec<Option<Tensor<1>>> {
    struct Visit<'a> {
        path: Vec<String>,
        grads: &'a Gradients,
        blocks: usize,
        sums: Vec<Option<Tensor<1>>>,
    }
    impl ModuleVisitor for Visit<'_> {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let path = self.path.join(".");
            let Some(layer) = layer_of(&path, self.blocks) else {
                return;
            };
            if is_running_statistic(&path) {
                return;
            }
            if let Some(grad) = param.val().grad(self.grads) {
                let count = grad.dims().iter().product::<usize>();
                let square: Tensor<1> = grad.reshape([count]).powi_scalar(2).sum();
                self.sums[layer] = Some(match self.sums[layer].take() {
                    Some(sum) => sum + square,
                    None => square,
                });
            }
        }
    }
    let mut visit = Visit {
        path: Vec::new(),
        grads,
        blocks,
        sums: vec![None; blocks + 2],
    };
    model.visit(&mut visit);
    visit.sums
}

/// The gradient of the head's bias.
fn head_bias_gradient(model: &Resnet, grads: &Gradients) -> Option<Tensor<1>> {
    struct Find<'a> {
        path: Vec<String>,
        grads: &'a Gradients,
        found: Option<Tensor<1>>,
    }
    impl ModuleVisitor for Find<'_> {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if self.path.join(".") == "head.bias"
                && let Some(grad) = param.val().grad(self.grads)
            {
                let count = grad.dims().iter().product::<usize>();
                self.found = Some(grad.reshape([count]));
            }
        }
    }
    let mut find = Find {
        path: Vec::new(),
        grads,
        found: None,
    };
    model.visit(&mut find);
    find.found
}

/// The backbone features of the first `count` images of `test` under `model`, projected onto
/// their two principal axes.
pub async fn feature_map(
    model: &Resnet,
    test: &Images,
    count: usize,
    device: &Device,
) -> FeatureMap2d {
    let count = count.min(test.len());
    if count == 0 {
        return FeatureMap2d::default();
    }
    let (x, _) = batch(test, 0..count, device);
    let features = model.valid().features(x.without_autodiff());
    let [_, dims] = features.dims();
    let values = read_floats(features).await;
    let rows: Vec<Vec<f32>> = values.chunks(dims.max(1)).map(<[f32]>::to_vec).collect();
    let projection = project(&rows);
    let explained = if projection.total > 0.0 {
        ((projection.variances[0] + projection.variances[1]) / projection.total) as f32
    } else {
        0.0
    };
    FeatureMap2d {
        points: projection.points,
        labels: test.labels[..count].to_vec(),
        explained,
    }
}

/// The stem's kernels (one input channel), one row-major list each.
pub async fn filters(model: &Resnet) -> Filters {
    let Some((flat, [filters, _, kh, kw])) = stem_filters(model) else {
        return Filters::default();
    };
    let values = read_floats(flat.without_autodiff()).await;
    if values.len() != filters * kh * kw {
        return Filters::default();
    }
    Filters {
        side: kh,
        kernels: values.chunks(kh * kw).map(<[f32]>::to_vec).collect(),
    }
}
