//! Before any data is read: the pipeline file loaded, the rung conditions and targets checked
//! (a typo fails in milliseconds), the output folder, store and key file kept apart from the
//! inputs, the run lock taken and the output folder claimed.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::lock::RunLock;
use crate::log::Log;
use crate::metrics::{ladder, targets};
use crate::output;
use crate::plan::{InputPath, Plan};

/// A run's checked plan and the place it writes, held for the whole run.
pub struct Setup {
    pub plan: Plan,
    pub ladder: ladder::CompiledLadder,
    pub targets: Vec<targets::Resolved>,
    pub out_dir: PathBuf,
    pub log: Log,
    /// Held until the run ends, so two runs never write the same store or outputs at once.
    _lock: RunLock,
}

impl Setup {
    /// For `engage run`: `out` overrides the pipeline's output folder.
    pub fn open(pipeline: &Path, out: Option<PathBuf>, log: Log) -> Result<Setup> {
        Setup::from_plan(Plan::load(pipeline)?, out, log)
    }

    fn from_plan(plan: Plan, out: Option<PathBuf>, log: Log) -> Result<Setup> {
        let ladder = ladder::compile(&plan.ladder, &plan.pipeline.path)?;
        let targets = targets::resolve(
            &plan.metrics.targets,
            plan.calendar.period,
            &plan.pipeline.path,
        )?;
        let out_dir = out.unwrap_or_else(|| plan.output.folder.clone());
        check_targets(&plan, &out_dir)?;
        // A folder that is not engage's is refused before its lock is taken (or a stranger's
        // `.engage.lock` taken over and removed).
        output::check_ours(&out_dir)?;
        let locked = plan.output.store.as_deref().unwrap_or(&out_dir);
        let lock = RunLock::acquire(locked, &|w| log.warn("lock", w))?;
        // A publish a killed run left half done is undone first, whatever this run then does.
        output::recover(&out_dir)?;
        output::claim(&out_dir)?;
        Ok(Setup {
            plan,
            ladder,
            targets,
            out_dir,
            log,
            _lock: lock,
        })
    }

    /// For `engage ingest`: the pipeline must keep a store.
    pub fn open_store(pipeline: &Path, log: Log) -> Result<Setup> {
        let plan = Plan::load(pipeline)?;
        if plan.output.store.is_none() {
            return Err(Error::Usage {
                message: format!("{} keeps no event store to ingest into", pipeline.display()),
                help: "add store = \"<folder>\" to [pipeline], or use `engage run`".into(),
            });
        }
        Setup::from_plan(plan, None, log)
    }

    /// For `engage validate`: every check `open` makes, without locking or claiming.
    pub fn check(pipeline: &Path) -> Result<Plan> {
        let plan = Plan::load(pipeline)?;
        ladder::compile(&plan.ladder, &plan.pipeline.path)?;
        targets::resolve(
            &plan.metrics.targets,
            plan.calendar.period,
            &plan.pipeline.path,
        )?;
        check_targets(&plan, &plan.output.folder)?;
        Ok(plan)
    }
}

/// Refuses a run whose output folder, store or key file would overlap what it reads. The key
/// file counts only when the key does not come from the environment.
fn check_targets(plan: &Plan, out_dir: &Path) -> Result<()> {
    let key_from_env =
        std::env::var(crate::outcomes::privacy::KEY_ENV).is_ok_and(|k| !k.is_empty());
    output::check_targets(
        &input_paths(plan),
        &output::Targets {
            output: out_dir,
            store: plan.output.store.as_deref(),
            key_file: (!key_from_env).then_some(plan.privacy.pseudonym_key_file.as_path()),
        },
    )
}

/// Every file or folder the run reads, as the pipeline names it and where it is.
fn input_paths(plan: &Plan) -> Vec<(String, PathBuf)> {
    let named = |i: &InputPath| (i.given.clone(), i.path.clone());
    let inputs = &plan.inputs;
    std::iter::once((
        plan.pipeline.path.display().to_string(),
        plan.pipeline.path.clone(),
    ))
    .chain(
        inputs
            .sources
            .iter()
            .map(|s| (s.given.clone(), s.path.clone())),
    )
    .chain(inputs.people.iter().map(named))
    .chain(inputs.surveys.iter().map(|s| named(&s.input)))
    .chain(inputs.identities.iter().map(named))
    .chain(inputs.kpis.iter().map(|(_, i)| named(i)))
    .collect()
}
