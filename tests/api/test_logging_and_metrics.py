"""One structlog line per request, without personal data; Prometheus metrics on /metrics."""

from __future__ import annotations

from structlog.testing import capture_logs

from tests.api.conftest import DISPUTE


def test_one_log_line_per_request_with_ids_and_no_personal_data(api):
    with capture_logs() as logs:
        created = api.post("staff", "/disputes", DISPUTE)
        api.get("staff", f"/disputes/{created.json()['id']}")
    lines = [line for line in logs if line["event"] == "request"]
    assert len(lines) == 2
    first, second = lines
    assert first["status"] == 201 and first["route"] == "/disputes"
    assert first["user"] == "u-staff" and first["role"] == "staff"
    assert second["case_id"] == created.json()["id"]
    assert all(line["request_id"] and line["duration_ms"] >= 0 for line in lines)
    text = repr(logs)
    for secret in ("陈建国", "11010519491231002X", "13800138000", "unpaid wages"):
        assert secret not in text


def test_request_id_is_returned_and_echoed_in_errors(api):
    response = api.client.get("/disputes/nope", headers={**api.headers["staff"], "X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    assert response.json()["request_id"] == "trace-123"


def test_metrics_count_requests_commands_and_show_projection_lag(api):
    api.post("staff", "/disputes", DISPUTE)
    text = api.client.get("/metrics").text
    assert 'http_requests_total{method="POST",route="/disputes",status="201"} 1.0' in text
    assert 'commands_total{command="register_dispute",outcome="recorded"} 1.0' in text
    assert "projection_lag_events" in text
    assert "command_conflicts_retried" in text


def test_healthz_is_public(api):
    response = api.client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
