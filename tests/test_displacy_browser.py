"""displacy.serve's pages in a real browser: headless Debian chromium driven by selenium
opens the served page and checks what it laid out (arcs, labels on their arcs, entity
marks, span labels) and that text which looks like markup stays text.

Slow (a browser starts per test); skipped without /usr/bin/chromium, /usr/bin/chromedriver
(`apt-get install chromium chromium-driver`; `make bench` installs them) or selenium
(the `bench` extra).
"""
from pathlib import Path

import pytest
from displacy_serving import serving

from heron.tokens import Doc, Span

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# no network, no background services, no first-run UI: the page is all the browser does
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
INJECTED = "<img src=x onerror=window.injected=1>"
WORDS = ["Ada", "Lovelace", "wrote", "the", "first", "program", "in", "London", INJECTED]
HEADS = [1, 2, 2, 5, 5, 2, 2, 6, 2]
DEPS = ["compound", "nsubj", "ROOT", "det", "amod", "dobj", "prep", "pobj", "dep"]


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install heron[bench])")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    # an explicit driver path: selenium-manager never tries to download one
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def doc(en_vocab):
    doc = Doc(en_vocab, words=WORDS, heads=HEADS, deps=DEPS)
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 7, 8, label="GPE")]
    doc.spans["sc"] = [Span(doc, 0, 2, label="PERSON"), Span(doc, 1, 6, label="CLAIM")]
    return doc


def run(driver, script):
    return driver.execute_script(script)


def test_dependency_arcs_and_labels_are_laid_out(monkeypatch, browser, doc):
    with serving(monkeypatch, doc, style="dep", options={"collapse_punct": False}) as url:
        browser.get(url)
        arcs = run(browser, "return Array.from(document.querySelectorAll('path.displacy-arc'))"
                            ".map(p => [p.getBBox().width, p.getBBox().height])")
        labels = run(browser, "return Array.from(document.querySelectorAll('textPath.displacy-label'))"
                              ".map(t => [t.textContent, t.parentNode.getComputedTextLength()])")
        words = run(browser, "return Array.from(document.querySelectorAll('tspan.displacy-word'))"
                             ".map(t => t.textContent)")
        heads = run(browser, "return document.querySelectorAll('path.displacy-arrowhead').length")
        injected = run(browser, "return window.injected === undefined && !document.querySelector('img')")
    assert len(arcs) == heads == 8  # one arc and one arrowhead per dependent
    assert all(width > 0 and height > 0 for width, height in arcs)
    # each label was drawn along its arc (a label whose arc id didn't resolve has no length)
    assert sorted(text for text, _ in labels) == sorted(d for d in DEPS if d != "ROOT")
    assert all(length > 0 for _, length in labels)
    assert words == WORDS and injected


def test_entity_marks_show_text_label_and_colour(monkeypatch, browser, doc):
    with serving(monkeypatch, doc, style="ent", options={"colors": {"GPE": "#00ff00"}}) as url:
        browser.get(url)
        marks = run(browser, """return Array.from(document.querySelectorAll('mark.entity')).map(m => [
            m.firstChild.textContent.trim(), m.querySelector('span').textContent.trim(),
            getComputedStyle(m).backgroundColor, m.getBoundingClientRect().width])""")
        text = run(browser, "return document.querySelector('div.entities').textContent")
        injected = run(browser, "return window.injected === undefined && !document.querySelector('img')")
    assert [(t, label, colour) for t, label, colour, _ in marks] == [
        ("Ada Lovelace", "PERSON", "rgb(170, 156, 252)"), ("London", "GPE", "rgb(0, 255, 0)")]
    assert all(width > 0 for *_, width in marks)
    assert INJECTED in text and injected


def test_span_labels_stack(monkeypatch, browser, doc):
    with serving(monkeypatch, doc, style="span") as url:
        browser.get(url)
        labels = run(browser, """return Array.from(document.querySelectorAll('div.spans span span span'))
            .map(s => [s.textContent.trim(), s.parentNode.getBoundingClientRect().top])""")
    (person, person_top), (claim, claim_top) = labels
    assert (person, claim) == ("PERSON", "CLAIM")
    assert claim_top > person_top  # CLAIM starts inside PERSON, so its bar sits one slot lower
