"""Request size limits and upload checks."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_form_data_above_the_limit_is_refused_with_400_not_a_crash(client, settings):
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/admin/login/", {"username": "redakteurin", "password": too_big})
    assert response.status_code == 400
