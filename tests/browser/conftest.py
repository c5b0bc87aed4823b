"""End-to-end tests in Debian's Chromium, driven by Playwright against pytest-django's live server.

They run when /usr/bin/chromium exists and are skipped, with a clear note, when it does not.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

# A real SMTP server (aiosmtpd) that collects the mails; the newsletter's own tests made it.

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}
SKIP_REASON = f"Chromium not found at {CHROMIUM}: browser tests skipped (apt-get install chromium)"

# Playwright's sync API runs an event loop in this thread; the ORM calls tests make between
# browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not CHROMIUM.exists():
        terminalreporter.write_line(f"NOTE: {SKIP_REASON}", yellow=True, bold=True)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Open a fresh browser context (its own cookies) on the live server."""
    contexts = []

    def open_context(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "de-DE")
        options.setdefault("viewport", VIEWPORTS["desktop"])
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot at desktop and mobile width into artifacts/screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        original = page.viewport_size
        for label, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
        page.set_viewport_size(original)

    return take


# Violations in Django's own admin markup, not in ours (Django 5.2): select2's search box has
# no label, the date and time inputs of a date-time field are captioned by plain text instead
# of <label>s, and breadcrumb links differ from their text by colour only. Admin pages are
# checked with these left out; reader pages are checked in full.
ADMIN_UPSTREAM_ISSUES = [[".select2-search__field"], ["p.datetime input"], ["div.breadcrumbs"]]


@pytest.fixture
def assert_accessible():
    """Fail on serious or critical axe-core violations of the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, *, admin: bool = False) -> None:
        context = {"exclude": ADMIN_UPSTREAM_ISSUES} if admin else None
        results = axe.run(page, context=context)
        severe = [
            f"{v['id']} ({v['impact']}): {v['help']} – "
            + ", ".join(re.sub(r"\s+", " ", n["html"])[:80] for n in v["nodes"][:3])
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert not severe, f"{page.url}:\n" + "\n".join(severe)

    return check


PASSWORD = "ein-langes-passwort"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    # These tests commit for real (live server, transactional database), so saving content
    # bumps the content version as in production: the journeys run with the page cache on.
    settings.PAGECACHE_ENABLED = True


@pytest.fixture
def role_user(db):
    """A staff user in one of the editorial role groups (karriere/roles.py), e.g. "Redaktion"."""

    def create(username: str, role: str) -> User:
        user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=role))
        return user

    return create


@pytest.fixture
def admin_login():
    """Log a role user in through the admin's login form."""

    def log_in(page, user: User) -> None:
        page.goto("/admin/login/")
        page.get_by_label("Benutzername").fill(user.username)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.get_by_role("heading", name="Verwaltung", level=1).wait_for()

    return log_in
