//! The `casebook` command line: parses arguments, calls the library, prints diagnostics and
//! maps the outcome to an exit code (0 success, 1 content errors, 2 usage or I/O error).
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod init;
mod new_command;
mod schema_command;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use rayon::prelude::*;

use casebook::diagnostics::{self, Colour};
use cli::{Cli, Command, Format};

// mimalloc: a build allocates and frees millions of small strings from several threads, where
// glibc's allocator took a seventh of the CPU time in a perf profile of the 10,000-page
// benchmark build (benches/build.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let colour = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Colour::Always
    } else {
        Colour::Never
    };
    match cli.command {
        Command::Init(args) => init::run(&args.dir, args.force),
        Command::Build(args) => run_build(&args, colour),
        Command::Serve(args) => run_serve(&args, colour),
        Command::Check(args) => run_check(&args, colour),
        Command::New(args) => new_command::run(&args),
        Command::Schema(args) => schema_command::run(&args.root, args.out.as_deref(), args.vscode),
        Command::Lsp(args) => match casebook::lsp::run_stdio(&args.root) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => usage_error(&format!("language server: {error}")),
        },
    }
}

fn run_check(args: &cli::CheckArgs, colour: Colour) -> ExitCode {
    // A check only gathers: what it frees (each file's text and parse) it asks for again at
    // once, and what it keeps stays to the end. With mimalloc's defaults (freed memory handed
    // back after 10 ms, transparent huge pages asked for) the kernel faulted in and zeroed
    // some 3,000 pages of 2 MB at 100,000 case studies, six GB for a peak of 361 MB, in
    // 1.2-1.6 s of system time. Memory kept, in 4 KB pages: 0.8-0.9 s there, and at 10,000
    // case studies 0.06-0.10 s (was 0.18-0.20); peaks 338-357 MB and 51 MB (were 347-361
    // and 66-69 MB). Measured with /usr/bin/time on benches/scale.sh's copies of the corpora.
    set_allocator_option(MI_OPTION_PURGE_DELAY, -1);
    #[cfg(target_os = "linux")]
    let _speed_only_so_a_refusal_is_no_error = rustix::thread::disable_transparent_huge_pages(true);
    // `check` renders nothing: pages need not keep their bodies, nor what only pages show.
    let options = casebook::CheckOptions {
        bodies: false,
        shown: false,
        ..casebook::CheckOptions::default()
    };
    let mut checked = match casebook::check_with(&args.root, &options) {
        Ok(checked) => checked,
        Err(error) => return usage_error(&error.to_string()),
    };
    let reviews = args.as_of.map(|as_of| {
        let status = casebook::model::review::review_status(
            &checked.site,
            checked.config.review_after,
            as_of,
        );
        checked.diagnostics.extend(status.overdue.iter().cloned());
        diagnostics::sort(&mut checked.diagnostics);
        (as_of, status.due_soon)
    });
    let (errors, warnings) = diagnostics::count(&checked.diagnostics);
    match args.format {
        // Without --as-of the output is the array it always was; with it, an object that
        // also carries the reviews falling due.
        Format::Json => match &reviews {
            None => print_stdout(&(diagnostics::to_json(&checked.diagnostics) + "\n")),
            Some((as_of, due_soon)) => {
                let report = ReviewedCheck {
                    diagnostics: &checked.diagnostics,
                    as_of: as_of.to_string(),
                    due_soon,
                };
                let text = serde_json::to_string_pretty(&report).unwrap_or_default();
                print_stdout(&(text + "\n"));
            }
        },
        Format::Human => {
            let text = diagnostics::render_human(
                &checked.diagnostics,
                |file| checked.source_text(file),
                colour,
            );
            eprint!("{text}");
            if let Some((as_of, due_soon)) = &reviews {
                eprint!("{}", due_soon_text(*as_of, due_soon));
            }
            eprintln!(
                "checked {} files: {} {}, {} {}",
                checked.files_read
                    + checked
                        .diagnostics
                        .iter()
                        .filter(|d| d.code == diagnostics::Code::E001
                            || d.code == diagnostics::Code::E011)
                        .count(),
                errors,
                plural(errors, "error", "errors"),
                warnings,
                plural(warnings, "warning", "warnings"),
            );
        }
    }
    // The pages were made on the worker threads, of many small allocations: they are freed
    // there, in parallel, not one by one on this thread (at 100,000 case studies, 0.1 s).
    std::mem::take(&mut checked.site.pages)
        .into_par_iter()
        .for_each(drop);
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The JSON of `check --as-of`: the diagnostics (W108 among them) and the reviews due soon.
#[derive(serde::Serialize)]
struct ReviewedCheck<'a> {
    diagnostics: &'a [diagnostics::Diagnostic],
    as_of: String,
    due_soon: &'a [casebook::model::review::DueSoon],
}

/// The human list of reviews falling due, after the diagnostics of `check --as-of`.
fn due_soon_text(
    as_of: casebook::model::time::Date,
    due_soon: &[casebook::model::review::DueSoon],
) -> String {
    let days = casebook::model::review::DUE_SOON_DAYS;
    if due_soon.is_empty() {
        return format!("no page is due for review in the {days} days from {as_of}\n");
    }
    let mut text = format!("due for review in the {days} days from {as_of}:\n");
    for page in due_soon {
        let when = match page.days_left {
            0 => "today".to_owned(),
            1 => "in 1 day".to_owned(),
            n => format!("in {n} days"),
        };
        text += &format!(
            "  {} ({when})  {}  {}\n",
            page.review_due, page.file, page.title
        );
    }
    text
}

fn run_build(args: &cli::BuildArgs, colour: Colour) -> ExitCode {
    let options = casebook::BuildOptions {
        root: args.root.clone(),
        output: args.output.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
    };
    let started = std::time::Instant::now();
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    // A spinner on a terminal, shown once a build has taken a second; nothing when piped.
    let stage = std::sync::atomic::AtomicU8::new(0);
    let done = std::sync::atomic::AtomicBool::new(false);
    // CASEBOOK_TIMINGS=1 prints how long each stage took (for benchmarks and profiling).
    let timings = std::env::var_os("CASEBOOK_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0");
    let last = std::sync::Mutex::new((started, "")); // when the current stage began, its name
    let output = options.output_folder();
    let progress = |current: casebook::Stage| {
        let (number, name) = match current {
            casebook::Stage::Waiting => {
                // Shown even with --quiet: it explains why the build seems to do nothing.
                eprintln!(
                    "waiting for another casebook build into {}/ to finish…",
                    output.display()
                );
                (4, "wait")
            }
            casebook::Stage::Checking => (0, "check"),
            casebook::Stage::Rendering => (1, "render"),
            casebook::Stage::Indexing => (2, "index"),
            casebook::Stage::Writing => (3, "static"),
        };
        stage.store(number, std::sync::atomic::Ordering::Relaxed);
        if timings {
            stage_timing(&last, name);
        }
    };
    let result = std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| spin(started, &stage, &done));
        }
        let result = casebook::build(&options, &progress);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    });
    if timings {
        stage_timing(&last, "");
    }
    match result {
        Ok(report) => {
            let (_, warnings) = diagnostics::count(&report.checked.diagnostics);
            if warnings > 0 {
                eprint!(
                    "{}",
                    diagnostics::render_human(
                        &report.checked.diagnostics,
                        |file| report.checked.source_text(file),
                        colour
                    )
                );
            }
            for leftover in &report.leftovers {
                eprintln!("warning: {leftover}");
            }
            if report.images.cache_failures > 0 {
                eprintln!(
                    "warning: {} image files could not be stored in the cache ({}/images); the next build encodes them again",
                    report.images.cache_failures,
                    casebook::cache::CACHE_DIR
                );
            }
            let warnings = warnings + report.leftovers.len();
            if !args.quiet {
                let index = report.output.join("index.html");
                let images = &report.images;
                let images = if images.images == 0 {
                    String::new()
                } else {
                    format!(
                        "; {} {}: {} files encoded, {} from the cache",
                        images.images,
                        plural(images.images, "image", "images"),
                        images.encoded,
                        images.cached
                    )
                };
                eprintln!(
                    "built {} pages ({} files{images}) in {:.2} s with {} {}{}\nopen {}",
                    report.pages,
                    report.files,
                    started.elapsed().as_secs_f64(),
                    warnings,
                    plural(warnings, "warning", "warnings"),
                    drafts_left_out(report.drafts_left_out, "build with --drafts"),
                    index.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(casebook::BuildError::Content(checked)) => {
            eprint!(
                "{}",
                diagnostics::render_human(
                    &checked.diagnostics,
                    |file| checked.source_text(file),
                    colour
                )
            );
            let (errors, _) = diagnostics::count(&checked.diagnostics);
            eprintln!(
                "build stopped: {errors} {}; nothing was written and the previous output is unchanged",
                plural(errors, "error", "errors")
            );
            ExitCode::from(1)
        }
        Err(casebook::BuildError::Other(error)) => usage_error(&error.to_string()),
    }
}

/// mimalloc's `mi_option_purge_delay`: the 16th option of `mi_option_e` in `mimalloc.h`, the
/// same in mimalloc 2 and 3 (libmimalloc-sys names no constant for it). Milliseconds that freed
/// memory is kept before it goes back to the system; never when negative. `build` keeps the
/// default, 10: never handing memory back raised its peak at 100,000 case studies from 1.35 to
/// 1.53 GB.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets one of mimalloc's options for the rest of the process.
fn set_allocator_option(option: libmimalloc_sys::mi_option_t, value: std::ffi::c_long) {
    // SAFETY: mi_option_set only stores an integer option, which any thread may do at any time.
    // The project's one unsafe block: a call into the allocator's C API.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(option, value)
    };
}

fn run_serve(args: &cli::ServeArgs, colour: Colour) -> ExitCode {
    use casebook::serve::{Drafts, Report, ServeOptions};
    // The preview rebuilds again and again in the same memory: by default mimalloc hands freed
    // pages back to the system after 10 ms and each rebuild faulted them in again, which added
    // about 30 ms to every save on a 10,000-page site (benches/serve.sh). Never handing them
    // back kept the peak of the first build and of every search index resident for good, so
    // they go back after a second unused: saves in a row reuse them.
    set_allocator_option(MI_OPTION_PURGE_DELAY, 1000);
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}, not loopback: other machines on the network can see the preview, drafts included",
            args.bind
        );
    }
    let options = ServeOptions {
        root: args.root.clone(),
        bind: args.bind,
        port: args.port,
        drafts: if args.no_drafts {
            Drafts::Hidden
        } else {
            Drafts::Shown
        },
        colour,
        // CASEBOOK_TIMINGS=1: what the preview holds, after each rebuild.
        held: std::env::var_os("CASEBOOK_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0"),
    };
    let report = |report: Report<'_>| match report {
        Report::Listening {
            url,
            note,
            pages,
            hidden_drafts,
            took,
        } => {
            if let Some(note) = note {
                eprintln!("note: {note}");
            }
            eprintln!(
                "built {pages} pages for the preview in {:.2} s{}
serving {url}  (Ctrl-C to stop)",
                took.as_secs_f64(),
                drafts_left_out(hidden_drafts, "serve without --no-drafts")
            );
            if args.open {
                open_browser(url);
            }
        }
        Report::Diagnostics(text) => eprint!("{text}"),
        Report::Watching(text) => eprintln!("{text}"),
        Report::Rebuilt(update) => {
            eprintln!(
                "rebuilt in {} ms: {} {} rendered, {} changed{}",
                update.took.as_millis(),
                update.rendered,
                plural(update.rendered, "file", "files"),
                update.changed.len(),
                if update.full { " (everything)" } else { "" },
            );
            // CASEBOOK_TIMINGS=1: each step of the rebuild, as `build` prints its stages.
            if std::env::var_os("CASEBOOK_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0") {
                let steps: Vec<String> = update
                    .steps
                    .iter()
                    .map(|(name, took)| format!("{name} {:.1}", took.as_secs_f64() * 1000.0))
                    .collect();
                eprintln!("  steps (ms): {}", steps.join(", "));
            }
        }
        Report::Searched {
            files,
            changed,
            took,
        } => eprintln!(
            "search index updated in {} ms: {files} {}, {changed} changed",
            took.as_millis(),
            plural(files, "file", "files"),
        ),
        Report::Kept { errors } => eprintln!(
            "{errors} {}: still serving the last good version (fix and save to update)",
            plural(errors, "error", "errors")
        ),
        Report::Held(held) => {
            // The resident memory as the system counts it (Linux), beside what is held.
            let resident = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|status| {
                    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
                    Some(line["VmRSS:".len()..].trim().to_owned())
                })
                .unwrap_or_default();
            eprintln!("  {held}; VmRSS {resident}");
        }
    };
    match casebook::serve::serve(&options, &report) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => usage_error(&error.to_string()),
    }
}

/// Opens `url` with xdg-open (or `open` on macOS) when there is one; never fails.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        eprintln!("note: could not run {opener}; open {url} in your browser");
    }
}

/// Prints how long the stage recorded in `last` took and starts the stage `next`.
fn stage_timing(last: &std::sync::Mutex<(std::time::Instant, &'static str)>, next: &'static str) {
    let mut last = last
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = std::time::Instant::now();
    if !last.1.is_empty() {
        eprintln!(
            "timing: {:<7}{:>8.3} s",
            last.1,
            (now - last.0).as_secs_f64()
        );
    }
    *last = (now, next);
}

/// Shows the build's stage and elapsed time until `done`, starting after one second.
fn spin(
    started: std::time::Instant,
    stage: &std::sync::atomic::AtomicU8,
    done: &std::sync::atomic::AtomicBool,
) {
    const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
    let mut frame = 0;
    let mut shown = false;
    while !done.load(std::sync::atomic::Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if started.elapsed().as_secs_f64() < 1.0 {
            continue;
        }
        let label = match stage.load(std::sync::atomic::Ordering::Relaxed) {
            0 => "checking content",
            1 => "rendering and writing pages",
            2 => "finishing the search index",
            3 => "copying static files",
            _ => "waiting for the other build",
        };
        eprint!(
            "\r\x1b[2K{} {label}… {:.1} s",
            FRAMES[frame % 4],
            started.elapsed().as_secs_f64()
        );
        frame += 1;
        shown = true;
    }
    if shown {
        eprint!("\r\x1b[2K");
    }
}

pub(crate) fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Prints to stdout; a closed pipe (`casebook check --format json | head`) is not an error.
pub(crate) fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _closed_pipe_is_fine = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// "; left out 2 drafts (build with --drafts to include them)", or nothing when none were.
fn drafts_left_out(count: usize, to_include: &str) -> String {
    if count == 0 {
        return String::new();
    }
    format!(
        "; left out {count} {} ({to_include} to include them)",
        plural(count, "draft", "drafts")
    )
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}
