//! The command-line interface (native only): fit the model, predict one wijk, score profiles in
//! batch, and generate the page's data.

use jeugdhulp_wijk::data::{self, fs::data_dir, Dataset};
use jeugdhulp_wijk::determinants;
use jeugdhulp_wijk::model::{self, Model, Predictor};
use jeugdhulp_wijk::score;
use jeugdhulp_wijk::site::SiteData;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
jeugdhulp-wijk: verwacht gebruik van jeugdhulp zonder verblijf per wijk (SCP-model, 2017)

Gebruik:
  jeugdhulp-wijk fit     [--data DIR] [--determinants a,b,c] [--impute scp|gemeente] [--out FILE]
  jeugdhulp-wijk predict --model FILE --wijk WK036300 [--data DIR]
  jeugdhulp-wijk score   --model FILE --input profiles.csv --output scored.csv
  jeugdhulp-wijk site    --model FILE [--data DIR] --out DIR
  jeugdhulp-wijk bench   [--data DIR] [--runs N]
  jeugdhulp-wijk determinants

De datamap is --data DIR, anders $JEUGDHULP_DATA, anders data (in de huidige map).
`fit` zonder --out schrijft het model naar standaarduitvoer. --impute scp (standaard) is
de specificatie die SCP's verwachting nabootst (docs/fidelity.md); --impute gemeente is
die van vóór issue 9 (gemeentegemiddelde, onderdrukte wijken niet in de schatting).
";

/// Write to standard output. When the reader has gone (`… | head`), stop
/// quietly: that is not an error of ours.
fn write_out(args: std::fmt::Arguments, newline: bool) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(args)
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("fout: kan niet naar standaarduitvoer schrijven: {e}");
            std::process::exit(1);
        }
    }
}

macro_rules! outln {
    ($($arg:tt)*) => { write_out(format_args!($($arg)*), true) };
}

macro_rules! out {
    ($($arg:tt)*) => { write_out(format_args!($($arg)*), false) };
}

struct Args {
    flags: HashMap<String, String>,
}

impl Args {
    fn parse(raw: &[String]) -> Result<Args, String> {
        let mut flags = HashMap::new();
        let mut it = raw.iter();
        while let Some(a) = it.next() {
            let Some(name) = a.strip_prefix("--") else {
                return Err(format!("onverwacht argument '{a}'"));
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => (
                    name.to_string(),
                    it.next()
                        .ok_or_else(|| format!("--{name} heeft een waarde nodig"))?
                        .clone(),
                ),
            };
            if flags.contains_key(&name) {
                return Err(format!(
                    "optie --{name} staat meer dan één keer op de opdrachtregel"
                ));
            }
            flags.insert(name, value);
        }
        Ok(Args { flags })
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.flags.get(name).map(String::as_str)
    }
    fn need(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("--{name} ontbreekt\n\n{USAGE}"))
    }
    fn only(&self, allowed: &[&str]) -> Result<(), String> {
        match self.flags.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(format!("onbekende optie --{k}\n\n{USAGE}")),
            None => Ok(()),
        }
    }
}

fn load(args: &Args) -> Result<(data::fs::Loaded, PathBuf), String> {
    let dir = data_dir(args.get("data"));
    Ok((data::fs::load(&dir)?, dir))
}

fn fit_from_args(args: &Args) -> Result<(Model, data::fs::Loaded), String> {
    let (loaded, _) = load(args)?;
    let dets = match args.get("determinants") {
        Some(list) => determinants::select(&list.split(',').collect::<Vec<_>>())?,
        None => model::default_determinants(),
    };
    let spec = model::Spec::parse(args.get("impute").unwrap_or("scp"))?;
    let input = model::Input {
        file: data::WIJK_FILE,
        sha256: &loaded.sha256,
        youth_file: data::YOUTH_FILE,
        youth_sha256: &loaded.youth_sha256,
    };
    let model = model::fit_model_with(&loaded.dataset, &dets, spec, &input)?;
    Ok((model, loaded))
}

fn read_model(path: &str) -> Result<Predictor, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("kan model {path} niet lezen: {e}"))?;
    let model = Model::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
    Predictor::new(model).map_err(|e| format!("{path}: {e}"))
}

fn create_parent(path: &Path) -> Result<(), String> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => std::fs::create_dir_all(parent)
            .map_err(|e| format!("kan map {} niet maken: {e}", parent.display())),
        None => Ok(()),
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    create_parent(path)?;
    std::fs::write(path, text).map_err(|e| format!("kan {} niet schrijven: {e}", path.display()))
}

/// Write the model to `path`. A regular file with one name (or a new file) is
/// replaced whole: the model is written next to it and renamed over it, so a
/// reader never sees half a model, a failed run leaves the old one, and ext4
/// does not flush the old contents as it would on truncation. Anything else
/// (a symbolic link, a device such as /dev/stdout, a file with several names,
/// a folder without room for a temporary file) is written in place, as `>`
/// would.
fn write_model(path: &Path, model: &Model) -> Result<(), String> {
    use std::io::Write;
    let failed = |e: &dyn std::fmt::Display| format!("kan {} niet schrijven: {e}", path.display());
    create_parent(path)?;
    let serialise = |file: std::fs::File| -> std::io::Result<()> {
        let mut writer = std::io::BufWriter::with_capacity(1 << 16, file);
        serde_json::to_writer_pretty(&mut writer, model)?;
        writer.flush()
    };
    let existing = std::fs::symlink_metadata(path).ok();
    let replace = existing
        .as_ref()
        .is_none_or(|meta| meta.file_type().is_file() && one_name(meta));
    if replace {
        let mut partial = path.as_os_str().to_owned();
        partial.push(format!(".{}.tmp", std::process::id()));
        let partial = PathBuf::from(partial);
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial);
        if let Ok(file) = created {
            let written = existing
                .as_ref()
                .map_or(Ok(()), |meta| file.set_permissions(meta.permissions()))
                .and_then(|()| serialise(file))
                .and_then(|()| std::fs::rename(&partial, path));
            if written.is_err() {
                let _ = std::fs::remove_file(&partial);
            }
            return written.map_err(|e| failed(&e));
        }
    }
    let file = std::fs::File::create(path).map_err(|e| failed(&e))?;
    serialise(file).map_err(|e| failed(&e))
}

#[cfg(unix)]
fn one_name(meta: &std::fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::nlink(meta) == 1
}

#[cfg(not(unix))]
fn one_name(_: &std::fs::Metadata) -> bool {
    true
}

fn cmd_fit(args: &Args) -> Result<ExitCode, String> {
    args.only(&["data", "determinants", "impute", "out"])?;
    let (m, loaded) = fit_from_args(args)?;
    match args.get("out") {
        Some(out) => {
            write_model(Path::new(out), &m)?;
            // One line, one write (stderr is unbuffered).
            let line = format!(
                "model geschreven naar {out}: {} wijken, {} gemeenten, {} regio's, REML-criterium {:.6}, {} ({} iteraties)\n",
                m.n_fit, m.n_gemeente, m.n_regio, m.reml_criterion, m.fit.message, m.fit.iterations
            );
            eprint!("{line}");
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let written = serde_json::to_writer_pretty(&mut out, &m)
                .map_err(std::io::Error::from)
                .and_then(|()| std::io::Write::write_all(&mut out, b"\n"))
                .and_then(|()| std::io::Write::flush(&mut out));
            match written {
                // A reader that stops early (`| head`) is not an error of ours.
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(format!(
                        "kan het model niet naar standaarduitvoer schrijven: {e}"
                    ))
                }
                _ => {}
            }
        }
    }
    let code = if m.fit.converged {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    };
    // The process ends here: leave the ~10 000 small allocations of the
    // dataset and model to the operating system instead of freeing them one
    // by one (about 0.5 ms, a twentieth of the whole run).
    std::mem::forget((m, loaded));
    Ok(code)
}

fn fmt_opt(v: Option<f64>, unit: &str) -> String {
    v.map_or("niet gepubliceerd (minder dan 10 jongeren)".into(), |v| {
        format!("{v:.2}{unit}")
    })
}

/// A youth count for people: whole youths below 10 000 with a thin space
/// as thousands separator ("2 274").
fn fmt_count(n: f64) -> String {
    let whole = format!("{:.0}", n);
    let mut out = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

fn cmd_predict(args: &Args) -> Result<ExitCode, String> {
    args.only(&["model", "wijk", "data"])?;
    let predictor = read_model(args.need("model")?)?;
    let code = args.need("wijk")?;
    let ds = load(args)?.0.dataset;
    let w = ds
        .wijken
        .iter()
        .find(|w| w.code == code)
        .ok_or_else(|| format!("wijk {code} staat niet in de data"))?;
    let profile = predictor.model.profile_of(w)?;
    let n_jeugd = predictor.n_jeugd_of(&w.code).or(w.n_jeugd);
    let p = predictor
        .expected_with(&profile, n_jeugd)
        .map_err(|e| e.to_string())?;
    outln!(
        "{} {} ({}, {})",
        w.code,
        w.name,
        w.gemeente_name,
        w.regio_name
    );
    outln!("  werkelijk gebruik   {}", fmt_opt(w.observed, " %"));
    if let Some(n) = p.n_jeugd {
        outln!(
            "  jeugdigen (N)       {} (benadering uit de CBS-kerncijfers)",
            fmt_count(n)
        );
    }
    outln!("  verwacht gebruik    {:.2} % van de jeugdigen", p.expected);
    outln!(
        "    95%-betrouwbaarheidsinterval  {:.2} – {:.2} %",
        p.ci_low,
        p.ci_high
    );
    outln!(
        "    95%-voorspellingsinterval     {:.2} – {:.2} %",
        p.pi_low,
        p.pi_high
    );
    outln!(
        "    vast deel {:.2} %, gemeente-effect {:+.2}, regio-effect {:+.2} procentpunt",
        p.expected_fixed,
        p.u_gemeente,
        p.u_regio
    );
    match (w.observed, model::Verdict::of(w.observed, p.pi_low, p.pi_high)) {
        (Some(o), Some(v)) => {
            let outside = if v == model::Verdict::Binnen {
                ""
            } else {
                " (buiten het voorspellingsinterval)"
            };
            outln!(
                "  verschil            {:+.2} procentpunt: {}{outside}",
                o - p.expected,
                v.label()
            );
        }
        _ if predictor.model.was_filled(&w.code) => outln!(
            "  verschil            niet te berekenen (het model schatte deze wijk bij, maar dat is geen waarneming)"
        ),
        _ => outln!("  verschil            niet te berekenen"),
    }
    outln!("  verwacht volgens SCP {}", fmt_opt(w.scp_expected, " %"));
    let mut contrib: Vec<(f64, &str)> = p
        .contributions
        .iter()
        .zip(&predictor.model.determinants)
        .map(|(c, d)| (*c, d.label.as_str()))
        .collect();
    contrib.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    outln!("  grootste bijdragen t.o.v. het landelijk gemiddelde profiel:");
    for (c, label) in contrib.iter().take(5) {
        outln!("    {c:+6.2} procentpunt  {label}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Quote a CSV field where needed.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn cmd_score(args: &Args) -> Result<ExitCode, String> {
    args.only(&["model", "input", "output"])?;
    let predictor = read_model(args.need("model")?)?;
    let input = args.need("input")?;
    let output = args.need("output")?;
    let text =
        std::fs::read_to_string(input).map_err(|e| format!("kan {input} niet lezen: {e}"))?;
    let records = data::parse_csv(&text).map_err(|(line, m)| format!("{input}:{line}: {m}"))?;
    let Some(((_, header), rows)) = records.split_first() else {
        return Err(format!("{input}: het bestand is leeg"));
    };
    let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    let layout = score::Layout::new(&predictor, &header).map_err(|e| format!("{input}: {e}"))?;
    if !layout.unused.is_empty() {
        eprintln!("let op: kolommen {} zijn determinanten die dit model niet gebruikt; ze worden genegeerd", layout.unused.join(", "));
    }
    if !layout.missing.is_empty() {
        let how = match predictor.model.spec() {
            model::Spec::Gemeente => "gemeentegemiddelde, anders landelijk gemiddelde",
            model::Spec::Scp => "volgens SCP's regel per determinant: 0, of het met het aantal jeugdigen gewogen gemeentegemiddelde, anders landelijk",
        };
        eprintln!(
            "let op: kolommen {} ontbreken; die waarden worden geïmputeerd ({how})",
            layout.missing.join(", ")
        );
    }
    if !predictor.uses_youth() && layout.has_n_jeugd() {
        eprintln!("let op: dit model heeft één intervalbreedte voor alle wijken (--impute gemeente); de kolom n_jeugd wordt genegeerd");
    }
    // Rows whose PI took the national median youth count.
    let mut n_default = 0;
    let mut out = String::new();
    out.push_str(
        &header
            .iter()
            .map(|h| csv_field(h))
            .chain(score::OUTPUT_COLUMNS.iter().map(|s| s.to_string()))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push('\n');
    let (mut n_err, mut n_warn) = (0, 0);
    for (line, fields) in rows {
        let fields: Vec<&str> = fields.iter().map(|f| f.as_ref()).collect();
        let scored = score::score_row(&predictor, &layout, *line, &fields);
        n_err += usize::from(scored.prediction.is_err());
        n_warn += usize::from(scored.warning.is_some());
        n_default += usize::from(scored.national_n_jeugd);
        // The input's own fields, as many as the header has (a longer row's
        // extra fields are quoted in its error), then the results.
        let mut row: Vec<String> = fields
            .iter()
            .take(layout.width)
            .map(|f| csv_field(f))
            .collect();
        row.resize(layout.width, String::new());
        row.extend(scored.output().iter().map(|f| csv_field(f)));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    write(Path::new(output), &out)?;
    if n_default > 0 {
        let median = predictor.default_n_jeugd().unwrap_or(f64::NAN);
        eprintln!(
            "let op: {n_default} rijen zonder n_jeugd en zonder bekende wijkcode; hun voorspellingsinterval gaat uit van de landelijke mediaan van {} jeugdigen",
            fmt_count(median)
        );
    }
    eprintln!(
        "{} rijen gescoord naar {output}, {n_err} met een fout, {n_warn} met een waarschuwing",
        rows.len()
    );
    Ok(if n_err > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn cmd_site(args: &Args) -> Result<ExitCode, String> {
    args.only(&["model", "data", "out"])?;
    let model_path = args.need("model")?;
    let predictor = read_model(model_path)?;
    let (loaded, dir) = load(args)?;
    let ds = loaded.dataset;
    let out = PathBuf::from(args.need("out")?);
    let site = SiteData::build(&ds, &predictor)?;
    let a = site.agreement;
    write(
        &out.join("site.json"),
        &serde_json::to_string(&site).map_err(|e| e.to_string())?,
    )?;
    let names = predictor.model.determinant_names();
    write(
        &out.join("wijkwaarden.json"),
        &serde_json::to_string(&site.values_file(&names)).map_err(|e| e.to_string())?,
    )?;
    let browser = jeugdhulp_wijk::site::browser_model(&predictor.model);
    write(
        &out.join("model.browser.json"),
        &serde_json::to_string(&browser).map_err(|e| e.to_string())?,
    )?;
    let geo_dir = dir.join("geo");
    let read = |name: &str| {
        std::fs::read_to_string(geo_dir.join(name))
            .map_err(|e| format!("kan {} niet lezen: {e}", geo_dir.join(name).display()))
    };
    let geometry = jeugdhulp_wijk::geo::build_site_geometry(
        &read("wijk_2017.topojson")?,
        &read("gemeente_2017.topojson")?,
        &read("jeugdzorgregio_2017.topojson")?,
    )
    .map_err(|e| e.to_string())?;
    write(
        &out.join("geo.json"),
        &serde_json::to_string(&geometry).map_err(|e| e.to_string())?,
    )?;
    eprintln!(
        "sitegegevens geschreven naar {}: {} wijken; overeenkomst met SCP: r = {:.4}, RMSE = {:.3} procentpunt",
        out.display(),
        site.wijken.len(),
        a.correlation,
        a.rmse
    );
    Ok(ExitCode::SUCCESS)
}

/// lme4's time for the same fit: the median of the seven `lmer()` calls timed
/// in the reference (`../shared/reference`, `lmer_seconds`; R 4.2.2, lme4 1.1.31).
const LME4_SECONDS: f64 = 0.104;

/// Median, minimum and maximum of `f` over `runs` calls, in milliseconds.
fn time_ms(runs: usize, mut f: impl FnMut() -> Result<(), String>) -> Result<[f64; 3], String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok([times[runs / 2], times[0], times[runs - 1]])
}

fn cmd_bench(args: &Args) -> Result<ExitCode, String> {
    args.only(&["data", "runs"])?;
    let runs: usize = args
        .get("runs")
        .unwrap_or("41")
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| "--runs moet een positief geheel getal zijn".to_string())?;
    let dir = data_dir(args.get("data"));

    // 1. The whole process, as a user runs it: this same executable, `fit
    //    --out FILE`, started and waited for (process start, reading and
    //    checking the CSV, hashing, fitting, writing the model, exit).
    let exe = std::env::current_exe().map_err(|e| format!("eigen programma niet gevonden: {e}"))?;
    let out =
        std::env::temp_dir().join(format!("jeugdhulp-wijk-bench-{}.json", std::process::id()));
    let fit_process = || -> Result<(), String> {
        let status = std::process::Command::new(&exe)
            .arg("fit")
            .arg("--data")
            .arg(&dir)
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("kan {} niet starten: {e}", exe.display()))?;
        match status.success() {
            true => Ok(()),
            false => Err(format!("`{} fit` faalde: {status}", exe.display())),
        }
    };
    fit_process()?; // warm the page cache
    let whole = time_ms(runs, fit_process);
    let _ = std::fs::remove_file(&out);
    let [median, min, max] = whole?;
    outln!(
        "fit als heel proces: mediaan {median:.2} ms (min {min:.2}, max {max:.2}) over {runs} runs; \
         lme4 {:.0} ms in een draaiend R-proces, dus {:.1}× zo snel",
        LME4_SECONDS * 1e3,
        LME4_SECONDS * 1e3 / median
    );

    // 2. Where the time goes, each part warm and in this process.
    let (path, text) = data::fs::read_wijk_file(&dir)?;
    let ds = Dataset::from_csv("bench", &text).map_err(|e| e.to_string())?;
    let dets = model::default_determinants();
    let mut evaluations = 0;
    let mut model = None;
    let parts: [(&str, [f64; 3]); 5] = [
        (
            "bestand lezen",
            time_ms(runs, || data::fs::read_wijk_file(&dir).map(|_| ()))?,
        ),
        (
            "CSV controleren",
            time_ms(runs, || {
                Dataset::from_csv("bench", &text)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })?,
        ),
        (
            "sha256",
            time_ms(runs, || {
                data::fs::sha256_hex(&text);
                Ok(())
            })?,
        ),
        (
            "fit (imputatie + REML)",
            time_ms(runs, || {
                let m = model::fit_model(&ds, &dets, data::WIJK_FILE, "")?;
                evaluations = m.fit.evaluations;
                model = Some(m);
                Ok(())
            })?,
        ),
        (
            "model als JSON",
            time_ms(runs, || {
                serde_json::to_vec_pretty(&model)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })?,
        ),
    ];
    outln!(
        "onderdelen, warm, mediaan over {runs} runs ({}; {} determinanten, {} rijen, {evaluations} evaluaties van het criterium):",
        path.display(),
        dets.len(),
        ds.wijken.iter().filter(|w| w.observed.is_some()).count(),
    );
    for (name, [median, min, max]) in parts {
        outln!("  {name:<38} {median:>7.3} ms  (min {min:.3}, max {max:.3})");
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_determinants(args: &Args) -> Result<ExitCode, String> {
    args.only(&[])?;
    for d in determinants::DETERMINANTS.iter() {
        outln!(
            "{:<16} {:<9} {:<12} {:<24} {}",
            d.name,
            format!("{:?}", d.level).to_lowercase(),
            format!("{:?}", d.group).to_lowercase(),
            d.unit.label(),
            d.label
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = raw.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(1);
    };
    let result = Args::parse(rest).and_then(|args| match cmd.as_str() {
        "fit" => cmd_fit(&args),
        "predict" => cmd_predict(&args),
        "score" => cmd_score(&args),
        "site" => cmd_site(&args),
        "bench" => cmd_bench(&args),
        "determinants" => cmd_determinants(&args),
        "help" | "--help" | "-h" => {
            out!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("onbekend commando '{other}'\n\n{USAGE}")),
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fout: {e}");
            ExitCode::from(1)
        }
    }
}
