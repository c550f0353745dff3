//! Command-line arguments that a person types wrongly or asks help for: each
//! gets its own Dutch answer naming the option, never clap's English or a
//! message about the wrong thing.

use std::process::Command;

/// (exit code, standard output, standard error) of the tool with `args`.
fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_jeugdhulp-wijk"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn an_option_without_its_value_says_that_it_needs_one() {
    for (args, want) in [
        (
            &["score", "--model"][..],
            "fout: --model heeft een waarde nodig (FILE)",
        ),
        (
            &["predict", "--wijk"][..],
            "fout: --wijk heeft een waarde nodig",
        ),
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 1, "{args:?}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.starts_with(want), "{args:?}: {err}");
        assert!(!err.contains("ongeldige waarde ''"), "{args:?}: {err}");
    }
}

#[test]
fn a_negative_count_is_a_bad_value_not_an_unknown_option() {
    let (code, _, err) = run(&["bench", "--runs", "-1"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(
            "fout: ongeldige waarde '-1' voor --runs: moet een positief geheel getal zijn"
        ),
        "{err}"
    );
}

#[test]
fn help_with_a_command_gives_that_commands_help() {
    for name in [
        "fit",
        "predict",
        "score",
        "extend",
        "site",
        "bench",
        "determinants",
    ] {
        let (code, out, err) = run(&["help", name]);
        assert_eq!(code, 0, "help {name}: {err}");
        let (_, direct, _) = run(&[name, "--help"]);
        assert_eq!(out, direct, "help {name} is {name} --help");
        assert!(
            out.contains(&format!("Gebruik: jeugdhulp-wijk {name}")),
            "{out}"
        );
    }
    // `help` and `help help`: the tool's own help.
    let (_, main, _) = run(&["--help"]);
    for args in [&["help"][..], &["help", "help"][..]] {
        let (code, out, _) = run(args);
        assert_eq!(code, 0);
        assert_eq!(out, main, "{args:?}");
    }
    let (code, out, err) = run(&["help", "frobnicate"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.starts_with("fout: onbekend commando 'frobnicate'"),
        "{err}"
    );
}
