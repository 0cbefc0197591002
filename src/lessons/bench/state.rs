//! The benchmark page's state and its reducer: the settings, the run in progress, and the
//! results kept per backend, so that a run after a change of backend adds a column.

use kindling_engine::lessons::bench::memory::{MemoryResult, MemoryWorkload};
use kindling_engine::lessons::bench::messages::Event;
use kindling_engine::lessons::bench::workload::{BenchResult, Workload};
use kindling_engine::protocol::ActiveBackend;

use crate::lessons::bench::link::{BenchLink, BenchSettings};

/// What `#bench-state` says in its `data-state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RunState {
    #[default]
    Idle,
    Running,
    /// Every workload of the last run finished.
    Done,
    /// The last run ended, but not every workload finished.
    Failed,
}

impl RunState {
    pub fn name(self) -> &'static str {
        match self {
            RunState::Idle => "idle",
            RunState::Running => "running",
            RunState::Done => "done",
            RunState::Failed => "failed",
        }
    }
}

/// How one workload of a run ended: a timed one (`BenchResult`) or a memory one.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome<T = BenchResult> {
    Finished(T),
    /// The worker said why it could not run it.
    Failed(String),
    /// The worker stopped (crashed, or was replaced by a change of backend) before it ran.
    Lost,
}

/// The last run on one backend.
#[derive(Clone, Debug, PartialEq)]
pub struct BackendRun {
    pub backend: ActiveBackend,
    /// The backend in words as the shell's badge showed it when the run started.
    pub label: String,
    /// When the run started, as the page wrote it (UTC).
    pub date: String,
    pub steps: u32,
    pub warmup: u32,
    /// What the run asked for, in order.
    pub workloads: Vec<Workload>,
    /// What has ended so far, in the order it ended.
    pub outcomes: Vec<(Workload, Outcome)>,
    /// The memory workloads the run asked for, each with its steps, in order; they run after
    /// the timed ones.
    pub memory: Vec<(MemoryWorkload, u32)>,
    pub memory_outcomes: Vec<(MemoryWorkload, Outcome<MemoryResult>)>,
}

impl BackendRun {
    pub fn outcome(&self, workload: Workload) -> Option<&Outcome> {
        self.outcomes
            .iter()
            .find(|(w, _)| *w == workload)
            .map(|(_, o)| o)
    }

    pub fn result(&self, workload: Workload) -> Option<&BenchResult> {
        match self.outcome(workload) {
            Some(Outcome::Finished(result)) => Some(result),
            _ => None,
        }
    }

    /// The workloads still waiting for an outcome, in the order they run.
    pub fn pending(&self) -> Vec<Workload> {
        self.workloads
            .iter()
            .copied()
            .filter(|&w| self.outcome(w).is_none())
            .collect()
    }

    pub fn memory_outcome(&self, workload: MemoryWorkload) -> Option<&Outcome<MemoryResult>> {
        self.memory_outcomes
            .iter()
            .find(|(w, _)| *w == workload)
            .map(|(_, o)| o)
    }

    /// The memory workloads still waiting for an outcome, in the order they run.
    pub fn pending_memory(&self) -> Vec<MemoryWorkload> {
        self.memory
            .iter()
            .map(|&(w, _)| w)
            .filter(|&w| self.memory_outcome(w).is_none())
            .collect()
    }

    /// Every workload the run asked for, timed and memory.
    pub fn total(&self) -> usize {
        self.workloads.len() + self.memory.len()
    }

    /// How many have ended, and how many of those finished.
    pub fn ended(&self) -> (usize, usize) {
        let finished = self
            .outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Finished(_)))
            .count()
            + self
                .memory_outcomes
                .iter()
                .filter(|(_, o)| matches!(o, Outcome::Finished(_)))
                .count();
        (self.outcomes.len() + self.memory_outcomes.len(), finished)
    }
}

/// Whether two backends share a column: the CPU whatever the reason, WebGPU per adapter.
pub fn same_backend(a: &ActiveBackend, b: &ActiveBackend) -> bool {
    match (a, b) {
        (ActiveBackend::Cpu { .. }, ActiveBackend::Cpu { .. }) => true,
        (ActiveBackend::WebGpu { adapter: x }, ActiveBackend::WebGpu { adapter: y }) => x == y,
        _ => false,
    }
}

/// What became of the last "copy as text".
#[derive(Clone, Debug, PartialEq)]
pub enum CopyMessage {
    Copied,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct BenchState {
    pub settings: BenchSettings,
    /// The link asked for a run as soon as a worker is ready; cleared when a run starts.
    pub auto: bool,
    /// One column per backend, in the order each was first measured.
    pub runs: Vec<BackendRun>,
    /// The index in `runs` of the latest run.
    pub current: Option<usize>,
    pub status: RunState,
    /// Counts runs started: the effects send a run's commands each time it moves.
    pub run_requests: u64,
    pub copy: Option<CopyMessage>,
}

pub enum BenchAction {
    /// The link changed while the page is open.
    FromLink(BenchLink),
    SetSettings(BenchSettings),
    /// Runs the chosen workloads on `backend`, the one the ready worker runs (`label`: the
    /// badge's words for it).
    Run {
        backend: ActiveBackend,
        label: String,
        date: String,
    },
    Event(Event),
    /// The worker stopped: a run in progress cannot finish.
    WorkerLost,
    Copied(Result<(), String>),
}

impl BenchState {
    pub fn from_link(link: BenchLink) -> Self {
        Self {
            settings: link.settings,
            auto: link.auto,
            ..Self::default()
        }
    }

    /// The latest run, if any.
    pub fn current_run(&self) -> Option<&BackendRun> {
        self.current.and_then(|i| self.runs.get(i))
    }

    /// The workload the worker runs now, while running.
    pub fn running_workload(&self) -> Option<Workload> {
        if self.status != RunState::Running {
            return None;
        }
        self.current_run()?.pending().first().copied()
    }

    /// The memory workload the worker runs now: once every timed one has ended.
    pub fn running_memory(&self) -> Option<MemoryWorkload> {
        if self.status != RunState::Running {
            return None;
        }
        let run = self.current_run()?;
        if !run.pending().is_empty() {
            return None;
        }
        run.pending_memory().first().copied()
    }

    /// The memory table's rows: the memory workloads chosen or already measured.
    pub fn memory_rows(&self) -> Vec<MemoryWorkload> {
        MemoryWorkload::ALL
            .iter()
            .copied()
            .filter(|w| {
                self.settings.memory.contains(w)
                    || self
                        .runs
                        .iter()
                        .any(|run| run.memory.iter().any(|(m, _)| m == w))
            })
            .collect()
    }

    /// The table's rows: the chosen workloads and any already measured, in the usual order.
    pub fn rows(&self) -> Vec<Workload> {
        Workload::ALL
            .iter()
            .copied()
            .filter(|w| {
                self.settings.workloads.contains(w)
                    || self.runs.iter().any(|run| run.workloads.contains(w))
            })
            .collect()
    }

    pub fn reduce(&mut self, action: BenchAction) {
        match action {
            BenchAction::FromLink(link) => {
                self.settings = link.settings;
                self.auto |= link.auto;
            }
            BenchAction::SetSettings(settings) => self.settings = settings,
            BenchAction::Run {
                backend,
                label,
                date,
            } => {
                self.auto = false;
                if self.status == RunState::Running {
                    return;
                }
                let webgpu = matches!(backend, ActiveBackend::WebGpu { .. });
                let memory = self
                    .settings
                    .memory
                    .iter()
                    .map(|&w| (w, self.settings.memory_steps_for(w, webgpu)))
                    .collect();
                let run = BackendRun {
                    backend,
                    label,
                    date,
                    steps: self.settings.steps,
                    warmup: self.settings.warmup,
                    workloads: self.settings.workloads.clone(),
                    outcomes: Vec::new(),
                    memory,
                    memory_outcomes: Vec::new(),
                };
                let index = match self
                    .runs
                    .iter()
                    .position(|r| same_backend(&r.backend, &run.backend))
                {
                    Some(index) => {
                        self.runs[index] = run;
                        index
                    }
                    None => {
                        self.runs.push(run);
                        self.runs.len() - 1
                    }
                };
                self.current = Some(index);
                self.status = RunState::Running;
                self.run_requests += 1;
                self.copy = None;
            }
            BenchAction::Event(event) => match event {
                Event::Finished(result) => self.ended(result.workload, Outcome::Finished(result)),
                Event::Failed { workload, message } => {
                    self.ended(workload, Outcome::Failed(message))
                }
                Event::MemoryFinished(result) => {
                    self.memory_ended(result.workload, Outcome::Finished(result))
                }
                Event::MemoryFailed { workload, message } => {
                    self.memory_ended(workload, Outcome::Failed(message))
                }
            },
            BenchAction::WorkerLost => {
                if self.status == RunState::Running
                    && let Some(run) = self.current.and_then(|i| self.runs.get_mut(i))
                {
                    for workload in run.pending() {
                        run.outcomes.push((workload, Outcome::Lost));
                    }
                    for workload in run.pending_memory() {
                        run.memory_outcomes.push((workload, Outcome::Lost));
                    }
                    self.status = RunState::Failed;
                }
            }
            BenchAction::Copied(result) => {
                self.copy = Some(match result {
                    Ok(()) => CopyMessage::Copied,
                    Err(message) => CopyMessage::Failed(message),
                });
            }
        }
    }

    /// Records how `workload` of the run in progress ended; anything else is stale and ignored.
    fn ended(&mut self, workload: Workload, outcome: Outcome) {
        if self.status != RunState::Running {
            return;
        }
        let Some(run) = self.current.and_then(|i| self.runs.get_mut(i)) else {
            return;
        };
        if !run.pending().contains(&workload) {
            return;
        }
        run.outcomes.push((workload, outcome));
        self.end_if_all_ended();
    }

    /// Records how memory workload `workload` of the run in progress ended; stale ones ignored.
    fn memory_ended(&mut self, workload: MemoryWorkload, outcome: Outcome<MemoryResult>) {
        if self.status != RunState::Running {
            return;
        }
        let Some(run) = self.current.and_then(|i| self.runs.get_mut(i)) else {
            return;
        };
        if !run.pending_memory().contains(&workload) {
            return;
        }
        run.memory_outcomes.push((workload, outcome));
        self.end_if_all_ended();
    }

    fn end_if_all_ended(&mut self) {
        let Some(run) = self.current_run() else {
            return;
        };
        let (ended, finished) = run.ended();
        if ended == run.total() {
            self.status = if finished == ended {
                RunState::Done
            } else {
                RunState::Failed
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::bench::link::from_query;
    use kindling_engine::protocol::CpuReason;

    fn cpu() -> ActiveBackend {
        ActiveBackend::Cpu {
            reason: CpuReason::Requested,
        }
    }

    fn gpu(adapter: &str) -> ActiveBackend {
        ActiveBackend::WebGpu {
            adapter: adapter.into(),
        }
    }

    fn run(backend: ActiveBackend) -> BenchAction {
        BenchAction::Run {
            label: format!("{backend:?}"),
            backend,
            date: "2026-01-02 03:04 UTC".into(),
        }
    }

    fn finished(workload: Workload, median: f64) -> BenchAction {
        BenchAction::Event(Event::Finished(BenchResult {
            workload,
            first_ms: 10.0 * median,
            steps_ms: vec![median, median],
        }))
    }

    fn two_workloads() -> BenchState {
        BenchState::from_link(from_query("w=cnn-small,gan&steps=2&warmup=0"))
    }

    #[test]
    fn a_run_ends_done_when_every_workload_finished() {
        let mut state = two_workloads();
        assert_eq!(state.status, RunState::Idle);
        state.reduce(run(cpu()));
        assert_eq!(state.status, RunState::Running);
        assert_eq!(state.run_requests, 1);
        assert_eq!(state.running_workload(), Some(Workload::CnnSmall));
        state.reduce(finished(Workload::CnnSmall, 15.0));
        assert_eq!(state.status, RunState::Running);
        assert_eq!(state.running_workload(), Some(Workload::Gan));
        // A workload the run did not ask for, or one already in, changes nothing.
        state.reduce(finished(Workload::Transfer, 1.0));
        state.reduce(finished(Workload::CnnSmall, 99.0));
        let current = state.current_run().unwrap();
        assert_eq!(current.outcomes.len(), 1);
        assert_eq!(current.steps, 2);
        assert_eq!(current.warmup, 0);
        state.reduce(finished(Workload::Gan, 4.0));
        assert_eq!(state.status, RunState::Done);
        let current = state.current_run().unwrap();
        assert_eq!(current.result(Workload::Gan).unwrap().median_ms(), 4.0);
        assert_eq!(current.result(Workload::CnnSmall).unwrap().first_ms, 150.0);
        assert_eq!(state.running_workload(), None);
        // Late events after the run are ignored.
        state.reduce(finished(Workload::Gan, 1.0));
        assert_eq!(state.status, RunState::Done);
    }

    #[test]
    fn a_failed_workload_fails_the_run_but_the_others_still_report() {
        let mut state = two_workloads();
        state.reduce(run(cpu()));
        state.reduce(BenchAction::Event(Event::Failed {
            workload: Workload::CnnSmall,
            message: "stopped".into(),
        }));
        assert_eq!(state.status, RunState::Running);
        state.reduce(finished(Workload::Gan, 4.0));
        assert_eq!(state.status, RunState::Failed);
        let current = state.current_run().unwrap();
        assert_eq!(
            current.outcome(Workload::CnnSmall),
            Some(&Outcome::Failed("stopped".into()))
        );
        assert!(current.result(Workload::Gan).is_some());
    }

    #[test]
    fn a_lost_worker_fails_a_run_in_progress_only() {
        let mut state = two_workloads();
        state.reduce(BenchAction::WorkerLost);
        assert_eq!(state.status, RunState::Idle);
        state.reduce(run(cpu()));
        state.reduce(finished(Workload::CnnSmall, 15.0));
        state.reduce(BenchAction::WorkerLost);
        assert_eq!(state.status, RunState::Failed);
        let current = state.current_run().unwrap();
        assert_eq!(current.outcome(Workload::Gan), Some(&Outcome::Lost));
        assert!(current.result(Workload::CnnSmall).is_some());
        // The next worker's events for the old run are not taken.
        state.reduce(finished(Workload::Gan, 4.0));
        assert_eq!(state.status, RunState::Failed);
        // A second run starts clean on the same column.
        state.reduce(run(cpu()));
        assert_eq!(state.runs.len(), 1);
        assert_eq!(state.status, RunState::Running);
        assert!(state.current_run().unwrap().outcomes.is_empty());
        assert_eq!(state.run_requests, 2);
    }

    #[test]
    fn each_backend_keeps_its_own_column() {
        let mut state = two_workloads();
        state.reduce(run(cpu()));
        state.reduce(finished(Workload::CnnSmall, 15.0));
        state.reduce(finished(Workload::Gan, 4.0));
        state.reduce(run(gpu("SwiftShader")));
        assert_eq!(state.runs.len(), 2);
        assert_eq!(state.current, Some(1));
        state.reduce(finished(Workload::CnnSmall, 30.0));
        state.reduce(finished(Workload::Gan, 8.0));
        assert_eq!(state.status, RunState::Done);
        assert_eq!(
            state.runs[0].result(Workload::Gan).unwrap().median_ms(),
            4.0,
            "the CPU's column is kept"
        );
        // The CPU again, for another reason: its own column is replaced, not a third one.
        state.reduce(run(ActiveBackend::Cpu {
            reason: CpuReason::NoWebGpu,
        }));
        assert_eq!(state.runs.len(), 2);
        assert_eq!(state.current, Some(0));
        assert!(state.runs[0].outcomes.is_empty());
        assert_eq!(state.runs[1].outcomes.len(), 2);
        // Another adapter is another column.
        assert!(!same_backend(&gpu("a"), &gpu("b")));
        assert!(!same_backend(&gpu("a"), &cpu()));
    }

    #[test]
    fn a_run_while_running_is_refused_and_auto_runs_once() {
        let mut state = BenchState::from_link(from_query("auto=1&steps=2&warmup=0"));
        assert!(state.auto);
        state.reduce(run(cpu()));
        assert!(!state.auto);
        state.reduce(run(gpu("x")));
        assert_eq!(state.runs.len(), 1, "no second run while one runs");
        assert_eq!(state.run_requests, 1);
        assert_eq!(
            state.current_run().unwrap().workloads,
            Workload::ALL.to_vec()
        );
        // A link with auto=1 asks again; one without keeps what was asked.
        state.reduce(BenchAction::FromLink(from_query("steps=5")));
        assert!(!state.auto);
        assert_eq!(state.settings.steps, 5);
        assert_eq!(
            state.current_run().unwrap().steps,
            2,
            "the run in progress keeps its settings"
        );
        state.reduce(BenchAction::FromLink(from_query("auto=1")));
        assert!(state.auto);
    }

    fn memory_finished(workload: MemoryWorkload, steps: u32) -> BenchAction {
        use kindling_engine::lessons::bench::memory::MemorySample;
        BenchAction::Event(Event::MemoryFinished(MemoryResult {
            workload,
            steps,
            samples: vec![MemorySample {
                step: 0,
                wasm_bytes: 1 << 20,
                gpu: None,
            }],
        }))
    }

    #[test]
    fn memory_workloads_run_after_the_timed_ones_with_the_backends_length() {
        let link = "w=inference&steps=1&warmup=0&memory=playground,cnn-small";
        let mut state = BenchState::from_link(from_query(link));
        assert_eq!(
            state.memory_rows(),
            vec![MemoryWorkload::Playground, MemoryWorkload::CnnSmall]
        );
        state.reduce(run(cpu()));
        let current = state.current_run().unwrap();
        assert_eq!(
            current.memory,
            vec![
                (MemoryWorkload::Playground, 10_000),
                (MemoryWorkload::CnnSmall, 2_000)
            ]
        );
        assert_eq!(current.total(), 3);
        assert_eq!(
            state.running_memory(),
            None,
            "the timed workload runs first"
        );
        state.reduce(finished(Workload::Inference, 0.1));
        assert_eq!(state.status, RunState::Running);
        assert_eq!(state.running_memory(), Some(MemoryWorkload::Playground));
        state.reduce(memory_finished(MemoryWorkload::Playground, 10_000));
        // A memory result twice, or for a workload not asked for, changes nothing.
        state.reduce(memory_finished(MemoryWorkload::Playground, 10_000));
        assert_eq!(state.current_run().unwrap().memory_outcomes.len(), 1);
        assert_eq!(state.running_memory(), Some(MemoryWorkload::CnnSmall));
        state.reduce(BenchAction::Event(Event::MemoryFailed {
            workload: MemoryWorkload::CnnSmall,
            message: "stopped".into(),
        }));
        assert_eq!(state.status, RunState::Failed);
        assert_eq!(state.current_run().unwrap().ended(), (3, 2));
        assert!(matches!(
            state
                .current_run()
                .unwrap()
                .memory_outcome(MemoryWorkload::Playground),
            Some(Outcome::Finished(_))
        ));
        // On WebGPU a few hundred steps; a lost worker loses what was still to run.
        state.reduce(run(gpu("SwiftShader")));
        assert_eq!(
            state.current_run().unwrap().memory,
            vec![
                (MemoryWorkload::Playground, 300),
                (MemoryWorkload::CnnSmall, 300)
            ]
        );
        state.reduce(finished(Workload::Inference, 0.1));
        state.reduce(BenchAction::WorkerLost);
        assert_eq!(state.status, RunState::Failed);
        assert_eq!(
            state
                .current_run()
                .unwrap()
                .memory_outcome(MemoryWorkload::CnnSmall),
            Some(&Outcome::Lost)
        );
    }

    #[test]
    fn rows_follow_the_settings_and_what_was_measured() {
        let mut state = two_workloads();
        assert_eq!(state.rows(), vec![Workload::CnnSmall, Workload::Gan]);
        state.reduce(run(cpu()));
        let only_transfer = state.settings.with_workload(Workload::Transfer, true);
        state.reduce(BenchAction::SetSettings(only_transfer));
        assert_eq!(
            state.rows(),
            vec![Workload::CnnSmall, Workload::Gan, Workload::Transfer]
        );
        state.reduce(BenchAction::Copied(Err("denied".into())));
        assert_eq!(state.copy, Some(CopyMessage::Failed("denied".into())));
        state.reduce(BenchAction::Copied(Ok(())));
        assert_eq!(state.copy, Some(CopyMessage::Copied));
        assert_eq!(RunState::Done.name(), "done");
    }
}
