#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Drives headless Chromium (Debian's chromium and chromium-driver, through
Debian's python3-selenium) through cockpit as a user would: logs in, opens
the Virtual machines page, finds a guest defined through virsh, starts it
and opens its VNC console. Each step is checked by the page's DOM; a
screenshot of each is saved in OUTDIR (login.png, machines.png,
console.png). Prints one line per step, "ok STEP" or "not ok STEP: why",
and exits 0 only when every step passed.

Usage: cockpit_browser.py URL USER PASSWORD GUEST OUTDIR
       cockpit_browser.py --wrong URL USER PASSWORD OUTDIR
         (a wrong password: the login page says so and no session opens)
"""
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

failed = 0


def say(ok, step, why=""):
    global failed
    if ok:
        print(f"ok {step}", flush=True)
    else:
        failed += 1
        print(f"not ok {step}: {why}", flush=True)


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,900", "--no-proxy-server", "--user-data-dir=" + os.environ["PROFILE"]):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def wait(drv, cond, secs=60):
    return WebDriverWait(drv, secs, poll_frequency=0.25).until(cond)


def login(drv, url, user, password, outdir):
    drv.get(url)
    wait(drv, EC.visibility_of_element_located((By.ID, "login-user-input")))
    drv.find_element(By.ID, "login-user-input").send_keys(user)
    drv.find_element(By.ID, "login-password-input").send_keys(password)
    drv.save_screenshot(os.path.join(outdir, "login.png"))
    drv.find_element(By.ID, "login-button").click()


def text_in(drv, css, text):
    """the first element matching css whose text holds text, or False"""
    def find(d):
        for e in d.find_elements(By.CSS_SELECTOR, css):
            try:
                if text in e.text:
                    return e
            except WebDriverException:
                pass
        return False
    return find


def main_flow(url, user, password, guest, outdir):
    drv = browser()
    try:
        login(drv, url, user, password, outdir)
        try:
            # the shell: a page of the host in its frame
            wait(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "iframe[name^='cockpit1:']")), 60)
            say(True, "login: the session opens")
        except TimeoutException:
            msg = "".join(e.text for e in drv.find_elements(By.ID, "login-error-message"))
            say(False, "login: the session opens", msg or "no #main after 60 s")
            drv.save_screenshot(os.path.join(outdir, "login-failed.png"))
            return
        drv.get(url.rstrip("/") + "/machines")
        try:
            frame = wait(drv, EC.presence_of_element_located(
                (By.CSS_SELECTOR, "iframe[name$='/machines']")), 60)
            drv.switch_to.frame(frame)
            # without /dev/kvm the page first warns that hardware
            # virtualization is off: a user reads it and chooses Ignore
            try:
                wait(drv, text_in(drv, "button", "Ignore"), 10).click()
                print("# the page warned that hardware virtualization is off: Ignore", flush=True)
            except TimeoutException:
                pass
            row = wait(drv, text_in(drv, "tr, [id$='-name']", guest), 90)
            say(True, f"machines: guest {guest} is listed")
        except TimeoutException:
            drv.save_screenshot(os.path.join(outdir, "machines.png"))
            body = drv.find_element(By.TAG_NAME, "body").text[:400].replace("\n", " | ")
            say(False, f"machines: guest {guest} is listed", body)
            return
        drv.save_screenshot(os.path.join(outdir, "machines.png"))
        # Run (its id: vm-GUEST-system-run)
        try:
            run = wait(drv, EC.element_to_be_clickable((By.ID, f"vm-{guest}-system-run")), 30)
            run.click()
            wait(drv, text_in(drv, f"#vm-{guest}-system-state", "Running"), 90)
            say(True, f"machines: {guest} started from the page, and shown Running")
        except TimeoutException:
            state = "".join(e.text for e in drv.find_elements(By.ID, f"vm-{guest}-system-state"))
            say(False, f"machines: {guest} started from the page", f"state: {state or 'unknown'}")
            return
        # its page, with the console
        try:
            wait(drv, EC.element_to_be_clickable((By.CSS_SELECTOR, f"#vm-{guest}-system-name a, a#vm-{guest}-system-name"
                                                  f", #vm-{guest}-system-name button")), 30).click()
        except TimeoutException:
            drv.get(url.rstrip("/") + f"/machines#vm?name={guest}&connection=system")
            drv.switch_to.default_content()
            drv.switch_to.frame(wait(drv, EC.presence_of_element_located(
                (By.CSS_SELECTOR, "iframe[name$='/machines']")), 60))
        try:
            canvas = wait(drv, EC.presence_of_element_located(
                (By.CSS_SELECTOR, ".vm-console canvas, .pf-c-console canvas, [class*='console'] canvas")), 90)
            # noVNC draws the guest's screen into the canvas once connected
            wait(drv, lambda d: canvas.size["width"] > 100 and canvas.size["height"] > 100, 60)
            time.sleep(2)
            disconnected = drv.find_elements(By.XPATH, "//*[contains(text(), 'Disconnected')]")
            drv.save_screenshot(os.path.join(outdir, "console.png"))
            say(not disconnected, f"console: {guest}'s VNC console is open in the page (a canvas of "
                f"{canvas.size['width']}x{canvas.size['height']})", "the page says Disconnected")
        except TimeoutException:
            drv.save_screenshot(os.path.join(outdir, "console.png"))
            body = drv.find_element(By.TAG_NAME, "body").text[:400].replace("\n", " | ")
            say(False, f"console: {guest}'s VNC console is open", body)
    finally:
        drv.quit()


def wrong_flow(url, user, password, outdir):
    drv = browser()
    try:
        login(drv, url, user, password, outdir)
        try:
            e = wait(drv, EC.visibility_of_element_located((By.ID, "login-error-message")), 30)
            say("Wrong user name or password" in e.text or "wrong" in e.text.lower(),
                "a wrong password: the login page says so", e.text)
        except TimeoutException:
            say(False, "a wrong password: the login page says so", "no message after 30 s")
        say(not drv.find_elements(By.CSS_SELECTOR, "iframe[name^='cockpit1:']"), "  and no session opens",
            "the shell loaded")
        drv.save_screenshot(os.path.join(outdir, "login-wrong.png"))
    finally:
        drv.quit()


if __name__ == "__main__":
    if sys.argv[1] == "--wrong":
        wrong_flow(*sys.argv[2:6])
    else:
        main_flow(*sys.argv[1:6])
    sys.exit(1 if failed else 0)
