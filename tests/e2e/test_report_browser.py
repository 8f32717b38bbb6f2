"""The report in a real browser, from file://: its charts draw, and it asks the
network for nothing."""

from pathlib import Path

import pytest

from tests.integration.campaign_history import report_after_both
from tests.integration.conftest import sqlite_engine

CHARTS = ("chart-hourly", "chart-channels", "chart-funnel")

pytestmark = pytest.mark.e2e

# Records what the page's content security policy refused: a reference to anywhere
# else would be refused, not fetched, so this is where it would show.
_WATCH_POLICY = """
window.refused = [];
document.addEventListener("securitypolicyviolation", (e) => window.refused.push(e.blockedURI));
"""

_CHART = """(id) => {
  const el = document.getElementById(id);
  const chart = el && echarts.getInstanceByDom(el);
  const canvas = el && el.querySelector("canvas");
  if (!chart || !canvas) return null;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {series: chart.getOption().series.length, width: canvas.width, painted};
}"""


@pytest.fixture
def report(tmp_path: Path) -> Path:
    with sqlite_engine(tmp_path) as engine:
        return report_after_both(engine, tmp_path / "reports")[3].html


def test_the_report_draws_its_charts_from_file_without_the_network(report, browser):
    requests: list[str] = []
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.add_init_script(_WATCH_POLICY)
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(report.as_uri(), wait_until="load")

        assert page.title().startswith("双十一 全民狂欢节")
        assert page.evaluate("typeof echarts") == "object"
        for chart in CHARTS:
            drawn = page.evaluate(_CHART, chart)
            assert drawn is not None, f"{chart} was not drawn"
            assert drawn["series"] >= 1
            assert drawn["width"] > 0
            assert drawn["painted"] > 1000, f"{chart} is blank"
        assert page.locator("text=无可比活动").count() == 0
        refused = page.evaluate("window.refused")
    finally:
        page.close()

    assert errors == []
    assert refused == []
    assert requests == [report.as_uri()]  # the page itself, and nothing else
