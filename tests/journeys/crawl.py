"""The journeys' HTTP side: a role's session against the live portal (logged in through the real login form),
a bounded breadth-first crawl of the same-origin links, and the checks every answer must pass. Failures are
collected, not raised, so one run lists them all."""
from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
import requests

# Bounds of the crawl of one role.
MAX_PAGES = 160  # anonymous and the sysadmin
MAX_PAGES_MEMBER = 100  # the other roles: their pages differ from anonymous' in what membership shows
MAX_PER_SHAPE = 4  # URLs that differ only in their query values (facets, sort, page)
MAX_PER_PREFIX = 70  # URLs under one /first/second path prefix
MAX_BODY = 8 * 1024 * 1024
TIMEOUT_S = (5, 60)
WORKERS = 2  # per role; the five roles run at once

# Nothing a crawl follows may change state (GET must not, but the issue found some that do) or end the session.
SKIP_PATH = re.compile(
    r"(_logout|/logout|/logged_out|/delete|/abort|/clear/|/refresh/|/follow|/unfollow|/api_tokens|/revoke|"
    r"/reset|/activity/.*/changes_multiple|/user/login|/user/register|/webassets/|/base/|/fanstatic/|"
    r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf|map)$)"
)

TRACE_PATTERNS = [
    ("traceback", re.compile(r"Traceback \(most recent call last\)")),
    ("python frame", re.compile(r'File "/[^"]+\.py", line \d+')),
    ("psycopg2", re.compile(r"psycopg2?", re.IGNORECASE)),
    ("sqlalchemy", re.compile(r"sqlalchemy", re.IGNORECASE)),
    ("SQL error", re.compile(r"\b(?:ProgrammingError|OperationalError|InternalError|DataError)\b")),
    ("SQL text", re.compile(r"\bCREATE TABLE\b|\bSELECT\b[^<>\n]{0,200}?\bFROM\b|\bINSERT INTO\b")),
]


@dataclass
class Answer:
    role: str
    url: str
    status: int
    body: str
    content_type: str
    elapsed: float


@dataclass
class Finding:
    kind: str
    role: str
    url: str
    status: int
    snippet: str

    def line(self) -> str:
        return f"[{self.kind}] {self.role} GET {self.url} -> {self.status}: {self.snippet}"


def snippet(body: str, at: int | None = None, width: int = 160) -> str:
    if at is None:
        at = 0
    start = max(0, at - width // 2)
    return re.sub(r"\s+", " ", body[start:start + width]).strip()


@dataclass
class Policy:
    """What each role may see: the private markers (of the terbatas/tertutup datasets) and the sources' secrets."""

    markers: list[str]
    numeric_markers: list[str]
    secrets: list[str]
    sees_private: set[str]
    sees_secrets: set[str]

    def check(self, answer: Answer, report: Callable[[Finding], None], sql_echo: bool = False) -> None:
        def add(kind: str, at: int | None = None, text: str | None = None) -> None:
            report(Finding(kind, answer.role, answer.url, answer.status, text or snippet(answer.body, at)))

        if answer.status >= 500 or answer.status < 0:
            add("5xx" if answer.status >= 500 else "no answer")
        body = answer.body
        for name, pattern in TRACE_PATTERNS:
            if sql_echo and name == "SQL text":
                continue
            if (match := pattern.search(body)):
                add(f"traceback/SQL ({name})", match.start())
        if answer.role not in self.sees_secrets:
            for secret in self.secrets:
                if (at := body.find(secret)) >= 0:
                    add("secret", at)
        if answer.role not in self.sees_private:
            lowered = body.lower()
            for marker in self.markers:
                if (at := lowered.find(marker.lower())) >= 0:
                    add(f"private marker {marker}", at)
            for marker in self.numeric_markers:
                if (at := body.find(marker)) >= 0:
                    add(f"private figure {marker}", at)


class Client:
    """One role's HTTP sessions (one per thread, sharing the login cookies) and the answers it got."""

    def __init__(self, base: str, role: str, cookies: requests.cookies.RequestsCookieJar | None = None) -> None:
        self.base = base
        self.role = role
        self.cookies = cookies
        self._local = threading.local()
        self.count = 0
        self.answers: list[Answer] = []  # without their bodies, for the timings
        self._lock = threading.Lock()

    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            if self.cookies is not None:
                session.cookies.update(self.cookies)
            self._local.session = session
        return session

    def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        absolute = urljoin(self.base, url)
        started = time.monotonic()
        with self._lock:
            self.count += 1
        try:
            with self.session().get(absolute, headers=headers, timeout=TIMEOUT_S, stream=True,
                                    allow_redirects=True) as response:
                raw = b""
                for chunk in response.iter_content(64 * 1024):
                    raw += chunk
                    if len(raw) > MAX_BODY:
                        break
                body = raw.decode(response.encoding or "utf-8", errors="replace")
                answer = Answer(self.role, url, response.status_code, body,
                                response.headers.get("Content-Type", ""), time.monotonic() - started)
        except requests.RequestException as error:
            answer = Answer(self.role, url, -1, f"{error.__class__.__name__}: {error}", "", time.monotonic() - started)
        with self._lock:
            self.answers.append(Answer(answer.role, answer.url, answer.status, "", "", answer.elapsed))
        return answer


def login(base: str, name: str, password: str) -> requests.cookies.RequestsCookieJar:
    """The real login form: its CSRF token, then the POST a browser sends; the session cookie it leaves."""
    session = requests.Session()
    page = session.get(base + "/user/login", timeout=TIMEOUT_S)
    page.raise_for_status()
    form = lxml.html.fromstring(page.text).xpath("//form[.//input[@name='login']]")[0]
    fields = {field.get("name"): field.get("value") or "" for field in form.xpath(".//input[@name]")}
    fields.update(login=name, password=password)
    answer = session.post(urljoin(page.url, form.get("action") or "/user/login"), data=fields, timeout=TIMEOUT_S,
                          headers={"Referer": page.url, "Origin": base})
    check = session.get(base + "/dashboard/datasets", timeout=TIMEOUT_S)
    if answer.status_code >= 400 or "/user/login" in check.url or check.status_code != 200:
        raise AssertionError(f"{name} could not log in through the form: {answer.status_code} {answer.url}, "
                             f"dashboard {check.status_code} {check.url}")
    return session.cookies


# --- the crawl ---------------------------------------------------------------------------------------------

def normalise(base: str, url: str) -> str | None:
    """The same-origin path and sorted query of a link, or None for one the crawl does not follow."""
    url, _ = urldefrag(url.strip())
    if not url or url.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    absolute = urlsplit(urljoin(base + "/", url))
    origin = urlsplit(base)
    if absolute.scheme not in ("http", "https") or absolute.netloc != origin.netloc:
        return None
    if SKIP_PATH.search(absolute.path):
        return None
    query = urlencode(sorted(parse_qsl(absolute.query, keep_blank_values=True)))
    return urlunsplit(("", "", absolute.path or "/", query, ""))


def shape(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    return parts.path, tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))


def prefix(url: str) -> str:
    return "/".join(urlsplit(url).path.split("/")[:3])


def links(answer: Answer) -> list[str]:
    if "html" not in answer.content_type or not answer.body.strip():
        return []
    try:
        document = lxml.html.fromstring(answer.body)
    except (ValueError, lxml.etree.ParserError):
        return []
    found = document.xpath("//a/@href | //link[@rel='alternate']/@href | //form[not(@method) or "
                           "translate(@method, 'GET', 'get')='get']/@action")
    return [str(href) for href in found]


@dataclass
class Crawl:
    """A breadth-first crawl of one role from /, bounded by pages, shape and prefix."""

    client: Client
    max_pages: int = MAX_PAGES
    pages: list[Answer] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    skipped: Counter[str] = field(default_factory=Counter)

    def run(self, pool: ThreadPoolExecutor, check: Callable[[Answer], None], seeds: Iterable[str] = ("/",)) -> None:
        per_shape: Counter[tuple[str, tuple[str, ...]]] = Counter()
        per_prefix: Counter[str] = Counter()
        queue: deque[str] = deque()

        def admit(url: str | None) -> None:
            if url is None or url in self.seen:
                return
            self.seen.add(url)
            key, first = shape(url), prefix(url)
            if per_shape[key] >= MAX_PER_SHAPE:
                self.skipped["shape"] += 1
                return
            if per_prefix[first] >= MAX_PER_PREFIX:
                self.skipped["prefix"] += 1
                return
            per_shape[key] += 1
            per_prefix[first] += 1
            queue.append(url)

        for seed in seeds:
            admit(normalise(self.client.base, seed))
        while queue and len(self.pages) < self.max_pages:
            level = [queue.popleft() for _ in range(min(len(queue), self.max_pages - len(self.pages)))]
            for answer in pool.map(self.client.get, level):
                self.pages.append(answer)
                check(answer)
                for href in links(answer):
                    admit(normalise(self.client.base, href))
        self.skipped["budget"] += len(queue)


def group_findings(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        kind = finding.kind.split(" ")[0] if finding.kind.startswith("private") else finding.kind
        grouped[kind].append(finding)
    return dict(sorted(grouped.items()))
