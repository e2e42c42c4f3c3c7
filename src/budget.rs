//! How much is compiled at once: the bound that keeps a build's memory in proportion to
//! its largest page rather than to that page times `--jobs`.
//!
//! A page's compile and render hold about 20 times its size for prose, and about 8 KiB per
//! line for pages of many one-line items (each line an item: its block tree, model, the
//! templates' values and its share of the rendered pages; BENCHMARKS.md has the figures).
//! [`cost`] estimates a page's peak from its bytes and lines; pages run `--jobs` at a time
//! while their costs add up to at most [`PAGE_BUDGET`], and a page of that cost or more
//! runs alone.

use std::sync::{Condvar, Mutex};

/// The estimated memory of the pages compiled and rendered at once: 512 MiB (a page of
/// that [`cost`] or more is compiled while no other page is). Pages of an ordinary size
/// (the largest Well-Architected page is 68 KB, a cost of about 6 MiB) are never held back.
pub const PAGE_BUDGET: u64 = 512 << 20;

/// The cost from which a page is compiled on the build's one thread for large pages
/// (128 MiB): each thread allocates from its own arena, which keeps what it was given, so
/// large pages compiled on one thread reuse one another's memory instead of each thread
/// keeping the peak of the largest it compiled.
pub const LARGE_PAGE: u64 = PAGE_BUDGET / 4;

/// A page's estimated peak memory, in bytes: 20 bytes per byte of Markdown and 8 KiB per
/// line (an upper bound on its items). `text` is the whole file as read.
pub fn cost(text: &str) -> u64 {
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64 + 1;
    (text.len() as u64)
        .saturating_mul(20)
        .saturating_add(lines.saturating_mul(8 << 10))
}

/// A counting gate over page costs, shared by the threads of one build.
#[derive(Debug)]
pub struct Budget {
    cap: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

/// A share of a [`Budget`], given back when dropped.
#[derive(Debug)]
pub struct Share<'a> {
    budget: &'a Budget,
    bytes: u64,
}

impl Budget {
    /// A gate of `cap` bytes (at least 1).
    pub fn new(cap: u64) -> Budget {
        Budget {
            cap: cap.max(1),
            used: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// Waits until a page of `bytes` fits beside the pages being compiled, and takes its
    /// share: `bytes`, or the whole budget for a page that large. A page never waits while
    /// nothing else runs, so every page gets its turn.
    pub fn take(&self, bytes: u64) -> Share<'_> {
        let bytes = bytes.clamp(1, self.cap);
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        while *used > 0 && *used + bytes > self.cap {
            used = self.freed.wait(used).unwrap_or_else(|p| p.into_inner());
        }
        *used += bytes;
        Share {
            budget: self,
            bytes,
        }
    }
}

impl Drop for Share<'_> {
    fn drop(&mut self) {
        let mut used = self.budget.used.lock().unwrap_or_else(|p| p.into_inner());
        *used = used.saturating_sub(self.bytes);
        drop(used);
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Eight threads take shares of mixed sizes; at no time do the shares held add up to
    /// more than the budget, except one page larger than it, held alone.
    #[test]
    fn shares_never_exceed_the_budget_and_large_pages_run_alone() {
        let budget = Budget::new(100);
        let held = AtomicU64::new(0);
        let peak = AtomicU64::new(0);
        let alone = AtomicU64::new(0);
        let sizes = [10u64, 60, 250, 30, 100, 1, 99, 500, 40, 70, 5, 101];
        std::thread::scope(|s| {
            for t in 0..8 {
                let (budget, held, peak, alone) = (&budget, &held, &peak, &alone);
                s.spawn(move || {
                    for (i, &size) in sizes.iter().enumerate().skip(t % 3) {
                        let share = budget.take(size);
                        let now = held.fetch_add(share.bytes, Ordering::SeqCst) + share.bytes;
                        peak.fetch_max(now, Ordering::SeqCst);
                        if size >= 100 && now == 100 {
                            alone.fetch_add(1, Ordering::SeqCst);
                        }
                        std::thread::sleep(std::time::Duration::from_micros(50 * (i as u64 % 4)));
                        held.fetch_sub(share.bytes, Ordering::SeqCst);
                        drop(share);
                    }
                });
            }
        });
        assert_eq!(peak.load(Ordering::SeqCst), 100);
        assert_eq!(held.load(Ordering::SeqCst), 0);
        // Every page of the budget's size or more ran alone.
        let large_per_thread = |skip: usize| sizes.iter().skip(skip).filter(|&&s| s >= 100).count();
        let expected: usize = (0..8).map(|t| large_per_thread(t % 3)).sum();
        assert_eq!(alone.load(Ordering::SeqCst), expected as u64);
        assert_eq!(*budget.used.lock().expect("lock"), 0);
    }

    #[test]
    fn cost_counts_bytes_and_lines() {
        assert_eq!(cost(""), 8 << 10);
        assert_eq!(cost("# T\n\n- [ ] a\n"), 13 * 20 + 4 * (8 << 10));
        // 50,000 one-line items: about 400 MiB, a large page.
        let tasks: String = (0..50_000).map(|i| format!("- [ ] t{i}\n")).collect();
        assert!(cost(&tasks) >= LARGE_PAGE && cost(&tasks) < PAGE_BUDGET);
    }

    #[test]
    fn an_empty_page_takes_a_share_of_one_byte() {
        let budget = Budget::new(4);
        let a = budget.take(0);
        let b = budget.take(3);
        assert_eq!((a.bytes, b.bytes), (1, 3));
    }
}
