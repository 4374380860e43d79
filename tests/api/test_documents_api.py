"""Dossier documents over HTTP: upload (magic bytes decide), download only through a visible case."""

from __future__ import annotations

import hashlib

from tests.api.conftest import ARBITRATION_HANDOFF, DISPUTE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def upload(api, data: bytes, role: str = "staff", content_type: str = "application/octet-stream"):
    return api.client.post("/documents", files={"file": ("scan", data, content_type)}, headers=api.headers[role])


def test_upload_answers_the_sha256_and_the_type_detected_from_the_bytes(api):
    response = upload(api, PDF)
    assert response.status_code == 201
    assert response.json() == {"sha256": hashlib.sha256(PDF).hexdigest(), "size": len(PDF),
                               "media_type": "application/pdf"}


def test_a_text_file_is_415_and_a_type_contradicting_the_bytes_too(api):
    assert upload(api, b"just text").status_code == 415
    assert upload(api, PNG, content_type="application/pdf").status_code == 415


def test_a_file_over_the_limit_is_413(api):
    assert upload(api, PDF + b" " * (21 * 1024 * 1024)).status_code == 413


def test_auditors_cannot_upload(api):
    assert upload(api, PDF, role="auditor").status_code == 403


def test_a_cited_document_downloads_for_the_receiving_agency_and_not_for_others(api):
    digest = upload(api, PDF).json()["sha256"]
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    dossier = [{"doc_type": "APPLICATION", "title": "仲裁申请书", "sha256": digest}]
    assert api.post("staff", f"/disputes/{did}/request-handoff",
                    {**ARBITRATION_HANDOFF, "dossier": dossier}).status_code == 200
    path = f"/disputes/{did}/documents/{digest}"
    got = api.client.get(path, headers=api.headers["hr"])
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert api.client.get(path, headers=api.headers["court"]).status_code == 404
    other = hashlib.sha256(b"not cited").hexdigest()
    assert api.client.get(f"/disputes/{did}/documents/{other}", headers=api.headers["staff"]).status_code == 404
    assert api.client.get(f"/disputes/{did}/documents/not-a-hash", headers=api.headers["staff"]).status_code == 422
