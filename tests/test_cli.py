"""The command line: help text, the matching benchmark and the generator."""

from __future__ import annotations

import json

import pytest

from mismatch_core.cli import main


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    output = capsys.readouterr().out
    for command in ("bench", "generate", "report"):
        assert command in output


def test_bench_help_explains_units(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "matching", "--help"])
    output = capsys.readouterr().out
    assert "milliseconds" in output
    assert "pairs per second" in output
    assert "MiB" in output


def test_bench_matching_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    status = main([
        "bench", "matching", "--jobs", "400", "--resumes", "40", "--pairs", "200",
        "--requests", "10", "--baseline-requests", "2", "--quiet", "--json", str(out),
    ])
    assert status == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["data"] == {"jobs": 400, "resumes": 40}
    for workload in ("shortlist", "random"):
        assert results["pairs"][workload]["max_abs_score_difference"] <= 1e-9
    assert results["top_k"]["same_ranking"] is True
    assert results["pairs"]["shortlist"]["speedup"] > 1.0
    assert "scikit-learn text only" in results["top_k"]
    assert "pairs/s" in capsys.readouterr().out


def test_bench_rejects_bad_size(capsys):
    status = main(["bench", "matching", "--jobs", "0", "--quiet"])
    assert status == 2
    assert "jobs must be at least 1" in capsys.readouterr().err


def test_generate_writes_dataset(tmp_path):
    from mismatch_core.synthetic import read_dataset

    out = tmp_path / "set"
    status = main(["generate", "--jobs", "1000", "--resumes", "50", "--format", "csv",
                   "--out", str(out), "--quiet"])
    assert status == 0
    dataset = read_dataset(out)
    assert len(dataset.jobs) == 1000
    assert len(dataset.resumes) == 50


def test_report_rejects_unknown_scale(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--scale", "huge"])
    assert exit_info.value.code == 2
