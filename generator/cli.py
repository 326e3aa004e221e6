"""The `promspec` command: a thin shell over the pipeline and the writer.

Generated files go to the output folder; every diagnostic goes to stderr.
Errors are caught here, once, and turned into a message and an exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Everything else is imported inside the commands, so that `--help` and
# usage errors load only typer.
if TYPE_CHECKING:
    from promspec.errors import ExitCode
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
    typer.Option("--strict", help="Treat warnings, such as skipped checks, as errors."),
]


class Console:
    """Writes diagnostics to stderr at the chosen verbosity."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet = quiet
        self.verbose = verbose

    def info(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            print(text, file=sys.stderr)

    def error(self, text: str) -> None:
        print(text, file=sys.stderr)


def _run(console: Console, job: Callable[[], ExitCode]) -> None:
    """Run a command body and exit with its code; report every error once."""
    from promspec.errors import ExitCode, PromspecError, SpecError, count

    try:
        code = job()
    except SpecError as error:
        console.error(str(error))
        console.error(
            f"{count(len(error.diagnostics), 'error')} found; nothing was written"
        )
        code = error.exit_code
    except PromspecError as error:
        console.error(f"error: {error}")
        code = error.exit_code
    except KeyboardInterrupt:
        console.error("interrupted; the previous output is unchanged")
        code = ExitCode.FAILED
    except Exception as error:  # a bug: say so plainly, with the details on request
        console.error(f"internal error: {type(error).__name__}: {error}")
        console.error(
            "this is a bug in promspec; rerun with --verbose for the traceback and report it"
        )
        if console.verbose:
            import traceback

            traceback.print_exc()
        code = ExitCode.FAILED
    raise typer.Exit(int(code))


def _build(specs: list[str] | None, require_promtool: bool, console: Console) -> Output:
    from promspec.pipeline import build_output, discover_specs
    from promspec.promtool import find_promtool

    paths = discover_specs(specs or [], Path("specs"))
    output = build_output(paths, find_promtool(), require_promtool)
    for detail in output.details:
        console.detail(detail)
    for skipped in output.skipped:
        console.error(f"warning: {skipped}")
    return output


@app.command()
def generate(
    specs: SpecsArgument = None,
    out: OutOption = Path("out"),
    require_promtool: RequireOption = False,
    strict: StrictOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Generate the module, rules and dashboards from the specs into the output folder."""
    console = Console(quiet, verbose)

    def job() -> ExitCode:
        from promspec.errors import ExitCode, count
        from promspec.writer import write_output

        output = _build(specs, require_promtool, console)
        if strict and output.skipped:
            console.error("error: --strict: checks were skipped; nothing was written")
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
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Fail when the output folder no longer matches the specs, or when validation fails."""
    console = Console(quiet, verbose)

    def job() -> ExitCode:
        from promspec.errors import ExitCode, count
        from promspec.writer import compare_output

        output = _build(specs, require_promtool, console)
        drift = compare_output(out, output.files)
        if drift:
            console.error(drift.report())
            console.error(
                f"error: {out} does not match the specs; run `promspec generate` and commit the result"
            )
            return ExitCode.FAILED
        if strict and output.skipped:
            console.error("error: --strict: checks were skipped")
            return ExitCode.FAILED
        console.info(f"{out}: {count(len(output.files), 'file')} match the specs")
        return ExitCode.OK

    _run(console, job)


@app.command()
def version() -> None:
    """Print the promspec version."""
    from promspec import __version__

    print(__version__)


def main() -> None:
    app()
