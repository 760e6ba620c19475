"""Shared fixtures for the coding-app tests: FICTIONAL units with images, and a JupyterLab server.

All captions, handles and images here are fictional and made up for the tests.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "data" / "raw" / "coding" / "codebook.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "app"

# FICTIONAL posts of the fictional account demo.kota.update (post id, UTC time, caption, images).
FICTIONAL_POSTS = [
    ("FICT001", "2020-03-01T02:00:00Z", "FICTIONAL: Kiriman warga: jalan berlubang di depan pasar, mohon "
     "ditinjau @demo.dinas.pupr", ["FICT001.jpg"]),
    ("FICT002", "2020-03-02T05:30:00Z", "FICTIONAL: Sampah menumpuk di tepi sungai sudah seminggu belum "
     "diangkut @demo.dinas.lh", ["FICT002.jpg", "FICT002_1.jpg", "FICT002_2.jpg"]),
    ("FICT003", "2020-03-03T11:00:00Z", "FICTIONAL: Info: festival perahu Sabtu pagi, jalan tepi sungai "
     "ditutup sementara", []),
    ("FICT004", "2020-03-05T01:15:00Z", "FICTIONAL: Menindaklanjuti keluhan warga, @demo.sekda.kota "
     "meninjau jalan berlubang di depan pasar", ["FICT004.jpg"]),
    ("FICT005", "2020-03-06T09:45:00Z", "FICTIONAL: Promo akhir pekan! Pempek beli 5 gratis 1", []),
    ("FICT006", "2020-03-07T13:00:00Z", "FICTIONAL: Lampu jalan mati di simpang empat, gelap sekali",
     ["FICT006.jpg", "FICT006_1.jpg"]),
]


def jpeg_bytes(seed: int, size: tuple[int, int] = (48, 32)) -> bytes:
    """A small deterministic JPEG (a colour block that differs per ``seed``)."""
    from PIL import Image

    colour = ((seed * 67) % 256, (seed * 131) % 256, (seed * 199) % 256)
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def make_post_units(folder: Path, *, with_images: bool = True) -> pd.DataFrame:
    """The FICTIONAL post units (unit table columns of civicposts.units.post_units), images written
    under ``folder/media`` and listed relative to ``folder`` (the app's media_root)."""
    rows = []
    for n, (pid, when, caption, images) in enumerate(FICTIONAL_POSTS):
        files = []
        for k, name in enumerate(images):
            rel = Path("media") / name
            if with_images:
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_bytes(jpeg_bytes(10 * n + k + 1))
            files.append(str(rel))
        ts = pd.Timestamp(when)
        local = ts.tz_convert("Asia/Jakarta")
        rows.append({
            "unit_id": pid, "unit_type": "post", "account": "demo.kota.update", "posted_at": ts,
            "local_date": local.strftime("%Y-%m-%d"), "local_time": local.strftime("%H:%M"),
            "month": local.strftime("%Y-%m"), "caption": caption, "likes": 100 + n, "comments": n,
            "url": f"https://www.instagram.com/p/{pid}/", "media_files": files, "pre_type": "other",
        })
    df = pd.DataFrame(rows)
    df["likes"] = df["likes"].astype("Int64")
    df["comments"] = df["comments"].astype("Int64")
    return df


def make_interview_units() -> pd.DataFrame:
    """Two FICTIONAL interview segments, one verbatim and one paraphrase."""
    return pd.DataFrame([
        {"unit_id": "FINT-01", "unit_type": "interview", "interview_date": "2021-02-27",
         "speaker": "Fictional official", "speaker_role": "Regional Secretary (fictional)", "kind": "verbatim",
         "language": "id", "text": "FICTIONAL: akun itu sumber informasi saya tentang keluhan warga",
         "paper_section": "test", "source": "FICTIONAL test segment"},
        {"unit_id": "FINT-02", "unit_type": "interview", "interview_date": "2021-02-27",
         "speaker": "Fictional official", "speaker_role": "Regional Secretary (fictional)", "kind": "paraphrase",
         "language": "en", "text": "FICTIONAL paraphrase: the official says his reach is limited.",
         "paper_section": "test", "source": "FICTIONAL test segment"},
    ])


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_app_notebook(root: Path, *, coder: str, store: Path, media_root: Path, units_json: Path) -> Path:
    """Copy the fixture coding notebook into ``root`` with the config it reads (app_config.json)."""
    cfg = {"units": str(units_json), "codebook": str(CODEBOOK), "store": str(store), "coder": coder,
           "media_root": str(media_root), "src": str(REPO / "src")}
    (root / "app_config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    nb = root / "coding_app_test.ipynb"
    shutil.copyfile(FIXTURES / "coding_app_test.ipynb", nb)
    return nb


@contextlib.contextmanager
def jupyter_lab(root: Path, *, token: str, timeout: float = 60.0) -> Iterator[str]:
    """Run JupyterLab on 127.0.0.1 (random free port) serving ``root``; yield its base URL.

    Settings, runtime and config folders live in ``root/.jupyter-test`` so the test never reads or
    writes the user's; the "news" notification is disabled. The server is stopped in any case.
    """
    home = root / ".jupyter-test"
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True}), encoding="utf-8")
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    # start the notebook's kernel without asking (JupyterLab otherwise may show a kernel dialog)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"autoStartDefaultKernel": True}),
                                                         encoding="utf-8")
    port = free_port()
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "IPYTHONDIR": str(home / "ipython"), "CIVICPOSTS_BATCH": "0"}
    cmd = [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=None", "--ServerApp.port_retries=0"]
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {proc.returncode}; log: "
                                   f"{(home / 'server.log').read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


# ------------------------------------------------------------------ driving JupyterLab in Chromium

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def launch_chromium(p: Any) -> Any:
    """Debian's Chromium, headless, through Playwright (its own browser download cannot work here)."""
    assert CHROMIUM.exists(), ("Debian's Chromium is missing at /usr/bin/chromium: install it with "
                               "`apt-get install -y chromium` (Playwright's own download cannot work here)")
    return p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def open_notebook(page: Any, base: str, token: str, path: str, mark: Any = print) -> None:
    """Open ``path`` in JupyterLab and wait until its kernel is idle."""
    import re

    page.goto(f"{base}/lab/tree/{path}?token={token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    mark("notebook shown")
    # JupyterLab may ask for a kernel while its kernel list is still loading: accept the default.
    connected = page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\| Idle\s*$"))
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    connected.or_(accept).first.wait_for()
    if accept.is_visible():
        accept.click()
    connected.wait_for()
    mark("kernel connected")


def run_all_cells(page: Any, mark: Any = print) -> None:
    """Run → Run All Cells, asking again if a run requested while the kernel reconnects is lost."""
    import re

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    executed = page.locator(".jp-InputPrompt").get_by_text(re.compile(r"\[[0-9*]+\]"))
    for attempt in range(3):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            executed.first.wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            mark(f"run all cells attempt {attempt + 1} did not start")


def wait_idle(page: Any, timeout: float = 120_000) -> None:
    """Wait until no cell is queued or running ("[*]") and the kernel is idle."""
    import re

    page.locator(".jp-InputPrompt").get_by_text("[*]").first.wait_for(state="detached", timeout=timeout)
    page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\| Idle\s*$")).wait_for(timeout=timeout)


def in_viewport(page: Any, locator: Any) -> bool:
    """Whether the element is shown whole inside the browser window (not scrolled away, not cut)."""
    box = locator.bounding_box()
    size = page.viewport_size
    return (box is not None and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= size["height"]
            and box["x"] + box["width"] <= size["width"])
