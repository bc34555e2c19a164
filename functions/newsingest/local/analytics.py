"""SQL over the stored records with DuckDB: `newsingest query --sql`, on AWS or the local runtime.

The httpfs extension is loaded from the pinned duckdb-extension-httpfs wheel, so it works
offline (duckdb 1.5.5; DuckDB 2.x cannot load httpfs without downloading it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from newsingest.storage.archive import PARTITION_KEY, RECORDS_PREFIX
from newsingest.storage.clients import resolved_credentials


@dataclass(frozen=True)
class S3Access:
    """How DuckDB reaches S3: real AWS, or the local runtime's embedded endpoint."""

    region: str
    key_id: str | None = None
    secret: str | None = None
    session_token: str | None = None
    endpoint: str | None = None  # http://host:port for moto; None for AWS

    @classmethod
    def from_environment(cls) -> S3Access:
        region, key_id, secret, token = resolved_credentials()
        return cls(
            region=region,
            key_id=key_id,
            secret=secret,
            session_token=token,
            endpoint=os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"),
        )

    def secret_sql(self) -> str:
        options = {"REGION": self.region}
        if self.key_id:
            options.update(KEY_ID=self.key_id, SECRET=self.secret or "")
        if self.session_token:
            options["SESSION_TOKEN"] = self.session_token
        extra = ""
        if self.endpoint:
            parts = urlsplit(self.endpoint)
            options["ENDPOINT"] = parts.netloc
            extra = f", URL_STYLE 'path', USE_SSL {'true' if parts.scheme == 'https' else 'false'}"
        # CREATE SECRET takes no bound parameters: quote the values ourselves.
        body = ", ".join(f"{k} '{_sql_quoted(v)}'" for k, v in options.items())
        return f"CREATE OR REPLACE SECRET records_s3 (TYPE s3, {body}{extra})"


def _sql_quoted(value: str) -> str:
    return value.replace("'", "''")


def records_glob(bucket: str) -> str:
    return f"s3://{bucket}/{RECORDS_PREFIX}{PARTITION_KEY}=*/*.json"


def records_sql(query: str, bucket: str, access: S3Access) -> tuple[list[str], list[tuple]]:
    """One SQL query over a view `articles` of every record version in S3, `dt` as a column (DuckDB)."""
    import duckdb
    import duckdb_extension_httpfs  # httpfs from its wheel: nothing downloaded, works offline

    extension = Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    connection = duckdb.connect()
    try:
        connection.load_extension(str(extension / "httpfs.duckdb_extension"))
        connection.execute(access.secret_sql())
        connection.execute(
            "CREATE VIEW articles AS SELECT * FROM read_json_auto("
            f"'{_sql_quoted(records_glob(bucket))}', format = 'newline_delimited', hive_partitioning = true)"
        )
        result = connection.execute(query)
        return [d[0] for d in result.description], result.fetchall()
    finally:
        connection.close()
