"""The API server's options, as one frozen dataclass."""

from __future__ import annotations

import dataclasses
import hmac
import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..audio import MIN_SAMPLE_RATE, AudioLimits
from ..config import (
    DEFAULT_LIVE_PROFILE,
    PROFILES,
    DecodeOptions,
    ModelOptions,
    TranslationOptions,
)
from ..punctuation import PunctuationOptions
from .errors import ServerError

__all__ = ["MIN_SAMPLE_RATE", "ServerSettings"]

# Host names that reach this machine only; a web page of another site cannot take them over
# (DNS rebinding gives an attacker's name a loopback address, not this name).
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"  # interface to listen on; anything but loopback needs a token
    port: int = 8000  # TCP port; 0 picks a free one
    token: str | None = None  # API token: every request must send "Authorization: Bearer TOKEN"
    cors_origins: tuple[str, ...] = ()  # origins allowed to call the API from a web page
    allowed_hosts: tuple[str, ...] = ()  # Host names served without a token besides loopback
    profile: str = DEFAULT_LIVE_PROFILE  # window grid of uploads and streams alike
    model: ModelOptions = field(default_factory=ModelOptions)  # used when the app loads the model
    # decoding of uploads and streams: Chinese script, language model and custom words (a
    # request may name another script and add custom words: request_decode)
    decode: DecodeOptions = field(default_factory=DecodeOptions)
    max_upload_bytes: int = 25 * 1024 * 1024  # larger uploads are refused with 413
    max_frame_bytes: int = 1024 * 1024  # larger WebSocket messages are refused with 1009
    max_sample_rate: int = 192_000  # highest input rate a stream or an upload may have
    max_audio_s: float = 2 * 3600.0  # longest upload, in seconds of audio (header and decoded)
    # larger WebSocket text messages are refused with 1009; room for a config message with the
    # most custom words (200 of 64 characters, about 13.5 KB of JSON)
    max_control_bytes: int = 16 * 1024
    max_json_depth: int = 8  # deeper nesting in a control message is refused with 1003
    idle_timeout_s: float = 30.0  # a stream that sends nothing for this long is closed
    max_streams: int = 16  # WebSocket streams at once; more are refused with 1013
    warn_lag_s: float = 10.0  # a stream this far behind gets an "overload" message
    max_lag_s: float = 60.0  # a stream this far behind is ended (close 1013)
    stats_interval_s: float = 5.0  # seconds between "stats" messages on a stream; 0: never
    chinese: str = ""  # Chinese output script by default (config.CHINESE_SCRIPTS); "": as is
    # punctuation and true casing of uploads and streams (a request may turn it off)
    punctuation: PunctuationOptions = field(default_factory=PunctuationOptions)
    # translation of uploads and streams: the default target ("" none) and the model for it;
    # a request's translate_to may ask for another target (the catalogue's model for it)
    translation: TranslationOptions = field(default_factory=TranslationOptions)
    header_timeout_s: float = 10.0  # a request's headers must be complete within this time
    body_timeout_s: float = 30.0  # a request body that sends nothing for this long is dropped
    body_grace_s: float = 10.0  # after this long, a request body must come at min_body_rate
    min_body_rate: float = 1024.0  # bytes a second a request body must average after the grace
    keep_alive_s: float = 5.0  # an idle kept-alive connection is closed after this long
    max_header_bytes: int = 64 * 1024  # larger request heads are refused with 431
    max_connections: int = 64  # open connections at once; further requests get 503
    max_client_connections: int = 32  # open connections of one client address; beyond: 503

    def request_decode(
        self, chinese: str | None = None, hotwords: tuple[str, ...] = ()
    ) -> DecodeOptions:
        """Decoding of an upload or a stream: the server's, with a request's Chinese script
        (where it names one) and its custom words added to the server's."""
        decode = self.decode
        if hotwords:
            lm = decode.lm
            words = tuple(dict.fromkeys(lm.hotwords + hotwords))
            decode = dataclasses.replace(decode, lm=dataclasses.replace(lm, hotwords=words))
        if chinese is not None:
            decode = dataclasses.replace(decode, chinese=chinese)
        return decode

    @property
    def audio_limits(self) -> AudioLimits:
        """What an upload may hold."""
        return AudioLimits(MIN_SAMPLE_RATE, self.max_sample_rate, self.max_audio_s)

    def host_allowed(self, host_header: str | None) -> bool:
        """Whether a request with this Host header may be served. With a token, any name may
        (the token protects the API); without one, only loopback names, the name the server
        listens on and ``allowed_hosts``: a web page of a DNS-rebinding site sends its own
        name and is refused. A malformed port (``localhost:abc``, ``:99999``) is refused
        always."""
        try:
            parts = urlsplit(f"//{host_header or ''}")
            name, _ = parts.hostname, parts.port  # .port checks the port: digits, 0 to 65535
        except ValueError:  # a malformed port or bracket
            return False
        if self.token:
            return True
        if not name:
            return False
        allowed = {*LOOPBACK_NAMES, self.host.strip("[]").lower(), *self.allowed_hosts}
        return name.rstrip(".") in {h.lower() for h in allowed}

    def origin_allowed(self, origin: str | None, host_header: str | None) -> bool:
        """Whether a web page of ``origin`` may call the API: no Origin (not a browser), an
        origin allowed by ``cors_origins``, or the server's own origin."""
        if not origin or "*" in self.cors_origins or origin in self.cors_origins:
            return True
        try:
            return urlsplit(origin).netloc == host_header
        except ValueError:
            return False

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False

    def check(self) -> None:
        """Raise :class:`ServerError` when the server must not start like this."""
        if not self.loopback and not self.token:
            raise ServerError(
                f"listening on {self.host} makes the API reachable from other machines; "
                "set an API token (--token or LIVE_CAPTIONS_TOKEN) or listen on 127.0.0.1"
            )
        if self.profile not in PROFILES:
            raise ServerError(
                f"unknown latency profile {self.profile!r}; choose one of: {', '.join(PROFILES)}"
            )
        if not 0 <= self.port <= 65535:
            raise ServerError(f"invalid port {self.port}")
        limits = (
            self.max_upload_bytes,
            self.max_frame_bytes,
            self.max_streams,
            self.idle_timeout_s,
            self.max_lag_s,
            self.max_audio_s,
            self.max_control_bytes,
            self.max_json_depth,
            self.header_timeout_s,
            self.body_timeout_s,
            self.body_grace_s,
            self.min_body_rate,
            self.keep_alive_s,
            self.max_header_bytes,
            self.max_connections,
            self.max_client_connections,
        )
        if min(limits) <= 0 or self.max_sample_rate < MIN_SAMPLE_RATE:
            raise ServerError("server limits must be positive")

    def accepts(self, authorization: str | None, query_token: str | None = None) -> bool:
        """Whether a request with this Authorization header (or ?token=) may pass."""
        if not self.token:
            return True
        offered = query_token or ""
        if authorization:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() == "bearer":
                offered = value.strip()
        return hmac.compare_digest(offered.encode(), self.token.encode())
