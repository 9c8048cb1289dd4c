"""Settings of the cases benchmark's gunicorn server: the product's, with the bench URLconf."""

from shequ.settings import *  # noqa: F403

ROOT_URLCONF = "bench_cases_urls"
