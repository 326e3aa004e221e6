"""Tests of the generated Python module: render it, import it, drive it, scrape it.

Expositions are compared with the `_created` lines filtered out, because
prometheus-client stamps them with the time at which each series was created.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from promspec.model import Group, Label, LabelKind, Metric, MetricType, Source, Spec
from promspec.render_module import MetricClass, python_string, render_module
from promspec.stamp import stamp

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "module"
VENV_BIN = Path(sys.executable).parent

# A description that a naive template would turn into broken Python.
TRICKY_DESCRIPTION = (
    'Orders "placed" via \'\'\'API\'\'\' or """UI""" from C:\\temp\\new, a tab\there\n'
    'and a second line that ends with a quote"'
)
# Long enough to be split into several literals, with one word longer than a line.
LONG_DESCRIPTION = (
    "Time a job waits in the queue before a worker takes it, " * 3 + "x" * 100
)

_module_ids = itertools.count()


def enum(name: str, *values: str) -> Label:
    return Label(name, LabelKind.ENUM, values)


def string(name: str) -> Label:
    return Label(name, LabelKind.STRING)


def integer(name: str) -> Label:
    return Label(name, LabelKind.INT)


def metric(key: str, name: str, metric_type: MetricType, **fields: Any) -> Metric:
    fields.setdefault("description", f"The {key.replace('_', ' ')}")
    fields.setdefault("group", "shop")
    return Metric(key=key, name=name, type=metric_type, **fields)


def shop_spec() -> Spec:
    """Return a spec with every metric type, label kind and source."""
    shop = (
        metric(
            "orders_total",
            "shop_orders_total",
            MetricType.COUNTER,
            description=TRICKY_DESCRIPTION,
        ),
        metric(
            "payments_total",
            "shop_payments_total",
            MetricType.COUNTER,
            labels=(enum("method", "card", "cash"), enum("outcome", "ok", "failed")),
        ),
        metric("cart_items", "shop_cart_items", MetricType.GAUGE),
        metric(
            "checkout_sessions",
            "shop_checkout_sessions",
            MetricType.GAUGE,
            labels=(enum("method", "card", "cash"),),
        ),
        metric(
            "queue_wait_seconds",
            "shop_queue_wait_seconds",
            MetricType.HISTOGRAM,
            unit="seconds",
            buckets=(1.0, 2.5),
            description=LONG_DESCRIPTION,
        ),
        metric(
            "payload_size_bytes",
            "shop_payload_size_bytes",
            MetricType.SUMMARY,
            unit="bytes",
            labels=(string("type"),),
        ),
        metric(
            "job_latency_seconds",
            "shop_job_latency_seconds",
            MetricType.SUMMARY,
            unit="seconds",
        ),
        metric(
            "pool_connections_open",
            "shop_pool_connections_open",
            MetricType.GAUGE,
            source=Source.CALLBACK,
        ),
        metric(
            "queue_depth",
            "shop_queue_depth",
            MetricType.GAUGE,
            source=Source.CALLBACK,
            labels=(string("queue"),),
        ),
        metric(
            "pool_hits_total",
            "shop_pool_hits_total",
            MetricType.COUNTER,
            source=Source.CALLBACK,
        ),
        metric(
            "shard_reads_total",
            "shop_shard_reads_total",
            MetricType.COUNTER,
            source=Source.CALLBACK,
            labels=(integer("shard"), enum("mode", "read", "write")),
        ),
        metric(
            "worker_states",
            "shop_worker_states",
            MetricType.GAUGE,
            source=Source.CALLBACK,
            labels=(enum("state", "idle", "busy"),),
        ),
    )
    http = (
        metric(
            "request_duration_seconds",
            "shop_request_duration_seconds",
            MetricType.HISTOGRAM,
            group="http",
            unit="seconds",
            buckets=(0.1, 0.5, 1.0),
            labels=(enum("method", "GET", "POST"), string("path"), integer("status")),
        ),
    )
    return Spec(
        path="specs/shop.yaml",
        source_name="shop.yaml",
        version=1,
        namespace="shop",
        groups=(
            Group("shop", "The shop", shop),
            Group("http", "HTTP server", http),
        ),
        module="shop_metrics",
        description=TRICKY_DESCRIPTION,
    )


def write_module(spec: Spec, folder: Path) -> Path:
    """Render the spec's module into `folder` and return the file's path."""
    ((relative, text),) = render_module(spec).items()
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def import_file(path: Path) -> ModuleType:
    """Import a generated module under a unique name, leaving sys.modules alone."""
    module_spec = importlib.util.spec_from_file_location(
        f"{path.stem}_{next(_module_ids)}", path
    )
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def exposition(registry: CollectorRegistry) -> str:
    """Return the text exposition without `_created` lines, whose values are times."""
    created = re.compile(r"^(# (HELP|TYPE) )?\w+_created[ {]")
    lines = generate_latest(registry).decode("utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not created.match(line))


def run_tool(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a tool from the virtual environment, or skip the test if it is missing."""
    tool = VENV_BIN / name
    if not tool.exists():
        pytest.skip(f"{name} is not installed in {VENV_BIN}; install the test extra")
    return subprocess.run([str(tool), *args], cwd=cwd, capture_output=True, text=True)


def ruff_check(path: Path) -> subprocess.CompletedProcess[str]:
    config = str(REPO / "pyproject.toml")
    return run_tool(
        "ruff", "check", "--no-cache", "--config", config, str(path), cwd=path.parent
    )


def mypy_strict(path: Path) -> subprocess.CompletedProcess[str]:
    cache = str(path.parent / ".mypy_cache")
    return run_tool(
        "mypy", "--strict", "--cache-dir", cache, str(path), cwd=path.parent
    )


@pytest.fixture(scope="module")
def shop_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_module(shop_spec(), tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def shop(shop_path: Path) -> ModuleType:
    return import_file(shop_path)


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


def drive_shop(metrics: Any) -> None:
    """Record a known set of values through every metric of the shop spec."""
    metrics.orders_total.inc()
    metrics.orders_total.inc(2)
    metrics.payments_total.inc(method="card", outcome="ok")
    metrics.payments_total.inc(3, method="cash", outcome="failed")
    metrics.cart_items.set(5)
    metrics.cart_items.inc(2)
    metrics.cart_items.dec()
    metrics.checkout_sessions.inc(method="card")
    metrics.checkout_sessions.labels(method="cash").set(4)
    metrics.queue_wait_seconds.observe(2.0)
    metrics.payload_size_bytes.observe(512, type="json")
    metrics.job_latency_seconds.observe(1.5)
    metrics.pool_connections_open.set_callback(lambda: 7)
    metrics.queue_depth.set_callback(lambda: {"emails": 3, "reports": 0})
    metrics.pool_hits_total.set_callback(lambda: 42)
    metrics.shard_reads_total.set_callback(lambda: {(1, "read"): 10, (2, "write"): 4})
    metrics.worker_states.set_callback(lambda: {"idle": 2, "busy": 1})
    metrics.request_duration_seconds.observe(0.3, method="GET", path="/a", status=200)
    metrics.request_duration_seconds.observe(2.0, method="POST", path="/b", status=500)


# --- Exposition ------------------------------------------------------------


def test_exposition_matches_expected_text(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    metrics = shop.ShopMetrics(registry)
    drive_shop(metrics)

    # prometheus-client 0.26 writes each sample's labels sorted by name.
    expected = (FIXTURES / "shop.prom").read_text(encoding="utf-8")
    assert exposition(registry) == expected


def test_enum_series_start_at_zero(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    shop.ShopMetrics(registry)

    for method, outcome in itertools.product(("card", "cash"), ("ok", "failed")):
        labels = {"method": method, "outcome": outcome}
        assert registry.get_sample_value("shop_payments_total", labels) == 0.0
    for method in ("card", "cash"):
        assert (
            registry.get_sample_value("shop_checkout_sessions", {"method": method})
            == 0.0
        )


def test_labelled_string_series_absent_until_used(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    shop.ShopMetrics(registry)

    assert "shop_payload_size_bytes_count" not in exposition(registry)
    assert "shop_request_duration_seconds_bucket" not in exposition(registry)


def test_metric_names_match_model(shop: ModuleType) -> None:
    for model in shop_spec().metrics:
        class_name = "".join(part.capitalize() for part in model.key.split("_"))
        assert getattr(shop, class_name).name == model.name


def test_help_text_keeps_description(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    shop.ShopMetrics(registry)
    families = {family.name: family for family in registry.collect()}

    assert families["shop_orders"].documentation == TRICKY_DESCRIPTION
    assert families["shop_queue_wait_seconds"].documentation == LONG_DESCRIPTION


def test_docstrings_show_description(shop: ModuleType) -> None:
    first_line = TRICKY_DESCRIPTION.split("\n", 1)[0]

    assert shop.__doc__ is not None
    assert shop.__doc__.startswith(first_line + "\n")
    assert shop.OrdersTotal.__doc__.startswith(first_line + "\n")
    assert 'ends with a quote".' in shop.OrdersTotal.__doc__


# --- Recording -------------------------------------------------------------


def test_labels_returns_bound_child(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    metrics = shop.ShopMetrics(registry)

    child = metrics.payments_total.labels(method="card", outcome="ok")
    child.inc(5)
    same = metrics.payments_total.labels(method="card", outcome="ok")
    path_child = metrics.request_duration_seconds.labels(
        method="GET", path="/a", status=200
    )
    path_child.observe(0.2)

    assert same is child
    assert (
        registry.get_sample_value(
            "shop_payments_total", {"method": "card", "outcome": "ok"}
        )
        == 5
    )
    series = {"method": "GET", "path": "/a", "status": "200"}
    assert registry.get_sample_value("shop_request_duration_seconds_count", series) == 1


def test_timer_observes_one_duration(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    metrics = shop.ShopMetrics(registry)

    with metrics.job_latency_seconds.time():
        pass
    with metrics.request_duration_seconds.time(method="POST", path="/c", status=201):
        pass

    assert registry.get_sample_value("shop_job_latency_seconds_count") == 1
    series = {"method": "POST", "path": "/c", "status": "201"}
    assert registry.get_sample_value("shop_request_duration_seconds_count", series) == 1
    assert registry.get_sample_value("shop_request_duration_seconds_sum", series) >= 0


def test_timer_only_for_seconds(shop: ModuleType) -> None:
    assert hasattr(shop.JobLatencySeconds, "time")
    assert hasattr(shop.QueueWaitSeconds, "time")
    assert not hasattr(shop.PayloadSizeBytes, "time")


def test_histogram_keeps_spec_buckets(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    metrics = shop.ShopMetrics(registry)
    metrics.queue_wait_seconds.observe(0.5)

    bounds = [
        sample.labels["le"]
        for family in registry.collect()
        for sample in family.samples
        if sample.name == "shop_queue_wait_seconds_bucket"
    ]
    assert bounds == ["1.0", "2.5", "+Inf"]


def test_second_instance_on_registry_raises(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    shop.ShopMetrics(registry)

    with pytest.raises(ValueError, match="Duplicated timeseries"):
        shop.ShopMetrics(registry)


# --- Invalid label values ---------------------------------------------------


def test_unknown_enum_value_raises(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    metrics = shop.ShopMetrics(registry)
    message = (
        "invalid value 'FOO' for label 'method' of shop_checkout_sessions: "
        "expected one of card, cash"
    )

    with pytest.raises(ValueError) as raised:
        metrics.checkout_sessions.inc(method="FOO")
    assert str(raised.value) == message
    with pytest.raises(ValueError) as raised:
        metrics.checkout_sessions.labels(method="FOO")
    assert str(raised.value) == message


def test_unknown_enum_names_first_bad_label(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    metrics = shop.ShopMetrics(registry)

    with pytest.raises(ValueError) as raised:
        metrics.payments_total.inc(method="card", outcome="maybe")
    assert str(raised.value) == (
        "invalid value 'maybe' for label 'outcome' of shop_payments_total: "
        "expected one of ok, failed"
    )


def test_unknown_enum_with_string_labels_raises(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    metrics = shop.ShopMetrics(registry)

    with pytest.raises(ValueError) as raised:
        metrics.request_duration_seconds.observe(
            0.1, method="get", path="/a", status=200
        )
    assert str(raised.value) == (
        "invalid value 'get' for label 'method' of shop_request_duration_seconds: "
        "expected one of GET, POST"
    )
    assert "shop_request_duration_seconds_count" not in exposition(registry)


# --- Callbacks ---------------------------------------------------------------


def test_callback_metrics_absent_until_set(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    shop.ShopMetrics(registry)
    text = exposition(registry)

    for name in (
        "pool_connections_open",
        "queue_depth",
        "pool_hits",
        "shard_reads",
        "worker_states",
    ):
        assert f"shop_{name}" not in text


def test_callback_counter_not_added_twice(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    metrics = shop.ShopMetrics(registry)
    metrics.pool_hits_total.set_callback(lambda: 42)

    first = registry.get_sample_value("shop_pool_hits_total")
    second = registry.get_sample_value("shop_pool_hits_total")
    families = [list(metrics.pool_hits_total.collect()) for _ in range(2)]

    assert first == 42
    assert second == 42
    assert [family.type for (family,) in families] == ["counter", "counter"]
    assert [family.samples[0].value for (family,) in families] == [42, 42]


def test_callback_value_read_each_scrape(
    shop: ModuleType, registry: CollectorRegistry
) -> None:
    metrics = shop.ShopMetrics(registry)
    readings = iter([3.0, 1.0])
    metrics.pool_connections_open.set_callback(lambda: next(readings))

    assert registry.get_sample_value("shop_pool_connections_open") == 3.0
    assert registry.get_sample_value("shop_pool_connections_open") == 1.0


def test_callback_bad_enum_logged_and_skipped(
    shop: ModuleType, registry: CollectorRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = shop.ShopMetrics(registry)
    metrics.shard_reads_total.set_callback(lambda: {(1, "erase"): 1})
    metrics.pool_connections_open.set_callback(lambda: 7)

    with caplog.at_level(logging.ERROR, logger=shop.__name__):
        text = generate_latest(registry).decode()

    assert "shop_shard_reads_total" not in text
    assert "shop_pool_connections_open 7.0" in text
    assert caplog.records[0].getMessage() == (
        "reading shop_shard_reads_total for a scrape failed; it is left out"
    )
    assert str(caplog.records[0].exc_info[1]) == (
        "invalid value 'erase' for label 'mode' of shop_shard_reads_total: "
        "expected one of read, write"
    )


def test_callback_error_skips_one_metric(
    shop: ModuleType, registry: CollectorRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = shop.ShopMetrics(registry)

    def broken() -> float:
        raise ConnectionError("pool is closed")

    metrics.pool_hits_total.set_callback(broken)
    metrics.pool_connections_open.set_callback(lambda: 7)

    with caplog.at_level(logging.ERROR, logger=shop.__name__):
        text = generate_latest(registry).decode()

    assert "shop_pool_hits_total" not in text
    assert "shop_pool_connections_open 7.0" in text
    assert isinstance(caplog.records[0].exc_info[1], ConnectionError)


@pytest.mark.parametrize(
    ("reading", "error"),
    [
        (None, "float() argument must be a string or a real number, not 'NoneType'"),
        (-3, "a counter cannot be negative; the callback returned -3.0"),
    ],
)
def test_callback_invalid_value_logged(
    shop: ModuleType,
    registry: CollectorRegistry,
    caplog: pytest.LogCaptureFixture,
    reading: object,
    error: str,
) -> None:
    metrics = shop.ShopMetrics(registry)
    metrics.pool_hits_total.set_callback(lambda: reading)

    with caplog.at_level(logging.ERROR, logger=shop.__name__):
        text = generate_latest(registry).decode()

    assert "shop_pool_hits_total" not in text
    assert str(caplog.records[0].exc_info[1]) == error


def test_describe_skips_callback(shop: ModuleType, registry: CollectorRegistry) -> None:
    metrics = shop.ShopMetrics(registry)
    calls: list[str] = []

    def read_states() -> dict[str, float]:
        calls.append("read_states")
        return {"idle": 1}

    metrics.worker_states.set_callback(read_states)
    (family,) = metrics.worker_states.describe()

    assert calls == []
    assert family.name == "shop_worker_states"
    assert family.samples == []


# --- Generated source --------------------------------------------------------


def test_module_path_named_by_spec() -> None:
    assert list(render_module(shop_spec())) == ["python/shop_metrics.py"]


def test_rendering_is_deterministic() -> None:
    assert render_module(shop_spec()) == render_module(shop_spec())


def test_first_line_carries_stamp() -> None:
    (text,) = render_module(shop_spec()).values()
    first_line = text.split("\n", 1)[0]

    assert first_line.startswith("# ")
    assert stamp(shop_spec()).startswith(first_line.removeprefix("# "))


def test_clashing_names_get_underscore(
    tmp_path: Path, registry: CollectorRegistry
) -> None:
    clash = metric(
        "class",
        "shop_class_total",
        MetricType.COUNTER,
        labels=(string("amount"), enum("self", "a", "b"), string("str")),
    )
    spec = Spec(
        "shop.yaml", "shop.yaml", 1, "shop", (Group("shop", "", (clash,)),), "clash"
    )
    module = import_file(write_module(spec, tmp_path))

    metrics = module.ShopMetrics(registry)
    metrics.class_.inc(2, amount_="x", self_="a", str_="y")

    series = {"amount": "x", "self": "a", "str": "y"}
    assert registry.get_sample_value("shop_class_total", series) == 2


def test_enum_aliases_disambiguated(shop: ModuleType) -> None:
    assert shop.ShopMethod.__args__ == ("card", "cash")
    assert shop.HttpMethod.__args__ == ("GET", "POST")
    assert shop.Mode.__args__ == ("read", "write")


def test_unit_omitted_when_it_renames() -> None:
    bytes_metric = metric("transfer", "shop_transfer", MetricType.GAUGE, unit="bytes")
    seconds_metric = metric(
        "wait_seconds_total",
        "shop_wait_seconds_total",
        MetricType.COUNTER,
        unit="seconds",
    )

    assert MetricClass(bytes_metric, "Transfer", "transfer", ()).unit == ""
    assert (
        MetricClass(seconds_metric, "WaitSecondsTotal", "wait_seconds_total", ()).unit
        == "seconds"
    )


def test_string_literal_round_trips() -> None:
    for text in (
        TRICKY_DESCRIPTION,
        LONG_DESCRIPTION,
        "",
        "\\",
        '"',
        "\x00\u2028é",
        "'''",
    ):
        assert eval(python_string(text)) == text  # noqa: S307 (a literal, built here)


def test_invalid_module_name_raises() -> None:
    spec = Spec("shop.yaml", "shop.yaml", 1, "shop", (), "class")

    with pytest.raises(ValueError, match="invalid Python module name 'class'"):
        render_module(spec)


def test_callback_histogram_raises() -> None:
    histogram = metric(
        "wait_seconds",
        "shop_wait_seconds",
        MetricType.HISTOGRAM,
        source=Source.CALLBACK,
    )
    spec = Spec(
        "shop.yaml",
        "shop.yaml",
        1,
        "shop",
        (Group("shop", "", (histogram,)),),
        "shop_metrics",
    )

    with pytest.raises(ValueError, match="a histogram cannot be read from a callback"):
        render_module(spec)


def test_generated_module_passes_ruff(shop_path: Path) -> None:
    result = ruff_check(shop_path)

    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_module_passes_mypy_strict(shop_path: Path) -> None:
    result = mypy_strict(shop_path)

    assert result.returncode == 0, result.stdout + result.stderr


# --- The Compozy spec ----------------------------------------------------------


@pytest.fixture(scope="module")
def compozy_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from promspec.build import load_spec

    spec = load_spec(str(REPO / "specs" / "compozy.yaml"))
    return write_module(spec, tmp_path_factory.mktemp("compozy"))


def drive_compozy(metrics: Any) -> None:
    """Record one value through every metric of the Compozy spec."""
    http = {"method": "GET", "path": "/api/workflows/:id"}
    metrics.http_request_size_bytes.observe(512, **http)
    metrics.http_response_size_bytes.observe(2048, **http)
    metrics.http_request_duration_seconds.observe(0.2, **http)
    metrics.http_requests_total.inc(**http, status_code=200)
    metrics.http_requests_in_flight.inc(method="POST")
    metrics.postgres_connections_open.set_callback(lambda: 10)
    metrics.postgres_connections_in_use.set_callback(lambda: 4)
    metrics.postgres_connections_idle.set_callback(lambda: 6)
    metrics.postgres_connections_max.set_callback(lambda: 20)
    metrics.postgres_connection_wait_duration_seconds.observe(0.003)
    metrics.redis_pool_size.set_callback(lambda: 16)
    metrics.redis_pool_idle_conns.set_callback(lambda: 5)
    metrics.redis_pool_hits_total.set_callback(lambda: 100)
    metrics.redis_pool_misses_total.set_callback(lambda: 7)
    metrics.redis_pool_timeouts_total.set_callback(lambda: 1)
    metrics.redis_pool_stale_conns_total.set_callback(lambda: 2)
    metrics.auth_attempts_total.inc(
        outcome="failure", reason="expired_token", method="jwt"
    )
    metrics.auth_token_age_seconds.observe(120, method="api_key")
    metrics.auth_rate_limit_hits_total.inc(ip_address="10.0.0.0")
    metrics.webhook_payload_size_bytes.observe(300, event_type="push", source="github")
    metrics.webhook_processing_duration_seconds.observe(
        0.04, event_type="push", outcome="success"
    )
    metrics.webhook_events_total.inc(event_type="push", outcome="error")
    metrics.webhook_queue_depth.set(3)
    metrics.autoload_duration_seconds.observe(1.2, project="demo")
    metrics.autoload_files_processed_total.inc(project="demo", outcome="success")
    metrics.autoload_configs_loaded_total.inc(project="demo", type="agent")
    metrics.autoload_errors_total.inc(project="demo", error_type="parse_error")
    metrics.worker_activities_executing.set(2)
    metrics.worker_workflows_executing.set(1)
    metrics.worker_task_queue_depth.set_callback(lambda: {"default": 12})
    metrics.worker_activity_duration_seconds.observe(
        0.7, activity_type="fetch", outcome="timeout"
    )
    metrics.worker_utilization_ratio.set(0.5, worker_type="activity")
    metrics.worker_max_concurrent_activities.set(8)
    metrics.worker_max_concurrent_workflows.set(4)


def test_compozy_module_records_every_metric(
    compozy_path: Path, registry: CollectorRegistry
) -> None:
    module = import_file(compozy_path)
    metrics = module.CompozyMetrics(registry)
    drive_compozy(metrics)

    get = registry.get_sample_value
    http = {"method": "GET", "path": "/api/workflows/:id"}
    assert get("compozy_http_request_duration_seconds_count", http) == 1
    assert get("compozy_http_requests_total", {**http, "status_code": "200"}) == 1
    assert get("compozy_http_requests_in_flight", {"method": "POST"}) == 1
    assert get("compozy_postgres_connections_max") == 20
    assert get("compozy_redis_pool_hits_total") == 100
    failure = {"outcome": "failure", "reason": "expired_token", "method": "jwt"}
    assert get("compozy_auth_attempts_total", failure) == 1
    assert (
        get(
            "compozy_autoload_configs_loaded_total",
            {"project": "demo", "type": "agent"},
        )
        == 1
    )
    assert get("compozy_worker_task_queue_depth", {"queue_name": "default"}) == 12
    assert get("compozy_worker_utilization_ratio", {"worker_type": "activity"}) == 0.5


def test_compozy_exposes_every_model_name(
    compozy_path: Path, registry: CollectorRegistry
) -> None:
    from promspec.build import load_spec

    spec = load_spec(str(REPO / "specs" / "compozy.yaml"))
    metrics = import_file(compozy_path).CompozyMetrics(registry)
    drive_compozy(metrics)

    exposed = {family.name for family in registry.collect()}
    assert exposed == {model.family for model in spec.metrics}


def test_compozy_unknown_enum_message(
    compozy_path: Path, registry: CollectorRegistry
) -> None:
    metrics = import_file(compozy_path).CompozyMetrics(registry)

    with pytest.raises(ValueError) as raised:
        metrics.http_requests_in_flight.inc(method="FOO")
    assert str(raised.value) == (
        "invalid value 'FOO' for label 'method' of compozy_http_requests_in_flight: "
        "expected one of GET, POST, PUT, DELETE, PATCH"
    )


def test_compozy_module_passes_ruff(compozy_path: Path) -> None:
    result = ruff_check(compozy_path)

    assert result.returncode == 0, result.stdout + result.stderr


def test_compozy_module_is_ruff_formatted(compozy_path: Path) -> None:
    config = str(REPO / "pyproject.toml")
    result = run_tool(
        "ruff",
        "format",
        "--check",
        "--no-cache",
        "--config",
        config,
        str(compozy_path),
        cwd=compozy_path.parent,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_compozy_module_passes_mypy_strict(compozy_path: Path) -> None:
    result = mypy_strict(compozy_path)

    assert result.returncode == 0, result.stdout + result.stderr
