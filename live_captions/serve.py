"""``live-captions serve``: the HTTP and WebSocket API, headless (no Qt)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable

from engine.config import DEFAULT_LIVE_PROFILE, PROFILES

from .extras import missing_extra
from .options import (
    add_chinese_option,
    add_decoding_options,
    add_power_saver_option,
    add_punctuation_options,
    add_translation_options,
    check_lm,
    decode_options,
    load_translation,
    model_options,
    punctuation_options,
    translation_options,
)

ENV_PREFIX = "LIVE_CAPTIONS_"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name) or default


def add_serve_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    add_model_options: Callable[..., None],
) -> None:
    p = sub.add_parser(
        "serve",
        help="run the local API: uploads (OpenAI-compatible), live streaming over a WebSocket, a caption page",
        description="Serve the API on http://HOST:PORT (docs at /docs, caption page at /). Listening on "
        "anything but loopback requires an API token. Options also come from LIVE_CAPTIONS_HOST, "
        "LIVE_CAPTIONS_PORT and LIVE_CAPTIONS_TOKEN.",
    )
    p.add_argument(
        "--host",
        default=_env("HOST", "127.0.0.1"),
        help="interface to listen on (default: 127.0.0.1)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=int(_env("PORT", "8000") or 8000),
        help="TCP port (default: 8000)",
    )
    p.add_argument(
        "--token",
        default=_env("TOKEN"),
        help="API token clients must send as 'Authorization: Bearer TOKEN' "
        "(prefer LIVE_CAPTIONS_TOKEN: the command line is visible to other users)",
    )
    p.add_argument(
        "--profile",
        choices=[name for name in PROFILES if name != "file"],
        default=DEFAULT_LIVE_PROFILE,
        help="window profile of uploads and streams alike, so that both give the same words",
    )
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let web pages from ORIGIN call the API (repeatable; '*' for any)",
    )
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name clients may use besides localhost/127.0.0.1/[::1] when there is no "
        "token (repeatable); requests naming any other host are refused (DNS rebinding)",
    )
    p.add_argument(
        "--max-upload-mb", type=float, default=25.0, help="largest upload in MiB (default: 25)"
    )
    p.add_argument(
        "--max-audio-minutes",
        type=float,
        default=120.0,
        help="longest upload in minutes of audio (default: 120)",
    )
    p.add_argument(
        "--max-streams", type=int, default=16, help="WebSocket streams at once (default: 16)"
    )
    add_power_saver_option(p)
    add_chinese_option(p)
    add_model_options(p)
    add_decoding_options(p)
    add_punctuation_options(p)
    add_translation_options(p)
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from .download import load_model

    try:
        from engine.api.runner import ApiServer, bind_socket
        from engine.api.settings import ServerSettings
    except ImportError as exc:
        return missing_extra("live-captions serve", "api", exc)

    options = model_options(args)
    decode = decode_options(args)
    translation = translation_options(args)
    settings = ServerSettings(
        host=args.host,
        port=args.port,
        token=args.token or None,
        cors_origins=tuple(args.cors_origin),
        allowed_hosts=tuple(args.allowed_host),
        profile=args.profile,
        model=options,
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
        max_audio_s=args.max_audio_minutes * 60,
        max_streams=args.max_streams,
        decode=decode,
        translation=translation,
        punctuation=punctuation_options(args),
    )
    # Refusals (no token, port in use) come before the model loads, which can take a minute.
    settings.check()
    bind_socket(settings.host, settings.port).close()
    load_translation(translation, options.name)  # a clear error before the speech model loads
    recognizer = load_model(options)
    print(f"model: {recognizer.describe()}", file=sys.stderr)
    check_lm(decode, recognizer)
    server = ApiServer(settings, recognizer)
    print(f"serving on {server.url} (API docs: {server.url}/docs; Ctrl-C stops)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0
