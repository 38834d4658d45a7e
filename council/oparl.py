"""A small, careful OParl 1.0/1.1 client: read-only JSON over http(s), from the configured
host only, with a timeout and a size limit, never following a redirect to another host.

OParl's path to a paper: System → ``body`` (list of Body) → Body ``paper`` (list of Paper,
paged through ``links.next``) → Paper with ``reference``, ``name``, ``date``, ``web`` and
``consultation`` (embedded Consultation objects) → each Consultation's ``meeting`` (``start``),
``organization`` (``name``) and ``agendaItem`` (``result``). Objects may be embedded or given
by their URL; both are read.
"""

import datetime
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings


class OParlError(Exception):
    """The endpoint could not be read (network, status, size, JSON, shape)."""


def endpoint_for(region: str) -> str | None:
    """The OParl system URL configured for a plan's city/region (PLANWERK_OPARL_ENDPOINTS)."""
    endpoints = getattr(settings, "PLANWERK_OPARL_ENDPOINTS", {}) or {}
    wanted = (region or "").strip().casefold()
    for name, url in endpoints.items():
        if name.strip().casefold() == wanted:
            return url
    return None


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if _origin(newurl) != _origin(req.full_url):
            raise OParlError(f"redirect to another host refused: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def transport(url: str, *, timeout: float, max_bytes: int) -> bytes:
    """GET ``url``; the body, at most ``max_bytes``. Tests replace this function."""
    opener = urllib.request.build_opener(_SameHostRedirects)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise OParlError(f"HTTP {exc.code} from {url}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise OParlError(f"{url} not reachable: {exc}") from exc
    if len(body) > max_bytes:
        raise OParlError(f"{url}: answer larger than {max_bytes} bytes")
    return body


class Client:
    def __init__(self, system_url: str):
        parts = urlsplit(system_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise OParlError(f"not an http(s) address: {system_url}")
        self.system_url = system_url
        self.origin = _origin(system_url)
        self.timeout = float(getattr(settings, "PLANWERK_OPARL_TIMEOUT_SECONDS", 10))
        self.max_bytes = int(getattr(settings, "PLANWERK_OPARL_MAX_BYTES", 5 * 1024 * 1024))
        self.max_pages = int(getattr(settings, "PLANWERK_OPARL_MAX_PAGES", 20))
        self._seen: dict[str, dict] = {}

    def get(self, url: str) -> dict:
        if not isinstance(url, str) or _origin(url) != self.origin:
            raise OParlError(f"address outside the configured endpoint refused: {url!r}")
        if url not in self._seen:
            raw = transport(url, timeout=self.timeout, max_bytes=self.max_bytes)
            try:
                data = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise OParlError(f"{url}: no valid JSON") from exc
            if not isinstance(data, dict):
                raise OParlError(f"{url}: not an OParl object")
            self._seen[url] = data
        return self._seen[url]

    def obj(self, value) -> dict:
        """An embedded object, or the object behind a URL."""
        return value if isinstance(value, dict) else self.get(value)

    def items(self, list_url: str):
        """The objects of an OParl list, page by page (``links.next``), at most
        ``max_pages`` pages."""
        url, pages = list_url, 0
        while url and pages < self.max_pages:
            page = self.get(url)
            data = page.get("data")
            if not isinstance(data, list):
                raise OParlError(f"{url}: not an OParl list")
            yield from (item for item in data if isinstance(item, dict))
            pages += 1
            url = (page.get("links") or {}).get("next")


@dataclass
class ResolvedConsultation:
    date: datetime.date | None
    committee: str
    result: str
    oparl_id: str


@dataclass
class ResolvedPaper:
    oparl_id: str
    reference: str
    title: str
    date: datetime.date | None
    body: str
    url: str
    consultations: list[ResolvedConsultation] = field(default_factory=list)


def resolve(system_url: str, *, reference: str, region: str, oparl_id: str = "") -> ResolvedPaper:
    """Find the paper (by its OParl id, else by its reference in the region's body) and read
    its consultations. ``OParlError`` when the endpoint fails or the paper is not found."""
    client = Client(system_url)
    body = None
    if oparl_id:
        paper = client.get(oparl_id)
    else:
        system = client.get(system_url)
        body = _choose_body(list(client.items(_text(system.get("body")))), region)
        paper = next(
            (
                p
                for p in client.items(_text(body.get("paper")))
                if _same(p.get("reference"), reference)
            ),
            None,
        )
        if paper is None:
            raise OParlError(f"paper {reference} not found in {body.get('name', '')}")
    if paper.get("deleted"):
        raise OParlError(f"paper {reference} is marked as deleted")
    if body is None and paper.get("body"):
        body = client.obj(paper["body"])
    return ResolvedPaper(
        oparl_id=_text(paper.get("id")),
        reference=_text(paper.get("reference")) or reference,
        title=_text(paper.get("name"))[:500],
        date=_date(paper.get("date")),
        body=_text((body or {}).get("name"))[:200],
        url=_text(paper.get("web"))[:500],
        consultations=[_consultation(client, c) for c in paper.get("consultation") or []],
    )


def _consultation(client: Client, value) -> ResolvedConsultation:
    consultation = client.obj(value)
    meeting = client.obj(consultation["meeting"]) if consultation.get("meeting") else {}
    item = client.obj(consultation["agendaItem"]) if consultation.get("agendaItem") else {}
    organizations = consultation.get("organization") or meeting.get("organization") or []
    names = [_text(client.obj(o).get("name")) for o in organizations]
    return ResolvedConsultation(
        date=_date(meeting.get("start") or item.get("start")),
        committee=", ".join(n for n in names if n)[:255] or _text(meeting.get("name"))[:255],
        result=_text(item.get("result"))[:255],
        oparl_id=_text(consultation.get("id"))[:500],
    )


def _choose_body(bodies: list[dict], region: str) -> dict:
    if not bodies:
        raise OParlError("the endpoint lists no body")
    wanted = (region or "").casefold()
    for body in bodies:
        names = (_text(body.get("name")), _text(body.get("shortName")))
        if wanted and any(wanted in name.casefold() for name in names):
            return body
    if len(bodies) == 1:
        return bodies[0]
    raise OParlError(f"no body for “{region}” among {len(bodies)}")


def _same(a, b) -> bool:
    return isinstance(a, str) and a.strip().casefold() == (b or "").strip().casefold()


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value) -> datetime.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None
