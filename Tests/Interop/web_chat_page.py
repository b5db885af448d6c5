"""Drives the video chat page (`GET /`) in Debian's headless chromium through selenium, for the test_web_*.py tests.

Chromium runs with fake media devices (a synthetic camera and microphone, permission prompts auto-accepted). The
page exposes its state as `window.__switchboard.snapshot()` and as `data-*` attributes on its video tiles; every
wait below polls those, with a timeout, instead of sleeping for a guessed time.
"""

import json
import pathlib
import re
import shutil
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"

CHROMIUM_FLAGS = [
    "--headless=new",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--window-size=1280,800",
]


def chromium_paths():
    """Debian's chromium and chromedriver (apt packages chromium and chromium-driver)."""
    browser = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        raise RuntimeError("chromium and chromedriver are needed: apt-get install chromium chromium-driver")
    return browser, driver


def start_browser(init_script=None, flags=()):
    """A headless chromium. `init_script` runs in every document before the page's own scripts; `flags` are added
    to CHROMIUM_FLAGS."""
    browser, driver_path = chromium_paths()
    options = Options()
    options.binary_location = browser
    for flag in [*CHROMIUM_FLAGS, *flags]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    if init_script is not None:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": init_script})
    return driver


class ChatPage:
    """One participant: a browser on the chat page."""

    def __init__(self, base_url, name, query="relay=1", init_script=None, flags=()):
        self.name = name
        self.driver = start_browser(init_script, flags)
        self.driver.get(f"{base_url}/?{query}")

    # --- actions

    def join(self, room):
        for field, value in (("username", self.name), ("roomname", room)):
            element = self.driver.find_element(By.ID, field)
            element.clear()
            element.send_keys(value)
        self.driver.find_element(By.ID, "join-button").click()
        self.wait(lambda s: s["phase"] == "joined", 45, "joined the room")

    def send_chat(self, text):
        field = self.driver.find_element(By.ID, "chat-input")
        field.send_keys(text)
        self.driver.find_element(By.ID, "chat-send").click()

    def leave(self):
        self.driver.find_element(By.ID, "leave-button").click()
        self.wait(lambda s: s["phase"] == "idle" and s["tiles"] == 0, 10, "back in the lobby")

    # --- state

    def snapshot(self):
        return self.driver.execute_script("return window.__switchboard.snapshot();")

    def wait(self, predicate, timeout, what):
        """Polls the snapshot until `predicate(snapshot)` is true; fails with the last snapshot and the console."""
        last = {}

        def check(_):
            last["snapshot"] = self.snapshot()
            return predicate(last["snapshot"])

        started = time.monotonic()
        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(check)
            print(f"{self.name}: {what} after {time.monotonic() - started:.1f}s")
        except TimeoutException:
            raise AssertionError(
                f"{self.name}: timed out after {timeout}s waiting until {what}\n"
                f"snapshot: {json.dumps(last.get('snapshot'), indent=1)}\nconsole:\n{self.console()}"
            ) from None
        return last["snapshot"]

    def peer(self, snapshot, username):
        matching = [peer for peer in snapshot["peers"] if peer["username"] == username]
        return matching[0] if matching else None

    def wait_for_peers(self, usernames, timeout=60):
        """Until the page has exactly one connected `user` peer per name and a tile for each (and its own)."""

        def ready(snapshot):
            names = sorted(peer["username"] or "" for peer in snapshot["peers"])
            connected = all(peer["connectionState"] == "connected" for peer in snapshot["peers"])
            return names == sorted(usernames) and connected and snapshot["tiles"] == len(usernames) + 1

        return self.wait(ready, timeout, f"connected to {sorted(usernames)}")

    def wait_for_video(self, username, timeout=45):
        """The other member's video element plays: it has a size, and its currentTime advances."""
        snapshot = self.wait(
            lambda s: (p := self.peer(s, username)) is not None and p["videoWidth"] > 0 and not p["paused"],
            timeout,
            f"{username}'s video has frames",
        )
        start = self.peer(snapshot, username)["currentTime"]
        snapshot = self.wait(
            lambda s: (p := self.peer(s, username)) is not None and p["currentTime"] > start + 0.5,
            timeout,
            f"{username}'s video time advances past {start + 0.5:.2f}s",
        )
        return self.peer(snapshot, username)

    def tile(self, username):
        return self.driver.find_element(By.CSS_SELECTOR, f'.tile[data-username="{username}"]:not(.self)')

    def wait_for_connection_type(self, username, expected, timeout=30):
        """The connection type shown on the tile (its data attribute and its badge)."""
        self.wait(
            lambda s: (p := self.peer(s, username)) is not None and p["connectionType"] == expected,
            timeout,
            f"the connection to {username} is {expected}",
        )
        tile = self.tile(username)
        badge = tile.find_element(By.CSS_SELECTOR, ".connection-badge").text
        return tile.get_attribute("data-connection-type"), badge

    def wait_for_message(self, sender, text, timeout=20):
        self.wait(
            lambda s: any(m["from"] == sender and m["text"] == text and not m["self"] for m in s["messages"]),
            timeout,
            f"the chat shows {sender}: {text!r}",
        )
        items = self.driver.find_elements(By.CSS_SELECTOR, "#chat-log li")
        return [item.text for item in items]

    def grid_size(self):
        return int(self.driver.find_element(By.ID, "grid").get_attribute("data-count"))

    # --- artifacts

    def screenshot(self, label):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', label)}-{self.name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def console(self):
        try:
            entries = self.driver.get_log("browser")
        except Exception as error:  # the browser may be gone
            return f"(no console: {error})"
        return "\n".join(f"{entry['level']} {entry['message']}" for entry in entries)

    def close(self):
        try:
            self.driver.quit()
        except Exception:
            pass


def wait_until(predicate, timeout, what, interval=0.2):
    """For conditions outside a page (the server's status JSON)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting until {what} (last: {last!r})")
