"""Fixtures for the AWS tests (defined in aws_fixtures and news_site, importable by name from the tests)."""

from aws_fixtures import aws  # noqa: F401
from deployed import sites  # noqa: F401
from news_site import site  # noqa: F401
