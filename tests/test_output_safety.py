"""Nothing lost: kills, full disks, failing renderers and concurrent runs.

The kill tests run the real `promspec generate` in a subprocess that the
writer stops with SIGSTOP at a named stage (PROMSPEC_TEST_PAUSE_WRITER). The
test waits for the stop, which involves no clock, then sends SIGKILL.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from promspec.cli import app
from promspec.errors import ExitCode, WriteError
from promspec.writer import MARKER, PAUSE_VARIABLE, write_output
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "tests/specs/good/shop.yaml"
PROMSPEC = str(Path(sys.executable).parent / "promspec")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under folder by relative path; links are listed, not followed."""
    return {
        str(path.relative_to(folder)): (
            b"-> " + os.readlink(path).encode()
            if path.is_symlink()
            else path.read_bytes()
        )
        for path in folder.rglob("*")
        if path.is_file() or path.is_symlink()
    }


@pytest.fixture
def specs(tmp_path: Path) -> tuple[Path, Path]:
    """Return the shop spec and a copy whose output differs in every artifact."""
    changed = tmp_path / "shop.yaml"
    changed.write_text(
        SHOP.read_text().replace("Orders placed", "Orders placed, changed"),
        encoding="utf-8",
    )
    return SHOP, changed


def generate(spec: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["generate", str(spec), "--out", str(out), "-q"])
    return result.exit_code, result.stderr


def start_paused(spec: Path, out: Path, stage: str) -> subprocess.Popen[str]:
    """Start `promspec generate`, and return once the writer stopped at `stage`."""
    env = dict(os.environ, **{PAUSE_VARIABLE: stage})
    process = subprocess.Popen(
        [PROMSPEC, "generate", str(spec), "--out", str(out), "-q"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), f"promspec did not reach {stage}"
    return process


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.mark.parametrize("stage", ["locked", "writing", "staged"])
def test_kill_before_swap_keeps_previous(
    stage: str, specs: tuple[Path, Path], tmp_path: Path
) -> None:
    old_spec, new_spec = specs
    out = tmp_path / "out"
    assert generate(old_spec, out)[0] == ExitCode.OK
    before = snapshot(out)

    kill(start_paused(new_spec, out, stage))

    assert snapshot(out) == before


def test_kill_after_swap_leaves_new_output(
    specs: tuple[Path, Path], tmp_path: Path
) -> None:
    old_spec, new_spec = specs
    out, expected = tmp_path / "out", tmp_path / "expected"
    assert generate(old_spec, out)[0] == ExitCode.OK
    assert generate(new_spec, expected)[0] == ExitCode.OK

    kill(start_paused(new_spec, out, "swapped"))

    assert snapshot(out) == snapshot(expected)


def test_next_run_clears_leftover_of_killed_run(
    specs: tuple[Path, Path], tmp_path: Path
) -> None:
    old_spec, new_spec = specs
    out = tmp_path / "out"
    assert generate(old_spec, out)[0] == ExitCode.OK
    kill(start_paused(new_spec, out, "staged"))
    assert (tmp_path / ".out.promspec-new").is_dir()

    code, stderr = generate(new_spec, out)

    assert code == ExitCode.OK, stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "shop.yaml"]


def wait_until_blocked_on_lock(process: subprocess.Popen[str]) -> None:
    """Return once the process waits for a lock; /proc/locks lists waiters with `->`."""
    while not any(
        "->" in line and line.split()[5] == str(process.pid)
        for line in Path("/proc/locks").read_text().splitlines()
    ):
        assert process.poll() is None, f"promspec exited: {process.communicate()[1]}"
        os.sched_yield()


def test_concurrent_runs_do_not_interleave(
    specs: tuple[Path, Path], tmp_path: Path
) -> None:
    old_spec, new_spec = specs
    out, expected_old, expected_new = (tmp_path / name for name in ("out", "a", "b"))
    assert generate(old_spec, expected_old)[0] == ExitCode.OK
    assert generate(new_spec, expected_new)[0] == ExitCode.OK
    assert generate(new_spec, out)[0] == ExitCode.OK

    first = start_paused(old_spec, out, "staged")  # holds the lock
    second = subprocess.Popen(
        [PROMSPEC, "generate", str(new_spec), "--out", str(out), "-q"],
        env=dict(os.environ, **{PAUSE_VARIABLE: "locked"}),
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until_blocked_on_lock(second)
    assert snapshot(out) == snapshot(expected_new)

    first.send_signal(signal.SIGCONT)
    assert first.wait() == ExitCode.OK
    _, status = os.waitpid(second.pid, os.WUNTRACED)  # second now holds the lock
    assert os.WIFSTOPPED(status)
    assert snapshot(out) == snapshot(expected_old)

    second.send_signal(signal.SIGCONT)
    assert second.wait() == ExitCode.OK
    assert snapshot(out) == snapshot(expected_new)


def limit_file_size() -> None:
    """Let the process write no file over 2 KB: the kernel fails larger writes."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


def generate_with_size_limit(
    spec: Path, out: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `promspec generate` in a process that may write no file over 2 KB."""
    return subprocess.run(
        [PROMSPEC, "generate", str(spec), "--out", str(out), "-q"],
        preexec_fn=limit_file_size,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_file_size_limit_keeps_previous(
    specs: tuple[Path, Path], tmp_path: Path
) -> None:
    old_spec, new_spec = specs
    out = tmp_path / "out"
    assert generate(old_spec, out)[0] == ExitCode.OK
    before = snapshot(out)

    # Without promtool, the first large file written is the output itself;
    # with it, the files written for promtool come first (tested below).
    no_promtool = {**os.environ, "PATH": str(tmp_path / "no-bin")}
    done = generate_with_size_limit(new_spec, out, no_promtool)

    assert done.returncode == ExitCode.WRITE_FAILED
    assert done.stderr.splitlines()[-1] == (
        f"error: cannot write {out}: File too large; the previous output is unchanged"
    )
    assert snapshot(out) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "shop.yaml"]


def test_file_size_limit_before_promtool(
    specs: tuple[Path, Path], tmp_path: Path, promtool: str
) -> None:
    old_spec, new_spec = specs
    out = tmp_path / "out"
    assert generate(old_spec, out)[0] == ExitCode.OK
    before = snapshot(out)

    # With the cache on, tests that passed before are not written for promtool.
    no_cache = {**os.environ, "PROMSPEC_CACHE_DIR": "off"}
    done = generate_with_size_limit(new_spec, out, no_cache)

    assert done.returncode == ExitCode.WRITE_FAILED
    assert done.stderr == (
        f"error: cannot write the files for promtool to {tempfile.gettempdir()}: "
        "File too large; promtool did not run, so nothing was written\n"
    )
    assert snapshot(out) == before


def test_renderer_raising_keeps_previous(
    specs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_spec, new_spec = specs
    out = tmp_path / "out"
    assert generate(old_spec, out)[0] == ExitCode.OK
    before = snapshot(out)

    def broken(*_: object) -> dict[str, str]:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr("promspec.render_dashboards.render_dashboards", broken)
    code, stderr = generate(new_spec, out)

    assert code == ExitCode.FAILED
    assert stderr.splitlines()[0] == "internal error: RuntimeError: renderer failed"
    assert snapshot(out) == before


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    """Return a folder beside out/ holding one file that no run may touch."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep\n")
    yield folder
    assert snapshot(folder) == {"keep.txt": b"keep\n"}


def test_symlink_inside_out_not_followed(
    specs: tuple[Path, Path], tmp_path: Path, outside: Path
) -> None:
    old_spec, new_spec = specs
    out = tmp_path / "out"
    assert generate(old_spec, out)[0] == ExitCode.OK
    (out / "python" / "escape").symlink_to(outside, target_is_directory=True)
    (out / "grafana" / "keep.txt").symlink_to(outside / "keep.txt")

    code, stderr = generate(new_spec, out)

    assert code == ExitCode.OK, stderr
    assert not (out / "python" / "escape").exists()
    assert not (out / "grafana" / "keep.txt").exists()


def test_symlink_at_staging_path_not_followed(
    specs: tuple[Path, Path], tmp_path: Path, outside: Path
) -> None:
    old_spec, new_spec = specs
    out = tmp_path / "out"
    assert generate(old_spec, out)[0] == ExitCode.OK
    (tmp_path / ".out.promspec-new").symlink_to(outside, target_is_directory=True)

    code, stderr = generate(new_spec, out)

    assert code == ExitCode.OK, stderr
    assert not (tmp_path / ".out.promspec-new").exists()
    assert b"changed" in (out / "python" / "shop_metrics.py").read_bytes()


@pytest.mark.parametrize(
    "path", ["../escape.txt", "/tmp/escape.txt", "python/../../escape.txt", "a\\b"]
)
def test_writer_rejects_paths_leaving_out(path: str, tmp_path: Path) -> None:
    with pytest.raises(WriteError) as caught:
        write_output(tmp_path / "out", {MARKER: "marker\n", path: "text\n"})

    assert str(caught.value) == (
        f"promspec would write {path!r} outside the output folder, so it wrote "
        "nothing; this is a bug in promspec, please report it with the spec"
    )
    assert list(tmp_path.iterdir()) == []
