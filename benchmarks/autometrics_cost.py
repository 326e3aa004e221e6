"""pyperf benchmark of the autometrics decorator beside the generated module, for the record.

Runs with the Python of a virtual environment that has autometrics, which pins
its own prometheus-client. BENCH_MODULE names the generated bench module's
file, rendered beforehand by `python -m benchmarks`.

autometrics counts the calls of a function and records their duration, so
each case is an empty function that records one counter increment and one
histogram observation: by the decorator, or through the generated module.
"""

from __future__ import annotations

import importlib.util
import os
import time

import pyperf
from prometheus_client import CollectorRegistry


def generated_metrics() -> object:
    path = os.environ["BENCH_MODULE"]
    spec = importlib.util.spec_from_file_location("bench_metrics", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BenchMetrics(CollectorRegistry())


def namespace() -> dict[str, object]:
    from autometrics import autometrics, init

    init(tracker="prometheus", service_name="bench")
    metrics = generated_metrics()

    def handle() -> None:
        pass

    def handle_recorded() -> None:
        start = time.perf_counter()
        metrics.requests_total.inc(method="GET", outcome="success")  # type: ignore[attr-defined]
        metrics.request_duration_seconds.observe(  # type: ignore[attr-defined]
            time.perf_counter() - start, method="GET", outcome="success"
        )

    return {
        "handle": handle,
        "handle_decorated": autometrics(handle),
        "handle_recorded": handle_recorded,
    }


def main() -> None:
    runner = pyperf.Runner()
    runner.argparser.set_defaults(inherit_environ=["BENCH_MODULE"])
    names = namespace()
    runner.timeit("call: empty function", stmt="handle()", globals=names)
    runner.timeit("call: autometrics", stmt="handle_decorated()", globals=names)
    runner.timeit("call: generated module", stmt="handle_recorded()", globals=names)


if __name__ == "__main__":
    main()
