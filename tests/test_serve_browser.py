"""The page in a real browser: headless Chromium (Debian's `chromium` + `chromium-driver`) driven by
selenium against a real uvicorn server on 127.0.0.1; skipped, with the reason, where none is found."""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator

import pytest

from s2a.api import ProcedurePredictor
from s2a.models import ModelPaths
from s2a.models.random_baseline import RandomSameSizeModel
from s2a.serve import create_app, load_examples
from sample import SAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no headless browser: install Debian's chromium and chromium-driver (make test does, as root)",
)

ESTER = "CC(=O)Cl.OCC>>CC(=O)OCC"


def chromium_arguments(user_data_dir: str) -> list[str]:
    """Headless Chromium as root in a container, with nothing reaching outside."""
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={user_data_dir}", "--window-size=1280,1000"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    work = tmp_path_factory.mktemp("browser") / "rss"
    RandomSameSizeModel(ModelPaths(SAMPLE, work)).train()
    app = create_app({"random-same-size": ProcedurePredictor("random-same-size", data_dir=SAMPLE, work_dir=work)},
                     examples=load_examples(SAMPLE, 3))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="s2a-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in chromium_arguments(profile):
        options.add_argument(argument)
    os.environ.setdefault("SE_AVOID_STATS", "true")
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_submitting_the_demo_reaction_shows_steps_and_the_drawing(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + "/")
    assert "s2a" in browser.title
    browser.find_element(By.NAME, "reaction").send_keys(ESTER)
    browser.find_element(By.NAME, "names").send_keys("acetyl chloride;ethanol")
    n_best = browser.find_element(By.NAME, "n_best")
    n_best.clear()
    n_best.send_keys("2")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ol.steps li")))

    assert browser.find_element(By.ID, "canonical").text == "CC(=O)Cl.CCO>>CCOC(C)=O"
    cards = browser.find_elements(By.CSS_SELECTOR, ".card.hyp")
    assert len(cards) == 2
    steps = [li.text for li in cards[0].find_elements(By.CSS_SELECTOR, "ol.steps li")]
    assert len(steps) >= 3 and all(s.endswith(".") for s in steps)
    text = " ".join(li.text for li in browser.find_elements(By.CSS_SELECTOR, "ol.steps li"))
    assert "acetyl chloride" in text and "ethanol" in text and "$" not in text
    assert "score" in cards[0].text and ("valid" in cards[0].text)

    svg = browser.find_element(By.CSS_SELECTOR, "#drawing svg")
    size = svg.size
    assert size["width"] > 200 and size["height"] > 50
    assert len(svg.find_elements(By.CSS_SELECTOR, "path")) > 5  # bonds were drawn
    # the form keeps what was asked, and an example is one click away
    assert browser.find_element(By.NAME, "reaction").get_attribute("value") == ESTER


def test_an_unparsable_reaction_is_a_clear_message(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(server + "/?reaction=C1CC%3E%3ECC")
    error = browser.find_element(By.ID, "error")
    assert "invalid SMILES" in error.text
    browser.find_element(By.CSS_SELECTOR, ".examples a").click()
    assert browser.find_elements(By.CSS_SELECTOR, "ol.steps li")
