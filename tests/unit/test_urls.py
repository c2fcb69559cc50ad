"""Stored web addresses: http and https only, one canonical form, and a renderer that links
nothing else, whatever an old row holds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingshan.ledger.domain.urls import UrlRefused, canonical_url, safe_href


@pytest.mark.parametrize(("given_url", "canonical"), [
    ("https://example.org", "https://example.org/"),
    ("HTTPS://Example.ORG:443/a?b=1#c", "https://example.org/a?b=1#c"),
    ("http://example.org:80/", "http://example.org/"),
    ("http://example.org:8080/x%20y", "http://example.org:8080/x%20y"),
    ("https://例子.中国/文件.pdf", "https://xn--fsqu00a.xn--fiqs8s/%E6%96%87%E4%BB%B6.pdf"),
    ("https://sub.example.org/a/../b?q=中", "https://sub.example.org/a/../b?q=%E4%B8%AD"),
])
def test_an_http_address_is_stored_in_its_canonical_form(given_url: str,
                                                         canonical: str) -> None:
    assert canonical_url(given_url) == canonical
    assert canonical_url(canonical) == canonical


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " https://example.org/",
    "https://example.org/ ", "java\nscript:alert(1)", "data:text/html,x", "vbscript:x",
    "file:///etc/passwd", "ftp://example.org/", "//example.org/", "/local", "example.org",
    "https:example.org", "https:///x", "https://user@example.org/",
    "https://u:p@example.org/", "https://example.org\\@evil/", "https://[::1]/",
    "https://example.org:0/", "https://example.org:70000/", "https://exa_mple.org/",
    "https://-x.org/", "https://example.org/\x00", "", "https://" + "a" * 600 + ".org/"])
def test_anything_else_is_refused_and_never_linked(url: str) -> None:
    with pytest.raises(UrlRefused):
        canonical_url(url)
    assert safe_href(url) is None


@pytest.mark.parametrize("url", ["https://[x/", "https://[::1/a", "http://ex]ample.org/"])
def test_an_unbalanced_bracket_in_the_host_is_refused_not_a_crash(url: str) -> None:
    with pytest.raises(UrlRefused):
        canonical_url(url)
    assert safe_href(url) is None


def test_the_renderer_links_only_canonical_http_addresses() -> None:
    assert safe_href("HTTPS://Example.org") == "https://example.org/"
    assert safe_href(None) is None and safe_href("") is None and safe_href(42) is None


@given(st.text(max_size=80))
def test_whatever_text_an_old_row_holds_the_link_is_http_or_nothing(text: str) -> None:
    href = safe_href(text)
    assert href is None or href.startswith(("http://", "https://"))
    if href is not None:
        assert canonical_url(href) == href  # canonical twice is canonical once
        assert not any(c in href for c in ' "<>\\`')


@given(st.from_regex(r"https?://[a-zA-Z0-9.-]{1,20}(:[0-9]{1,5})?(/[^\s\\]{0,30})?",
                     fullmatch=True))
def test_canonical_form_is_a_fixed_point(url: str) -> None:
    try:
        once = canonical_url(url)
    except UrlRefused:
        return
    assert canonical_url(once) == once


@pytest.mark.parametrize("build", ["project", "document", "report"])
def test_every_registry_command_that_takes_a_url_refuses_a_script_url(build: str) -> None:
    from qingshan.errors import InvalidInput
    from qingshan.registry.commands import (
        AddProjectDocument,
        CreateProject,
        SubmitMonitoringReport,
    )
    from tests.support.registry import project_payload

    doc = {"name": "annex", "sha256": "a" * 64, "url": "javascript:alert(document.cookie)"}
    with pytest.raises(InvalidInput) as refused:
        if build == "project":
            CreateProject.from_payload(project_payload(documents=[doc]))
        elif build == "document":
            AddProjectDocument.from_payload({"project": "CQ0001", "document": doc})
        else:
            SubmitMonitoringReport.from_payload({
                "project": "CQ0001", "period_start": "2023-01-01", "period_end": "2023-12-31",
                "values": {"eg_mwh": "1"}, "documents": [doc]})
    assert refused.value.data["field"] == "documents.url"
    ok = {**doc, "url": "HTTPS://Example.org"}
    if build == "document":
        made = AddProjectDocument.from_payload({"project": "CQ0001", "document": ok})
        assert made.document.url == "https://example.org/"
