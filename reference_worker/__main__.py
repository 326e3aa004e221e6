"""`python -m reference_worker`: parse the options, start the worker, stop on SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
import threading
from pathlib import Path

from prometheus_client import REGISTRY

from reference_worker.metrics import DEFAULT_FOLDER, MetricsModuleError, load_metrics
from reference_worker.options import bounded
from reference_worker.service import Config, Worker
from reference_worker.state import StateError

log = logging.getLogger("reference_worker")

QUEUE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
ENV_PREFIX = "REFERENCE_WORKER_"


def queue_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    bad = [name for name in names if not QUEUE_NAME.match(name)]
    if not names or bad:
        raise argparse.ArgumentTypeError(
            f"invalid queue names {text!r}: use lower-case letters, digits, _ . -, separated by commas"
        )
    return list(dict.fromkeys(names))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference_worker",
        description="Run tasks from named queues, serve the task API, webhooks and /metrics. "
        "Secrets may be given in the environment as REFERENCE_WORKER_API_KEY, "
        "REFERENCE_WORKER_JWT_SECRET and REFERENCE_WORKER_WEBHOOK_SECRET.",
    )
    add = parser.add_argument
    add(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s)",
    )
    add(
        "--port",
        type=bounded(int, 0, 65535),
        default=8080,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    add(
        "--queues",
        type=queue_names,
        default=["default"],
        help="task queue names, comma-separated (default: default)",
    )
    add(
        "--max-activities",
        type=bounded(int, 1, 256),
        default=4,
        help="activities that run at once (default: %(default)s)",
    )
    add(
        "--max-workflows",
        type=bounded(int, 1, 256),
        default=2,
        help="workflows that run at once (default: %(default)s)",
    )
    add(
        "--activity-timeout",
        type=bounded(float, 0.01, 600),
        default=30.0,
        help="seconds an activity may run when its task sets no timeout (default: %(default)s)",
    )
    add(
        "--grace",
        type=bounded(float, 0, 3600),
        default=10.0,
        help="seconds running tasks may take to finish at shutdown before they are requeued (default: %(default)s)",
    )
    add(
        "--state-file",
        type=Path,
        default=Path("worker-state.json"),
        help="file that keeps waiting tasks from one run to the next (default: %(default)s)",
    )
    add(
        "--metrics-dir",
        type=Path,
        default=DEFAULT_FOLDER,
        help="folder of the generated compozy_metrics.py (default: this repository's out/python)",
    )
    add(
        "--api-key",
        default=os.environ.get(ENV_PREFIX + "API_KEY"),
        help="the API key clients send",
    )
    add(
        "--jwt-secret",
        default=os.environ.get(ENV_PREFIX + "JWT_SECRET"),
        help="the HS256 secret of client JWTs",
    )
    add(
        "--webhook-secret",
        default=os.environ.get(ENV_PREFIX + "WEBHOOK_SECRET"),
        help="the HMAC-SHA256 secret of webhook signatures",
    )
    add(
        "--webhook-sources",
        type=queue_names,
        default=["generic"],
        help="accepted webhook sources, the last part of /webhooks/SOURCE (default: generic)",
    )
    add(
        "--rate-limit",
        type=bounded(float, 0, 1e6),
        default=100.0,
        help="authenticated requests per second per user; 0 turns the limit off (default: %(default)s)",
    )
    add("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], default="INFO")
    return parser


def config_from(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Config:
    for option in ("api_key", "jwt_secret", "webhook_secret"):
        if not getattr(args, option):
            name = option.replace("_", "-")
            parser.error(
                f"missing --{name}: pass it, or set {ENV_PREFIX}{option.upper()}"
            )
    return Config(
        args.host,
        args.port,
        args.queues,
        args.max_activities,
        args.max_workflows,
        args.activity_timeout,
        args.grace,
        args.state_file,
        args.api_key,
        args.jwt_secret,
        args.webhook_secret,
        args.webhook_sources,
        args.rate_limit,
    )


def run(config: Config, metrics_dir: Path) -> int:
    """Run until SIGTERM or SIGINT; return the exit status."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        worker = Worker(config, load_metrics(metrics_dir, REGISTRY), REGISTRY)
        worker.start()
    except (MetricsModuleError, StateError) as error:
        log.error("%s", error)
        return 2
    except OSError as error:
        log.error(
            "cannot listen on %s:%d: %s; pick another --port",
            config.host,
            config.port,
            error.strerror,
        )
        return 1
    stop.wait()
    worker.stop()
    return 0


def main() -> int:
    parser = build_parser()
    args = parser.parse_args()
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return run(config_from(args, parser), args.metrics_dir)


if __name__ == "__main__":
    sys.exit(main())
