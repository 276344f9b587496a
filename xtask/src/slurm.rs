//! A real one-node Slurm cluster on this machine (Debian's `slurm-wlm` 22.05 and `munge`), for trying
//! `splatbench bench --slurm` locally (`cargo xtask slurm`) and for the integration test that submits to it.
//!
//! Std only: the integration test includes this file with `#[path = ...] mod slurm;`.
//!
//! The cluster's config, state, spool, pid and log files all live under one directory; `munged` is the system one
//! (started as the `munge` user when none answers) and is left running. `slurmctld` and `slurmd` run as root on the
//! default ports 6817/6818, so one cluster at a time per machine: `Cluster::start` stops a stale pair first.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Ports slurmctld and slurmd listen on (the Slurm defaults).
#[allow(dead_code)] // The integration test that includes this file uses only part of it.
pub const CTLD_PORT: u16 = 6817;
#[allow(dead_code)]
pub const SLURMD_PORT: u16 = 6818;

/// How long `Cluster::start` waits for the node to come up idle.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Programs `install` makes sure of (from slurm-wlm and munge).
const NEEDED: [&str; 5] = ["sbatch", "slurmctld", "slurmd", "munged", "munge"];

/// A program on PATH, or in the sbin dirs a non-login root shell may lack.
#[allow(dead_code)]
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"].iter().map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Install Debian's slurm-wlm and munge with apt-get when sbatch, slurmctld, slurmd or munged is missing
/// (idempotent; prints one line saying what it did). Err names what failed.
#[allow(dead_code)]
pub fn install() -> Result<(), String> {
    let missing: Vec<&str> = NEEDED.into_iter().filter(|p| which(p).is_none()).collect();
    if missing.is_empty() {
        println!("slurm: slurm-wlm and munge present");
        return Ok(());
    }
    if which("apt-get").is_none() {
        return Err(format!("{} missing and no apt-get to install slurm-wlm and munge with", missing.join(", ")));
    }
    if !is_root() {
        return Err(format!("{} missing; installing slurm-wlm and munge with apt-get needs root", missing.join(", ")));
    }
    println!("slurm: apt-get install -y slurm-wlm munge (missing: {})", missing.join(", "));
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq", "--no-install-recommends", "slurm-wlm", "munge"])?;
    let still: Vec<&str> = NEEDED.into_iter().filter(|p| which(p).is_none()).collect();
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!("{} still missing after apt-get install slurm-wlm munge", still.join(", ")))
    }
}

fn apt(args: &[&str]) -> Result<(), String> {
    let what = format!("apt-get {}", args.join(" "));
    let out = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Err(format!("{what} failed ({}):\n{}", out.status, last_lines(&text, 20)))
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Uid:").map(|u| u.split_whitespace().next() == Some("0"))))
        .unwrap_or(false)
}

/// A one-node cluster whose config, state, spool, pid and log files live under `dir`.
#[allow(dead_code)]
pub struct Cluster {
    pub dir: PathBuf,
    pub conf: PathBuf,
    /// The node's name (the short host name).
    pub node: String,
    kept: bool,
}

#[allow(dead_code)]
impl Cluster {
    /// `install()`, write `dir/slurm.conf`, start munged as the `munge` user (reuse one already answering),
    /// slurmctld and slurmd as root, wait (≤ 60 s) until `sinfo` reports the node idle. Any failure: Err with the
    /// reason and the last lines of the daemon logs. Stops stale slurmctld/slurmd left from an earlier start first
    /// (the ones holding ports 6817/6818, and the ones the pid files under `dir` name).
    pub fn start(dir: &Path) -> Result<Cluster, String> {
        install()?;
        if !is_root() {
            return Err("a local Slurm cluster needs root (slurmd runs jobs as their user)".into());
        }
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let dir = fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let node = short_hostname()?;
        let mut cluster = Cluster { conf: dir.join("slurm.conf"), dir, node, kept: true };
        // Stale daemons: this dir's earlier start, then whatever slurmctld/slurmd still holds the ports.
        cluster.stop();
        for port in [CTLD_PORT, SLURMD_PORT] {
            for (pid, comm) in port_holders(port) {
                if comm != "slurmctld" && comm != "slurmd" {
                    return Err(format!("port {port} is held by pid {pid} ({comm}), not a Slurm daemon"));
                }
                println!("slurm: stopping stale {comm} (pid {pid}, port {port})");
                terminate(pid, &comm);
            }
        }
        for sub in ["state", "spool"] {
            let d = cluster.dir.join(sub);
            fs::create_dir_all(&d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
        }
        for log in ["slurmctld.log", "slurmd.log", "slurmctld.stderr", "slurmd.stderr", "munged.stderr"] {
            let _ = fs::remove_file(cluster.dir.join(log));
        }
        fs::write(&cluster.conf, cluster.config())
            .map_err(|e| format!("cannot write {}: {e}", cluster.conf.display()))?;
        // From here on a failure stops what started.
        cluster.kept = false;
        start_munged(&cluster.dir)?;
        let conf = cluster.conf.clone();
        cluster.daemon("slurmctld", Command::new("slurmctld").arg("-f").arg(&conf).arg("-c"))?;
        cluster.daemon("slurmd", Command::new("slurmd").arg("-f").arg(&conf).args(["-N", &cluster.node]))?;
        cluster.wait_idle()?;
        Ok(cluster)
    }

    /// A handle on the cluster a `start` in `dir` left (e.g. kept by `cargo xtask slurm`), to `stop` it; starts
    /// nothing, and dropping it stops nothing.
    pub fn at(dir: &Path) -> Cluster {
        let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        Cluster { conf: dir.join("slurm.conf"), dir, node: short_hostname().unwrap_or_default(), kept: true }
    }

    /// Environment the Slurm client commands need: `SLURM_CONF=<conf>`.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("SLURM_CONF".to_string(), self.conf.display().to_string())]
    }

    /// A Slurm client command (`sbatch`, `squeue`, ...) with `env()` set.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.envs(self.env());
        cmd
    }

    /// Stop slurmd and slurmctld (by their pid files), wait for them to exit.
    pub fn stop(&mut self) {
        for name in ["slurmd", "slurmctld"] {
            if let Some(pid) = self.daemon_pid(name) {
                terminate(pid, name);
            }
            let _ = fs::remove_file(self.dir.join(format!("{name}.pid")));
        }
    }

    /// slurmctld or slurmd of this cluster (by the pid files under `dir`) is running.
    pub fn running(&self) -> bool {
        self.daemon_alive("slurmctld") || self.daemon_alive("slurmd")
    }

    /// Leave the daemons running after this value is dropped (for `cargo xtask slurm`).
    pub fn keep(mut self) {
        self.kept = true;
    }

    /// The last lines of the daemon logs, for error messages.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for name in ["slurmctld.stderr", "slurmctld.log", "slurmd.stderr", "slurmd.log", "munged.stderr"] {
            if let Ok(text) = fs::read_to_string(self.dir.join(name))
                && !text.trim().is_empty()
            {
                out += &format!("--- {} (last lines)\n{}\n", self.dir.join(name).display(), last_lines(&text, 15));
            }
        }
        out
    }

    fn config(&self) -> String {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let d = self.dir.display();
        let node = &self.node;
        format!(
            "# Written by splatbench's xtask (slurm.rs): a one-node cluster for local runs and tests.\n\
             ClusterName=splatbench\n\
             SlurmctldHost={node}(127.0.0.1)\n\
             SlurmctldPort={CTLD_PORT}\n\
             SlurmdPort={SLURMD_PORT}\n\
             AuthType=auth/munge\n\
             CredType=cred/munge\n\
             SlurmUser=root\n\
             SlurmdUser=root\n\
             StateSaveLocation={d}/state\n\
             SlurmdSpoolDir={d}/spool\n\
             SlurmctldPidFile={d}/slurmctld.pid\n\
             SlurmdPidFile={d}/slurmd.pid\n\
             SlurmctldLogFile={d}/slurmctld.log\n\
             SlurmdLogFile={d}/slurmd.log\n\
             SlurmctldDebug=info\n\
             SlurmdDebug=info\n\
             ProctrackType=proctrack/linuxproc\n\
             TaskPlugin=task/none\n\
             SelectType=select/cons_tres\n\
             SelectTypeParameters=CR_CPU\n\
             SchedulerType=sched/backfill\n\
             SchedulerParameters=bf_interval=1,sched_min_interval=0\n\
             AccountingStorageType=accounting_storage/none\n\
             JobAcctGatherType=jobacct_gather/none\n\
             JobCompType=jobcomp/none\n\
             MpiDefault=none\n\
             MailProg=/bin/true\n\
             ReturnToService=2\n\
             SlurmdTimeout=300\n\
             InactiveLimit=0\n\
             KillWait=5\n\
             MinJobAge=300\n\
             NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={mem} State=UNKNOWN\n\
             PartitionName=debug Nodes={node} Default=YES MaxTime=INFINITE State=UP\n",
            mem = real_memory_mib(),
        )
    }

    /// Run a daemon that forks into the background; its launcher's stderr goes to `dir/NAME.stderr`.
    fn daemon(&mut self, name: &str, cmd: &mut Command) -> Result<(), String> {
        let stderr = fs::File::create(self.dir.join(format!("{name}.stderr"))).map_err(|e| format!("{name}: {e}"))?;
        let st = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .status()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        if st.success() { Ok(()) } else { Err(self.failure(&format!("{name} failed to start ({st})"))) }
    }

    fn failure(&mut self, reason: &str) -> String {
        let msg = format!("{reason}\n{}", self.logs());
        self.stop();
        msg
    }

    fn wait_idle(&mut self) -> Result<(), String> {
        let t0 = Instant::now();
        let mut state = String::new();
        while t0.elapsed() < START_TIMEOUT {
            for name in ["slurmctld", "slurmd"] {
                if !self.daemon_alive(name) && t0.elapsed() > Duration::from_secs(2) {
                    return Err(self.failure(&format!("{name} exited while the cluster was starting")));
                }
            }
            if let Ok(out) = self.command("sinfo").args(["-h", "-N", "-o", "%N %t"]).stderr(Stdio::null()).output() {
                state = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if state.split_whitespace().nth(1) == Some("idle") {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let state = if state.is_empty() { "nothing".to_string() } else { format!("'{state}'") };
        Err(self.failure(&format!("node not idle after {} s (sinfo said {state})", START_TIMEOUT.as_secs())))
    }

    /// The pid `dir/NAME.pid` names, when that process is `name` (a pid file outlives its daemon).
    fn daemon_pid(&self, name: &str) -> Option<u32> {
        let pid = fs::read_to_string(self.dir.join(format!("{name}.pid"))).ok()?.trim().parse::<u32>().ok()?;
        (comm(pid).as_deref() == Some(name)).then_some(pid)
    }

    fn daemon_alive(&self, name: &str) -> bool {
        self.daemon_pid(name).is_some_and(alive)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.kept {
            self.stop();
        }
    }
}

/// `munge -n | unmunge` succeeds: a munged answers on the default socket.
fn munge_answers() -> bool {
    let Ok(cred) = Command::new("munge").arg("-n").stderr(Stdio::null()).output() else { return false };
    if !cred.status.success() {
        return false;
    }
    let Ok(mut child) =
        Command::new("unmunge").stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()
    else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(&cred.stdout);
    }
    child.wait().is_ok_and(|s| s.success())
}

/// Start munged as the `munge` user unless one answers; create its key and run dir when the package did not.
fn start_munged(dir: &Path) -> Result<(), String> {
    if munge_answers() {
        return Ok(());
    }
    let key = Path::new("/etc/munge/munge.key");
    if !key.exists() {
        let mut bytes = vec![0u8; 1024];
        fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut bytes))
            .map_err(|e| format!("cannot read /dev/urandom for the munge key: {e}"))?;
        fs::create_dir_all("/etc/munge").map_err(|e| format!("cannot create /etc/munge: {e}"))?;
        fs::write(key, &bytes).map_err(|e| format!("cannot write {}: {e}", key.display()))?;
        println!("slurm: created {}", key.display());
    }
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(key, fs::Permissions::from_mode(0o400)).map_err(|e| format!("{}: {e}", key.display()))?;
    }
    fs::create_dir_all("/run/munge").map_err(|e| format!("cannot create /run/munge: {e}"))?;
    for p in ["/etc/munge", "/etc/munge/munge.key", "/run/munge", "/var/lib/munge", "/var/log/munge"] {
        if Path::new(p).exists() {
            let st = Command::new("chown").args(["munge:munge", p]).status().map_err(|e| format!("chown: {e}"))?;
            if !st.success() {
                return Err(format!("chown munge:munge {p} failed ({st}); is there a munge user?"));
            }
        }
    }
    let stderr_path = dir.join("munged.stderr");
    let stderr = fs::File::create(&stderr_path).map_err(|e| format!("{}: {e}", stderr_path.display()))?;
    let munged = which("munged").ok_or("munged not found")?;
    let st = Command::new("runuser")
        .args(["-u", "munge", "--"])
        .arg(munged)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .status()
        .map_err(|e| format!("cannot start munged: {e}"))?;
    let t0 = Instant::now();
    while st.success() && t0.elapsed() < Duration::from_secs(10) {
        if munge_answers() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut msg = format!("munged did not come up ({st})");
    for log in [stderr_path.as_path(), Path::new("/var/log/munge/munged.log")] {
        if let Ok(text) = fs::read_to_string(log) {
            msg += &format!("\n--- {} (last lines)\n{}", log.display(), last_lines(&text, 15));
        }
    }
    Err(msg)
}

fn short_hostname() -> Result<String, String> {
    let name =
        fs::read_to_string("/proc/sys/kernel/hostname").map_err(|e| format!("cannot read the host name: {e}"))?;
    let short = name.trim().split('.').next().unwrap_or_default().to_string();
    if short.is_empty() { Err("empty host name".into()) } else { Ok(short) }
}

/// MemTotal in MiB (what slurmd finds, or a little less), for the node's RealMemory.
fn real_memory_mib() -> u64 {
    fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("MemTotal:").and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
        })
        .map_or(1024, |kib| kib / 1024)
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn comm(pid: u32) -> Option<String> {
    fs::read_to_string(format!("/proc/{pid}/comm")).ok().map(|s| s.trim().to_string())
}

/// The process exists and is not a zombie (an orphaned daemon's parent here may never reap it).
fn alive(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, rest)| !rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill").args([sig, &pid.to_string()]).stderr(Stdio::null()).status();
}

/// SIGTERM, wait up to 15 s for the exit, then SIGKILL.
fn terminate(pid: u32, name: &str) {
    if !alive(pid) {
        return;
    }
    signal(pid, "-TERM");
    let t0 = Instant::now();
    while alive(pid) {
        if t0.elapsed() > Duration::from_secs(15) {
            eprintln!("slurm: {name} (pid {pid}) ignored SIGTERM for 15 s; killing it");
            signal(pid, "-KILL");
            std::thread::sleep(Duration::from_millis(200));
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Processes (pid, command name) with a listening TCP socket on `port`.
fn port_holders(port: u16) -> Vec<(u32, String)> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else { continue };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let listening = f.get(3) == Some(&"0A");
            let local_port =
                f.get(1).and_then(|a| a.rsplit_once(':')).and_then(|(_, p)| u16::from_str_radix(p, 16).ok());
            if listening
                && local_port == Some(port)
                && let Some(inode) = f.get(9).filter(|i| **i != "0")
            {
                inodes.push(format!("socket:[{inode}]"));
            }
        }
    }
    let mut holders = Vec::new();
    if inodes.is_empty() {
        return holders;
    }
    let Ok(procs) = fs::read_dir("/proc") else { return holders };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Ok(fds) = fs::read_dir(p.path().join("fd")) else { continue };
        let holds = fds
            .flatten()
            .any(|fd| fs::read_link(fd.path()).is_ok_and(|l| inodes.iter().any(|i| l.as_os_str() == i.as_str())));
        if holds {
            holders.push((pid, comm(pid).unwrap_or_default()));
        }
    }
    holders
}
