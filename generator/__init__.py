"""promspec: one YAML metric spec in, checked Prometheus and Grafana artifacts out."""

__version__ = "0.1.0"
