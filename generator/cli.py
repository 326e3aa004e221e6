"""The `promspec` command: a thin shell over the pipeline and the writer.

Generated files go to the output folder; every diagnostic goes to stderr.
Errors are caught here, once, and turned into a message and an exit code.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Everything else is imported inside the commands, so that `--help` and
# usage errors load only typer.
if TYPE_CHECKING:
    from promspec.errors import Diagnostic, ExitCode, SpecError
    from promspec.model import Spec
    from promspec.pipeline import Output

app = typer.Typer(
    name="promspec",
    help="Turn a YAML metric spec into a prometheus-client module, Prometheus rules and Grafana "
    "dashboards, all checked.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: rendering them with rich imports about
    # 70 ms of modules, more than the whole of `promspec check` on a spec.
    rich_markup_mode=None,
)

SpecsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Spec files to read. Default: every *.yaml and *.yml file in specs/.",
        show_default=False,
    ),
]
OutOption = Annotated[
    Path, typer.Option("--out", help="Output folder, replaced as a whole on each run.")
]
RequireOption = Annotated[
    bool,
    typer.Option(
        "--require-promtool",
        help="Fail (exit 3) when promtool is missing, instead of "
        "skipping its checks. CI should set this.",
    ),
]
AlertForOption = Annotated[
    str | None,
    typer.Option(
        "--alert-for",
        metavar="DURATION",
        help="Cap the `for` of every alert at DURATION, a Prometheus duration such as "
        "5s, so that end-to-end tests see alerts fire in seconds. Never for production "
        "rules: `promspec check` without it reports the change. Default: the spec's "
        "durations.",
        show_default=False,
    ),
]
TemplatesOption = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        metavar="DIR",
        help="Folder with your own module.py.j2 for the generated Python module; "
        "the shipped one is used without it, and may be included as "
        "promspec/module.py.j2.",
        show_default=False,
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")]
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Print every check that ran, and a traceback on an internal error.",
    ),
]
StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Treat warnings, such as lint warnings and skipped checks, as errors.",
    ),
]


class OutputFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        help="How to print findings: text grouped by file, json, or github "
        "(workflow annotations).",
    ),
]
DiagnosticFormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        help="How to print diagnostics: text on stderr, json (one document on "
        "stdout at the end), or github (workflow annotations on stdout).",
    ),
]
CardinalityOption = Annotated[
    bool,
    typer.Option(
        "--cardinality",
        help="Print the series estimate of every metric before the findings.",
    ),
]


class Console:
    """Writes diagnostics at the chosen verbosity, as text on stderr or for CI.

    With `json`, everything is collected and printed at the end as one JSON
    document on stdout. With `github`, errors and diagnostics become workflow
    commands on stdout, and the other lines stay on stderr.
    """

    def __init__(
        self, quiet: bool, verbose: bool, output_format: str = OutputFormat.TEXT
    ) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.format = output_format
        self.messages: list[dict[str, str]] = []
        self.diagnostics: list[dict[str, object]] = []
        # False where the command prints its own report, as lint does: the
        # JSON document then carries only errors that stopped the command.
        self.report_empty = True

    def info(self, text: str) -> None:
        if self.format == OutputFormat.JSON:
            self.messages.append({"level": "info", "text": text})
        elif not self.quiet:
            print(text, file=sys.stderr)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            print(text, file=sys.stderr)

    def error(self, text: str) -> None:
        if self.format == OutputFormat.JSON:
            self.messages.append({"level": "error", "text": text})
        elif self.format == OutputFormat.GITHUB:
            from promspec.diagnostic_formats import escape_data

            print(f"::error::{escape_data(text)}")
        else:
            print(text, file=sys.stderr)

    def diagnostic(self, diagnostic: Diagnostic) -> None:
        from promspec.diagnostic_formats import as_json, diagnostic_annotation

        if self.format == OutputFormat.JSON:
            self.diagnostics.append(as_json(diagnostic))
        elif self.format == OutputFormat.GITHUB:
            print(diagnostic_annotation(diagnostic))
        else:
            print(diagnostic.format(), file=sys.stderr)

    def finish(self, code: int) -> None:
        """Print the JSON document, in json format; the other formats print as they go."""
        if self.format == OutputFormat.JSON and (
            self.report_empty or self.diagnostics or self.messages
        ):
            import json

            document = {
                "diagnostics": self.diagnostics,
                "messages": self.messages,
                "exit_code": code,
            }
            print(json.dumps(document, indent=2))


def _run(console: Console, job: Callable[[], ExitCode]) -> None:
    """Run a command body and exit with its code; report every error once."""
    from promspec.errors import ExitCode, PromspecError, SpecError

    try:
        code = job()
    except SpecError as error:
        for diagnostic in error.diagnostics:
            console.diagnostic(diagnostic)
        console.error(f"{_tally(error)} found; nothing was written")
        code = error.exit_code
    except PromspecError as error:
        console.error(f"error: {error}")
        code = error.exit_code
    except KeyboardInterrupt:
        console.error("interrupted; the previous output is unchanged")
        code = ExitCode.FAILED
    except (
        Exception
    ) as error:  # a bug: report it plainly, with the traceback on request
        console.error(f"internal error: {type(error).__name__}: {error}")
        console.error(
            "this is a bug in promspec; rerun with --verbose for the traceback and report it"
        )
        if console.verbose:
            import traceback

            traceback.print_exc()
        code = ExitCode.FAILED
    console.finish(int(code))
    raise typer.Exit(int(code))


def _tally(error: SpecError) -> str:
    from promspec.errors import count, errors_only

    errors = len(errors_only(error.diagnostics))
    warnings = len(error.diagnostics) - errors
    tally = count(errors, "error")
    return f"{tally} and {count(warnings, 'warning')}" if warnings else tally


def _build(
    specs: list[str] | None,
    require_promtool: bool,
    console: Console,
    alert_for: str | None = None,
    templates: Path | None = None,
) -> Output:
    from promspec.pipeline import build_output, discover_specs
    from promspec.promtool import find_promtool

    paths = discover_specs(specs or [], Path("specs"))
    output = build_output(
        paths, find_promtool(), require_promtool, alert_for, _templates_dir(templates)
    )
    for detail in output.details:
        console.detail(detail)
    for warning in output.warnings:
        console.diagnostic(warning)
    for skipped in output.skipped:
        console.error(f"warning: {skipped}")
    return output


def _templates_dir(templates: Path | None) -> str | None:
    from promspec.errors import UsageError

    if templates is None:
        return None
    if not (templates / "module.py.j2").is_file():
        raise UsageError(
            f"--templates {templates}: no module.py.j2 in that folder; copy "
            "templates/module.py.j2 there, or include it as promspec/module.py.j2"
        )
    return str(templates)


def _strict_failure(output: Output) -> str:
    """Return why --strict fails the run, or "" when it passes."""
    from promspec.errors import count

    reasons = []
    if output.warnings:
        reasons.append(f"{count(len(output.warnings), 'lint warning')} found")
    if output.skipped:
        reasons.append("checks were skipped")
    return " and ".join(reasons)


@app.command()
def generate(
    specs: SpecsArgument = None,
    out: OutOption = Path("out"),
    require_promtool: RequireOption = False,
    strict: StrictOption = False,
    alert_for: AlertForOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    output_format: DiagnosticFormatOption = OutputFormat.TEXT,
    templates: TemplatesOption = None,
) -> None:
    """Generate the module, rules, dashboards and docs from the specs into the output folder."""
    console = Console(quiet, verbose, output_format)

    def job() -> ExitCode:
        from promspec.errors import ExitCode, count
        from promspec.writer import write_output

        output = _build(specs, require_promtool, console, alert_for, templates)
        if strict and _strict_failure(output):
            console.error(
                f"error: --strict: {_strict_failure(output)}; nothing was written"
            )
            return ExitCode.FAILED
        drift = write_output(out, output.files)
        changed = len(drift.changed) + len(drift.missing) + len(drift.extra)
        verdict = f"{count(changed, 'file')} changed" if drift else "already up to date"
        console.info(
            f"{out}: {count(len(output.files), 'file')} from {count(len(output.specs), 'spec')}, {verdict}"
        )
        console.info(
            "; ".join(output.notes + ["promtool checks skipped"] * bool(output.skipped))
        )
        return ExitCode.OK

    _run(console, job)


@app.command()
def check(
    specs: SpecsArgument = None,
    out: OutOption = Path("out"),
    require_promtool: RequireOption = False,
    strict: StrictOption = False,
    alert_for: AlertForOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    output_format: DiagnosticFormatOption = OutputFormat.TEXT,
    templates: TemplatesOption = None,
) -> None:
    """Fail when the output folder no longer matches the specs, or when validation fails."""
    console = Console(quiet, verbose, output_format)

    def job() -> ExitCode:
        from promspec.errors import ExitCode, count
        from promspec.writer import compare_output

        output = _build(specs, require_promtool, console, alert_for, templates)
        drift = compare_output(out, output.files)
        if drift:
            console.error(drift.report())
            console.error(
                f"error: {out} does not match the specs; run `promspec generate` and commit the result"
            )
            return ExitCode.FAILED
        if strict and _strict_failure(output):
            console.error(f"error: --strict: {_strict_failure(output)}")
            return ExitCode.FAILED
        console.info(f"{out}: {count(len(output.files), 'file')} match the specs")
        return ExitCode.OK

    _run(console, job)


SourceArgument = Annotated[
    str,
    typer.Argument(
        metavar="URL_OR_FILE",
        help="A /metrics endpoint (http:// or https:// URL) or a saved exposition file.",
        show_default=False,
    ),
]
SpecArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="SPEC",
        help="Spec files to compare with. Default: every *.yaml and *.yml file in specs/.",
        show_default=False,
    ),
]
LiveFormatOption = Annotated[
    str,
    typer.Option("--format", metavar="text|json", help="Report format, on stdout."),
]
GroupOption = Annotated[
    list[str] | None,
    typer.Option(
        "--group",
        metavar="NAME",
        help="Report missing families for this spec group only; repeat for several. "
        "Default: every group. For services that record only some groups.",
        show_default=False,
    ),
]
TIMEOUT_SECONDS = 10


@app.command("live-check")
def live_check(
    source: SourceArgument,
    specs: SpecArgument = None,
    format: LiveFormatOption = "text",
    group: GroupOption = None,
) -> None:
    """Compare a live /metrics endpoint or a saved exposition with the spec.

    Exit 1 on any mismatch, 2 when the input or a spec cannot be read.
    """
    console = Console(quiet=False, verbose=False)

    def job() -> ExitCode:
        from promspec.errors import ExitCode, UsageError
        from promspec.live_check import compare, parse_exposition
        from promspec.live_report import check_groups, render_json, render_text

        if format not in ("text", "json"):
            raise UsageError(f"invalid --format {format!r}: use text or json")
        loaded = _load_specs(specs)
        groups = check_groups(loaded, group or [])
        report = compare(parse_exposition(_read_exposition(source)), loaded, groups)
        render = render_json if format == "json" else render_text
        print(render(report, source), end="")
        return ExitCode.FAILED if report.mismatches else ExitCode.OK

    _run(console, job)


def _load_specs(specs: list[str] | None) -> list[Spec]:
    from promspec.pipeline import discover_specs, load_specs

    return load_specs(discover_specs(specs or [], Path("specs")))


def _read_exposition(source: str) -> str:
    """Return the text of an exposition from an http(s) URL or a file."""
    from promspec.errors import InputError

    if source.startswith(("http://", "https://")):
        return _fetch(source)
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {source}: {error}") from None


def _fetch(url: str) -> str:
    import urllib.error
    import urllib.request

    from promspec.errors import InputError

    # Ask for OpenMetrics first: only that format carries units.
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "reason", error)
        raise InputError(
            f"cannot read {url}: {reason}; check that the service is running and serves /metrics there"
        ) from None


@app.command()
def lint(
    specs: SpecsArgument = None,
    strict: StrictOption = False,
    output_format: FormatOption = OutputFormat.TEXT,
    cardinality: CardinalityOption = False,
) -> None:
    """Check names, cardinality, PromQL, alerts and dashboards of the specs."""
    console = Console(quiet=False, verbose=False, output_format=output_format)
    console.report_empty = False

    def job() -> ExitCode:
        from promspec.analysis.lint_cardinality import cardinality_table
        from promspec.analysis.report import render
        from promspec.analysis.run import lint_specs
        from promspec.errors import ExitCode
        from promspec.pipeline import discover_specs, load_specs

        if cardinality and output_format is not OutputFormat.TEXT:
            # A usage error: plain text on stderr, whatever the format.
            print(
                "error: --cardinality prints a text table; leave out --format",
                file=sys.stderr,
            )
            return ExitCode.INVALID_SPEC
        loaded = load_specs(discover_specs(specs or [], Path("specs")))
        result = lint_specs(loaded)
        for spec in loaded if cardinality else []:
            print(cardinality_table(spec))
        print(render(result, output_format.value, strict))
        return ExitCode.FAILED if result.failing(strict) else ExitCode.OK

    _run(console, job)


VersionArgument = Annotated[
    str,
    typer.Argument(
        metavar="SPEC_OR_REVISION",
        help="A spec file, or a git revision and path such as HEAD:specs/compozy.yaml.",
        show_default=False,
    ),
]
AllowBreakingOption = Annotated[
    bool,
    typer.Option(
        "--allow-breaking",
        help="Exit 0 even when a change breaks alerts, recording rules or panels.",
    ),
]
GIT_TIMEOUT_SECONDS = 30


@app.command()
def diff(
    old: VersionArgument,
    new: VersionArgument,
    allow_breaking: AllowBreakingOption = False,
    format: LiveFormatOption = "text",
) -> None:
    """Compare two versions of a spec and list the metric changes and what they break.

    Exit 1 on a breaking change unless --allow-breaking, 2 when a version
    cannot be read.
    """
    console = Console(quiet=False, verbose=False)

    def job() -> ExitCode:
        from promspec.diff import diff_specs, render_json, render_text
        from promspec.errors import ExitCode, UsageError

        if format not in ("text", "json"):
            raise UsageError(f"invalid --format {format!r}: use text or json")
        changes = diff_specs(_load_version(old), _load_version(new))
        render = render_json if format == "json" else render_text
        print(render(changes, old, new, allow_breaking))
        breaking = any(change.breaking for change in changes)
        return ExitCode.FAILED if breaking and not allow_breaking else ExitCode.OK

    _run(console, job)


def _load_version(argument: str) -> Spec:
    """Load a spec from a file, or from git when the argument is REVISION:PATH."""
    from promspec.build import load_spec, load_spec_text

    if Path(argument).exists() or ":" not in argument:
        return load_spec(argument)
    return load_spec_text(_git_show(argument), argument)


def _git_show(revision_path: str) -> str:
    import subprocess

    from promspec.errors import InputError

    try:
        result = subprocess.run(
            ["git", "show", revision_path],
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InputError(f"cannot run git to read {revision_path}: {error}") from None
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"cannot read {revision_path} from git: {reason[0] if reason else 'failed'}; "
            "write REVISION:PATH with the path from the repository root, "
            "such as HEAD:specs/compozy.yaml"
        )
    return result.stdout.decode("utf-8", "replace")


InitPathArgument = Annotated[
    Path | None,
    typer.Argument(
        metavar="PATH",
        help="Where to write the spec. Default: specs/NAMESPACE.yaml.",
        show_default=False,
    ),
]
NamespaceOption = Annotated[
    str,
    typer.Option("--namespace", help="Prefix of every metric name, such as checkout."),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace the file if it exists.")
]


@app.command()
def init(
    path: InitPathArgument = None,
    namespace: NamespaceOption = "app",
    force: ForceOption = False,
) -> None:
    """Write a commented starter spec that passes `promspec lint --strict`."""
    console = Console(quiet=False, verbose=False)

    def job() -> ExitCode:
        from promspec.errors import ExitCode, UsageError, WriteError
        from promspec.starter import render_starter

        target = path or Path("specs") / f"{namespace}.yaml"
        if target.exists() and not force:
            raise UsageError(
                f"{target} exists; pass --force to replace it, or choose another path"
            )
        text = render_starter(namespace)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise WriteError(
                f"cannot write {target}: {error.strerror or error}; check that "
                f"{target.parent} is a folder that you can write to"
            ) from None
        console.info(f"wrote {target}; next: promspec lint --strict {target}")
        return ExitCode.OK

    _run(console, job)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec, for editors that validate YAML.

    Reference it from a spec's first line:
    `# yaml-language-server: $schema=PATH/promspec.schema.json`.
    """
    from promspec.json_schema import render_schema

    print(render_schema(), end="")


@app.command()
def version() -> None:
    """Print the promspec version."""
    from promspec import __version__

    print(__version__)


def main() -> None:
    app()
