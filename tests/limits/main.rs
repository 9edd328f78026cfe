//! Ceilings, not only "no panic": hostile or unlucky content is read in time and memory in
//! proportion to its size. Every allocation of this test binary is counted per thread (so
//! tests running side by side do not mix), and each stage is measured on its own: YAML front
//! matter (`yaml.rs`) and Markdown bodies (`markdown.rs`). One binary holds both because a
//! program has one allocator, and it is the only test code that needs `unsafe` (an allocator
//! is an unsafe trait).
#![allow(missing_docs, unsafe_code)]

mod markdown;
mod yaml;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// The system allocator, counting what the current thread has live, its peak and its total.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static TOTAL: Cell<usize> = const { Cell::new(0) };
}

fn allocated(size: usize) {
    let live = LIVE.get() + size as isize;
    LIVE.set(live);
    PEAK.set(PEAK.get().max(live));
    TOTAL.set(TOTAL.get() + size);
}

fn freed(size: usize) {
    LIVE.set(LIVE.get() - size as isize);
}

// SAFETY: every call is passed on to `System` unchanged; the counting touches only
// thread-local cells, which neither allocate nor unwind.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            allocated(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            allocated(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        freed(layout.size());
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            // Both blocks can be live at once while the contents move.
            allocated(new_size);
            freed(layout.size());
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What one stage cost.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cost {
    pub(crate) time: Duration,
    /// The most bytes it had allocated at once (its result included).
    pub(crate) peak: usize,
    /// Every byte it allocated, freed or not.
    pub(crate) total: usize,
}

/// Runs `stage` on this thread and measures it.
pub(crate) fn measure<T>(stage: impl FnOnce() -> T) -> (T, Cost) {
    let live_before = LIVE.get();
    PEAK.set(live_before);
    TOTAL.set(0);
    let start = Instant::now();
    let result = stage();
    let time = start.elapsed();
    let cost = Cost {
        time,
        peak: (PEAK.get() - live_before).max(0) as usize,
        total: TOTAL.get(),
    };
    (result, cost)
}
