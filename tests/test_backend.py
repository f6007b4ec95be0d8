"""The Flask backend in both modes, on a small SQLite database."""

from __future__ import annotations

import io

import pytest

from mismatch_core.backend import BackendConfig, create_app
from mismatch_core.backend.data import prepare_database
from mismatch_core.backend.experiment import worker_requests
from mismatch_core.db.engine import open_engine


@pytest.fixture(scope="module", params=["baseline", "optimized"])
def client(request, tmp_path_factory):
    path = tmp_path_factory.mktemp(request.param) / "backend.sqlite"
    engine = open_engine(path=path)
    prepare_database(engine, request.param, jobs=600, resumes=30, seed=1)
    app = create_app(BackendConfig(mode=request.param, max_body_bytes=4096), engine=engine)
    return app.test_client()


def test_health_reports_mode(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["jobs"] == 600


def test_resume_matches_explained(client):
    response = client.get("/resumes/3/matches?limit=5")
    assert response.status_code == 200
    matches = response.json["matches"]
    assert len(matches) == 5
    scores = [match["score"] for match in matches]
    assert scores == sorted(scores, reverse=True)
    assert {"matched_skills", "missing_skills", "skill", "title", "job_title"} <= set(matches[0])
    assert isinstance(matches[0]["title"], float)


def test_both_modes_agree():
    # The optimized mode must return what the baseline returns, only faster.
    results = {}
    for mode in ("baseline", "optimized"):
        engine = open_engine(url="sqlite://")
        prepare_database(engine, mode, jobs=300, resumes=10, seed=2)
        app = create_app(BackendConfig(mode=mode), engine=engine)
        results[mode] = app.test_client().get("/resumes/4/matches?limit=10").json["matches"]
    assert [m["job_id"] for m in results["baseline"]] == [m["job_id"] for m in results["optimized"]]


def test_match_endpoint_accepts_russian(client):
    body = {"title": "Аналитик данных", "text": "SQL, Python, машинное обучение, 5 лет опыта",
            "skills": ["Python", "SQL"], "experience_years": 5}
    response = client.post("/match?limit=3", json=body)
    assert response.status_code == 200
    assert len(response.json["matches"]) == 3


def test_company_jobs_keyset_pages(client):
    sizes = {c: len(client.get(f"/companies/{c}/jobs?limit=100").json["jobs"]) for c in range(1, 31)}
    busiest = max(sizes, key=sizes.get)
    assert sizes[busiest] >= 6
    first = client.get(f"/companies/{busiest}/jobs?limit=3").json
    assert len(first["jobs"]) == 3
    second = client.get(f"/companies/{busiest}/jobs?limit=3&cursor={first['next_cursor']}").json
    assert len(second["jobs"]) == 3
    first_ids = {job["id"] for job in first["jobs"]}
    assert not first_ids & {job["id"] for job in second["jobs"]}
    stamps = [job["created_at"] for job in first["jobs"] + second["jobs"]]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/resumes/999999/matches", "resume_id"),
        ("/resumes/1/matches?limit=0", "limit"),
        ("/resumes/1/matches?limit=abc", "limit"),
        ("/resumes/1/matches?limit=101", "limit"),
        ("/companies/1/jobs?cursor=%%%", "cursor"),
        ("/resumes/99999999999999999999999/matches", "resume_id"),
        ("/resumes/abc/matches", "resume_id"),
        ("/resumes/-1/matches", "resume_id"),
        ("/companies/x/jobs", "company_id"),
        ("/companies/99999999999999999999999/jobs", "company_id"),
        # The cursor below encodes "2024-01-01T00:00:00|" and a 23-digit job id.
        ("/companies/1/jobs?cursor=MjAyNC0wMS0wMVQwMDowMDowMHw5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ",
         "cursor"),
    ],
)
def test_bad_get_gives_json_4xx(client, path, field):
    response = client.get(path)
    assert 400 <= response.status_code < 500
    assert response.json["error"]["field"] == field


def test_type_errors_use_json_names(client):
    cases = {"[1, 2]": "got an array", "null": "got null", '{"text": 5}': "got a number",
             '{"text": "python", "experience_years": "five"}': "got a string",
             '{"text": "python", "skills": {"a": 1}}': "got an object"}
    for body, expected in cases.items():
        response = client.post("/match", data=body, content_type="application/json")
        assert expected in response.json["error"]["message"], body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "body"),
        ("[1, 2]", "body"),
        ('{"text": ""}', "text"),
        ('{"title": "x"}', "text"),
        ('{"text": 5}', "text"),
        ('{"text": "python", "skills": "python"}', "skills"),
        ('{"text": "python", "experience_years": "five"}', "experience_years"),
        ('{"text": "python", "desired_salary": -1}', "desired_salary"),
        ('{"text": "python", "currency": "DOGE"}', "currency"),
        ('{"text": "python", "currency": ["RUB"]}', "currency"),
        ('{"text": "python", "experience_years": 1' + "0" * 400 + "}", "experience_years"),
        ('{"text": "python", "x": ' + "[" * 20_000 + "]" * 20_000 + "}", "body"),
        ("null", "body"),
    ],
)
def test_bad_match_body_names_field(client, body, field):
    response = client.post("/match", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json["error"]["field"] == field


def test_non_json_content_type_rejected(client):
    response = client.post("/match", data='{"text": "python"}', content_type="text/plain")
    assert response.status_code == 415
    assert response.json["error"]["field"] == "body"


def test_oversized_body_rejected(client):
    response = client.post("/match", data='{"text": "' + "x" * 5000 + '"}',  # limit is 4096
                           content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["field"] == "body"


def _chunked(client, body: bytes):
    # Chunked transfer encoding: no Content-Length, and the server marks the body's end.
    return client.post(
        "/match", input_stream=io.BytesIO(body), content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_chunked_oversized_body_rejected(client):
    response = _chunked(client, b'{"text": "' + b"x" * 5000 + b'"}')
    assert response.status_code == 413
    assert response.json["error"]["field"] == "body"


def test_chunked_body_within_limit_matches(client):
    response = _chunked(client, '{"text": "Python и SQL разработчик"}'.encode())
    assert response.status_code == 200
    assert response.json["matches"]


def test_metrics_use_route_labels(client):
    client.get("/resumes/2/matches")
    client.get("/resumes/5/matches")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'route="/resumes/<resume_id>/matches"' in text
    assert "/resumes/2/matches" not in text
    assert "mismatch_http_request_duration_seconds_bucket" in text
    assert "mismatch_http_requests_total" in text


def test_unknown_company_is_not_found(client):
    response = client.get("/companies/999999/jobs")
    assert response.status_code == 404
    assert response.json["error"]["field"] == "company_id"
    assert "no company with id 999999" in response.json["error"]["message"]


def test_worker_request_count_grows(client):
    before = worker_requests(client.get("/metrics").get_data(as_text=True))
    for _ in range(3):
        client.get("/health")
    after = worker_requests(client.get("/metrics").get_data(as_text=True))
    # One process, so one series without a pid; the first scrape counts as well.
    assert set(after) == {""}
    assert after[""] - before.get("", 0.0) == 4


def test_config_rejects_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        BackendConfig(mode="turbo")


@pytest.mark.parametrize("mode", ["baseline", "optimized"])
def test_rate_limit_rejects_with_json(mode):
    engine = open_engine(url="sqlite://")
    prepare_database(engine, mode, jobs=200, resumes=5, seed=3)
    app = create_app(BackendConfig(mode=mode, rate_limit=3), engine=engine)
    client = app.test_client()
    statuses = [client.get("/resumes/1/matches").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert client.get("/health").status_code == 200
    assert client.get("/metrics").status_code == 200
    rejected = client.get("/resumes/1/matches")
    assert "error" in rejected.json
