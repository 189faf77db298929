"""The handbook in a real browser (Debian chromium, headless): the verzuimkaart and the
stroomschema's are present, laid out and visible, and a screenshot can be taken of it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import verzuimdsl
from verzuimdsl.render import render_files

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "render" / "regio.vz"
PARKSTAD = HERE.parent / "protocols" / "parkstad.vz"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is niet geïnstalleerd (apt-get install chromium)"
    ),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` ontbreekt"),
]

# measured in the page after layout; written into the DOM so --dump-dom returns it
PROBE = """
<script>
(function () {
  function box(el) {
    if (!el) return null;
    var r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return {w: r.width, h: r.height, visible: s.visibility !== 'hidden' && s.display !== 'none'};
  }
  var card = document.getElementById('verzuimkaart');
  var out = {
    card: box(card),
    rows: card ? card.querySelectorAll('tbody tr').length : 0,
    headers: card ? Array.from(card.querySelectorAll('thead th')).map(function (t) { return t.textContent.trim(); }) : [],
    svgs: Array.from(document.querySelectorAll('figure.stroomschema svg')).map(box),
    texts: document.querySelectorAll('figure.stroomschema svg text').length,
    h2: Array.from(document.querySelectorAll('main h2')).map(function (h) { return h.textContent.trim(); }),
    bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
    scripts: document.querySelectorAll('script').length
  };
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def probe(html: str, tmp_path: Path) -> dict:
    page = tmp_path / "probe.html"
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = chromium(
        ["--virtual-time-budget=5000", "--window-size=1280,900", "--dump-dom", page.as_uri()],
        tmp_path / "profiel",
    )
    match = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert match, done.stderr[-2000:]
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture(scope="module")
def fixture_html() -> str:
    files = render_files(verzuimdsl.load(FIXTURE), ("html",))
    return files["handbook.html"].decode("utf-8")


def test_verzuimkaart_and_diagrams_are_visible(fixture_html: str, tmp_path: Path) -> None:
    result = probe(fixture_html, tmp_path)
    # the protocol's own text holds no script: only our probe runs
    assert result["scripts"] == 1
    card = result["card"]
    assert card["visible"] and card["w"] > 600 and card["h"] > 300
    assert result["rows"] == 8
    assert result["headers"][:3] == ["Situatie", "Acties school", "Acties consulent leerrecht"]
    assert len(result["svgs"]) >= 6
    for svg in result["svgs"]:
        assert svg["visible"] and svg["w"] > 300 and svg["h"] > 100, svg
    assert result["texts"] > 50
    assert "Bijlage 3: Verzuimkaart" in result["h2"]
    assert result["bodyFont"] >= 14


def test_screenshot(fixture_html: str, tmp_path: Path) -> None:
    page = tmp_path / "handbook.html"
    page.write_text(fixture_html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    done = chromium(
        ["--hide-scrollbars", f"--screenshot={shot}", "--window-size=1280,2400", page.as_uri()],
        tmp_path / "profiel",
    )
    assert shot.exists(), done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:4] == b"\x89PNG" and len(data) > 50_000  # a real page, not a blank one


@pytest.mark.skipif(not PARKSTAD.exists(), reason="protocols/parkstad.vz bestaat nog niet")
def test_parkstad_handbook_in_the_browser(tmp_path: Path) -> None:
    """A reader of the Parkstad PDF finds its Bijlage 3 verzuimkaart in the handbook."""
    html = render_files(verzuimdsl.load(PARKSTAD), ("html",))["handbook.html"].decode("utf-8")
    result = probe(html, tmp_path)
    assert result["card"]["visible"] and result["rows"] >= 8
    assert any(h.startswith("Bijlage 3") for h in result["h2"])
    assert result["svgs"] and all(s["visible"] and s["w"] > 300 for s in result["svgs"])
