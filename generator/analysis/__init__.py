"""Static analysis of a spec: names, cardinality, PromQL, alerts and dashboards.

Imported only by the commands that lint, because it loads the PromQL parser.
"""
