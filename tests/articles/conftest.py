import pytest

# A reader's browser: the counters ignore bots by their user agent.
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """Run the test on the embedded store and, when REDIS_URL is set, on the Redis store."""
    if request.param == "redis":
        if not settings.REDIS_URL:
            pytest.skip("the Redis store needs REDIS_URL")
        settings.VIEW_COUNT_REDIS_URL = settings.REDIS_URL
    else:
        settings.VIEW_COUNT_REDIS_URL = ""
    return request.param
