"""The learner's path in a real browser: JupyterLab started as `make lab` starts it, driven by
headless Chromium through selenium.

What no headless test can see: that the exercise notebook opens and runs from JupyterLab's own
menus, that a learner typing a wrong answer, asking for a hint and fixing it sees ❌, 💡 and ✅
where they should, that the progress table records it, that figures render, and that the
runner's HTML report shows its table and chart. Screenshots of every step land in the test
workspace (printed at the start, kept for a failed run to be looked at).

The browser is Debian's `chromium` with its `chromium-driver`, named explicitly: nothing is
downloaded at run time. Without them these tests skip with one line saying what to install,
unless MLCOURSE_REQUIRE_BROWSER=1 (CI sets it), where they fail instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from utils.paths import REPO_ROOT, workspace

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_ENV = "MLCOURSE_REQUIRE_BROWSER"
INSTALL = "apt-get install chromium chromium-driver fonts-noto-color-emoji"

_missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
try:
    from selenium import webdriver
    from selenium.common.exceptions import (
        ElementNotInteractableException,
        StaleElementReferenceException,
        TimeoutException,
    )
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - selenium is pinned in requirements.txt
    _missing.append("selenium (pip install -r requirements.txt)")
if _missing:
    _reason = f"browser tests need {', '.join(_missing)}: {INSTALL}"
    if os.environ.get(REQUIRE_ENV, "").strip() in {"1", "true", "yes"}:
        pytest.fail(f"{REQUIRE_ENV} is set but {_reason}", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

EXERCISE = "notebooks/00_start_here/01_welcome.ipynb"
SITE_LESSON = "01_python_for_ml/03_visualisation"  # the course website: a lesson with figures
SOLUTION_WITH_FIGURES = "solutions/01_python_for_ml/03_visualisation.ipynb"
WAIT_S = 60  # the longest any single UI step may take on a busy 2-core machine

# Settings a fresh JupyterLab user would see, minus what would touch the repository or the
# network: no autosave (the test types into a tracked notebook and must leave it unchanged) and
# no "official Jupyter news?" toast over the notebook. Checkpoints go to a temporary folder too.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}


# -- helpers --------------------------------------------------------------------------------
def lab_command() -> list[str]:
    """The command `make lab` runs, as make itself prints it."""
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "lab"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    lines = [line for line in dry_run.stdout.splitlines() if " lab " in f"{line} "]
    assert len(lines) == 1, f"expected one jupyter lab command from make -n lab:\n{dry_run.stdout}"
    return shlex.split(lines[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Shots:
    """Numbered screenshots of each step, in the order they are taken."""

    def __init__(self, driver, folder: Path, first: int):
        self.driver, self.folder, self.count = driver, folder, first - 1

    def __call__(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}_{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def wait_for(driver, condition, what: str, timeout: float = WAIT_S):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d))
    except TimeoutException:
        shot = workspace("browser-tests", "screenshots") / "timed_out.png"
        driver.save_screenshot(str(shot))
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} "
                             f"(screenshot: {shot})") from None


# JavaScript run in the page: the notebook panel of the current main-area tab (never a hidden
# one), its cells, prompts, kernel status and outputs, all read with textContent.
PANEL_JS = """
const tab = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
const panel = tab && document.getElementById(tab.dataset.id);
if (!panel || !panel.classList.contains('jp-NotebookPanel')) return null;
"""
STATE_JS = PANEL_JS + """
const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
return {
  kernelName: (panel.querySelector('[data-jp-item-name="kernelName"]') || {}).textContent,
  kernel: indicator ? indicator.dataset.status : null,
  cells: cells.map(c => ({
    code: c.classList.contains('jp-CodeCell'),
    source: [...c.querySelectorAll('.cm-content .cm-line')].map(l => l.textContent).join('\\n'),
    prompt: ((c.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
    output: (c.querySelector('.jp-OutputArea') || {}).textContent || '',
  })),
};
"""


def notebook_state(driver) -> dict | None:
    return driver.execute_script(STATE_JS)


def settled(driver) -> bool:
    """The notebook's kernel is up and idle, and no code cell waits to run (no `[*]:` prompt)."""
    state = notebook_state(driver)
    return (bool(state) and (state["kernelName"] or "").strip() == "Python 3 (ipykernel)"
            and state["kernel"] == "idle"
            and not any("*" in cell["prompt"] for cell in state["cells"] if cell["code"]))


def wait_settled(driver, what: str) -> dict:
    wait_for(driver, settled, f"the kernel to finish {what}")
    return notebook_state(driver)


def cell_element(driver, index: int):
    return driver.execute_script(
        PANEL_JS + "return panel.querySelectorAll('.jp-Notebook .jp-Cell')[arguments[0]];", index)


def scroll_to(driver, index: int):
    """Bring a cell into view. Cells above it may still be laying out (their height changes
    as they render), so scroll until it stays in view."""
    cell = cell_element(driver, index)
    wait_for(driver, lambda d: d.execute_script("""
        const box = arguments[0].getBoundingClientRect();
        const seen = box.top >= 60 && box.top < window.innerHeight - 120;
        if (!seen) arguments[0].scrollIntoView({block: 'center'});
        return seen;""", cell), f"cell {index} to come into view")
    return cell


def run_typed(driver, index: int, text: str) -> str:
    """Click into a cell's editor, replace its text as a learner would, run it in place
    (Ctrl+Enter) and return its output once the cell has a new execution count."""
    before = notebook_state(driver)["cells"][index]["prompt"]
    cell = scroll_to(driver, index)
    editor = cell.find_element(By.CSS_SELECTOR, ".cm-content")
    editor.click()
    wait_for(driver, lambda d: d.execute_script(
        "return document.activeElement.classList.contains('cm-content')"), "the cell editor")
    keys = ActionChains(driver)
    keys.key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        keys.send_keys(line)
        if number < len(lines) - 1:
            keys.send_keys(Keys.ENTER, Keys.HOME)  # HOME: past any auto-indent
    keys.perform()
    wait_for(driver, lambda d: notebook_state(d)["cells"][index]["source"] == text,
             f"the typed text in cell {index}")
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    wait_for(driver, lambda d: settled(d) and re.fullmatch(
        r"\[\d+\]:", prompt := notebook_state(d)["cells"][index]["prompt"]) and prompt != before,
        f"cell {index} to run")
    return notebook_state(driver)["cells"][index]["output"]


def insert_cell_below(driver, index: int) -> int:
    """Select cell `index`, press Esc then B (a new cell below, as in the keyboard help)."""
    count = len(notebook_state(driver)["cells"])
    scroll_to(driver, index).find_element(By.CSS_SELECTOR, ".jp-InputPrompt").click()
    ActionChains(driver).send_keys(Keys.ESCAPE).send_keys("b").perform()
    wait_for(driver, lambda d: len(notebook_state(d)["cells"]) == count + 1, "a new cell")
    return index + 1


def listing(driver) -> list[str]:
    """The names the file browser shows."""
    return driver.execute_script(
        "return [...document.querySelectorAll('.jp-DirListing-item .jp-DirListing-itemText')]"
        ".map(e => e.textContent.trim());")


def browser_folder(driver) -> list[str]:
    """The folder the file browser shows, from its breadcrumbs: [] is the root."""
    text = driver.execute_script(
        "return (document.querySelector('.jp-FileBrowser .jp-BreadCrumbs') || {}).textContent;")
    return [part.strip() for part in (text or "").split("/") if part.strip()]


def double_click_item(driver, name: str) -> bool:
    """Double-click a file browser entry; False if the listing was re-rendering."""
    item = driver.execute_script(
        "return [...document.querySelectorAll('.jp-DirListing-item')].find(e =>"
        " e.querySelector('.jp-DirListing-itemText').textContent.trim() === arguments[0]);", name)
    if item is None:
        return False
    try:
        ActionChains(driver).double_click(item).perform()
    except (ElementNotInteractableException, StaleElementReferenceException):
        return False
    return True


def open_from_file_browser(driver, lab: dict, path: str) -> None:
    """Open a notebook (path from the repository root) as a learner does: click the file
    browser's home folder, double-click each folder, then the notebook; wait for its cells."""
    if not driver.current_url.startswith(f"{lab['url']}/lab"):
        driver.get(f"{lab['url']}/lab?token={lab['token']}")
    home = wait_for(driver, lambda d: next(iter(
        d.find_elements(By.CSS_SELECTOR, ".jp-FileBrowser .jp-BreadCrumbs-home")), None),
        "the file browser")
    home.click()
    *folders, notebook = path.split("/")
    wait_for(driver, lambda d: browser_folder(d) == [], "the file browser's home folder")
    for depth, name in enumerate(folders, start=1):
        wait_for(driver, lambda d, n=name: double_click_item(d, n), f"{name!r} in the browser")
        wait_for(driver, lambda d, f=folders[:depth]: browser_folder(d) == f, f"folder {name!r}")
    wait_for(driver, lambda d: double_click_item(d, notebook), f"{notebook!r} in the browser")
    cells = len(json.loads((REPO_ROOT / path).read_text())["cells"])
    wait_for(driver, lambda d: (d.execute_script(
        "const t = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');"
        "return t ? t.textContent : ''") == notebook) and notebook_state(d) is not None
             and len(notebook_state(d)["cells"]) == cells, f"{path} to open, all {cells} cells")


def click_menu(driver, menu: str, label: str) -> None:
    """Open a menu of the menu bar and click one of its items, both by the words shown."""
    top = next(e for e in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
               if e.text == menu)
    top.click()
    item = wait_for(driver, lambda d: next(
        (e for e in d.find_elements(By.CSS_SELECTOR, ".lm-Menu .lm-Menu-item")
         if e.is_displayed() and e.text.split("\n")[0] == label), None),
        f"{label!r} in the {menu} menu")
    item.click()


def table_rows(driver, index: int) -> list[list[str]]:
    """An output's table as rows of cells: an HTML table's cells, or a text table's columns."""
    return driver.execute_script("""
        const cell = arguments[1];
        const table = cell.querySelector('.jp-OutputArea table');
        if (table) return [...table.rows].map(r => [...r.cells].map(c => c.textContent.trim()));
        const text = (cell.querySelector('.jp-OutputArea') || {}).textContent || '';
        return text.split('\\n').filter(l => l.trim()).map(l => l.trim().split(/\\s{2,}/));
    """, None, cell_element(driver, index))


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shots_dir() -> Path:
    folder = workspace("browser-tests", "screenshots")
    print(f"\nbrowser test screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as `make lab` starts it, on loopback, a free port and a token."""
    home = tmp_path_factory.mktemp("jupyter")
    for plugin, values in LAB_SETTINGS.items():
        path = home / "config" / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    # JupyterLab saves a checkpoint of each notebook it opens: into this folder (an absolute
    # checkpoint_dir), not .ipynb_checkpoints/ beside the notebooks.
    checkpoints = home / "checkpoints"
    (home / "config" / "jupyter_server_config.json").write_text(json.dumps(
        {"FileCheckpoints": {"checkpoint_dir": str(checkpoints)}}))
    kernel_workspace = workspace("browser-tests", "kernel-workspace")
    env = dict(os.environ, MLCOURSE_WORKSPACE=str(kernel_workspace),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    env.pop("MLCOURSE_STRICT", None)  # a learner's checks print; they never raise
    port, token = free_port(), secrets.token_hex(16)
    command = lab_command() + ["--no-browser", "--ServerApp.ip=127.0.0.1",
                               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                               f"--IdentityProvider.token={token}"]
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise AssertionError(f"JupyterLab exited with {server.returncode}:\n"
                                 f"{(home / 'lab.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                break
        except OSError:
            assert time.monotonic() < deadline, "JupyterLab did not answer within 60 s"
            time.sleep(0.2)
    lab = {"server": server, "url": url, "token": token, "command": command,
           "workspace": kernel_workspace, "log": home / "lab.log", "checkpoints": checkpoints}
    yield lab
    if server.poll() is None:  # a test failed before stopping it: stop it and its kernels
        kernels = psutil.Process(server.pid).children(recursive=True)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        for kernel in kernels:
            if kernel.is_running():
                kernel.kill()
    log.close()


@pytest.fixture(scope="module", autouse=True)
def runner_report(tmp_path_factory):
    """The course runner on one small notebook, started at once so that it runs while the
    browser works; the report test waits for it."""
    out = tmp_path_factory.mktemp("runner") / "report"
    log = (out.parent / "runner.log").open("w")
    run = subprocess.Popen(
        [sys.executable, "-m", "utils.runner", "--kind", "solutions", "--notebook",
         "00_start_here/01_welcome", "--quick", "--jobs", "1", "--out", str(out)],
        cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    yield {"process": run, "out": out, "log": out.parent / "runner.log"}
    if run.poll() is None:
        run.kill()
    run.wait()
    log.close()


@pytest.fixture(scope="module", autouse=True)
def site_build(tmp_path_factory):
    """The course website with one lesson (and the home page), built while the browser works;
    the website test waits for it. tests/test_site.py builds and checks the whole course."""
    out = tmp_path_factory.mktemp("site")
    log = (out / "build.log").open("w")
    run = subprocess.Popen(
        [sys.executable, "-m", "utils.cli", "site", "--out", str(out / "site"),
         "--notebook", SITE_LESSON], cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    yield {"process": run, "html": out / "site" / "html", "log": out / "build.log"}
    if run.poll() is None:
        run.kill()
    run.wait()
    log.close()


@pytest.fixture(scope="module")
def driver():
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1400,1000", "--lang=en-GB",
                     "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    # An explicit driver path: Selenium Manager (which downloads drivers) never runs.
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                               options=options)
    yield browser
    browser.quit()


def snapshot() -> dict[str, str]:
    """Every file under notebooks/ and solutions/, git-ignored ones (checkpoints) included."""
    return {str(p.relative_to(REPO_ROOT)): digest(p) for folder in ("notebooks", "solutions")
            for p in sorted((REPO_ROOT / folder).rglob("*")) if p.is_file()
            and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def course_files_unchanged():
    """The notebooks the browser opens and edits stay byte for byte as they were (autosave is
    off, nothing is saved), and no checkpoint appears beside them."""
    before = snapshot()
    yield
    after = snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the browser test changed or created {changed}"


# -- tests ----------------------------------------------------------------------------------
def test_lab_starts_as_make_lab_does_and_opens_on_notebooks(lab, driver, shots_dir):
    command = lab["command"]
    assert command[:2] == [".venv/bin/jupyter", "lab"]
    assert "--ServerApp.root_dir=." in command
    assert "--LabApp.default_url=/lab/tree/notebooks" in command
    assert ("--allow-root" in command) == (os.geteuid() == 0)
    shots = Shots(driver, shots_dir, first=1)
    driver.get(f"{lab['url']}/?token={lab['token']}")
    wait_for(driver, lambda d: d.current_url.startswith(f"{lab['url']}/lab/tree/notebooks"),
             "the redirect to the default page")
    wait_for(driver, lambda d: "00_start_here" in listing(d), "00_start_here in the file browser")
    shots("lab_opens_on_notebooks")


def test_a_learner_runs_the_welcome_notebook_fails_gets_a_hint_and_passes(
        lab, driver, shots_dir, course_files_unchanged):
    shots = Shots(driver, shots_dir, first=11)
    open_from_file_browser(driver, lab, EXERCISE)
    wait_settled(driver, "starting")
    shots("welcome_opened")

    click_menu(driver, "Run", "Run All Cells")
    wait_for(driver, lambda d: settled(d) and all(
        re.fullmatch(r"\[\d+\]:", c["prompt"]) for c in notebook_state(d)["cells"] if c["code"]),
        "Run All Cells to run every code cell")
    state = notebook_state(driver)
    code = [c for c in state["cells"] if c["code"]]
    checks = [c for c in code if re.search(r"\bq\d\.check\(", c["source"])]
    assert len(checks) == 3
    for cell in checks:
        assert "⏳" in cell["output"] and "not attempted" in cell["output"], cell["output"]
        assert "✅" not in cell["output"] and "❌" not in cell["output"]
    assert not any("Traceback" in c["output"] for c in code)
    q1 = next(i for i, c in enumerate(state["cells"])
              if c["code"] and "q1.check(squares)" in c["source"])
    scroll_to(driver, q1)
    shots("run_all_not_attempted")

    output = run_typed(driver, q1, "squares = [n * n for n in range(10)]\nq1.check(squares)")
    assert "❌" in output and "q1" in output and "✅" not in output, output
    assert "range(10)" in output  # names the mistake
    assert "Not yet" in output  # the rich form says the verdict in words beside the symbol
    shots("wrong_answer_rejected")

    hint = insert_cell_below(driver, q1)
    output = run_typed(driver, hint, "q1.hint()")
    assert "💡" in output and "Hint 1/3" in output and "q1" in output, output
    shots("hint_shown")

    output = run_typed(driver, q1, "squares = [n ** 2 for n in range(1, 11)]\nq1.check(squares)")
    assert "✅" in output and "Correct" in output and "❌" not in output, output
    shots("right_answer_passes")

    table = insert_cell_below(driver, hint)
    run_typed(driver, table, "show_progress()")
    rows = table_rows(driver, table)
    header = next(r for r in rows if "notebook" in r)
    welcome = next(r for r in rows if "00_start_here/01_welcome" in r)
    passed = next(i for i, name in enumerate(header) if "passed" in name)
    failing = next(i for i, name in enumerate(header) if "failing" in name)
    assert (welcome[passed], welcome[failing]) == ("1", "0"), rows
    scroll_to(driver, table)
    shots("progress_table")

    # The kernel wrote to the test's workspace, not the learner's: ❌ then ✅ for q1.
    recorded = [json.loads(line) for line in
                (lab["workspace"] / "progress.jsonl").read_text().splitlines()]
    q1_statuses = [r["status"] for r in recorded
                   if (r["notebook"], r["exercise"]) == ("00_start_here/01_welcome", "q1")]
    assert q1_statuses[-2:] == ["failed", "passed"], recorded


def test_a_solution_notebook_shows_its_figures(lab, driver, shots_dir, course_files_unchanged):
    shots = Shots(driver, shots_dir, first=21)
    open_from_file_browser(driver, lab, SOLUTION_WITH_FIGURES)
    cells = json.loads((REPO_ROOT / SOLUTION_WITH_FIGURES).read_text())["cells"]
    with_figures = [index for index, cell in enumerate(cells) for output in
                    cell.get("outputs", []) if "image/png" in output.get("data", {})]
    assert len(with_figures) >= 3
    sizes = wait_for(driver, lambda d: d.execute_script(PANEL_JS + """
        const imgs = [...panel.querySelectorAll('.jp-OutputArea img')];
        return imgs.length === arguments[0] && imgs.every(i => i.complete) ?
            imgs.map(i => [i.naturalWidth, i.naturalHeight]) : null;""", len(with_figures)),
        f"all {len(with_figures)} stored figures to show")
    assert all(width > 100 and height > 100 for width, height in sizes), sizes
    scroll_to(driver, with_figures[0])
    shots("solution_figures")


def test_the_runner_report_shows_its_table_and_chart(driver, shots_dir, runner_report):
    shots = Shots(driver, shots_dir, first=31)
    returncode = runner_report["process"].wait(timeout=180)
    assert returncode == 0, runner_report["log"].read_text()
    out = runner_report["out"]
    driver.get((out / "report.html").as_uri())
    rows = wait_for(driver, lambda d: d.execute_script(
        "return [...document.querySelectorAll('table tr')].map("
        "r => [...r.cells].map(c => c.textContent.trim()));") or None, "the report table")
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "notebook" in header and "status" in header, rows
    assert row["notebook"].endswith("00_start_here/01_welcome.ipynb"), rows
    assert "✅" in row["status"] and "ok" in row["status"], rows
    size = wait_for(driver, lambda d: d.execute_script(
        "const i = document.querySelector('img');"
        "return i && i.complete && i.naturalWidth ? [i.naturalWidth, i.naturalHeight] : null;"),
        "the run-time chart")
    assert size[0] > 200 and size[1] > 50, size
    shots("runner_report")


def test_the_website_shows_figures_and_folds_the_solutions(driver, shots_dir, site_build):
    shots = Shots(driver, shots_dir, first=41)
    assert site_build["process"].wait(timeout=300) == 0, site_build["log"].read_text()
    home = site_build["html"] / "index.html"
    driver.get(home.as_uri())
    link = wait_for(driver, lambda d: next(iter(d.find_elements(
        By.CSS_SELECTOR, f"#course-map a.reference[href='{SITE_LESSON}.html']")), None),
        "the lesson's link in the home page's course map")
    tiers = driver.execute_script(
        "return [...document.querySelectorAll('#course-map > section > h3')]"
        ".map(h => h.firstChild.textContent.trim());")
    assert tiers[:2] == ["Start here", "Must-have"] and "Would-like" in tiers, tiers
    shots("site_home")

    link.click()  # as a reader does, from the course map
    wait_for(driver, lambda d: d.current_url.endswith(f"{SITE_LESSON}.html"), "the lesson page")
    cells = json.loads((REPO_ROOT / "solutions" / f"{SITE_LESSON}.ipynb").read_text())["cells"]
    figures = sum("image/png" in output.get("data", {}) for cell in cells
                  for output in cell.get("outputs", []))
    sizes = wait_for(driver, lambda d: d.execute_script("""
        const imgs = [...document.querySelectorAll('.cell_output img')];
        imgs.forEach(i => i.loading = 'eager');
        return imgs.length === arguments[0] && imgs.every(i => i.complete && i.naturalWidth) ?
            imgs.map(i => [i.naturalWidth, i.naturalHeight]) : null;""", figures),
        f"all {figures} stored figures to render")
    assert figures >= 3 and all(w > 100 and h > 100 for w, h in sizes), sizes
    info = driver.find_element(By.CSS_SELECTOR, ".lesson-info").text
    assert "minutes" in info and "exercise notebook" in info and "Binder" in info \
        and "Colab" in info, info
    shots("site_lesson")

    folded = driver.find_elements(By.CSS_SELECTOR, "details.hide.above-input")
    assert len(folded) == sum("### BEGIN SOLUTION" in "".join(c["source"]) for c in cells
                              if c["cell_type"] == "code")
    first = folded[0]
    code = first.find_element(By.CSS_SELECTOR, ".cell_input")
    assert not any(d.get_attribute("open") for d in folded), "a solution is open on arrival"
    assert not code.is_displayed(), "the solution code shows before its toggle is clicked"
    summary = first.find_element(By.CSS_SELECTOR, "summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", summary)
    assert summary.text.strip().startswith("Show the solution"), summary.text
    shots("site_solution_folded")
    summary.click()
    wait_for(driver, lambda d: code.is_displayed(), "the solution code to show")
    assert "### BEGIN SOLUTION" in code.text and "q1.check(" in code.text, code.text
    assert not any(d.get_attribute("open") for d in folded[1:]), "one click opened others"
    shots("site_solution_shown")


def test_stopping_jupyterlab_by_its_pid_leaves_no_server_or_kernel(lab):
    server = lab["server"]
    assert server.poll() is None, "JupyterLab stopped early"
    children = psutil.Process(server.pid).children(recursive=True)
    kernels = [p for p in children if "ipykernel_launcher" in " ".join(p.cmdline())]
    assert len(kernels) == 2, "each notebook the browser opened has its kernel"
    assert sorted(p.name for p in lab["checkpoints"].iterdir()) == [
        "01_welcome-checkpoint.ipynb", "03_visualisation-checkpoint.ipynb"]
    for kernel in kernels:  # the kernels inherited the test's workspace, not the learner's
        assert kernel.environ()["MLCOURSE_WORKSPACE"] == str(lab["workspace"])
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    gone, alive = psutil.wait_procs(children, timeout=10)
    alive = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"left running after JupyterLab stopped: {alive}"
    assert not psutil.pid_exists(server.pid)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{lab['url']}/api/status", timeout=2)
