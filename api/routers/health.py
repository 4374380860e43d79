"""Liveness and Prometheus metrics."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter, Response

from api.access import public
from api.blocking import blocking
from api.runtime import Runtime, runtime
from api.schemas import HealthOut


def build_router() -> APIRouter:
    router = APIRouter(tags=["operations"])
    installed = version("dispute-engine")  # read once: it is a file read

    @router.get("/healthz", response_model=HealthOut, dependencies=[public()], summary="Liveness")
    async def healthz(rt: Runtime = runtime()) -> HealthOut:
        return HealthOut(status="ok", store=rt.engine.settings.store_description.split(" ")[0], version=installed)

    @router.get("/metrics", response_class=Response, dependencies=[public()],
                summary="Prometheus text format: requests, latencies, commands, conflicts, projection lag",
                responses={200: {"content": {"text/plain": {}}}})
    @blocking
    def metrics(rt: Runtime = runtime()) -> Response:
        return Response(rt.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    return router
