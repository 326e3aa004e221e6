"""Every lint check: its stable id, its severity, and what it reports."""

from __future__ import annotations

from dataclasses import dataclass

from promspec.errors import Diagnostic, Severity
from promspec.model import Location

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity
    summary: str


CHECKS = {
    check.id: check
    for check in (
        Check("names/collision", ERROR, "two definitions expose the same series name"),
        Check("names/total-suffix", ERROR, "_total outside a counter's name end"),
        Check("names/non-base-unit", WARNING, "a unit that is not a base unit"),
        Check(
            "names/unit-suffix", WARNING, "a unit word that is not the name's suffix"
        ),
        Check("names/type-in-name", WARNING, "the metric's type written in its name"),
        Check(
            "names/camel-case", WARNING, "upper-case letters in a metric or label name"
        ),
        Check(
            "names/reserved-label", WARNING, "le or quantile on the wrong metric type"
        ),
        Check("names/label-rewritten", ERROR, "a label name the client rewrites"),
        Check(
            "names/recording-rule", WARNING, "a record name not level:metric:operations"
        ),
        Check("names/alert-name", WARNING, "an alert name not in CamelCase"),
        Check("alerts/duplicate-name", ERROR, "two alerts with the same name"),
        Check("alerts/label-dropped", ERROR, "$labels.X where the expression drops X"),
        Check(
            "alerts/template-typo", ERROR, "an unknown variable or unbalanced braces"
        ),
        Check(
            "cardinality/unbounded-label",
            WARNING,
            "a string or int label without bound",
        ),
        Check("cardinality/over-budget", ERROR, "more series than the spec's budget"),
        Check("promql/syntax", ERROR, "an expression that does not parse"),
        Check("promql/unknown-metric", ERROR, "a metric the spec does not define"),
        Check(
            "promql/rate-on-gauge", ERROR, "rate, irate, increase or resets on a gauge"
        ),
        Check("promql/raw-counter", WARNING, "a counter used without rate or increase"),
        Check("promql/quantile-without-le", ERROR, "histogram_quantile without le"),
        Check(
            "promql/quantile-not-aggregated", WARNING, "histogram_quantile per series"
        ),
        Check("promql/unknown-label", ERROR, "a matcher on a label the series lacks"),
        Check(
            "promql/impossible-value", ERROR, "a matcher value the label never takes"
        ),
        Check("promql/range-too-short", WARNING, "a range under four scrape intervals"),
        Check("promql/no-match", ERROR, "a binary operation whose sides cannot match"),
        Check("promql/matched-with-itself", ERROR, "each series matched with itself"),
        Check("promql/ambiguous-match", WARNING, "several series per match group"),
        Check("dashboards/duplicate-uid", ERROR, "two dashboards with the same uid"),
        Check(
            "dashboards/rate-interval",
            WARNING,
            "a rate range that is not $__rate_interval",
        ),
        Check(
            "dashboards/datasource", ERROR, "a panel without the datasource variable"
        ),
        Check("dashboards/legend-label", WARNING, "a legend label the query drops"),
        Check("dashboards/panel-id", ERROR, "two panels with the same id"),
        Check("dashboards/grid", ERROR, "a panel past the grid or over another"),
        Check(
            "tests/untested-rule", WARNING, "a recording rule without generated tests"
        ),
        Check("tests/untested-alert", WARNING, "an alert without generated tests"),
        Check("tests/untested-slo", WARNING, "an SLO without generated tests"),
        Check("tests/coverage", WARNING, "rules and alerts not all covered by tests"),
        Check("lint/unknown-check", ERROR, "an acknowledgement of an unknown check"),
        Check(
            "lint/unused-acknowledgement",
            WARNING,
            "an acknowledgement that matches nothing",
        ),
    )
}


def finding(
    check_id: str, location: Location, field: str, message: str, fix: str
) -> Diagnostic:
    """Build the diagnostic of a check, with the check's id and severity."""
    check = CHECKS[check_id]
    return Diagnostic(location, field, message, fix, check.severity, check.id)
