"""One URL and one fingerprint per article, whatever link or rendering it arrived by.

``canonical_url`` is the key the store upserts on: a publisher's declared canonical
(``rel=canonical`` / ``og:url``) is trusted only on the page's own registrable domain, and
tracking parameters are stripped. ``content_hash`` fingerprints the text so that the same
article re-rendered (other whitespace, quotes, case) hashes the same.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import courlan

from broadsheet.ingest.urls import absolute_url, is_http_url

# Query parameters that identify a campaign or a click, never the content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "ocid", "cmpid", "cmp", "ref", "ref_src", "ref_url", "referrer",
        "smid", "smtyp", "at_medium", "at_campaign", "at_custom1", "at_custom2",
        "at_custom3", "at_custom4", "at_ptr_name", "at_link_origin", "_ga", "_gl",
        "icid", "s_cid", "xtor", "ito", "spm", "share", "guccounter", "guce_referrer",
        "guce_referrer_sig", "taid", "wt.mc_id", "wt_mc", "ns_mchannel",
        "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
        "dicbo", "mbid", "sr_share", "__twitter_impression",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "hsa_", "pk_", "mtm_", "at_", "oly_", "vero_", "mkt_")

_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def same_site(a: str, b: str) -> bool:
    """True when two URLs share a registrable domain (``news.example.co.uk`` and
    ``www.example.co.uk``; not ``alice.github.io`` and ``bob.github.io``)."""
    host_a, host_b = _host(a), _host(b)
    if not host_a or not host_b:
        return False
    if host_a == host_b:
        return True
    domain_a = courlan.extract_domain(a)
    return domain_a is not None and domain_a == courlan.extract_domain(b)


def _is_home_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def normalize_url(url: str) -> str:
    """courlan normalisation (case, default ports, dot segments) without fragment,
    credentials or tracking parameters; the remaining parameters sorted."""
    parts = urlsplit(url.strip())
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    )
    netloc = parts.netloc.rpartition("@")[2]
    path = parts.path
    if "." in path:  # resolve dot segments; a path like "//[x" would parse as a host: kept
        try:
            path = urlsplit(urljoin(url, path)).path
        except ValueError:
            pass
    stripped = urlunsplit((parts.scheme, netloc, path, urlencode(query), ""))
    try:
        normalized = courlan.normalize_url(stripped)
    except ValueError:
        return stripped
    return urlunsplit(urlsplit(normalized)._replace(fragment=""))


def canonical_url(url: str, declared: str | None = None) -> str:
    """The URL an article is known by: the publisher's declared canonical when it is a
    same-site http(s) URL other than the home page, else ``url``; normalised."""
    chosen = url
    if declared:
        resolved = absolute_url(url, declared)
        if (
            resolved
            and same_site(url, resolved)
            and not (_is_home_page(resolved) and not _is_home_page(url))
        ):
            chosen = resolved
    if not is_http_url(chosen):
        return url
    normalized = normalize_url(chosen)  # percent-encoding may take it past MAX_URL_LENGTH
    return normalized if is_http_url(normalized) else url


def normalize_for_hash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text).replace("_", " ")).strip()


def content_hash(text: str) -> str:
    """sha256 (hex) of the text, insensitive to case, whitespace and punctuation."""
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()
