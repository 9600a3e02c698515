//! Who owns a report folder under construction (docs/report-folder.md).
//!
//! A run that builds a report under `--out` first takes a lock: a file beside its
//! temporary folder, created only if no file of that name exists, that names the run
//! (host, boot, process namespace, pid and the process's start) and that the run
//! rewrites every [`HEARTBEAT`] while it lives, so that its age says whether it still
//! does. Another run removes what a run left behind only when the lock proves its
//! owner gone: the same machine and process namespace and no such process any more,
//! or a lock not rewritten for [`STALE`] (measured against its own lock, just
//! written on the same file system, so that the clocks of different hosts do not
//! count). An empty lock is a run killed between creating and writing it: gone when
//! its name's pid has no process on this host, or when it stays empty for a moment.
//! What has no lock of uptake's is never removed.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

/// How often a live run rewrites its lock.
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// A lock not rewritten for this long belongs to a run that is gone (twenty
/// heartbeats: a run stopped, a host down, or a clock far off).
pub const STALE: Duration = Duration::from_secs(600);

/// The first line of a lock file.
const MAGIC: &str = "uptake report lock";

/// A run, as its lock names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// The host name.
    pub host: String,
    /// The boot of the machine (Linux `boot_id`), empty where unknown.
    pub boot: String,
    /// The process namespace (a container has its own), empty where unknown.
    pub pidns: String,
    /// The process id.
    pub pid: u32,
    /// When the process started, in clock ticks since boot, empty where unknown:
    /// tells a live owner from a later process that reuses its pid.
    pub start: String,
}

impl Owner {
    /// This run.
    pub fn me() -> Owner {
        let pid = std::process::id();
        Owner {
            host: host_name(),
            boot: read_trimmed("/proc/sys/kernel/random/boot_id"),
            pidns: std::fs::read_link("/proc/self/ns/pid")
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            pid,
            start: process_start(pid).unwrap_or_default(),
        }
    }

    /// The lock file's text.
    pub(super) fn text(&self) -> String {
        format!(
            "{MAGIC}\nhost={}\nboot={}\npidns={}\npid={}\nstart={}\n",
            self.host, self.boot, self.pidns, self.pid, self.start
        )
    }

    /// The owner a lock file's text names, if it is one of uptake's.
    pub fn parse(text: &str) -> Option<Owner> {
        let mut lines = text.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let mut owner = Owner {
            host: String::new(),
            boot: String::new(),
            pidns: String::new(),
            pid: 0,
            start: String::new(),
        };
        for line in lines {
            let (key, value) = line.split_once('=')?;
            match key {
                "host" => owner.host = value.to_string(),
                "boot" => owner.boot = value.to_string(),
                "pidns" => owner.pidns = value.to_string(),
                "pid" => owner.pid = value.parse().ok()?,
                "start" => owner.start = value.to_string(),
                _ => {}
            }
        }
        (owner.pid != 0).then_some(owner)
    }

    /// Whether this run can see that `self` is gone: same host, same boot, same
    /// process namespace, and no process of that pid and start any more.
    fn gone_as_seen_by(&self, me: &Owner) -> bool {
        let same_place = !me.boot.is_empty()
            && !me.pidns.is_empty()
            && self.host == me.host
            && self.boot == me.boot
            && self.pidns == me.pidns;
        same_place && (self.pid != me.pid || self.start != me.start) && {
            match process_start(self.pid) {
                None => true,
                Some(start) => !self.start.is_empty() && start != self.start,
            }
        }
    }
}

/// This machine's name, as a lock and a folder name carry it.
fn host_name() -> String {
    let name = Some(read_trimmed("/proc/sys/kernel/hostname"))
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_default();
    let clean: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    if clean.is_empty() {
        "host".to_string()
    } else {
        clean
    }
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// When process `pid` started (field 22 of `/proc/<pid>/stat`); `None` when there
/// is no such process (or no /proc).
fn process_start(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count from the
    // last `)`, after which field 3 comes.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19).map(str::to_string)
}

/// A lock held by this run: rewritten every [`HEARTBEAT`] until dropped, then
/// removed.
pub struct Lock {
    path: PathBuf,
    stop: Option<mpsc::Sender<()>>,
    beat: Option<JoinHandle<()>>,
}

impl Lock {
    /// Takes the lock at `path` for `me`; fails if a file of that name exists.
    pub fn take(path: &Path, me: &Owner) -> io::Result<Lock> {
        let text = me.text();
        {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)?;
            if let Err(e) = f.write_all(text.as_bytes()) {
                // A full disk: the file is this run's, and half-written.
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let beat_path = path.to_path_buf();
        let beat = std::thread::Builder::new()
            .name("uptake-lock".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(HEARTBEAT) {
                    // Rewritten in place, not touched: a network file system sets the
                    // time of a write itself; the same bytes over the same bytes, so
                    // that a full disk cannot leave the lock cut short.
                    let _ = std::fs::OpenOptions::new()
                        .write(true)
                        .open(&beat_path)
                        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
                }
            });
        let beat = match beat {
            Ok(beat) => beat,
            Err(e) => {
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
        };
        Ok(Lock {
            path: path.to_path_buf(),
            stop: Some(stop),
            beat: Some(beat),
        })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(beat) = self.beat.take() {
            let _ = beat.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the run that holds the lock at `lock` is gone, so that what it left may
/// be removed: its lock says so as this run (`me`, whose own lock is `mine`) sees
/// it, or it has not been rewritten for [`STALE`]. A file that is no lock of
/// uptake's is never taken for one.
pub fn abandoned(lock: &Path, mine: &Path, me: &Owner) -> bool {
    let Ok(text) = std::fs::read_to_string(lock) else {
        return false;
    };
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let older_than = |limit: Duration| match (modified(mine), modified(lock)) {
        (Some(now), Some(then)) => now.duration_since(then).is_ok_and(|age| age > limit),
        _ => false,
    };
    if text.is_empty() {
        // A run writes its lock the moment it creates it: an empty one is a run
        // killed in between, once its name's pid is gone from this host or it has
        // stayed empty past a moment.
        return empty_lock_gone(lock, me) || older_than(EMPTY_GRACE);
    }
    let Some(owner) = Owner::parse(&text) else {
        return false;
    };
    owner.gone_as_seen_by(me) || older_than(STALE)
}

/// How long a lock may stay empty while its run writes it.
const EMPTY_GRACE: Duration = Duration::from_secs(2);

/// Whether the run an empty lock's name names (`.uptake-<day>-<host>-<pid>-<nonce>.lock`)
/// ran on this host and no process of its pid is left.
fn empty_lock_gone(lock: &Path, me: &Owner) -> bool {
    let Some(stem) = lock
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".lock"))
    else {
        return false;
    };
    let mut parts = stem.rsplitn(3, '-');
    let (_nonce, pid, rest) = (parts.next(), parts.next(), parts.next());
    let (Some(pid), Some(rest)) = (pid.and_then(|p| p.parse::<u32>().ok()), rest) else {
        return false;
    };
    // Where the boot is unknown there is no /proc to look in: never judged so.
    !me.boot.is_empty()
        && rest.ends_with(&format!("-{}", me.host))
        && pid != me.pid
        && process_start(pid).is_none()
}

/// A short number that tells apart two runs of one host and pid (two containers).
pub fn nonce() -> u32 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32).rotate_left(16))
        .unwrap_or(0);
    nanos ^ std::process::id().rotate_left(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run killed between creating its lock and writing it left an empty lock that
    /// no later run removed (the kill test saw it about one run in two).
    #[test]
    fn an_empty_lock_of_a_gone_run_of_this_host_is_abandoned() {
        let dir = tempfile::tempdir().unwrap();
        let me = Owner::me();
        let mine = dir.path().join(format!(
            ".uptake-2026-11-20-{}-{}-00000001.lock",
            me.host, me.pid
        ));
        std::fs::write(&mine, me.text()).unwrap();
        let empty = |host: &str, pid: u32| {
            let p = dir
                .path()
                .join(format!(".uptake-2026-11-20-{host}-{pid}-0000000a.lock"));
            std::fs::write(&p, b"").unwrap();
            p
        };
        // Gone: this host, a pid no process has (where /proc tells).
        if !me.boot.is_empty() {
            assert!(abandoned(&empty(&me.host, u32::MAX - 7), &mine, &me));
        }
        // Not judged gone: another host's, or a live process's (pid 1), just written.
        assert!(!abandoned(&empty("elsewhere", u32::MAX - 7), &mine, &me));
        assert!(!abandoned(&empty(&me.host, 1), &mine, &me));
        // A file that is no lock of uptake's is never taken for one.
        let other = dir.path().join(".uptake-2026-11-20-user.lock");
        std::fs::write(&other, b"not a lock\n").unwrap();
        assert!(!abandoned(&other, &mine, &me));
    }

    #[test]
    fn a_lock_names_its_run_and_reads_back() {
        let me = Owner::me();
        assert_eq!(Owner::parse(&me.text()), Some(me.clone()));
        assert_eq!(Owner::parse("a file of the user's\n"), None);
        // This run is not gone; a dead pid of this machine is.
        assert!(!me.gone_as_seen_by(&me));
        if !me.boot.is_empty() {
            let dead = Owner {
                pid: u32::MAX - 7,
                ..me.clone()
            };
            assert!(dead.gone_as_seen_by(&me));
            // Another host (or container) cannot be seen: never judged gone so.
            let elsewhere = Owner {
                host: "elsewhere".into(),
                ..dead.clone()
            };
            assert!(!elsewhere.gone_as_seen_by(&me));
            let container = Owner {
                pidns: "pid:[1]".into(),
                ..dead
            };
            assert!(!container.gone_as_seen_by(&me));
        }
    }
}
