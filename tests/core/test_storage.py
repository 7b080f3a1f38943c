"""The storage of uploaded files (app/storage.py), on a local folder and on a real S3 service."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import storage
from app.config import ConfigError, load_config
from app.storage import LocalStorage, S3Storage


@pytest.fixture
def ctx(app, files):
    with app.test_request_context():
        yield files


def test_a_file_is_put_read_replaced_and_deleted(ctx):
    assert storage.storage() is ctx
    assert ctx.get("requests/a.jpg") is None
    ctx.put("requests/a.jpg", b"first", "image/jpeg")
    assert ctx.get("requests/a.jpg") == b"first"
    ctx.put("requests/a.jpg", b"second", "image/jpeg")
    assert ctx.get("requests/a.jpg") == b"second"
    ctx.delete("requests/a.jpg")
    assert ctx.get("requests/a.jpg") is None
    ctx.delete("requests/a.jpg")  # already gone: no error


def test_keys_are_listed_by_prefix(ctx):
    assert ctx.keys() == []
    for key in ("requests/b.jpg", "requests/thumbs/b.jpg", "inspections/c.png"):
        ctx.put(key, b"x", "image/jpeg")
    assert ctx.keys() == ["inspections/c.png", "requests/b.jpg", "requests/thumbs/b.jpg"]
    assert ctx.keys("requests/thumbs/") == ["requests/thumbs/b.jpg"]


@pytest.mark.parametrize(
    "key", ["", "../secret_key", "requests/../../x", "/etc/passwd", "Requests/a", "a//b", "a/"]
)
def test_keys_never_leave_the_storage(ctx, key):
    with pytest.raises(ValueError):
        ctx.put(key, b"x", "text/plain")
    with pytest.raises(ValueError):
        ctx.get(key)


def test_a_file_is_served_with_its_type_and_length(ctx):
    data = bytes(range(256)) * 1000
    ctx.put("requests/big.png", data, "image/png")
    response = ctx.response("requests/big.png", "image/png")
    assert response.mimetype == "image/png"
    assert response.content_length == len(data)
    response.direct_passthrough = False  # let the test read a streamed body
    assert response.get_data() == data
    response.close()
    assert ctx.response("requests/none.png", "image/png") is None


def test_two_prefixes_of_one_bucket_do_not_meet(s3_service):
    first, second = (
        storage.from_config(s3_service.settings(prefix), "/nonexistent")
        for prefix in ("one/level", "two")
    )
    first.put("requests/a.jpg", b"1", "image/jpeg")
    assert second.get("requests/a.jpg") is None and second.keys() == []
    assert first.keys() == ["requests/a.jpg"]
    objects = s3_service.client().list_objects_v2(Bucket=s3_service.bucket, Prefix="one/")
    assert [item["Key"] for item in objects["Contents"]] == ["one/level/requests/a.jpg"]
    first.delete("requests/a.jpg")


def test_the_configuration_chooses_the_storage(tmp_path: Path, monkeypatch):
    local = storage.from_config({"UPLOAD_FOLDER": str(tmp_path)}, "/instance")
    assert isinstance(local, LocalStorage) and local.root == tmp_path
    default = storage.from_config({}, "/instance")
    assert isinstance(default, LocalStorage) and default.root == Path("/instance/uploads")
    bucket = storage.from_config(
        {"STORAGE_URL": "s3://photos/gongjian/", "STORAGE_ENDPOINT_URL": "http://127.0.0.1:1"},
        "/instance",
    )
    assert isinstance(bucket, S3Storage)
    assert (bucket.bucket, bucket.prefix) == ("photos", "gongjian/")
    assert bucket.client.meta.endpoint_url == "http://127.0.0.1:1"
    for wrong in ("photos", "file:///srv/photos", "s3:///prefix"):
        with pytest.raises(ConfigError):
            storage.from_config({"STORAGE_URL": wrong}, "/instance")

    monkeypatch.setenv("STORAGE_URL", "s3://photos")
    monkeypatch.setenv("STORAGE_REGION", "cn-north-1")
    monkeypatch.delenv("STORAGE_ENDPOINT_URL", raising=False)
    config = load_config(tmp_path, {"SECRET_KEY": "x" * 40})
    assert config["STORAGE_URL"] == "s3://photos"
    assert config["STORAGE_REGION"] == "cn-north-1"
    assert config["STORAGE_ENDPOINT_URL"] is None
