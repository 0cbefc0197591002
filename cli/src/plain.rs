//! Plain progress lines for burn-train when stdout is not a terminal (CI, a log file): a line
//! every tenth of an epoch with the running metrics, and one at the end of each split. In a
//! terminal burn-train's own dashboard is used instead.

use std::collections::{BTreeMap, HashMap};

use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::{MetricDefinition, MetricId};
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};

#[derive(Default)]
pub struct PlainRenderer {
    /// Prints nothing (a check that runs only a few batches).
    quiet: bool,
    names: HashMap<MetricId, String>,
    /// The latest formatted value of each metric in the current split, by name.
    values: BTreeMap<String, String>,
    epoch: usize,
    epochs: usize,
    split: String,
    total: usize,
    /// Tenths of the split already reported.
    reported: usize,
}

impl PlainRenderer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn quiet() -> Self {
        Self {
            quiet: true,
            ..Self::default()
        }
    }

    fn say(&self, line: &str) {
        if !self.quiet {
            println!("{line}");
        }
    }

    fn record(&mut self, state: MetricState) {
        let entry = match state {
            MetricState::Generic(entry) | MetricState::Numeric(entry, _) => entry,
        };
        let name = self
            .names
            .get(&entry.metric_id)
            .cloned()
            .unwrap_or_else(|| "metric".to_string());
        self.values
            .insert(name, entry.serialized_entry.formatted.clone());
    }

    fn line(&self, done: usize) -> String {
        let percent = (done * 100).checked_div(self.total).unwrap_or(100);
        let metrics: Vec<String> = self
            .values
            .iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect();
        format!(
            "epoch {}/{} {} {percent:>3} %  {}",
            self.epoch,
            self.epochs,
            self.split,
            metrics.join(" | ")
        )
    }
}

impl MetricsRendererTraining for PlainRenderer {
    fn update_train(&mut self, state: MetricState) {
        self.record(state);
    }

    fn update_valid(&mut self, state: MetricState) {
        self.record(state);
    }
}

impl MetricsRendererEvaluation for PlainRenderer {
    fn update_test(&mut self, _name: EvaluationName, state: MetricState) {
        self.record(state);
    }
}

impl TrainingProgressLogger for PlainRenderer {
    fn start(
        &mut self,
        total_epochs: usize,
        starting_epoch: usize,
        _total_items: Option<usize>,
        _label: Option<&str>,
    ) {
        (self.epochs, self.epoch) = (total_epochs, starting_epoch);
        self.say(&format!(
            "training epochs {starting_epoch} to {total_epochs}"
        ));
    }

    /// Called with the epoch just finished.
    fn update_epoch(&mut self, epoch: usize) {
        self.epoch = epoch + 1;
    }

    fn start_split(&mut self, split: &str, total_items: usize) {
        (self.split, self.total, self.reported) = (split.to_string(), total_items, 0);
        self.values.clear();
    }

    fn update_split(&mut self, items_processed: usize) {
        let tenth = (items_processed * 10).checked_div(self.total).unwrap_or(10);
        if tenth > self.reported && tenth < 10 {
            self.reported = tenth;
            self.say(&self.line(items_processed));
        }
    }

    fn end_split(&mut self) {
        self.say(&self.line(self.total));
    }

    fn end(&mut self) {
        self.say("training done");
    }

    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for PlainRenderer {
    fn start_global_progress(&mut self, _total_tests: usize) {}

    fn start_test(&mut self, name: &str, total_items: usize) {
        self.start_split(name, total_items);
    }

    fn update_test_progress(&mut self, items_processed: usize) {
        self.update_split(items_processed);
    }

    fn end_test(&mut self) {
        self.end_split();
    }

    fn end_global_progress(&mut self) {}

    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRenderer for PlainRenderer {
    fn manual_close(&mut self) {}

    fn register_metric(&mut self, definition: MetricDefinition) {
        self.names
            .insert(definition.metric_id, definition.name.to_string());
    }
}
