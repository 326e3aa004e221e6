"""The synthetic spec that the scale benchmark generates must be a valid spec."""

from __future__ import annotations

from pathlib import Path

import pytest
from promspec.build import load_spec

from benchmarks.synthetic_spec import synthetic_spec


def test_synthetic_spec_loads(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.yaml"
    path.write_text(synthetic_spec(metrics=40, groups=4))

    spec = load_spec(str(path))

    assert len(spec.metrics) == 40
    assert len(spec.groups) == 4
    assert all(len(group.metrics) == 10 for group in spec.groups)
    assert len(spec.recording_rules) == 40
    assert all(len(group.alerts) == 10 for group in spec.groups)
    assert all(group.dashboard is not None for group in spec.groups)


def test_synthetic_spec_rejects_more_groups_than_metrics() -> None:
    with pytest.raises(ValueError, match="invalid size: 3 groups for 2 metrics"):
        synthetic_spec(metrics=2, groups=3)
