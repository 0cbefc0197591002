//! The benchmark's settings as text in the link, and as fields of its form. Pure functions.
//!
//! The link reads `#/bench?steps=20&warmup=3&w=cnn-small,gan`: `steps` timed steps after `warmup`
//! untimed ones (the first step is always timed apart), and `w` the workloads to run, by name,
//! separated by commas. `auto=1` asks for one run as soon as the worker is ready (`cargo xtask
//! bench` opens the page so); it is an instruction, not a setting, so the link the page writes
//! leaves it out. A missing or bad value falls back to its default; unknown workload names are
//! skipped, and a list with none left means every workload.
//!
//! `memory=playground,cnn-small` adds the memory workloads (long runs, the worker's memory
//! sampled as they go; none unless named), and `memsteps=N` sets their length, which otherwise
//! depends on the backend (`MemoryWorkload::default_steps`).

use kindling_engine::common::parse::{Problem, parse_whole};
use kindling_engine::lessons::bench::memory::MemoryWorkload;
use kindling_engine::lessons::bench::workload::Workload;

use crate::route::query_pairs;
use crate::widgets::number_field::FieldTarget;

/// Timed steps a run may ask for, inclusive.
pub const STEPS: (f64, f64) = (1.0, 500.0);
/// Untimed warm-up steps a run may ask for, inclusive.
pub const WARMUP: (f64, f64) = (0.0, 100.0);
pub const DEFAULT_STEPS: u32 = 20;
pub const DEFAULT_WARMUP: u32 = 3;
/// Steps a memory workload may be asked for in the link, inclusive.
pub const MEMORY_STEPS: (f64, f64) = (1.0, 100_000.0);

/// What one run measures.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchSettings {
    pub steps: u32,
    pub warmup: u32,
    /// Never empty, in the order of `Workload::ALL`, each once.
    pub workloads: Vec<Workload>,
    /// The memory workloads, in the order of `MemoryWorkload::ALL`, each once; often none.
    pub memory: Vec<MemoryWorkload>,
    /// Their steps; `None`: each workload's default on the backend of the run.
    pub memory_steps: Option<u32>,
}

impl Default for BenchSettings {
    fn default() -> Self {
        Self {
            steps: DEFAULT_STEPS,
            warmup: DEFAULT_WARMUP,
            workloads: Workload::ALL.to_vec(),
            memory: Vec::new(),
            memory_steps: None,
        }
    }
}

impl BenchSettings {
    /// The settings with `workload` in or out of the run; the last workload stays in.
    pub fn with_workload(&self, workload: Workload, on: bool) -> Self {
        let workloads: Vec<Workload> = Workload::ALL
            .iter()
            .copied()
            .filter(|&w| {
                if w == workload {
                    on
                } else {
                    self.workloads.contains(&w)
                }
            })
            .collect();
        Self {
            workloads: if workloads.is_empty() {
                self.workloads.clone()
            } else {
                workloads
            },
            ..self.clone()
        }
    }

    /// The settings with the memory workload `workload` in or out of the run.
    pub fn with_memory(&self, workload: MemoryWorkload, on: bool) -> Self {
        let memory = MemoryWorkload::ALL
            .iter()
            .copied()
            .filter(|&w| {
                if w == workload {
                    on
                } else {
                    self.memory.contains(&w)
                }
            })
            .collect();
        Self {
            memory,
            ..self.clone()
        }
    }

    /// The steps a memory workload runs on a backend (`webgpu`), the link's `memsteps` first.
    pub fn memory_steps_for(&self, workload: MemoryWorkload, webgpu: bool) -> u32 {
        self.memory_steps
            .unwrap_or_else(|| workload.default_steps(webgpu))
    }
}

/// What a link says: the settings, and whether to run at once.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BenchLink {
    pub settings: BenchSettings,
    pub auto: bool,
}

const KEYS: [&str; 6] = ["steps", "warmup", "w", "memory", "memsteps", "auto"];

/// Whether the (raw) query says anything to the benchmark.
pub fn has_keys(query: &str) -> bool {
    query_pairs(query)
        .iter()
        .any(|(k, _)| KEYS.contains(&k.as_str()))
}

/// The workloads a `w` value names, in their usual order; `None` when it names none.
fn parse_workloads(text: &str) -> Option<Vec<Workload>> {
    let named: Vec<Workload> = text
        .split(',')
        .filter_map(|name| Workload::from_name(name.trim()))
        .collect();
    let workloads: Vec<Workload> = Workload::ALL
        .iter()
        .copied()
        .filter(|w| named.contains(w))
        .collect();
    (!workloads.is_empty()).then_some(workloads)
}

/// The memory workloads a `memory` value names, in their usual order (none is allowed).
fn parse_memory(text: &str) -> Vec<MemoryWorkload> {
    let named: Vec<MemoryWorkload> = text
        .split(',')
        .filter_map(|name| MemoryWorkload::from_name(name.trim()))
        .collect();
    MemoryWorkload::ALL
        .iter()
        .copied()
        .filter(|w| named.contains(w))
        .collect()
}

fn whole(text: &str, range: (f64, f64)) -> Result<u32, Problem> {
    parse_whole(text, range).map(|v| v as u32)
}

/// The link's settings; anything unreadable keeps its default.
pub fn from_query(query: &str) -> BenchLink {
    let mut link = BenchLink::default();
    for (key, value) in query_pairs(query) {
        let value = value.trim();
        match key.as_str() {
            "steps" => {
                if let Ok(steps) = whole(value, STEPS) {
                    link.settings.steps = steps;
                }
            }
            "warmup" => {
                if let Ok(warmup) = whole(value, WARMUP) {
                    link.settings.warmup = warmup;
                }
            }
            "w" => {
                if let Some(workloads) = parse_workloads(value) {
                    link.settings.workloads = workloads;
                }
            }
            "memory" => link.settings.memory = parse_memory(value),
            "memsteps" => {
                if let Ok(steps) = whole(value, MEMORY_STEPS) {
                    link.settings.memory_steps = Some(steps);
                }
            }
            "auto" => link.auto = matches!(value, "1" | "true" | "yes"),
            _ => {}
        }
    }
    link
}

/// The settings as the link shows them (never `auto`).
pub fn to_query(settings: &BenchSettings) -> String {
    let names: Vec<&str> = settings.workloads.iter().map(|w| w.name()).collect();
    let mut query = format!(
        "steps={}&warmup={}&w={}",
        settings.steps,
        settings.warmup,
        names.join(",")
    );
    if !settings.memory.is_empty() {
        let names: Vec<&str> = settings.memory.iter().map(|w| w.name()).collect();
        query.push_str(&format!("&memory={}", names.join(",")));
    }
    if let Some(steps) = settings.memory_steps {
        query.push_str(&format!("&memsteps={steps}"));
    }
    query
}

/// A number of the form: the timed steps or the warm-up steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchField {
    Steps,
    Warmup,
}

impl FieldTarget for BenchSettings {
    type Field = BenchField;

    fn text(&self, field: BenchField) -> String {
        match field {
            BenchField::Steps => self.steps.to_string(),
            BenchField::Warmup => self.warmup.to_string(),
        }
    }

    fn try_set(&self, field: BenchField, text: &str) -> Result<Self, Problem> {
        let mut next = self.clone();
        match field {
            BenchField::Steps => next.steps = whole(text, STEPS)?,
            BenchField::Warmup => next.warmup = whole(text, WARMUP)?,
        }
        Ok(next)
    }

    /// The inputs are `field-bench-steps` and `field-bench-warmup`.
    fn key(field: BenchField) -> String {
        match field {
            BenchField::Steps => "bench-steps".into(),
            BenchField::Warmup => "bench-warmup".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_the_link() {
        let defaults = BenchSettings::default();
        let query = to_query(&defaults);
        assert_eq!(
            query,
            "steps=20&warmup=3&w=cnn-small,cnn-default,gan,inference,transfer"
        );
        assert_eq!(from_query(&query).settings, defaults);
        assert!(!from_query(&query).auto);
        let some = BenchSettings {
            steps: 7,
            warmup: 0,
            workloads: vec![Workload::CnnSmall, Workload::Gan],
            ..BenchSettings::default()
        };
        let query = to_query(&some);
        assert_eq!(query, "steps=7&warmup=0&w=cnn-small,gan");
        assert_eq!(
            from_query(&query),
            BenchLink {
                settings: some,
                auto: false
            }
        );
        assert!(has_keys(&query));
        assert!(has_keys("auto=1"));
        assert!(!has_keys("lang=zh&backend=cpu"));
    }

    #[test]
    fn memory_workloads_round_trip_and_default_by_backend() {
        let link = from_query("w=inference&memory=cnn-small, playground,nope&memsteps=40");
        assert_eq!(
            link.settings.memory,
            vec![MemoryWorkload::Playground, MemoryWorkload::CnnSmall]
        );
        assert_eq!(link.settings.memory_steps, Some(40));
        let query = to_query(&link.settings);
        assert_eq!(
            query,
            "steps=20&warmup=3&w=inference&memory=playground,cnn-small&memsteps=40"
        );
        assert_eq!(from_query(&query).settings, link.settings);
        assert!(has_keys("memory=playground"));
        let playground = MemoryWorkload::Playground;
        assert_eq!(link.settings.memory_steps_for(playground, false), 40);
        let defaults = from_query("memory=playground");
        assert_eq!(
            defaults.settings.memory_steps_for(playground, false),
            10_000
        );
        assert_eq!(defaults.settings.memory_steps_for(playground, true), 300);
        // Bad values: no memory workload, the backend's default length.
        for query in [
            "memory=",
            "memory=%00",
            "memsteps=0",
            "memsteps=1e9",
            "memsteps=x",
        ] {
            let link = from_query(query);
            assert!(link.settings.memory.is_empty(), "{query}");
            assert_eq!(link.settings.memory_steps, None, "{query}");
        }
        let off = defaults.settings.with_memory(playground, false);
        assert!(off.memory.is_empty());
        assert_eq!(
            off.with_memory(MemoryWorkload::CnnSmall, true).memory,
            vec![MemoryWorkload::CnnSmall]
        );
    }

    #[test]
    fn the_harness_link_runs_at_once_with_few_steps() {
        let link = from_query("auto=1&steps=2&warmup=0");
        assert!(link.auto);
        assert_eq!(link.settings.steps, 2);
        assert_eq!(link.settings.warmup, 0);
        assert_eq!(link.settings.workloads, Workload::ALL.to_vec());
        assert!(!from_query("auto=0").auto);
        // Escaped commas, spaces and any order: the usual order, each once.
        assert_eq!(
            from_query("w=gan%2C%20cnn-small,gan").settings.workloads,
            vec![Workload::CnnSmall, Workload::Gan]
        );
    }

    #[test]
    fn hostile_links_fall_back_to_defaults() {
        let defaults = BenchSettings::default();
        for query in [
            "steps=0",
            "steps=-3",
            "steps=1e99",
            "steps=NaN",
            "steps=inf",
            "steps=2.5",
            "steps=",
            "steps=501",
            "steps=99999999999999999999999",
            "warmup=-1",
            "warmup=101",
            "warmup=%zz",
            "w=",
            "w=,,,",
            "w=resnet",
            "w=%00%ff",
            "w=cnn-small%26steps%3D1",
            "steps&warmup&w",
            "&&&==&",
            "auto=%",
        ] {
            let link = from_query(query);
            assert_eq!(link.settings, defaults, "{query}");
            assert!(!link.auto, "{query}");
        }
        // One bad value leaves the others as read.
        let link = from_query("steps=abc&warmup=5&w=nope,transfer");
        assert_eq!(link.settings.steps, DEFAULT_STEPS);
        assert_eq!(link.settings.warmup, 5);
        assert_eq!(link.settings.workloads, vec![Workload::Transfer]);
        // A very long link is read without trouble.
        let long = format!("w={}", "gan,".repeat(10_000));
        assert_eq!(from_query(&long).settings.workloads, vec![Workload::Gan]);
    }

    #[test]
    fn fields_take_only_whole_numbers_in_range() {
        let settings = BenchSettings::default();
        let next = settings.try_set(BenchField::Steps, " 50 ").unwrap();
        assert_eq!(next.steps, 50);
        assert_eq!(next.text(BenchField::Steps), "50");
        assert_eq!(
            settings.try_set(BenchField::Steps, "0"),
            Err(Problem::OutOfRange {
                min: 1.0,
                max: 500.0
            })
        );
        assert_eq!(
            settings.try_set(BenchField::Warmup, "1.5"),
            Err(Problem::NotAWholeNumber)
        );
        assert_eq!(settings.try_set(BenchField::Warmup, "0").unwrap().warmup, 0);
    }

    #[test]
    fn the_last_workload_stays_in() {
        let one = BenchSettings {
            workloads: vec![Workload::Gan],
            ..BenchSettings::default()
        };
        assert_eq!(
            one.with_workload(Workload::Gan, false).workloads,
            vec![Workload::Gan]
        );
        assert_eq!(
            one.with_workload(Workload::CnnSmall, true).workloads,
            vec![Workload::CnnSmall, Workload::Gan]
        );
        assert_eq!(
            BenchSettings::default()
                .with_workload(Workload::Inference, false)
                .workloads,
            vec![
                Workload::CnnSmall,
                Workload::CnnDefault,
                Workload::Gan,
                Workload::Transfer
            ]
        );
    }
}
