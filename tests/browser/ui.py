"""Steps that several journeys take in the browser."""

from __future__ import annotations

from playwright.sync_api import expect


def send_without_browser_check(button) -> None:
    """Submit the button's form with the browser's own validation switched off.

    Chromium refuses to send a form whose ``required`` fields are empty, so the server's German
    messages only reach people whose browser does not check (older or assistive browsers, or
    pages opened without our markup). Switching the check off, as such a browser would, is the
    honest way to see them; ``page.evaluate`` is not subject to the page's CSP.
    """
    button.evaluate("button => { button.form.noValidate = true; }")
    button.click()


def assert_browser_refuses_to_send(page, button, first_missing) -> None:
    """Chromium's own check (``required``) keeps the form on the page and puts the cursor
    into the first field that is missing."""
    sent = []
    page.on("request", lambda request: request.is_navigation_request() and sent.append(request))
    button.click()
    expect(first_missing).to_be_focused()
    assert sent == []
