"""Talking to SPARQL servers that misbehave: redirects, trickling, endless or cut-off answers, bad URLs and secrets.

Every server here is the fake ``http.server`` of ``tests/test_remote.py`` on 127.0.0.1 (shut down in its
fixture's finaliser), answering with the responders below; a store for ``push`` is built in tmp_path.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg.build import build
from kg.cli import cli
from kg.errors import EndpointError, QueryError, StoreError
from kg.namespaces import TDG
from kg.store import GraphUpdate
from kg.store.server import free_port
from kg.store.sparql_protocol import RemoteStore
from tests.test_remote import EMPTY_SELECT, Fake, answer, make_corpus
from tests.test_remote import fake as fake_fixture

fake = fake_fixture  # the fake server fixture of tests/test_remote.py

SECRET = "Zq7-hush-SECRET-4242"
CRED_VARS = ("TRADEKG_ENDPOINT_USER", "TRADEKG_ENDPOINT_PASSWORD", "TRADEKG_ENDPOINT_TOKEN")
ONE_ROW = json.dumps({"head": {"vars": ["s"]},
                      "results": {"bindings": [{"s": {"type": "uri", "value": "http://e/a"}}]}}).encode()


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in (*CRED_VARS, "TRADEKG_ENDPOINT_MAX_BYTES"):
        monkeypatch.delenv(k, raising=False)


def redirect(status: int, location: str) -> Callable[[Any], None]:
    def respond(h: Any) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return respond


def raw(data: bytes, pause: float = 0.0, step: int = 0) -> Callable[[Any], None]:
    """Write ``data`` as the whole answer (status line included), ``step`` bytes per ``pause`` seconds, then close."""
    def respond(h: Any) -> None:
        h.close_connection = True
        try:
            if not step:
                h.wfile.write(data)
                return
            for i in range(0, len(data), step):
                h.wfile.write(data[i:i + step])
                h.wfile.flush()
                time.sleep(pause)
        except OSError:  # the client gave up
            pass
    return respond


def head(ctype: str = "application/sparql-results+json", length: int | None = None, chunked: bool = False) -> bytes:
    lines = ["HTTP/1.1 200 OK", f"Content-Type: {ctype}"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def update(i: int = 0) -> GraphUpdate:
    g = f"{TDG}article/r{i}"
    return GraphUpdate(g, f"<http://e/s> <http://e/p> \"{i}\" <{g}> .\n", manifest=(("sourceHash", str(i)),))


def run(runner: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(cli, list(args), env=env)


def assert_one_line_error(result: Any, *needles: str) -> str:
    """Exit 2, no traceback, one line of error naming each of ``needles``."""
    text = result.output
    assert result.exit_code == 2, (result.exit_code, text, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in text
    errors = [line for line in text.splitlines() if line.startswith("error:") or line.startswith("Error:")]
    assert len(errors) == 1, text
    for n in needles:
        assert n in text, (n, text)
    return text


# ---------------------------------------------------------------------------
# Finding 14.3: a 3xx is not a success
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_3xx_from_update_endpoint_is_a_failure(fake: Fake, status: int) -> None:
    """Finding 14.3: a 3xx from the update endpoint is a failure naming the URL and the status; nothing counts as written."""
    fake.plan = [redirect(status, "http://127.0.0.1:1/elsewhere")]
    store = RemoteStore(fake.url, retries=2, backoff=0.01)
    with pytest.raises(EndpointError) as err:
        store.replace_graphs([update()])
    assert store.update_url in str(err.value) and str(status) in str(err.value)
    assert store.graphs_written == 0
    assert len(fake.requests) == 1


def test_3xx_from_graph_store_endpoint_is_a_failure(fake: Fake) -> None:
    """Finding 14.3: a 3xx to a Graph Store PUT is a failure naming the GSP URL."""
    fake.plan = [redirect(301, "http://127.0.0.1:1/other")]
    store = RemoteStore(fake.url, retries=2, backoff=0.01, write="gsp")
    with pytest.raises(EndpointError) as err:
        store.replace_graphs([update()])
    assert store.gsp_url is not None and store.gsp_url in str(err.value) and "301" in str(err.value)
    assert store.graphs_written == 0


def test_3xx_to_a_query_is_not_followed(fake: Fake) -> None:
    """Finding 14.3: reads do not follow redirects either; the error says where the server points."""
    fake.plan = [redirect(307, "/ds/moved"), answer(200, ONE_ROW)]
    with pytest.raises(EndpointError) as err:
        RemoteStore(fake.url, retries=2, backoff=0.01).query("SELECT ?s { ?s ?p ?o }")
    assert fake.url in str(err.value) and "307" in str(err.value) and "/ds/moved" in str(err.value)
    assert [r[1] for r in fake.requests] == ["/ds/query"]


def test_cli_update_answered_with_3xx_exits_2(runner: Any, fake: Fake) -> None:
    """Finding 14.3: `query --allow-update` does not report a redirected update as applied."""
    fake.plan = [redirect(302, "http://127.0.0.1:1/login")]
    result = run(runner, "query", "--endpoint", fake.url, "--allow-update", "INSERT DATA { <http://e/a> <http://e/b> 1 }")
    text = assert_one_line_error(result, fake.url[: -len("query")] + "update", "302")
    assert "update applied" not in text


def test_cli_push_answered_with_3xx_exits_2(runner: Any, fake: Fake, tmp_path: Path) -> None:
    """Finding 14.3: `push` to a server that redirects its writes reports a failure, not graphs copied."""
    make_corpus(tmp_path / "c", 1)
    build([tmp_path / "c"], tmp_path / "store")
    fake.plan = [redirect(303, "http://127.0.0.1:1/login")]
    result = run(runner, "push", "--store", str(tmp_path / "store"), "--endpoint", fake.url, "-q")
    assert_one_line_error(result, fake.url[: -len("query")] + "update", "303")


# ---------------------------------------------------------------------------
# Finding 14.4: --http-timeout bounds the whole request
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["body", "headers"])
def test_trickling_server_hits_the_timeout(fake: Fake, where: str) -> None:
    """Finding 14.4: a server sending a byte now and then cannot outlast --http-timeout (a deadline, not per read)."""
    body = b" " * 24 + EMPTY_SELECT
    data = head(length=len(body)) + body
    # a byte every 0.25 s: each read is quick, the whole answer takes many seconds
    start = 0 if where == "headers" else len(head(length=len(body)))
    fake.plan = [lambda h: _trickle(h, data, start)]
    store = RemoteStore(fake.url, retries=1, timeout=1.0)
    with pytest.raises(EndpointError) as err:
        store.named_graphs()
    assert fake.url in str(err.value) and "timeout" in str(err.value)


def _trickle(h: Any, data: bytes, fast: int) -> None:
    """Send the first ``fast`` bytes at once, then one byte every 0.25 s."""
    h.close_connection = True
    try:
        h.wfile.write(data[:fast])
        for i in range(fast, len(data)):
            h.wfile.write(data[i:i + 1])
            h.wfile.flush()
            time.sleep(0.25)
    except OSError:
        pass


def test_http_timeout_help_says_it_is_a_deadline(runner: Any) -> None:
    """Finding 14.4: --help says the timeout bounds each request as a whole."""
    for cmd in ("query", "push"):
        out = " ".join(run(runner, cmd, "--help").output.split())
        assert "whole request" in out, out


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1", "-inf"])
@pytest.mark.parametrize("cmd", ["query", "push"])
def test_http_timeout_must_be_a_positive_finite_number(runner: Any, fake: Fake, tmp_path: Path,
                                                      value: str, cmd: str) -> None:
    """Finding 14.13: --http-timeout nan, inf, 0 or -1 is a usage error naming the option."""
    fake.plan = [answer(200, EMPTY_SELECT)]
    args = ["query", "--endpoint", fake.url, "SELECT ?s { ?s ?p ?o }"] if cmd == "query" else \
        ["push", "--store", str(tmp_path / "none"), "--endpoint", fake.url]
    result = run(runner, *args, "--http-timeout", value)
    assert result.exit_code == 2 and "--http-timeout" in result.output, result.output
    assert fake.requests == []


# ---------------------------------------------------------------------------
# Finding 14.12: a cap on what is read from a server
# ---------------------------------------------------------------------------

def test_huge_answer_is_refused_at_the_cap(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 14.12: an answer bigger than TRADEKG_ENDPOINT_MAX_BYTES is an error naming the URL and the cap."""
    monkeypatch.setenv("TRADEKG_ENDPOINT_MAX_BYTES", "200000")
    fake.plan = [answer(200, b" " * 3_000_000 + EMPTY_SELECT)]
    with pytest.raises(EndpointError) as err:
        RemoteStore(fake.url, retries=1).named_graphs()
    assert fake.url in str(err.value) and "200000" in str(err.value)
    assert "TRADEKG_ENDPOINT_MAX_BYTES" in str(err.value)


def test_endless_chunked_answer_is_cut_at_the_cap(runner: Any, fake: Fake) -> None:
    """Finding 14.12: an answer that never ends (chunked, 40 MB here) stops at the cap with exit 2."""
    def endless(h: Any) -> None:
        h.close_connection = True
        try:
            h.wfile.write(head(chunked=True))
            chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
            for _ in range(2500):
                h.wfile.write(chunk)
        except OSError:
            pass
    fake.plan = [endless]
    result = run(runner, "query", "--endpoint", fake.url, "SELECT ?s { ?s ?p ?o }",
                 env={"TRADEKG_ENDPOINT_MAX_BYTES": "1000000"})
    assert_one_line_error(result, fake.url, "1000000")


def test_bad_answer_cap_setting_is_named(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 14.12: a cap that is not a positive number of bytes is refused, naming the variable."""
    monkeypatch.setenv("TRADEKG_ENDPOINT_MAX_BYTES", "lots")
    with pytest.raises(StoreError, match="TRADEKG_ENDPOINT_MAX_BYTES"):
        RemoteStore(fake.url)


# ---------------------------------------------------------------------------
# Findings 14.13 and 14.15: cut-off answers are unreadable answers, not invalid queries
# ---------------------------------------------------------------------------

CUT_OFF = {
    "closed-mid-body": head(length=500) + EMPTY_SELECT[:20],
    "incomplete-chunked": head(chunked=True) + b"40\r\n" + EMPTY_SELECT[:30],
    "truncated-json": head(length=len(ONE_ROW) - 9) + ONE_ROW[:-9],
}


@pytest.mark.parametrize("case", CUT_OFF)
def test_cut_off_answer_is_an_unreadable_answer(runner: Any, fake: Fake, case: str) -> None:
    """Findings 14.13 and 14.15: a cut-off answer is one line, exit 2, 'answer could not be read', not an invalid query."""
    fake.plan = [raw(CUT_OFF[case])]
    result = run(runner, "query", "--endpoint", fake.url, "SELECT ?s { ?s ?p ?o }")
    text = assert_one_line_error(result, fake.url, "could not be read")
    assert "invalid" not in text.lower() and "syntax" not in text.lower()


@pytest.mark.parametrize("case", CUT_OFF)
def test_cut_off_answer_raises_endpoint_error(fake: Fake, case: str) -> None:
    """Finding 14.15: the library raises EndpointError (not QueryError) for an unreadable answer."""
    fake.plan = [raw(CUT_OFF[case])]
    with pytest.raises(EndpointError) as err:
        list(RemoteStore(fake.url, retries=2, backoff=0.01).query("SELECT ?s { ?s ?p ?o }"))
    assert not isinstance(err.value, QueryError) and "could not be read" in str(err.value)


def test_server_400_is_still_an_invalid_query(fake: Fake) -> None:
    """Finding 14.15: the server's 400 about the query stays a QueryError."""
    fake.plan = [answer(400, b"Parse error at 1:3", "text/plain")]
    with pytest.raises(QueryError, match="Parse error"):
        RemoteStore(fake.url, retries=1).query("SELECT ?s { ?s ?p ?o }")


# ---------------------------------------------------------------------------
# Finding 14.13: malformed URLs and credentials
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "127.0.0.1:7878/query", "http://127.0.0.1:99999/query", "http://127.0.0.1:7a/query", "http://",
    "http://exa mple.org/query", "http ://127.0.0.1/query", "", "http://[::1/query",
])
@pytest.mark.parametrize("option", ["--endpoint", "--update-endpoint"])
def test_malformed_endpoint_url_is_one_line(runner: Any, fake: Fake, url: str, option: str) -> None:
    """Finding 14.13: a malformed --endpoint (or --update-endpoint) URL is one line and exit 2."""
    fake.plan = [answer(204)]
    args = ["--endpoint", url] if option == "--endpoint" else ["--endpoint", fake.url, "--update-endpoint", url]
    result = run(runner, "query", *args, "--allow-update", "INSERT DATA { <http://e/a> <http://e/b> 1 }")
    assert_one_line_error(result, option)


@pytest.mark.parametrize("command", [
    pytest.param(["build", "articles"], id="build"),
    pytest.param(["export", "-o", "-"], id="export"),
    pytest.param(["query", "SELECT * { ?s ?p ?o } LIMIT 1"], id="query"),
])
def test_empty_endpoint_is_refused_on_every_command(runner: Any, command: list[str]) -> None:
    """Finding 14.13: --endpoint '' is refused in one line (build used to fall through to an assertion)."""
    result = run(runner, *command, "--endpoint", "")
    assert_one_line_error(result, "--endpoint")


@pytest.mark.parametrize(("env", "named"), [
    pytest.param({"TRADEKG_ENDPOINT_TOKEN": "a" + SECRET + "\udcff"}, "TRADEKG_ENDPOINT_TOKEN", id="token-not-utf8"),
    pytest.param({"TRADEKG_ENDPOINT_TOKEN": "t\u00f6k-" + SECRET}, "TRADEKG_ENDPOINT_TOKEN", id="token-not-ascii"),
    pytest.param({"TRADEKG_ENDPOINT_TOKEN": SECRET + "\nX-Evil: 1"}, "TRADEKG_ENDPOINT_TOKEN", id="token-newline"),
    pytest.param({"TRADEKG_ENDPOINT_USER": "ana\udcff", "TRADEKG_ENDPOINT_PASSWORD": SECRET},
                 "TRADEKG_ENDPOINT_USER", id="user-not-utf8"),
    pytest.param({"TRADEKG_ENDPOINT_USER": "ana", "TRADEKG_ENDPOINT_PASSWORD": SECRET + "\udc80"},
                 "TRADEKG_ENDPOINT_PASSWORD", id="password-not-utf8"),
    pytest.param({"TRADEKG_ENDPOINT_USER": "ana", "TRADEKG_ENDPOINT_PASSWORD": SECRET + "\r\n"},
                 "TRADEKG_ENDPOINT_PASSWORD", id="password-newline"),
])
def test_unusable_credential_is_one_line_and_never_shown(runner: Any, fake: Fake, monkeypatch: pytest.MonkeyPatch,
                                                         env: dict[str, str], named: str) -> None:
    """Findings 14.13 and 14.17: a credential not usable in a header is named (the variable), never shown."""
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    fake.plan = [answer(200, EMPTY_SELECT)]
    result = run(runner, "query", "--endpoint", fake.url, "SELECT ?s { ?s ?p ?o }")
    text = assert_one_line_error(result, named)
    assert SECRET not in text and "hush" not in text
    assert fake.requests == []


# ---------------------------------------------------------------------------
# Finding 14.17: credentials never appear in messages
# ---------------------------------------------------------------------------

def _echo_auth(status: int) -> Callable[[Any], None]:
    """A server that quotes the request's Authorization header in its error page."""
    def respond(h: Any) -> None:
        answer(status, f"bad credentials: {h.headers.get('Authorization')}".encode(), "text/plain")(h)
    return respond


@pytest.mark.parametrize("kind", ["token", "basic"])
@pytest.mark.parametrize("plan", ["echo-401", "echo-400", "echo-500", "redirect", "cut-off", "down", "update-echo"])
def test_secret_never_appears_in_any_message(runner: Any, fake: Fake, monkeypatch: pytest.MonkeyPatch,
                                            kind: str, plan: str) -> None:
    """Finding 14.17: a distinctive secret is in no output on any error path (nor in the store's repr)."""
    if kind == "token":
        monkeypatch.setenv("TRADEKG_ENDPOINT_TOKEN", SECRET)
    else:
        monkeypatch.setenv("TRADEKG_ENDPOINT_USER", "ana")
        monkeypatch.setenv("TRADEKG_ENDPOINT_PASSWORD", SECRET)
    url = fake.url
    fake.plan = [{"echo-401": _echo_auth(401), "echo-400": _echo_auth(400), "echo-500": _echo_auth(500),
                  "update-echo": _echo_auth(400), "redirect": redirect(302, f"http://127.0.0.1:1/?t={SECRET}"),
                  "cut-off": raw(CUT_OFF["closed-mid-body"])}.get(plan, answer(200, EMPTY_SELECT))]
    if plan == "down":
        url = f"http://127.0.0.1:{free_port()}/query"
    query = "INSERT DATA { <http://e/a> <http://e/b> 1 }" if plan == "update-echo" else "SELECT ?s { ?s ?p ?o }"
    result = runner.invoke(cli, ["query", "--endpoint", url, "--allow-update", query, "--http-timeout", "5"])
    text = result.output
    assert result.exit_code == 2, text
    assert SECRET not in text and "hush" not in text
    if plan.startswith("echo") or plan == "update-echo":
        assert "bad credentials" in text  # the server's words are kept, its quote of the secret is not
    store = RemoteStore(url)
    assert SECRET not in repr(store) and SECRET not in str(vars(store))
