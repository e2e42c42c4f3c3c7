//! Whole-process figures: checkdown against the floor (examples/floor.rs), the scale corpus
//! (1x, 10x, 100x the shared corpus) with `--jobs 1` and `--jobs 2`, and the single seed.
//!
//!     cargo build --release --bins --examples
//!     cargo bench --bench process -- [--runs N] [--scales 1,10,100] [--only floor,seed,scale]
//!                                    [--out DIR]
//!
//! Outputs go under `--out` (default: the target's tmp folder). On this project's machines
//! writing 100 MB of new files to the disk costs more system time per MB than writing
//! 10 MB; `--out /dev/shm/...` (tmpfs) takes the file system out of the figures.
//!
//! Commands being compared run alternately (A B A B ...), each into an emptied output
//! folder (emptied outside the timing); each figure is the median of `--runs` runs (default
//! 11; 5 at 100x). Peak RSS is the child's own maximum resident set, from wait4(2).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHECKDOWN: &str = env!("CARGO_BIN_EXE_checkdown");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: Option<usize> = flag(&args, "--runs").and_then(|v| v.parse().ok());
    let scales: Vec<usize> = flag(&args, "--scales")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 10, 100]);
    let only: Option<Vec<String>> =
        flag(&args, "--only").map(|s| s.split(',').map(str::to_string).collect());
    let wants = |what: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == what));

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = repo.join("../shared/corpus/waf");
    let corpus = corpus.canonicalize().unwrap_or_else(|_| {
        eprintln!("process: no corpus at {}", corpus.display());
        std::process::exit(2)
    });
    let bin_dir = Path::new(CHECKDOWN).parent().expect("target dir");
    let floor = fresh_example(repo, bin_dir, "floor");
    let scale = fresh_example(repo, bin_dir, "scale");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("process-bench");
    std::fs::create_dir_all(&tmp).expect("tmp dir");
    let out_root = flag(&args, "--out").map_or_else(|| tmp.clone(), PathBuf::from);
    std::fs::create_dir_all(&out_root).expect("output dir");
    let out = out_root.join("out");
    // Each input's lock file goes beside, never into INPUT (the corpus is read in place).
    let lock_for = |name: &str| {
        let path = tmp.join(format!("{name}.lock"));
        let _ = std::fs::remove_file(&path);
        path.to_str().expect("UTF-8 path").to_string()
    };

    println!("machine: {}", machine());
    println!("outputs under {}", out_root.display());
    println!("load average at start: {}", loadavg());

    if wants("floor") {
        let runs = runs.unwrap_or(11);
        let lock = lock_for("corpus");
        let mb = md_bytes(&corpus) as f64 / 1e6;
        println!("\n## checkdown build --jobs 1 (all formats) vs the floor, shared corpus ({mb:.2} MB), median of {runs}");
        let figures = alternate(
            runs,
            &out,
            &[
                ("floor", cmd(&floor, &[p(&corpus), p(&out)])),
                (
                    "checkdown --jobs 1",
                    cmd(
                        Path::new(CHECKDOWN),
                        &[
                            "build",
                            p(&corpus),
                            "-o",
                            p(&out),
                            "--lock",
                            &lock,
                            "--jobs",
                            "1",
                        ],
                    ),
                ),
            ],
        );
        print_table(&figures, mb);
        println!(
            "ratio checkdown --jobs 1 / floor: {:.2}",
            figures[1].wall.as_secs_f64() / figures[0].wall.as_secs_f64()
        );
    }

    if wants("seed") {
        let runs = runs.unwrap_or(11);
        let seed_dir = tmp.join("seed/security");
        std::fs::create_dir_all(&seed_dir).expect("seed dir");
        std::fs::copy(
            repo.join("input/security/maturity-model.md"),
            seed_dir.join("maturity-model.md"),
        )
        .expect("seed copy");
        let input = tmp.join("seed");
        let lock = lock_for("seed");
        println!("\n## the single seed (input/security/maturity-model.md alone), median of {runs}");
        let figures = alternate(
            runs,
            &out,
            &[
                (
                    "checkdown (default jobs)",
                    cmd(
                        Path::new(CHECKDOWN),
                        &["build", p(&input), "-o", p(&out), "--lock", &lock],
                    ),
                ),
                (
                    "checkdown --jobs 1",
                    cmd(
                        Path::new(CHECKDOWN),
                        &[
                            "build",
                            p(&input),
                            "-o",
                            p(&out),
                            "--lock",
                            &lock,
                            "--jobs",
                            "1",
                        ],
                    ),
                ),
            ],
        );
        print_table(&figures, md_bytes(&input) as f64 / 1e6);
    }

    if wants("scale") {
        let mut per_mb_1x = None;
        for &n in &scales {
            let runs = runs.unwrap_or(if n >= 100 { 5 } else { 11 });
            let input = tmp.join(format!("scale-{n}"));
            let status = Command::new(&scale)
                .args([p(&corpus), p(&input), &n.to_string()])
                .stdout(Stdio::null())
                .status()
                .expect("scale runs");
            assert!(status.success(), "scale failed");
            let bytes = md_bytes(&input);
            let mb = bytes as f64 / 1e6;
            let lock = lock_for(&format!("scale-{n}"));
            println!("\n## {n}x the corpus ({mb:.1} MB of Markdown), median of {runs}");
            let figures = alternate(
                runs,
                &out,
                &[
                    ("floor", cmd(&floor, &[p(&input), p(&out)])),
                    (
                        "checkdown --jobs 1",
                        cmd(
                            Path::new(CHECKDOWN),
                            &[
                                "build",
                                p(&input),
                                "-o",
                                p(&out),
                                "--lock",
                                &lock,
                                "--jobs",
                                "1",
                            ],
                        ),
                    ),
                    (
                        "checkdown --jobs 2",
                        cmd(
                            Path::new(CHECKDOWN),
                            &[
                                "build",
                                p(&input),
                                "-o",
                                p(&out),
                                "--lock",
                                &lock,
                                "--jobs",
                                "2",
                            ],
                        ),
                    ),
                ],
            );
            print_table(&figures, mb);
            let j1 = figures[1].wall.as_secs_f64();
            let j2 = figures[2].wall.as_secs_f64();
            let per_mb = j1 / mb;
            let base = *per_mb_1x.get_or_insert(per_mb);
            println!(
                "ratio --jobs 1 / floor: {:.2}",
                j1 / figures[0].wall.as_secs_f64()
            );
            println!("speedup --jobs 1 / --jobs 2: {:.2}", j1 / j2);
            println!(
                "time per MB (--jobs 1): {:.2} ms, {:.2}x the first scale's",
                per_mb * 1e3,
                per_mb / base
            );
            let rss = figures[1].rss_kb.max(figures[2].rss_kb) as f64 * 1024.0;
            println!(
                "peak RSS: {:.1} MB = {:.2} of the Markdown bytes",
                rss / 1e6,
                rss / bytes as f64
            );
            let _ = std::fs::remove_dir_all(&out);
        }
    }
    println!("\nload average at end: {}", loadavg());
}

struct Figure {
    name: String,
    wall: Duration,
    cpu: Duration,
    rss_kb: u64,
}

fn cmd(program: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Runs the commands alternately `runs` times (after one warm-up round), emptying `out`
/// before each run, and returns each command's median wall time, median CPU time and
/// largest peak RSS.
fn alternate(runs: usize, out: &Path, commands: &[(&str, Command)]) -> Vec<Figure> {
    let mut commands: Vec<(&str, Command)> = commands
        .iter()
        .map(|(n, c)| {
            let mut copy = Command::new(c.get_program());
            copy.args(c.get_args())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            (*n, copy)
        })
        .collect();
    let mut samples: Vec<Vec<(Duration, Duration, u64)>> = vec![Vec::new(); commands.len()];
    for round in 0..=runs {
        for (i, (name, c)) in commands.iter_mut().enumerate() {
            let _ = std::fs::remove_dir_all(out);
            let (wall, cpu, rss, code) = measure(c);
            assert!(code <= 1, "{name} failed with exit status {code}");
            if round > 0 {
                samples[i].push((wall, cpu, rss));
            }
        }
    }
    let _ = std::fs::remove_dir_all(out);
    commands
        .iter()
        .zip(samples)
        .map(|((name, _), mut s)| {
            let rss_kb = s.iter().map(|x| x.2).max().unwrap_or(0);
            s.sort_by_key(|x| x.0);
            let wall = s[s.len() / 2].0;
            s.sort_by_key(|x| x.1);
            let cpu = s[s.len() / 2].1;
            Figure {
                name: name.to_string(),
                wall,
                cpu,
                rss_kb,
            }
        })
        .collect()
}

/// Wall time, CPU time (user + system), peak RSS in KB and exit status of one run. The
/// child is reaped by wait4, which also reports its own resource usage.
#[allow(clippy::zombie_processes)]
fn measure(c: &mut Command) -> (Duration, Duration, u64, i32) {
    let start = Instant::now();
    let child = c.spawn().expect("spawns");
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data that wait4 fills in; the pid is our own child, which
    // nothing else waits for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert!(pid > 0, "wait4 failed");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (wall, cpu, usage.ru_maxrss as u64, code)
}

fn print_table(figures: &[Figure], mb: f64) {
    println!(
        "{:<26} {:>10} {:>10} {:>10} {:>10}",
        "command", "wall ms", "cpu ms", "MB/s", "RSS MB"
    );
    for f in figures {
        println!(
            "{:<26} {:>10.1} {:>10.1} {:>10.1} {:>10.1}",
            f.name,
            f.wall.as_secs_f64() * 1e3,
            f.cpu.as_secs_f64() * 1e3,
            mb / f.wall.as_secs_f64(),
            f.rss_kb as f64 * 1024.0 / 1e6
        );
    }
}

/// The example binary next to checkdown's, refused when missing or older than its source.
fn fresh_example(repo: &Path, bin_dir: &Path, name: &str) -> PathBuf {
    let bin = bin_dir.join("examples").join(name);
    let src = repo.join("examples").join(format!("{name}.rs"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(&bin), modified(&src)) {
        (Some(b), Some(s)) if b >= s => bin,
        _ => {
            eprintln!(
                "process: {} is missing or stale; run `cargo build --release --bins --examples` first",
                bin.display()
            );
            std::process::exit(2)
        }
    }
}

/// Bytes of the `*.md` files under `dir`.
fn md_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn flag(args: &[String], name: &str) -> Option<String> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1).cloned()
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {cores} cores available")
}
