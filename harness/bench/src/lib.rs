//! The benchmark: a suite expands to run specs (method × variant × dataset × backend × seed); each spec runs in a
//! child process (isolation, per-run peak memory, kill-safe), writes one JSON record atomically, and the bench
//! directory's CSV and HTML report are rebuilt from all records. Rerunning resumes: finished runs are skipped.

pub mod check;
pub mod conditioning;
pub mod lock;
pub mod orchestrate;
pub mod registry;
pub mod run_one;
pub mod score;
pub mod slurm;
pub mod store;
pub mod suite;
pub mod versions;
