//! Many sessions graded at once: `map_in_order` spreads a slice over the machine's cores
//! with scoped threads and gives the results back in the slice's order, so a report does
//! not depend on how many cores graded it. On wasm32 (no threads) it is a plain map.

/// Below this many items one thread does the work: starting threads would cost more.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
const MIN_PER_THREAD: usize = 64;

/// `f` applied to every item of `items`, in order, on up to as many threads as the
/// machine has cores.
pub fn map_in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let threads = threads_for(items.len());
    if threads <= 1 {
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| f(i, item))
            .collect();
    }
    spread(items, threads, &f)
}

fn threads_for(items: usize) -> usize {
    cores().min(items / MIN_PER_THREAD)
}

/// The cores grading may use: the threads worth starting to grade at once.
#[cfg(not(target_arch = "wasm32"))]
pub fn cores() -> usize {
    // Asked once: on Linux the answer reads the cgroup's files, and a capture is graded in
    // many batches.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

#[cfg(target_arch = "wasm32")]
pub fn cores() -> usize {
    1
}

/// Contiguous chunks, one per thread, joined in order.
#[cfg(not(target_arch = "wasm32"))]
fn spread<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: &(impl Fn(usize, &T) -> R + Sync),
) -> Vec<R> {
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, item)| f(n * chunk + i, item))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                // A panic in `f` is a bug: pass it on as if it happened here.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(target_arch = "wasm32")]
fn spread<T: Sync, R: Send>(
    items: &[T],
    _threads: usize,
    f: &(impl Fn(usize, &T) -> R + Sync),
) -> Vec<R> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| f(i, item))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::map_in_order;

    #[test]
    fn results_come_back_in_order_with_their_index() {
        for n in [0, 1, 63, 64, 129, 1000] {
            let items: Vec<u64> = (0..n).collect();
            let out = map_in_order(&items, |i, item| (i as u64, item * 3));
            let expected: Vec<(u64, u64)> = items.iter().map(|&x| (x, x * 3)).collect();
            assert_eq!(out, expected, "{n} items");
        }
    }
}
