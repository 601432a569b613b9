"""Fixtures for tests of stored files (a pytest plugin the root conftest.py loads):
storage on a directory, or on a real S3 endpoint.

The S3 endpoint is moto's server (``moto[server]``, a dev dependency), one
process per test worker, started on a free port. Without it the S3 tests
are skipped, saying why; under ``CI=true`` they fail instead, like every
test that needs a service.
"""

import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest

from tests.processes import free_port, missing, start, stop

# moto accepts any credentials; boto3 needs some, and a region.
AWS_VARIABLES = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
START_SECONDS = 20


def wait_for_port(port, process, seconds=START_SECONDS):
    """Wait until something listens on ``port``; False if ``process`` died or time ran out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def moto_endpoint():
    """The URL of a moto S3 server for this test worker (skipped when moto is missing)."""
    command = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which(
        "moto_server"
    )
    if command is None:
        missing("moto_server is not installed (pip install 'moto[server]')")
    port = free_port()
    process = start(
        [command, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_for_port(port, process):
            missing(f"moto_server did not start on port {port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process, seconds=5)


@pytest.fixture
def s3_bucket(moto_endpoint, monkeypatch):
    """A new, empty bucket on the moto server; the AWS variables set for boto3."""
    for name, value in AWS_VARIABLES.items():
        monkeypatch.setenv(name, value)
    name = f"test-{uuid.uuid4().hex[:20]}"
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture(params=["file", "s3"])
def backend(request, app):
    """Run the test on both backends: the app's storage is a directory, then S3 (moto)."""
    if request.param == "s3":
        bucket = request.getfixturevalue("s3_bucket")
        app.config["STORAGE_URL"] = f"s3://{bucket}/files"
        app.config["S3_ENDPOINT_URL"] = request.getfixturevalue("moto_endpoint")
    return request.param


@pytest.fixture
def storage_down(app, backend, tmp_path):
    """Make storage unreachable: a directory that is a file, or S3 on a port nobody listens on."""

    def take_down():
        if backend == "s3":
            app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"
            app.extensions.pop("storage", None)
        else:
            not_a_directory = tmp_path / "not-a-directory"
            not_a_directory.write_bytes(b"")
            app.config["STORAGE_URL"] = not_a_directory.as_uri()

    return take_down
