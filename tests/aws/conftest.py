"""Fixtures for the AWS tests (defined in aws_fixtures, importable by name from the tests)."""

from aws_fixtures import aws  # noqa: F401
