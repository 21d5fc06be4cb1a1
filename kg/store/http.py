"""The HTTP transport of a SPARQL server store: sending with retries, credentials, a deadline for each whole
request, a cap on what is read of an answer, and redaction of credentials in messages.

Credentials come only from the environment: ``TRADEKG_ENDPOINT_USER`` and
``TRADEKG_ENDPOINT_PASSWORD`` (HTTP basic) or ``TRADEKG_ENDPOINT_TOKEN`` (bearer);
they are never written into a message (a server's error page quoting them is redacted).

Every request is bounded as a whole by ``timeout`` (connecting, sending, and reading
the entire answer: a deadline, not a limit per read), and at most
``TRADEKG_ENDPOINT_MAX_BYTES`` (default 512 MiB) of an answer are read. Only a 2xx
answer is a success; redirects are never followed, for reads or writes (a write
must be acknowledged by the URL it was sent to, and a redirected POST would lose
its body or carry the credentials elsewhere): the error names where it points.
"""

from __future__ import annotations

import base64
import math
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from kg import __version__
from kg.errors import EndpointError, QueryError, StoreError, TradeKGError

ENV_USER = "TRADEKG_ENDPOINT_USER"
ENV_PASSWORD = "TRADEKG_ENDPOINT_PASSWORD"
ENV_TOKEN = "TRADEKG_ENDPOINT_TOKEN"
ENV_MAX_BYTES = "TRADEKG_ENDPOINT_MAX_BYTES"

MAX_ANSWER_BYTES = 512 * 1024 * 1024  # what is read of one answer, at most (TRADEKG_ENDPOINT_MAX_BYTES)
ERROR_BODY_BYTES = 64 * 1024  # what is read of an error page (500 characters of it are shown)


@dataclass
class _Failure:
    url: str
    status: int | None
    detail: str


class _Redactor:
    """Replaces credentials in a message by ``***``; its repr shows none of them."""

    def __init__(self, secrets: list[str]):
        self._secrets = sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self._secrets:
            text = text.replace(s, "***")
        return text

    def __repr__(self) -> str:
        return f"_Redactor({len(self._secrets)} hidden)"


def _credential(name: str, token: bool = False) -> str:
    """The variable's value, checked usable in an HTTP header; the error never shows it."""
    value = os.environ.get(name, "")
    if token:
        ok, expected = all(0x21 <= ord(c) <= 0x7E for c in value), "visible ASCII characters only (no spaces)"
    else:
        ok, expected = (not any(0xD800 <= ord(c) <= 0xDFFF or ord(c) < 0x20 or ord(c) == 0x7F for c in value)
                        and not (name == ENV_USER and ":" in value)), "UTF-8 text without control characters" + (
            " or ':'" if name == ENV_USER else "")
    if not ok:
        raise StoreError(f"{name} cannot be used in an HTTP header: expected {expected} (its value is not shown)")
    return value


def _auth_from_env() -> tuple[httpx.Auth | None, dict[str, str], _Redactor]:
    token = _credential(ENV_TOKEN, token=True)
    if token:
        return None, {"Authorization": f"Bearer {token}"}, _Redactor([token])
    user = _credential(ENV_USER)
    if user:
        password = _credential(ENV_PASSWORD)
        basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return httpx.BasicAuth(user, password), {}, _Redactor([password, basic])
    return None, {}, _Redactor([])


def _shown_url(u: str) -> str:
    """A URL as given, with anything that could be credentials (``user:pass@``) hidden."""
    return re.sub(r"(?<=//)[^/@]*@", "***@", u)


def check_url(u: str, option: str) -> str:
    """``u`` if it is an absolute http(s) URL with a host, else a StoreError naming ``option``."""
    expected = "expected an http(s) URL such as http://127.0.0.1:7878/query"
    if not u or any(c.isspace() for c in u):
        raise StoreError(f"{option} {_shown_url(u)!r}: not a URL (empty or with spaces); {expected}")
    try:
        url = httpx.URL(u)
        if url.port is not None and not 0 < url.port < 65536:
            raise ValueError(f"port {url.port} is not between 1 and 65535")
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise StoreError(f"{option} {_shown_url(u)!r}: not a valid URL ({exc}); {expected}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise StoreError(f"{option} {_shown_url(u)!r}: not an http(s) URL with a host; {expected}")
    if url.userinfo:
        raise StoreError(f"{_shown_url(u)}: credentials in the URL are refused; set {ENV_USER}/{ENV_PASSWORD} "
                         f"or {ENV_TOKEN} in the environment")
    return u


def _max_answer_bytes(given: int | None) -> int:
    if given is not None:
        return given
    raw = os.environ.get(ENV_MAX_BYTES, "").strip()
    if not raw:
        return MAX_ANSWER_BYTES
    if not raw.isdigit() or int(raw) <= 0:
        raise StoreError(f"{ENV_MAX_BYTES}={raw!r}: expected a positive whole number of bytes, e.g. 1000000000")
    return int(raw)


# ---------------------------------------------------------------------------
# A deadline for each request as a whole
# ---------------------------------------------------------------------------

_deadline = threading.local()  # .at: time.monotonic() by which the current request of this thread must be done


def _left(timeout: float | None, expired: type[Exception]) -> float | None:
    """The time this socket operation may take: its own timeout, cut to what is left before the deadline."""
    at = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise expired("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, with every connect, read and write cut to the current request's deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _left(timeout, httpcore.ConnectTimeout),
                                                       local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout),
                                                               socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _with_deadlines(client: httpx.Client) -> httpx.Client:
    """Give the client's connection pools the deadline backend (httpx has no public hook for it; if a
    future httpx moves it, the deadline is still checked between the chunks of an answer)."""
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = _DeadlineBackend()
    return client


class _AnswerTooBig(TradeKGError):
    """Internal signal: the answer passed the size cap (turned into an EndpointError naming the URL)."""


class _Unreadable(TradeKGError):
    """Internal signal: the answer could not be read (turned into an EndpointError naming the URL)."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def _cut_off_detail(exc: Exception, size: int) -> str:
    name = type(exc).__name__
    if isinstance(exc, httpx.DecodingError):
        return f"its compressed body is corrupt ({name}: {exc})"
    return f"the connection closed after {size} bytes, before the whole answer arrived ({name}: {exc or 'no detail'})"


@dataclass
class Answer:
    """A server's answer, read whole (within the cap and the deadline)."""

    status_code: int
    reason_phrase: str
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def sibling(url: str, name: str) -> str | None:
    """``http://h/ds/query`` -> ``http://h/ds/NAME`` (Oxigraph, Fuseki layout); None unless the URL ends in /query.

    >>> sibling("http://127.0.0.1:7878/query", "update"), sibling("http://h:8890/sparql", "update")
    ('http://127.0.0.1:7878/update', None)
    """
    u = httpx.URL(url)
    path = u.path.rstrip("/")
    if path.endswith("/query"):
        return str(u.copy_with(path=path.rsplit("/", 1)[0] + "/" + name, query=None))
    return None


class HttpTransport:
    """Requests to a server: one client with the credentials of the environment, retries with exponential
    backoff, a deadline of ``timeout`` seconds for each whole attempt, and at most ``max_answer_bytes`` read."""

    def __init__(self, timeout: float = 30.0, retries: int = 4, backoff: float = 0.5,
                 max_answer_bytes: int | None = None):
        if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
            raise StoreError(f"HTTP timeout {timeout!r}: expected a number of seconds greater than 0")
        self.max_answer_bytes = _max_answer_bytes(max_answer_bytes)
        self.timeout = timeout
        self.retries = max(1, retries)
        self.backoff = backoff
        auth, headers, self.redact = _auth_from_env()
        self._client = _with_deadlines(httpx.Client(timeout=httpx.Timeout(timeout), auth=auth, follow_redirects=False,
                                                    headers={"User-Agent": f"tradekg/{__version__}", **headers}))

    def send(self, method: str, url: str, *, what: str,
              content: bytes | None = None, headers: dict[str, str] | None = None,
              params: dict[str, str] | None = None, ok_statuses: tuple[int, ...] = (),
              idempotent: bool = True) -> Answer:
        """One request; connection errors, timeouts, cut-off answers and 5xx are retried with exponential backoff.

        Only a 2xx (or one of ``ok_statuses``) is a success; a redirect is an error naming
        where it points. Each attempt, answer included, must be done within ``timeout``
        seconds, and at most ``max_answer_bytes`` of the answer are read.

        A request that is not ``idempotent`` (a user's update) is not re-sent once
        the server may have received it (timeout, dropped connection): only when the
        connection could not be made or the server answered 5xx.
        """
        failure = _Failure(url, None, "")
        for attempt in range(self.retries):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            _deadline.at = time.monotonic() + self.timeout
            try:
                resp = self._exchange(method, url, content=content, headers=headers, params=params)
            except _AnswerTooBig:
                failure = _Failure(url, None, f"the answer is bigger than {self.max_answer_bytes} bytes, the most "
                                              f"TradeKG reads; narrow the query, or raise {ENV_MAX_BYTES}")
                break
            except httpx.TimeoutException as exc:
                failure = _Failure(url, None, f"no answer within {self.timeout:g} s (timeout), counting the whole "
                                              "request and its answer; raise --http-timeout if the server is just slow")
                if not idempotent and not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
                    failure.detail += "; not re-sent, it may have been applied: check before running it again"
                    break
                continue
            except _Unreadable as exc:
                failure = _Failure(url, exc.status, f"the server's answer (HTTP {exc.status}) could not be read: "
                                                    f"{exc.detail}")
                if not idempotent:
                    failure.detail += "; not re-sent, it may have been applied: check before running it again"
                    break
                continue
            except httpx.TransportError as exc:
                failure = _Failure(url, None, f"cannot reach the server ({type(exc).__name__}: {exc or 'no detail'})")
                if not idempotent and not isinstance(exc, httpx.ConnectError):
                    break
                continue
            finally:
                _deadline.at = None
            if 200 <= resp.status_code < 300 or resp.status_code in ok_statuses:
                return resp
            body = resp.text.strip().replace("\n", " ")[:500]
            failure = _Failure(url, resp.status_code, f"HTTP {resp.status_code} {resp.reason_phrase}"
                                                      + (f": {body}" if body else ""))
            if 300 <= resp.status_code < 400:
                where = resp.headers.get("location")
                failure.detail = (f"HTTP {resp.status_code} {resp.reason_phrase}, a redirect"
                                  + (f" to {_shown_url(where)}" if where else "")
                                  + "; redirects are not followed (the server must answer at the URL it was sent "
                                  "to): give the URL the server wants")
            if resp.status_code < 500:
                break
        status = f"status {failure.status}" if failure.status else "no HTTP status"
        tries = f" after {attempt + 1} attempt(s)" if failure.status is None or failure.status >= 500 else ""
        msg = self.redact(f"{method} {url} ({what}) failed{tries}: {failure.detail} [{status}]")
        if failure.status in (401, 403) and "read-only" not in failure.detail.lower():
            msg += f"; the server wants credentials: set {ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN}"
        if failure.status == 400 and what in ("query", "update"):
            raise QueryError(msg)
        err = EndpointError(msg)
        err.status = failure.status  # type: ignore[attr-defined]
        err.url = url  # type: ignore[attr-defined]
        raise err

    def _exchange(self, method: str, url: str, *, content: bytes | None, headers: dict[str, str] | None,
                  params: dict[str, str] | None) -> Answer:
        """Send, and read the whole answer: at most ``max_answer_bytes`` of a 2xx, the start of anything else."""
        request = self._client.build_request(method, url, content=content, headers=headers, params=params)
        resp = self._client.send(request, stream=True)
        try:
            ok = 200 <= resp.status_code < 300
            limit = self.max_answer_bytes if ok else ERROR_BODY_BYTES
            chunks: list[bytes] = []
            size = 0
            try:
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        if ok:
                            raise _AnswerTooBig()
                        chunks.append(chunk[: len(chunk) - (size - limit)])
                        break
                    chunks.append(chunk)
                    _left(None, httpx.ReadTimeout)  # the deadline, also if the backend could not be hooked
            except httpx.TimeoutException:
                raise
            except (httpx.TransportError, httpx.DecodingError) as exc:
                if ok:  # (an error page cut short: what arrived is enough to report it)
                    raise _Unreadable(resp.status_code, _cut_off_detail(exc, size)) from exc
            return Answer(resp.status_code, resp.reason_phrase, resp.headers, b"".join(chunks))
        finally:
            resp.close()


    def close(self) -> None:
        self._client.close()
