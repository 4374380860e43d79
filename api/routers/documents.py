"""Dossier documents: upload once (content-addressed by SHA-256), download through a visible case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from pydantic import BaseModel

from api.access import READERS, allow, check_dispute_visible
from api.blocking import blocking
from api.routers.cases import ERRORS
from api.runtime import Runtime, runtime
from dispute_engine.documents import DocumentNotFound, check_hash, detect_media_type
from domain.dispute import Dispute
from domain.errors import NotFound
from domain.values import Actor


class DocumentOut(BaseModel):
    sha256: str
    size: int
    media_type: str


def _referenced(dispute: Dispute, sha256: str) -> bool:
    documents = [d for h in dispute.handoffs for d in h["dossier"]]
    documents += [d for p in dispute.proceedings for d in p.get("documents", [])]
    return any(d.get("sha256") == sha256 for d in documents)


def build_router() -> APIRouter:
    router = APIRouter(tags=["documents"])

    @router.post("/documents", status_code=201, response_model=DocumentOut,
                 responses={**ERRORS, 415: {"model": ERRORS[422]["model"]}},
                 summary="Upload a PDF, JPEG or PNG; answers its SHA-256 to cite in a dossier")
    async def upload(request: Request, file: Annotated[UploadFile, File(description="PDF, JPEG or PNG")],
                     rt: Runtime = runtime(), actor: Actor = allow("staff", "partner"),
                     media_type: Annotated[str | None, Form(description="optional; must match the bytes")] = None,
                     ) -> DocumentOut:
        store = request.app.state.documents
        data = await file.read(store.max_bytes + 1)
        declared = media_type or file.content_type
        stored = store.put(data, declared)
        return DocumentOut(sha256=stored.sha256, size=stored.size, media_type=stored.media_type)

    @router.get("/disputes/{dispute_id}/documents/{sha256}", response_class=Response, responses=ERRORS,
                summary="Download a document the case's dossier cites; checked against its hash on read")
    @blocking
    def download(dispute_id: str, sha256: str, request: Request, rt: Runtime = runtime(),
                 actor: Actor = allow(*READERS)) -> Response:
        digest = check_hash(sha256)
        dispute = rt.app.load(Dispute, dispute_id)
        check_dispute_visible(dispute, actor)
        if not _referenced(dispute, digest):
            raise NotFound(f"the case cites no document {digest}")
        try:
            data = request.app.state.documents.get(digest)
        except DocumentNotFound:
            raise NotFound(f"document {digest} was cited but never uploaded") from None
        return Response(data, media_type=detect_media_type(data) or "application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{digest[:16]}"'})

    return router
