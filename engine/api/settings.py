"""The API server's options, as one frozen dataclass."""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass, field

from ..config import DEFAULT_LIVE_PROFILE, PROFILES, ModelOptions, check_script
from .errors import ServerError

MIN_SAMPLE_RATE = 8_000


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"  # interface to listen on; anything but loopback needs a token
    port: int = 8000  # TCP port; 0 picks a free one
    token: str | None = None  # API token: every request must send "Authorization: Bearer TOKEN"
    cors_origins: tuple[str, ...] = ()  # origins allowed to call the API from a web page
    profile: str = DEFAULT_LIVE_PROFILE  # window grid of uploads and streams alike
    model: ModelOptions = field(default_factory=ModelOptions)  # used when the app loads the model
    max_upload_bytes: int = 25 * 1024 * 1024  # larger uploads are refused with 413
    max_frame_bytes: int = 1024 * 1024  # larger WebSocket messages are refused with 1009
    max_sample_rate: int = 192_000  # highest input rate a stream may declare
    idle_timeout_s: float = 30.0  # a stream that sends nothing for this long is closed
    max_streams: int = 16  # WebSocket streams at once; more are refused with 1013
    warn_lag_s: float = 10.0  # a stream this far behind gets an "overload" message
    max_lag_s: float = 60.0  # a stream this far behind is ended (close 1013)
    stats_interval_s: float = 5.0  # seconds between "stats" messages on a stream; 0: never
    chinese: str = ""  # Chinese output script by default (config.CHINESE_SCRIPTS); "": as is

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
        try:
            check_script(self.chinese)
        except ValueError as exc:
            raise ServerError(str(exc)) from None
        if not 0 <= self.port <= 65535:
            raise ServerError(f"invalid port {self.port}")
        limits = (
            self.max_upload_bytes,
            self.max_frame_bytes,
            self.max_streams,
            self.idle_timeout_s,
            self.max_lag_s,
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
