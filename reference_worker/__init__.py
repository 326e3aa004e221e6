"""A small task worker instrumented only through the module that promspec generates.

It runs activities and workflows from named task queues, accepts work over an
authenticated HTTP API and a signed webhook endpoint, and serves `/metrics`,
so that the generated rules and alerts can be proved against a real
Prometheus server. Start it with `python -m reference_worker --help`.
"""
