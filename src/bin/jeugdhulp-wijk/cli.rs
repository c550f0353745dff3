//! The command-line interface (native only): fit the model, predict one wijk, score profiles in
//! batch, and generate the page's data. Arguments are parsed by `clap` (derive), with Dutch help
//! and Dutch messages for the mistakes a person makes.

use clap::error::{ContextKind, ErrorKind};
use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand};
use jeugdhulp_wijk::csvfile;
use jeugdhulp_wijk::data::{self, fs::data_dir, Dataset};
use jeugdhulp_wijk::determinants;
use jeugdhulp_wijk::model::{self, Model, Predictor};
use jeugdhulp_wijk::score;
use jeugdhulp_wijk::site::SiteData;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// clap's help layout with Dutch headings.
const HELP: &str = "\
{before-help}{about-with-newline}
Gebruik: {usage}

{all-args}{after-help}";

/// jeugdhulp-wijk: verwacht gebruik van jeugdhulp zonder verblijf per wijk (SCP-model, 2017)
#[derive(Parser)]
#[command(
    name = "jeugdhulp-wijk",
    version,
    help_template = HELP,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "Commando's",
    subcommand_value_name = "COMMANDO",
    next_help_heading = "Opties",
    after_help = "De datamap is --data DIR, anders $JEUGDHULP_DATA, anders data (in de huidige map).\n\
                  Elke optie mag één keer; `jeugdhulp-wijk COMMANDO --help` geeft de hulp bij een commando."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Toon deze hulp
    #[arg(short = 'h', long, action = ArgAction::Help, global = true)]
    help: Option<bool>,
    /// Toon de versie
    #[arg(short = 'V', long, action = ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Subcommand)]
enum Command {
    /// Schat het model (REML) en schrijf het modelbestand
    #[command(
        help_template = HELP,
        disable_help_flag = true,
        next_help_heading = "Opties",
        after_help = "Zonder --out gaat het model naar standaarduitvoer; --out vervangt een bestaand bestand in zijn geheel.\n\
                      Exitcode 0: geschreven; 1: geweigerd (met de reden); 3: de schatting convergeerde niet."
    )]
    Fit(FitArgs),
    /// Eén wijk: werkelijk en verwacht gebruik, intervallen, verschil en SCP's verwachting
    #[command(help_template = HELP, disable_help_flag = true, next_help_heading = "Opties")]
    Predict(PredictArgs),
    /// Scoor profielen uit een CSV-bestand (ook Excel-NL: ';' en decimale komma)
    #[command(
        help_template = HELP,
        disable_help_flag = true,
        next_help_heading = "Opties",
        after_help = "Invoer: de determinantkolommen van het model (namen als in het databestand), eventueel\n\
                      gemeentecode, wijkcode en n_jeugd; andere kolommen gaan ongelezen mee. Codering (UTF-8, met\n\
                      of zonder BOM, of Windows-1252), scheidingsteken (',', ';' of tab) en decimaalteken worden\n\
                      herkend en op standaardfout gemeld. Uitvoer: UTF-8 met ',' en decimale punt, per invoerrij\n\
                      één rij met expected, expected_fixed, ci_low, ci_high, pi_low, pi_high, n_jeugd_used,\n\
                      level, error en warning.\n\
                      Exitcode 0: alles gescoord; 1: geweigerd (met de reden); 2: rijen met een fout."
    )]
    Score(ScoreArgs),
    /// Vul het landelijk model aan met eigen wijkkenmerken van een regio (CSV) en schat opnieuw
    #[command(
        help_template = HELP,
        disable_help_flag = true,
        next_help_heading = "Opties",
        after_help = "Invoer: een CSV-bestand met een kolom wijkcode en kolommen met getallen (ook Excel-NL: ';',\n\
                      decimale komma, Windows-1252). Model: (perc_jhzv − landelijk vast deel) = α + Σ γ·kolom +\n\
                      gemeente-effect (+ regio-effect bij meer dan één regio), REML; het nulmodel zonder de kolommen;\n\
                      een likelihood-ratiotoets met ML. Uitvoer: JSON (de velden van de lme4-referentie en meer).\n\
                      Elke regel die niet meedoet staat met de reden in problems en op standaardfout.\n\
                      Exitcode 0: geschat; 1: geweigerd (met de reden, regel, kolom en waarde)."
    )]
    Extend(ExtendArgs),
    /// Gegevens voor de pagina: model.browser.bin, site.bin, wijkwaarden.bin (en als JSON), geo.json
    #[command(help_template = HELP, disable_help_flag = true, next_help_heading = "Opties")]
    Site(SiteArgs),
    /// Meet fit: als heel proces (mediaan) en per onderdeel
    #[command(help_template = HELP, disable_help_flag = true, next_help_heading = "Opties")]
    Bench(BenchArgs),
    /// De tabel van determinanten: naam, niveau, groep, eenheid, omschrijving
    #[command(help_template = HELP, disable_help_flag = true, next_help_heading = "Opties")]
    Determinants,
    /// `jeugdhulp-wijk help [COMMANDO]`: the same as --help, or `COMMANDO --help`.
    #[command(hide = true, disable_help_flag = true)]
    Help { command: Option<String> },
}

#[derive(Args)]
struct DataArg {
    /// De datamap (anders $JEUGDHULP_DATA, anders data)
    #[arg(long, value_name = "DIR")]
    data: Option<String>,
}

#[derive(Args)]
struct FitArgs {
    #[command(flatten)]
    data: DataArg,
    /// Determinanten, met komma's gescheiden (standaard alle 27)
    #[arg(long, value_name = "a,b,c")]
    determinants: Option<String>,
    /// scp (standaard): SCP's specificatie (docs/fidelity.md); gemeente: die van vóór issue 9
    /// (gemeentegemiddelde, onderdrukte wijken niet in de schatting)
    #[arg(long, value_name = "scp|gemeente")]
    impute: Option<String>,
    /// Schrijf het model naar FILE (anders naar standaarduitvoer)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct PredictArgs {
    /// Het modelbestand (van fit)
    #[arg(long, value_name = "FILE")]
    model: String,
    /// De wijkcode, bijvoorbeeld WK036300
    #[arg(long, value_name = "WK036300")]
    wijk: String,
    #[command(flatten)]
    data: DataArg,
}

#[derive(Args)]
struct ScoreArgs {
    /// Het modelbestand (van fit)
    #[arg(long, value_name = "FILE")]
    model: String,
    /// De profielen (CSV)
    #[arg(long, value_name = "profiles.csv")]
    input: String,
    /// Waar de gescoorde profielen heen gaan (CSV)
    #[arg(long, value_name = "scored.csv")]
    output: String,
}

#[derive(Args)]
struct ExtendArgs {
    /// Het modelbestand (van fit; --impute gemeente geeft de specificatie van de lme4-referentie)
    #[arg(long, value_name = "FILE")]
    model: String,
    /// De eigen wijkkenmerken (CSV met een kolom wijkcode)
    #[arg(long, value_name = "FILE")]
    covariates: String,
    /// De kolommen, met komma's gescheiden (standaard alle kolommen met getallen)
    #[arg(long, value_name = "a,b")]
    columns: Option<String>,
    /// De jeugdzorgregio('s), met komma's gescheiden (standaard die van de wijken in het bestand)
    #[arg(long, value_name = "JZ24[,JZ29]")]
    regio: Option<String>,
    #[command(flatten)]
    data: DataArg,
    /// Schrijf het resultaat naar FILE (anders naar standaarduitvoer)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct SiteArgs {
    /// Het modelbestand (van fit)
    #[arg(long, value_name = "FILE")]
    model: String,
    #[command(flatten)]
    data: DataArg,
    /// De map voor de paginagegevens
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Args)]
struct BenchArgs {
    #[command(flatten)]
    data: DataArg,
    /// Aantal metingen (standaard 41)
    // (allow_negative_numbers: "-1" is a bad value of --runs, not an unknown option)
    #[arg(long, value_name = "N", value_parser = positive, allow_negative_numbers = true)]
    runs: Option<usize>,
}

/// `--runs`: a positive whole number.
fn positive(s: &str) -> Result<usize, String> {
    s.parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| "moet een positief geheel getal zijn".to_string())
}

/// A mistake on the command line, said in Dutch: which option or command,
/// and what is wrong with it.
fn command_line_error(e: &clap::Error) -> String {
    let context = |kind| e.get(kind).map(|v| v.to_string()).unwrap_or_default();
    // "--out <FILE>" → "--out".
    let option = |s: String| s.split_whitespace().next().unwrap_or("").to_string();
    let what = match e.kind() {
        ErrorKind::UnknownArgument => {
            let arg = context(ContextKind::InvalidArg);
            match arg.starts_with('-') {
                true => format!("onbekende optie {}", option(arg)),
                false => format!("onverwacht argument '{arg}'"),
            }
        }
        ErrorKind::ArgumentConflict => format!(
            "optie {} staat meer dan één keer op de opdrachtregel",
            option(context(ContextKind::InvalidArg))
        ),
        ErrorKind::MissingRequiredArgument => {
            let missing: Vec<String> = match e.get(ContextKind::InvalidArg) {
                Some(clap::error::ContextValue::Strings(list)) => {
                    list.iter().map(|s| option(s.clone())).collect()
                }
                other => vec![option(other.map(|v| v.to_string()).unwrap_or_default())],
            };
            match &missing[..] {
                [one] => format!("{one} ontbreekt"),
                more => format!("{} ontbreken", more.join(" en ")),
            }
        }
        ErrorKind::InvalidSubcommand => format!(
            "onbekend commando '{}'",
            context(ContextKind::InvalidSubcommand)
        ),
        // `--model` at the end, or followed by another option.
        ErrorKind::InvalidValue if context(ContextKind::InvalidValue).is_empty() => {
            let arg = context(ContextKind::InvalidArg);
            let name = arg
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .trim_matches(['<', '>']);
            format!("{} heeft een waarde nodig ({name})", option(arg.clone()))
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(e)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            format!(
                "ongeldige waarde '{}' voor {}{reason}",
                context(ContextKind::InvalidValue),
                option(context(ContextKind::InvalidArg))
            )
        }
        ErrorKind::MissingSubcommand => {
            "geef een commando: fit, predict, score, extend, site, bench of determinants"
                .to_string()
        }
        // Rarer mistakes: clap's own (English) text.
        _ => e
            .to_string()
            .trim()
            .trim_start_matches("error: ")
            .to_string(),
    };
    format!("{what}\n(zie jeugdhulp-wijk --help, of jeugdhulp-wijk COMMANDO --help)")
}

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

fn load(data: &DataArg) -> Result<(data::fs::Loaded, PathBuf), String> {
    let dir = data_dir(data.data.as_deref());
    Ok((data::fs::load(&dir)?, dir))
}

fn fit_from_args(args: &FitArgs) -> Result<(Model, data::fs::Loaded), String> {
    let (loaded, _) = load(&args.data)?;
    let dets = match &args.determinants {
        Some(list) => determinants::select(&list.split(',').collect::<Vec<_>>())?,
        None => model::default_determinants(),
    };
    let spec = model::Spec::parse(args.impute.as_deref().unwrap_or("scp"))?;
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
    let text = data::fs::read_text(Path::new(path))
        .map_err(|e| format!("kan model {path} niet lezen: {e}"))?;
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

fn write(path: &Path, text: impl AsRef<[u8]>) -> Result<(), String> {
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

fn cmd_fit(args: &FitArgs) -> Result<ExitCode, String> {
    let (m, loaded) = fit_from_args(args)?;
    match &args.out {
        Some(out) => {
            write_model(out, &m)?;
            // One line, one write (stderr is unbuffered).
            let line = format!(
                "model geschreven naar {}: {} wijken, {} gemeenten, {} regio's, REML-criterium {:.6}, {} ({} iteraties)\n",
                out.display(), m.n_fit, m.n_gemeente, m.n_regio, m.reml_criterion, m.fit.message, m.fit.iterations
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

fn cmd_predict(args: &PredictArgs) -> Result<ExitCode, String> {
    let predictor = read_model(&args.model)?;
    let code = args.wijk.as_str();
    let ds = load(&args.data)?.0.dataset;
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

fn cmd_score(args: &ScoreArgs) -> Result<ExitCode, String> {
    let predictor = read_model(&args.model)?;
    let (input, output) = (&args.input, &args.output);
    let bytes = std::fs::read(input)
        .map_err(|e| format!("kan {input} niet lezen: {}", data::fs::io_reason(&e)))?;
    // The output replaces its file whole: never the person's own input.
    if let (Ok(a), Ok(b)) = (
        Path::new(input).canonicalize(),
        Path::new(output).canonicalize(),
    ) {
        if a == b {
            return Err(format!(
                "--output {output} is hetzelfde bestand als --input {input}; kies een andere naam voor de uitvoer, anders gaat de invoer verloren"
            ));
        }
    }
    let table =
        csvfile::read_bytes(&bytes).map_err(|e| format!("{input}:{}: {}", e.line, e.message))?;
    eprintln!("{input} gelezen als {}", table.dialect);
    let header: Vec<&str> = table.header.fields.iter().map(|h| h.trim()).collect();
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
    if !predictor.uses_youth() && layout.n_column.is_some() {
        eprintln!("let op: dit model heeft één intervalbreedte voor alle wijken (--impute gemeente); de kolom n_jeugd wordt genegeerd");
    }
    let failed = |e: csv::Error| format!("kan {output} niet schrijven: {e}");
    let mut out = csv::Writer::from_writer(Vec::new());
    // The header as the user wrote it (the layout reads the names trimmed).
    out.write_record(table.header.fields.iter().chain(score::OUTPUT_COLUMNS))
        .map_err(failed)?;
    // Rows whose PI took the national median youth count.
    let (mut n_err, mut n_warn, mut n_default) = (0, 0, 0);
    for row in &table.rows {
        let fields: Vec<&str> = row.fields.iter().collect();
        let scored = score::score_row(&predictor, &layout, &table.dialect, row.line, &fields);
        n_err += usize::from(scored.prediction.is_err());
        n_warn += usize::from(scored.warning.is_some());
        n_default += usize::from(scored.default_n_jeugd);
        // The input's own fields, as many as the header has (a longer row's
        // extra fields are quoted in its error), then the results.
        let mut own: Vec<&str> = fields.iter().copied().take(layout.width).collect();
        own.resize(layout.width, "");
        let results = scored.output();
        out.write_record(own.into_iter().chain(results.iter().map(String::as_str)))
            .map_err(failed)?;
    }
    let text = out
        .into_inner()
        .map_err(|e| failed(e.into_error().into()))?;
    write(Path::new(output), &text)?;
    if n_default > 0 {
        let median = predictor.default_n_jeugd().unwrap_or(f64::NAN);
        eprintln!(
            "let op: {n_default} rijen zonder n_jeugd en zonder bekende wijkcode; hun voorspellingsinterval gaat uit van de landelijke mediaan van {} jeugdigen",
            fmt_count(median)
        );
    }
    eprintln!(
        "{} rijen gescoord naar {output}, {n_err} met een fout, {n_warn} met een waarschuwing",
        table.rows.len()
    );
    Ok(if n_err > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// A comma-separated list of an option: its items, trimmed, none empty.
fn list(option: &str, value: &Option<String>) -> Result<Vec<String>, String> {
    let Some(v) = value else {
        return Ok(Vec::new());
    };
    let items: Vec<String> = v.split(',').map(|s| s.trim().to_string()).collect();
    if items.iter().any(String::is_empty) {
        return Err(format!("{option}: lege naam in de lijst '{v}'"));
    }
    Ok(items)
}

fn cmd_extend(args: &ExtendArgs) -> Result<ExitCode, String> {
    use jeugdhulp_wijk::extend::{self, Base, Choice, Severity};
    let predictor = read_model(&args.model)?;
    let ds = load(&args.data)?.0.dataset;
    let input = &args.covariates;
    let bytes = std::fs::read(input).map_err(|e| format!("kan {input} niet lezen: {e}"))?;
    let values: Vec<Vec<Option<f64>>> = ds
        .wijken
        .iter()
        .map(|w| predictor.model.profile_of(w).map(|p| p.values))
        .collect::<Result<_, _>>()?;
    let base = Base::new(
        &predictor,
        ds.wijken.iter().zip(values.iter().map(Vec::as_slice)),
    )?;
    let choice = Choice {
        columns: list("--columns", &args.columns)?,
        regios: list("--regio", &args.regio)?,
    };
    let upload = extend::Upload::read(&bytes, &base).map_err(|e| format!("{input}: {e}"))?;
    eprintln!("{input} gelezen als {}", upload.dialect);
    let result =
        extend::run_upload(&upload, &base, &choice).map_err(|e| format!("{input}: {e}"))?;
    let fouten = result
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Fout)
        .count();
    // The errors in the file first (up to 20), then how many rows were left
    // out for another reason; all of them are in `problems`.
    let shown = 20;
    for p in result
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Fout)
        .take(shown)
    {
        eprintln!("fout: {input}: {p}");
    }
    if fouten > shown {
        eprintln!("… en nog {} fouten", fouten - shown);
    }
    let others = result.problems.len() - fouten;
    if others > 0 {
        eprintln!("let op: {others} meldingen over regels of kolommen die niet meedoen (buiten de regio, gebruik niet gepubliceerd, geen waarde, geen getallenkolom); alle meldingen staan in problems in de uitvoer");
    }
    let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())? + "\n";
    match &args.out {
        Some(out) => write(out, &json)?,
        None => write_out(format_args!("{json}"), false),
    }
    let g = &result.fixed_effects[1..];
    eprintln!(
        "{} wijken in {} gemeenten ({}); {} van de meldingen zijn fouten; verklaart {:.1} % van de resterende verschillen tussen wijken; LR {:.3} (df {}), p = {:.3e}; {}",
        result.n,
        result.n_gemeente,
        result.regios.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", "),
        fouten,
        100.0 * result.residual_variance_reduction,
        result.lr_test.statistic,
        result.lr_test.df,
        result.lr_test.p_value,
        g.iter()
            .map(|c| format!("{} {:.6} (SE {:.6})", c.term, c.estimate, c.std_error))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

fn cmd_site(args: &SiteArgs) -> Result<ExitCode, String> {
    let predictor = read_model(&args.model)?;
    let (loaded, dir) = load(&args.data)?;
    let ds = &loaded.dataset;
    let out = &args.out;
    let mut site = SiteData::build(ds, &predictor)?;
    // Before and after for the Verantwoording: "before" is today's
    // specification (--impute gemeente, one interval width) with the same
    // determinants, fitted here from the same data.
    let dets = determinants::select(
        &predictor
            .model
            .determinants
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>(),
    )?;
    let before = Predictor::new(model::fit_model(
        ds,
        &dets,
        data::WIJK_FILE,
        &loaded.sha256,
    )?)?;
    let fidelity = jeugdhulp_wijk::site::Fidelity::compute(ds, &predictor, &before)?;
    eprintln!(
        "overeenkomst met perc_przv (RMSE, procentpunt): alle {:.3}, compleet {:.3}, onvolledig {:.3}, onderdrukt {:.3}; dekking per jeugdkwintiel voor {:?}, na {:?}; {} wijken met een ander oordeel",
        fidelity.rmse_all.rmse,
        fidelity.rmse_complete.rmse,
        fidelity.rmse_incomplete.rmse,
        fidelity.rmse_suppressed.rmse,
        fidelity.coverage_before.map(|c| (c * 10.0).round() / 10.0),
        fidelity.coverage_after.map(|c| (c * 10.0).round() / 10.0),
        fidelity.verdict_changes
    );
    site.fidelity = Some(fidelity);
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
    // What the page reads: the same three in binary (src/wire.rs); the JSON above is for
    // people and tests.
    let bin = jeugdhulp_wijk::site::BrowserFiles::new(
        &predictor.model,
        &site,
        &site.values_file(&names),
    )?;
    use jeugdhulp_wijk::wire::Kind;
    write(&out.join(Kind::Model.file()), &bin.model)?;
    write(&out.join(Kind::Site.file()), &bin.site)?;
    write(&out.join(Kind::Values.file()), &bin.values)?;
    // The example file of "aanvullen met eigen wijkkenmerken" (CBS-kerncijfers 2017).
    let kern_path = dir.join(data::YOUTH_FILE);
    let kern = std::fs::read_to_string(&kern_path)
        .map_err(|e| format!("kan {} niet lezen: {e}", kern_path.display()))?;
    let codes: Vec<&str> = ds.wijken.iter().map(|w| w.code.as_str()).collect();
    write(
        &out.join(jeugdhulp_wijk::extend::EXAMPLE_FILE),
        jeugdhulp_wijk::extend::example_file(&kern, &codes)?,
    )?;
    let geo_dir = dir.join("geo");
    let read = |name: &str| {
        data::fs::read_text(&geo_dir.join(name))
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
/// in the reference (`tests/fixtures/lme4/lme4_all_determinants.json.gz`, `lmer_seconds`; R 4.2.2, lme4 1.1.31).
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

fn cmd_bench(args: &BenchArgs) -> Result<ExitCode, String> {
    let runs = args.runs.unwrap_or(41);
    let dir = data_dir(args.data.data.as_deref());

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
    let mut ds = Dataset::from_csv("bench", &text).map_err(|e| e.to_string())?;
    let youth_path = dir.join(data::YOUTH_FILE);
    let youth = data::fs::read_text(&youth_path)
        .map_err(|e| format!("kan {} niet lezen: {e}", youth_path.display()))?;
    ds.attach_youth("bench", &youth)
        .map_err(|e| e.to_string())?;
    let dets = model::default_determinants();
    let input = model::Input {
        file: data::WIJK_FILE,
        sha256: "",
        youth_file: data::YOUTH_FILE,
        youth_sha256: "",
    };
    let mut evaluations = 0;
    let mut model = None;
    let mut spare = ds.clone();
    let parts: [(&str, [f64; 3]); 6] = [
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
            "kerncijfers controleren, N per wijk",
            time_ms(runs, || {
                spare
                    .attach_youth("bench", &youth)
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
            "fit (imputatie, REML, intervalvariantie)",
            time_ms(runs, || {
                let m = model::fit_model_with(&ds, &dets, model::Spec::Scp, &input)?;
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
        ds.wijken.len(),
    );
    for (name, [median, min, max]) in parts {
        outln!("  {name:<38} {median:>7.3} ms  (min {min:.3}, max {max:.3})");
    }

    // 3. The page's Worker calls, natively, on the calculator the browser
    //    builds (SCP's specification, all wijk values loaded): the local
    //    extension of Haaglanden with two columns of the example file (reading
    //    the file included), and the national refit with all 27 determinants.
    use jeugdhulp_wijk::extend::{self, Base, Choice};
    let predictor = Predictor::new(model.ok_or("geen model")?)?;
    let site = SiteData::build(&ds, &predictor)?;
    let calc = jeugdhulp_wijk::site::Calculator::new(predictor, site)?;
    let codes: Vec<&str> = ds.wijken.iter().map(|w| w.code.as_str()).collect();
    let example = extend::example_file(&youth, &codes)?;
    let choice = Choice {
        columns: vec!["pct_gescheiden".into(), "bevolkingsdichtheid".into()],
        regios: vec!["JZ24".into()],
    };
    let mut n_ext = 0;
    let ext = time_ms(runs, || {
        let base = Base::new(
            &calc.predictor,
            calc.site.wijken.iter().map(|w| (w, w.values.as_slice())),
        )?;
        let r = extend::run(&example, &base, &choice).map_err(|e| e.to_string())?;
        n_ext = r.n;
        Ok(())
    })?;
    let names = calc.predictor.model.determinant_names();
    let refit = time_ms(runs, || {
        jeugdhulp_wijk::refit::refit_national(&calc, &names)
            .map(|_| ())
            .map_err(String::from)
    })?;
    outln!("het rekenwerk van de pagina in de Worker (extendRun, refitNational), warm, mediaan over {runs} runs:");
    for (name, [median, min, max]) in [
        (format!("aanvullen: JZ24, 2 kolommen, {n_ext} wijken"), ext),
        (format!("eigen model: {} determinanten", names.len()), refit),
    ] {
        outln!("  {name:<38} {median:>7.3} ms  (min {min:.3}, max {max:.3})");
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_determinants() -> Result<ExitCode, String> {
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            return match e.kind() {
                // Asked for: to standard output, exit 0.
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let text = e.to_string();
                    outln!("{}", text.trim_end());
                    ExitCode::SUCCESS
                }
                // No command at all: the help, as a refusal.
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    eprintln!("{}", e.to_string().trim_end());
                    ExitCode::from(1)
                }
                _ => {
                    eprintln!("fout: {}", command_line_error(&e));
                    ExitCode::from(1)
                }
            };
        }
    };
    let result = match &cli.command {
        Command::Fit(args) => cmd_fit(args),
        Command::Predict(args) => cmd_predict(args),
        Command::Score(args) => cmd_score(args),
        Command::Extend(args) => cmd_extend(args),
        Command::Site(args) => cmd_site(args),
        Command::Bench(args) => cmd_bench(args),
        Command::Determinants => cmd_determinants(),
        Command::Help { command } => match command.as_deref() {
            None | Some("help") => {
                outln!("{}", Cli::command().render_help().to_string().trim_end());
                Ok(ExitCode::SUCCESS)
            }
            Some(name) => {
                // The same as `COMMANDO --help`, through the same parser and its messages.
                let Err(e) = Cli::try_parse_from(["jeugdhulp-wijk", name, "--help"]) else {
                    // (--help always ends the parse; should it not, the general help)
                    outln!("{}", Cli::command().render_help().to_string().trim_end());
                    return ExitCode::SUCCESS;
                };
                match e.kind() {
                    ErrorKind::DisplayHelp => {
                        outln!("{}", e.to_string().trim_end());
                        Ok(ExitCode::SUCCESS)
                    }
                    _ => {
                        eprintln!("fout: {}", command_line_error(&e));
                        Ok(ExitCode::from(1))
                    }
                }
            }
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fout: {e}");
            ExitCode::from(1)
        }
    }
}
