"""The FastAPI application of `s2a serve`: the page at `/` and the JSON API.

Bad requests are answered 4xx with `{"error": "<one line>"}` (the page shows the same line): an
unparsable reaction or too many names 422, an unknown model 404, n-best or batch size out of range
422, a body over the size limit 413. Nothing a client sends produces a 500 or a traceback; an
unexpected failure inside a model is a one-line 500 and the server goes on serving.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, Optional, Union

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from s2a.api import FailedReaction, ProcedurePredictor, ReactionPrediction, ReactionQuery, Result, split_names
from s2a.errors import UnknownModel, UserError
from s2a.serve import export, page
from s2a.serve.draw import reaction_svg
from s2a.serve.schemas import (
    MAX_N_BEST,
    BatchIn,
    BatchItemOut,
    BatchOut,
    ErrorOut,
    ExportIn,
    ExportOut,
    HealthOut,
    HypothesisOut,
    ModelOut,
    ModelsOut,
    PredictIn,
    PredictionOut,
)
from s2a.serve.service import Example, Limits, NeighbourLookup, ServedModel, served

log = logging.getLogger("s2a.serve")
ERRORS: dict[Union[int, str], dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (404, 413, 422, 503)
}


class ServeError(Exception):
    """A request the server will not answer as asked: status code and one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BodyLimit:
    """Pure ASGI middleware: a request body over `limit` bytes is answered 413 before parsing."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _too_large(send, self.limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(send, self.limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    body = JSONResponse({"error": f"request body over {limit:,} bytes"}, status_code=413)
    await send({"type": "http.response.start", "status": 413, "headers": body.raw_headers})
    await send({"type": "http.response.body", "body": body.body})


def _one_line(exc: Union[RequestValidationError, ValidationError]) -> str:
    errors = list(exc.errors())
    if not errors:
        return "invalid request"
    first = errors[0]
    if first.get("type") == "json_invalid":
        reason = (first.get("ctx") or {}).get("error", "")
        return " ".join(f"the body is not valid JSON{f' ({reason})' if reason else ''}".split())
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
    text = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return " ".join((text + more).split())


def create_app(models: Mapping[str, Union[ServedModel, ProcedurePredictor]], examples: Sequence[Example] = (),
               limits: Limits = Limits(), neighbours: Optional[NeighbourLookup] = None) -> FastAPI:
    """The app over already loaded models (s2a.serve.service.load_models, or predictors in tests).

    The nearest training reaction shown on the page comes from `neighbours`, by default the `nn`
    model when it is served.
    """
    if not models:
        raise ValueError("create_app needs at least one model")
    loaded: dict[str, ServedModel] = {
        name: m if isinstance(m, ServedModel) else ServedModel(name, m, limits) for name, m in models.items()
    }
    if neighbours is None and "nn" in loaded:
        neighbours = NeighbourLookup(loaded["nn"])
    model_names = list(loaded)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        for m in loaded.values():
            m.close()

    app = FastAPI(title="s2a", version="1", description="Predict the experimental procedure (lab actions) "
                  "of a reaction from its SMILES (Smiles2Actions reproduction).", redoc_url=None, lifespan=lifespan)
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)
    app.state.models = loaded

    # -- errors -----------------------------------------------------------------------------------
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _one_line(exc)}, status_code=422)

    @app.exception_handler(ValidationError)  # a model built from query parameters (GET /export)
    async def _invalid_model(request: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse({"error": _one_line(exc)}, status_code=422)

    @app.exception_handler(UserError)
    async def _user(request: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"error": " ".join(str(exc).split())}, status_code=404 if isinstance(exc, UnknownModel) else 422)

    @app.exception_handler(ServeError)
    async def _serve(request: Request, exc: ServeError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("serve: %s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return JSONResponse({"error": f"internal error ({type(exc).__name__}); the server goes on"}, status_code=500)

    # -- prediction -------------------------------------------------------------------------------
    async def wait(future: "Future[Any]") -> Any:
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limits.timeout_s)
        except asyncio.TimeoutError:
            raise ServeError(503, f"the model did not answer within {limits.timeout_s:g} s") from None

    async def predict(model: ServedModel, queries: list[ReactionQuery], n_best: int) -> list[Result]:
        results: list[Result] = await wait(model.submit(queries, n_best))
        return results

    async def predict_one(req: PredictIn) -> tuple[ServedModel, ReactionPrediction]:
        model = served(loaded, req.model)
        result = (await predict(model, [ReactionQuery(req.reaction.strip(), tuple(req.names))], req.n_best))[0]
        if isinstance(result, FailedReaction):
            raise result.error
        assert isinstance(result, ReactionPrediction)
        return model, result

    @app.post("/predict", response_model=PredictionOut, responses=ERRORS, tags=["predict"])
    async def predict_route(req: PredictIn) -> PredictionOut:
        """The n best procedures of one reaction."""
        model, result = await predict_one(req)
        return PredictionOut.of(model.name, result)

    @app.post("/predict/batch", response_model=BatchOut, responses=ERRORS, tags=["predict"])
    async def predict_batch(req: BatchIn) -> BatchOut:
        """Up to 256 reactions in one call (decoded together); a reaction that cannot be read is
        reported in its place (`ok: false`, `error`) and the others are still predicted."""
        model = served(loaded, req.model)
        queries = [ReactionQuery(r.reaction.strip(), tuple(r.names)) for r in req.reactions]
        results = await predict(model, queries, req.n_best)
        items = [
            BatchItemOut(ok=True, prediction=PredictionOut.of(model.name, r)) if isinstance(r, ReactionPrediction)
            else BatchItemOut(ok=False, error=" ".join(str(r.error).split()))  # type: ignore[union-attr]
            for r in results
        ]
        return BatchOut(model=model.name, results=items)

    # -- export -----------------------------------------------------------------------------------
    async def do_export(req: ExportIn) -> Response:
        model, result = await predict_one(req.model_copy(update={"n_best": max(req.n_best, req.hypothesis)}))
        if req.hypothesis > len(result.procedures):
            raise ServeError(422, f"hypothesis {req.hypothesis}: the model gave {len(result.procedures)}")
        proc = result.procedures[req.hypothesis - 1]
        message = export.to_ord(result.reaction, proc.actions, result.names)
        errors, warnings = export.validate(message)
        if errors:  # a bug of the mapping, not of the request
            raise RuntimeError(f"ORD validation failed: {errors[0]}")
        if req.format == "ord":
            return PlainTextResponse(export.ord_text(message), headers={"X-ORD-Warnings": str(len(warnings))})
        out = ExportOut(prediction=PredictionOut.of(model.name, result),
                        hypothesis=HypothesisOut.of(req.hypothesis, proc),
                        ord=export.ord_json(message), ord_warnings=warnings)
        return JSONResponse(out.model_dump())

    export_doc = ("One predicted procedure as an ORD `Reaction` (`format=ord`: text proto, validated with "
                  "ord_schema) or as JSON with the ORD message inside (`format=json`).")

    @app.post("/export", responses={**ERRORS, 200: {"content": {"text/plain": {}, "application/json": {}}}},
              tags=["export"], description=export_doc)
    async def export_post(req: ExportIn, format: Optional[str] = Query(None, pattern="^(ord|json)$")) -> Response:
        return await do_export(req.model_copy(update={"format": format}) if format else req)

    @app.post("/export/ord", responses=ERRORS, tags=["export"], description=export_doc)
    async def export_ord(req: ExportIn) -> Response:
        return await do_export(req.model_copy(update={"format": "ord"}))

    @app.get("/export", responses=ERRORS, tags=["export"], description=export_doc + " (the page's links)")
    async def export_get(reaction: str, names: str = "", model: Optional[str] = None, n_best: int = 1,
                         hypothesis: int = 1, format: str = "ord") -> Response:
        req = ExportIn(reaction=reaction, names=list(split_names(names)), model=model, n_best=n_best,
                       hypothesis=hypothesis, format=format)  # type: ignore[arg-type]
        return await do_export(req)

    # -- what is loaded ---------------------------------------------------------------------------
    @app.get("/models", response_model=ModelsOut, tags=["info"])
    def models_route() -> ModelsOut:
        return ModelsOut(default=model_names[0], models=[ModelOut(**m.describe()) for m in loaded.values()])

    @app.get("/health", response_model=HealthOut, tags=["info"])
    def health() -> HealthOut:
        return HealthOut(models=model_names)

    # -- the page ---------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(reaction: str = "", names: str = "", model: str = "", n_best: str = "3") -> HTMLResponse:
        form = page.Form(reaction, names, model or names_default(), _int(n_best, 3))
        if not reaction.strip():
            return HTMLResponse(page.render(list(loaded), form, examples))
        try:
            k = int(n_best)
            if not 1 <= k <= MAX_N_BEST:
                raise ValueError
        except ValueError:
            return _page_error(form, f"n-best must be a whole number from 1 to {MAX_N_BEST}, got {n_best!r}", 422)
        if len(reaction) > 4_000:
            return _page_error(form, "reaction SMILES over 4,000 characters", 422)
        try:
            req = PredictIn(reaction=reaction, names=names, model=model or None, n_best=k)
            served_model, result = await predict_one(req)
        except UserError as e:
            return _page_error(form, " ".join(str(e).split()), 404 if isinstance(e, UnknownModel) else 422)
        except ServeError as e:
            return _page_error(form, e.message, e.status)
        except ValidationError as e:
            return _page_error(form, _one_line(e), 422)
        svg = reaction_svg(result.reaction.precursors, result.reaction.products)
        neighbour, nn_svg, note = None, "", "Serve the nn model (s2a serve --models ...,nn) to see it."
        if neighbours is not None:
            try:
                neighbour = await wait(neighbours.submit(result.reaction))
                if neighbour is not None:
                    nn_svg = reaction_svg(neighbour.precursors, neighbour.products, height=140, per_molecule=130)
                else:
                    note = "The nn model has no neighbour lookup."
            except Exception as e:  # noqa: BLE001 - the page still shows the prediction
                log.warning("serve: neighbour lookup failed: %s", e)
                note = f"Neighbour lookup failed: {' '.join(str(e).split())}"
        shown = page.Shown(served_model.name, result, svg, neighbour, nn_svg, note)
        return HTMLResponse(page.render(list(loaded), form, examples, shown))

    def names_default() -> str:
        return model_names[0]

    def _page_error(form: page.Form, message: str, status: int) -> HTMLResponse:
        return HTMLResponse(page.render(list(loaded), form, examples, error=message), status_code=status)

    return app


def _int(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default
