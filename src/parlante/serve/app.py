"""The HTTP + WebSocket API of ``parlante serve`` (OpenAPI docs at ``/docs``).

Every refusal is a 4xx with a JSON body ``{"error": "plain sentence", "status": CODE}``;
the live protocol is documented in ``parlante.serve.protocol``.
"""

from __future__ import annotations

import io
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, File, Form, Request, UploadFile, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from PIL import Image, UnidentifiedImageError
from starlette.exceptions import HTTPException as StarletteHTTPException

from parlante import __version__
from parlante.errors import ParlanteError
from parlante.motion.controls import EMOTIONS
from parlante.options import AnimateOptions
from parlante.serve.avatars import AvatarStore, preview_jpeg
from parlante.serve.config import ServeConfig
from parlante.serve.errors import ApiError
from parlante.serve.jobs import DONE, JobManager
from parlante.serve.live import StreamRegistry, run_stream
from parlante.serve.protocol import __doc__ as PROTOCOL_DOC

STATIC = Path(__file__).parent / "static"


def _error(status: int, message: str, **extra) -> JSONResponse:
    return JSONResponse({"error": message, "status": status, **extra}, status_code=status)


def create_app(config: ServeConfig | None = None) -> FastAPI:
    """The application with its own avatars, jobs and stream registry (no global state)."""
    config = config or ServeConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.streams.start()  # worker processes warm up while the server starts
        try:
            yield
        finally:
            app.state.jobs.close()
            app.state.streams.shutdown()

    app = FastAPI(
        title="Parlante",
        version=__version__,
        description="Portrait + voice -> talking face, as a video file (jobs) or live "
        "(WebSocket `/avatars/{id}/stream`). Every frame carries an invisible watermark.\n\n"
        "Live protocol:\n\n```\n" + (PROTOCOL_DOC or "") + "\n```",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: the machine may have no internet
        redoc_url=None,
    )
    app.state.config = config
    app.state.streams = StreamRegistry(config.max_streams)
    app.state.avatars = AvatarStore(
        config, on_prepared=lambda a: app.state.streams.pool.prepare(a.id, a.rig, a.model)
    )
    app.state.jobs = JobManager(config, live_streams=lambda: len(app.state.streams))
    _add_error_handlers(app)
    _add_upload_guard(app, config)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_docs(app)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/health", summary="Liveness and load: open streams, active jobs, avatars")
    def health() -> dict:
        return {
            "status": "ok",
            "version": __version__,
            "streams": len(app.state.streams),
            "max_streams": config.max_streams,
            "jobs_active": app.state.jobs.active(),
            "avatars": len(app.state.avatars),
            "emotions": list(EMOTIONS),
        }

    @app.post("/avatars", status_code=201, summary="Upload a portrait: analysed once, cached")
    def create_avatar(
        response: Response,
        image: Annotated[UploadFile, File(description="portrait: JPEG, PNG, WebP, BMP or TIFF")],
        size: Annotated[int, Form(description="output size in pixels, 256-1024, even")] = 512,
        face: Annotated[int, Form(description="which face when several (0 = largest)")] = 0,
        head_distance: Annotated[
            float, Form(description="framing: 1 head and shoulders, 0.6-2")
        ] = 1.0,
    ) -> dict:
        name = image.filename or "image"
        data = _read_upload(image, config.max_image_bytes, config.max_image_mb, name)
        _check_is_image(data, name)
        if not 256 <= size <= 1024 or size % 2:
            raise ApiError(400, f"size must be an even number of pixels in 256-1024, got {size}")
        try:
            avatar, new = app.state.avatars.create(
                data, name, size=size, face=face, head_distance=head_distance
            )
        except ValueError as err:
            raise ApiError(400, str(err)) from None
        if not new:
            response.status_code = 200
        return avatar.info()

    @app.get("/avatars", summary="List the avatars")
    def list_avatars() -> dict:
        return {"avatars": [a.info() for a in app.state.avatars.list()]}

    @app.get("/avatars/{avatar_id}", summary="One avatar")
    def get_avatar(avatar_id: str) -> dict:
        return app.state.avatars.get(avatar_id).info()

    @app.get(
        "/avatars/{avatar_id}/image",
        summary="The framed portrait (JPEG)",
        response_class=Response,
        responses={200: {"content": {"image/jpeg": {}}}},
    )
    def avatar_image(avatar_id: str) -> Response:
        avatar = app.state.avatars.get(avatar_id)
        return Response(preview_jpeg(avatar), media_type="image/jpeg")

    @app.delete("/avatars/{avatar_id}", status_code=204, summary="Forget an avatar")
    def delete_avatar(avatar_id: str) -> Response:
        app.state.avatars.delete(avatar_id)
        return Response(status_code=204)

    @app.post(
        "/avatars/{avatar_id}/jobs",
        status_code=202,
        summary="Make an MP4 of the avatar speaking an uploaded recording",
    )
    def create_job(
        avatar_id: str,
        audio: Annotated[UploadFile, File(description="voice: wav, mp3, m4a, flac, ogg, ...")],
        emotion: Annotated[str, Form(description=f"one of {', '.join(EMOTIONS)}")] = "neutral",
        emotion_strength: Annotated[float, Form(description="0-1")] = 0.6,
        motion_scale: Annotated[float, Form(description="0 still, 1 natural, 2 lively")] = 1.0,
        gaze: Annotated[str, Form(description="YAW,PITCH in degrees")] = "0,0",
        seed: Annotated[int, Form()] = 0,
        fps: Annotated[float, Form()] = 25.0,
        crf: Annotated[int, Form(description="H.264 quality, 18-28")] = 20,
        label: Annotated[str | None, Form(description="visible corner label")] = None,
        transcript: Annotated[str | None, Form(description="English transcript (text)")] = None,
    ) -> dict:
        avatar = app.state.avatars.get(avatar_id)
        name = audio.filename or "audio"
        data = _read_upload(audio, config.max_audio_bytes, config.max_audio_mb, name)
        try:
            yaw, pitch = (float(v) for v in gaze.split(","))
        except ValueError:
            raise ApiError(400, f"gaze must be YAW,PITCH in degrees, got {gaze!r}") from None
        jobs: JobManager = app.state.jobs
        transcript_file = None
        if transcript and transcript.strip():
            # given as a file, so that a text that looks like a path is never opened
            transcript_file = jobs.folder / f"transcript-{uuid.uuid4().hex}.txt"
            transcript_file.write_text(transcript[:20000], encoding="utf-8")
        try:
            options = AnimateOptions(
                size=avatar.size,
                fps=fps,
                emotion=emotion,
                emotion_strength=emotion_strength,
                motion_scale=motion_scale,
                gaze=(yaw, pitch),
                seed=seed,
                crf=crf,
                label=label or None,
                transcript=str(transcript_file) if transcript_file else None,
                max_audio_seconds=config.max_audio_seconds,
            )
        except ValueError as err:
            raise ApiError(400, str(err)) from None
        job = jobs.submit(avatar, data, name, options)
        return job.info()

    @app.get("/jobs", summary="List the jobs")
    def list_jobs() -> dict:
        return {"jobs": [j.info() for j in app.state.jobs.list()]}

    @app.get("/jobs/{job_id}", summary="A job's status and progress (0-1)")
    def get_job(job_id: str) -> dict:
        return app.state.jobs.get(job_id).info()

    @app.get(
        "/jobs/{job_id}/video",
        summary="The finished MP4",
        response_class=FileResponse,
        responses={200: {"content": {"video/mp4": {}}}},
    )
    def job_video(job_id: str) -> FileResponse:
        job = app.state.jobs.get(job_id)
        if job.status != DONE:
            raise ApiError(409, f"job {job_id} is {job.status}, the video is not ready")
        stem = Path(job.audio_name).stem or "parlante"
        return FileResponse(job.video_path, media_type="video/mp4", filename=f"{stem}.mp4")

    @app.delete("/jobs/{job_id}", status_code=204, summary="Cancel a job and delete its video")
    def delete_job(job_id: str) -> Response:
        app.state.jobs.delete(job_id)
        return Response(status_code=204)

    @app.websocket("/avatars/{avatar_id}/stream")
    async def stream(websocket: WebSocket, avatar_id: str) -> None:
        await run_stream(
            websocket, avatar_id, app.state.avatars, app.state.streams, app.state.config
        )

    return app


def _add_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the ``swagger-ui-py`` wheel's files (no CDN)."""
    try:
        import swagger_ui
    except ImportError:
        return
    assets = Path(swagger_ui.__file__).parent / "static"
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Parlante API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def _read_upload(upload: UploadFile, limit: int, limit_mb: float, name: str) -> bytes:
    if upload.size is not None and upload.size > limit:
        raise ApiError(
            413, f"{name}: the file is {upload.size / 1e6:.1f} MB, more than {limit_mb:g} MB"
        )
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, f"{name}: the file is more than {limit_mb:g} MB")
    if not data:
        raise ApiError(400, f"{name}: the file is empty")
    return data


def _check_is_image(data: bytes, name: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.size  # noqa: B018 - the header was parsed
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ApiError(
            415, f"{name}: not an image (send a JPEG, PNG, WebP, BMP or TIFF photo)"
        ) from None
    except Image.DecompressionBombError:
        raise ApiError(413, f"{name}: the image has far too many pixels") from None


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.message)

    @app.exception_handler(ParlanteError)
    async def parlante_error(request: Request, exc: ParlanteError) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query"))
            problems.append(f"{where}: {e.get('msg', 'invalid')}")
        return _error(422, "; ".join(problems) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, f"internal error: {type(exc).__name__}")


def _add_upload_guard(app: FastAPI, config: ServeConfig) -> None:
    """Refuse oversized uploads from their Content-Length, before the body is read."""
    slack = 1_000_000  # multipart headers and form fields

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if request.method == "POST":
            limit = None
            path = request.url.path.rstrip("/")
            if path == "/avatars":
                limit, what, mb = config.max_image_bytes, "image", config.max_image_mb
            elif path.startswith("/avatars/") and path.endswith("/jobs"):
                limit, what, mb = config.max_audio_bytes, "audio", config.max_audio_mb
            length = request.headers.get("content-length")
            if limit is not None and length and length.isdigit() and int(length) > limit + slack:
                return _error(413, f"the {what} upload is more than {mb:g} MB")
        return await call_next(request)
