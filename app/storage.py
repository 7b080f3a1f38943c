"""Where uploaded files live: a local folder by default, an S3-compatible bucket in production.

One node can keep its photos in a folder (`instance/uploads`, or `UPLOAD_FOLDER`). Several
app servers behind a load balancer must all see every photo, so production names a bucket:
`STORAGE_URL=s3://bucket/prefix`, with `STORAGE_ENDPOINT_URL` for a service other than AWS
(SeaweedFS, MinIO, a cloud's S3-compatible one) and the credentials either in
`STORAGE_ACCESS_KEY` / `STORAGE_SECRET_KEY` or wherever boto3 looks for them (`AWS_*`
variables, `~/.aws`, an instance role). The bucket stays private: files reach the browser only
through the views that check who may see them, which stream them from here.

Keys are `kind/name` (`requests/3f…9a.jpg`, `inspections/thumbs/…`): lowercase path segments
that never climb out of the folder or the prefix.
"""

from __future__ import annotations

import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import Flask, Response, current_app, send_file

from app.config import ConfigError

KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$")
EXTENSION = "storage"
CHUNK = 64 * 1024
# A bucket that stopped answering must not hold a worker: bounded like the database's waits.
S3_CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3})


class Storage(ABC):
    """Files by key. Writing a key again replaces its file; deleting a missing one is no error."""

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """The file's bytes, or None if there is none under the key."""

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def keys(self, prefix: str = "") -> list[str]:
        """Every key that starts with `prefix`, sorted."""

    @abstractmethod
    def response(self, key: str, content_type: str) -> Response | None:
        """The file as a streamed response, or None if there is none under the key."""


def check_key(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"bad storage key {key!r}")
    return key


class LocalStorage(Storage):
    """A folder on this machine, one sub-folder per kind."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader sees the whole file or none.
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        partial.write_bytes(data)
        partial.replace(path)

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> list[str]:
        if not self.root.is_dir():
            return []
        found = (
            path.relative_to(self.root).as_posix()
            for path in self.root.rglob("*")
            if path.is_file() and not path.name.startswith(".")
        )
        return sorted(key for key in found if key.startswith(prefix))

    def response(self, key: str, content_type: str) -> Response | None:
        path = self._path(key)
        if not path.is_file():
            return None
        return send_file(path, mimetype=content_type)


class S3Storage(Storage):
    """A bucket of an S3-compatible service, every key under `prefix`."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._object(key), Body=data, ContentType=content_type
        )

    def _open(self, key: str) -> dict[str, Any] | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._object(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def get(self, key: str) -> bytes | None:
        found = self._open(key)
        if found is None:
            return None
        with found["Body"] as body:
            return body.read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object(key))

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        return sorted(
            item["Key"].removeprefix(self.prefix)
            for page in pages
            for item in page.get("Contents", [])
        )

    def response(self, key: str, content_type: str) -> Response | None:
        found = self._open(key)
        if found is None:
            return None
        body = found["Body"]

        def chunks() -> Iterator[bytes]:
            with body:
                yield from body.iter_chunks(CHUNK)

        response = Response(chunks(), mimetype=content_type, direct_passthrough=True)
        response.content_length = found["ContentLength"]
        return response


def from_config(config: Mapping[str, Any], instance_path: str) -> Storage:
    """The storage the configuration names: a bucket for `s3://…`, else the upload folder."""
    url = config.get("STORAGE_URL")
    if not url:
        return LocalStorage(Path(config.get("UPLOAD_FOLDER") or Path(instance_path) / "uploads"))
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ConfigError(f"STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
    endpoint = config.get("STORAGE_ENDPOINT_URL")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint or None,
        aws_access_key_id=config.get("STORAGE_ACCESS_KEY") or None,
        aws_secret_access_key=config.get("STORAGE_SECRET_KEY") or None,
        region_name=config.get("STORAGE_REGION") or None,
        # Services other than AWS seldom have a DNS name per bucket.
        config=S3_CONFIG.merge(Config(s3={"addressing_style": "path"})) if endpoint else S3_CONFIG,
    )
    return S3Storage(client, parts.netloc, parts.path)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = from_config(app.config, app.instance_path)


def storage() -> Storage:
    """The current app's storage."""
    return current_app.extensions[EXTENSION]
