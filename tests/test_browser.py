"""A real browser on ``normgraph serve``: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) opens the landing page, runs a query in the Yasgui
editor, follows a result to the SCO's entity page and checks what it shows. Screenshots are kept
in $NORMGRAPH_ARTEFACTS (default: the test's temporary folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .serving import running_server

pytestmark = pytest.mark.browser

YASGUI = Path(__file__).resolve().parent.parent / "src" / "normgraph" / "web" / "static" / "yasgui" / "yasgui.min.js"
QUERY = """PREFIX ng: <https://w3id.org/normgraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?organisation ?name WHERE {
  ?organisation skos:altLabel "SCO"@en ; skos:prefLabel ?name .
}"""


@pytest.fixture
def browser(tmp_path):
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/integration installs them)")
    if not YASGUI.is_file():
        pytest.skip("the editor's files are missing: run scripts/vendor-yasgui (.ci/integration does)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                 "--window-size=1280,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def artefacts(tmp_path) -> Path:
    folder = Path(os.environ.get("NORMGRAPH_ARTEFACTS") or tmp_path / "artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_landing_editor_result_and_entity_page(browser, artefacts):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60)
    with running_server() as url:
        browser.get(url + "/")
        assert browser.find_element(By.TAG_NAME, "h1").text == "normgraph"
        assert browser.find_element(By.LINK_TEXT, "Shanghai Cooperation Organisation").get_attribute("href") == url + "/id/org/sco"
        browser.save_screenshot(str(artefacts / "landing.png"))

        form = browser.find_element(By.ID, "q-state-membership-history")
        field = form.find_element(By.NAME, "state")
        field.clear()
        field.send_keys("state:KAZ")
        form.find_element(By.TAG_NAME, "button").click()
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "table.results")))
        assert browser.current_url == url + "/api/state-membership-history?state=state%3AKAZ"
        table = browser.find_element(By.CSS_SELECTOR, "table.results").text
        assert "Collective Security Treaty Organisation" in table and "Eurasian Customs Union" in table
        browser.save_screenshot(str(artefacts / "stored-query.png"))
        browser.get(url + "/")

        browser.find_element(By.LINK_TEXT, "SPARQL editor").click()
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
        browser.execute_script("window.normgraphYasgui.getTab().setQuery(arguments[0]);", QUERY)
        browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
        link = wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, ".yasr a[href='https://w3id.org/normgraph/id/org/sco']")))
        assert "Shanghai Cooperation Organisation" in browser.find_element(By.CSS_SELECTOR, ".yasr").text
        browser.save_screenshot(str(artefacts / "editor.png"))

        link.click()
        wait.until(ready.url_to_be(url + "/id/org/sco"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Shanghai Cooperation Organisation"
        memberships = browser.find_element(By.ID, "memberships")
        assert "India" in memberships.text and "date not stated" in memberships.text
        assert "“both Pakistan and India were admitted as members in 2017”" in memberships.text
        browser.save_screenshot(str(artefacts / "entity-sco.png"))
        full_height = browser.execute_script("return document.body.scrollHeight")
        browser.set_window_size(1280, min(full_height, 16000))
        browser.save_screenshot(str(artefacts / "entity-sco-full.png"))
