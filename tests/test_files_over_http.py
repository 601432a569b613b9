"""Files over real HTTP: gunicorn, PostgreSQL, Redis, ``flask worker`` and an S3 server.

A default bake is served in production by gunicorn on a fresh PostgreSQL
database and the test Redis, with ``flask worker`` running its jobs and
``STORAGE_URL`` pointing at a bucket on a moto S3 server (``moto[server]``,
started here as a process). A script uploads, lists, downloads and deletes
attachments with a bearer token; the quota is hit; the S3 server is
stopped and started again.

Needs ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL``: skipped without them on a
developer's machine, failed without them in CI (``CI=true``, see .ci/run).
"""

import http.client
import json
import os
import secrets
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

import boto3
import pytest

from helpers.processes import (
    describe,
    free_port,
    run,
    server_log,
    start_server,
    start_worker,
    stop_server,
)
from helpers.services import given_database_url, given_redis_url
from helpers.serving import new_email, serve_bake

PASSWORD = "correct horse battery staple"
BUCKET = f"files-{uuid.uuid4().hex[:12]}"
PREFIX = "uploads"
# The quota of this site, small enough to reach with a few uploads.
QUOTA_BYTES = 300_000
# moto accepts any credentials; boto3 needs some.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "forge",
    "AWS_SECRET_ACCESS_KEY": "forge-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
S3_START_SECONDS = 30
# The contract: a deleted file leaves storage within 60 s; an outage answers within 2 s.
REMOVAL_SECONDS = 60
OUTAGE_SECONDS = 2.0
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def missing(message):
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class S3Server:
    """A moto S3 server process on a fixed port, which can be stopped and started again."""

    def __init__(self, project, workdir):
        self.project = project
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        args = ["-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        log = self.workdir / f"moto-{secrets.token_hex(3)}.log"
        self.process = start_server(self.project, args, dict(os.environ, **AWS_ENV), log)
        deadline = time.monotonic() + S3_START_SECONDS
        while True:
            try:
                self.client().list_buckets()
                break
            except Exception:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log_text = server_log(self.process)
                    stop_server(self.process)
                    missing(f"moto's S3 server did not start:\n{log_text}")
                time.sleep(0.2)
        # moto keeps everything in memory: a new process has no bucket.
        self.client().create_bucket(Bucket=BUCKET)
        return self

    def stop(self):
        if self.process is not None:
            stop_server(self.process)
            self.process = None

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            region_name=AWS_ENV["AWS_DEFAULT_REGION"],
        )

    def keys(self):
        listing = self.client().list_objects_v2(Bucket=BUCKET, Prefix=PREFIX + "/")
        return sorted(item["Key"] for item in listing.get("Contents", []))


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Site:
    """The served bake, its worker and its S3 server."""

    server: object
    project: object
    s3: S3Server
    workdir: object

    def call(self, method, path, token, body=None, headers=None):
        """One request with a bearer token; the answer's status, headers and exact bytes."""
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            return Answer(raw.status, raw.headers, raw.read())
        finally:
            connection.close()

    def flask(self, *args):
        result = run(self.project, "-m", "flask", *args, env=self.server.env)
        assert result.returncode == 0, describe(result)
        return result

    def start_worker(self):
        return start_worker(
            self.project, self.server.env, self.workdir / f"worker-{secrets.token_hex(3)}.log"
        )


@pytest.fixture(scope="module")
def site(bake_into, tmp_path_factory):
    if not (given_database_url() and given_redis_url()):
        missing("needs TEST_DATABASE_URL and TEST_REDIS_URL (PostgreSQL and Redis; see .ci/run)")
    workdir = tmp_path_factory.mktemp("files-over-http")
    project = bake_into("files-over-http").path
    with ExitStack() as cleanup:
        s3 = S3Server(project, workdir).start()
        cleanup.callback(s3.stop)
        extra_env = {
            "STORAGE_URL": f"s3://{BUCKET}/{PREFIX}",
            "S3_ENDPOINT_URL": s3.url,
            **AWS_ENV,
            "FLASK_UPLOAD_QUOTA_BYTES": str(QUOTA_BYTES),
            # A queue of this run's own, in the Redis other tests share; quick retries.
            "FLASK_JOB_QUEUE": f"files-{secrets.token_hex(4)}",
            "FLASK_JOB_RETRY_INTERVALS": json.dumps([1] * 30),
            "FLASK_WORKER_MAINTENANCE_INTERVAL": "5",
        }
        server = cleanup.enter_context(serve_bake(project, workdir, "forge_files", extra_env))
        site = Site(server, project, s3, workdir)
        worker = site.start_worker()
        cleanup.callback(lambda: stop_server(worker))
        yield site


def new_token(site):
    """A new account (made with ``flask create-user``) and an API token for it."""
    email = new_email()
    site.flask("create-user", email, "--password", PASSWORD)
    answer = site.call(
        "POST",
        "/api/v1/tokens",
        token=None,
        body=json.dumps({"email": email, "password": PASSWORD}),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status == 201, answer.body
    return answer.json()["token"]


def new_note(site, token):
    answer = site.call(
        "POST",
        "/api/v1/notes",
        token,
        body=json.dumps({"title": "With files"}),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status == 201, answer.body
    return answer.json()["id"]


def multipart(field, filename, content, content_type="application/octet-stream"):
    """A multipart/form-data body with one file, and its Content-Type header."""
    boundary = secrets.token_hex(16)
    disposition = f'form-data; name="{field}"; filename="{filename}"'.encode()
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b"Content-Disposition: " + disposition + b"\r\n",
            f"Content-Type: {content_type}\r\n\r\n".encode(),
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def upload(site, token, note_id, content, filename="file.bin", content_type="text/html"):
    body, headers = multipart("file", filename, content, content_type)
    return site.call("POST", f"/api/v1/notes/{note_id}/attachments", token, body, headers)


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def test_an_attachment_goes_up_comes_back_byte_for_byte_and_leaves_storage(site):
    assert site.server.production
    token = new_token(site)
    note_id = new_note(site, token)

    created = upload(site, token, note_id, PNG, "photo.png")
    assert created.status == 201, created.body
    attachment = created.json()
    assert attachment["filename"] == "photo.png"
    assert attachment["size"] == len(PNG)
    assert attachment["content_type"] == "image/png"
    assert created.headers["Location"] == attachment["url"]
    [key] = site.s3.keys()
    assert "photo" not in key

    listed = site.call("GET", f"/api/v1/notes/{note_id}/attachments", token)
    assert listed.json() == {"items": [attachment]}
    note = site.call("GET", f"/api/v1/notes/{note_id}", token).json()
    assert note["attachments"] == [attachment]

    download = site.call("GET", attachment["url"], token)
    assert download.status == 200
    assert download.body == PNG
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"] == "attachment; filename=photo.png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    assert site.call("DELETE", attachment["url"], token).status == 204
    assert site.call("GET", attachment["url"], token).status == 404
    assert wait_until(lambda: site.s3.keys() == [], REMOVAL_SECONDS), site.s3.keys()


def test_html_named_png_is_served_as_opaque_bytes_under_a_non_ascii_name(site):
    token = new_token(site)
    note_id = new_note(site, token)
    page = b"<!doctype html><script>alert(document.cookie)</script>"

    attachment = upload(site, token, note_id, page, "résumé.png").json()
    download = site.call("GET", attachment["url"], token)

    assert download.body == page
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9.png" in download.headers["Content-Disposition"]
    assert download.headers["Content-Security-Policy"].startswith("sandbox")


def test_another_user_gets_404(site):
    token = new_token(site)
    note_id = new_note(site, token)
    url = upload(site, token, note_id, b"mine").json()["url"]

    stranger = new_token(site)

    assert site.call("GET", url, stranger).status == 404
    assert upload(site, stranger, note_id, b"theirs").status == 404


def test_past_the_quota_is_413_and_stores_nothing(site):
    token = new_token(site)
    note_id = new_note(site, token)
    before = len(site.s3.keys())
    third = QUOTA_BYTES // 3 + 1

    assert upload(site, token, note_id, b"a" * third).status == 201
    assert upload(site, token, note_id, b"b" * third).status == 201
    refused = upload(site, token, note_id, b"c" * third)

    assert refused.status == 413
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert len(site.s3.keys()) == before + 2
    listed = site.call("GET", f"/api/v1/notes/{note_id}/attachments", token).json()
    assert len(listed["items"]) == 2


def test_a_burst_of_uploads_at_once_never_passes_the_quota(site):
    token = new_token(site)
    note_id = new_note(site, token)
    size = QUOTA_BYTES // 4
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(
            pool.map(lambda n: upload(site, token, note_id, bytes([n]) * size), range(10))
        )

    statuses = sorted(answer.status for answer in answers)
    listed = site.call("GET", f"/api/v1/notes/{note_id}/attachments", token).json()

    assert statuses == [201] * 4 + [413] * 6
    assert sum(item["size"] for item in listed["items"]) == 4 * size


def test_while_storage_is_down_uploads_answer_503_fast_and_recover(site):
    token = new_token(site)
    note_id = new_note(site, token)
    site.s3.stop()
    try:
        started = time.monotonic()
        refused = upload(site, token, note_id, b"while down")
        elapsed = time.monotonic() - started
    finally:
        site.s3.start()

    assert refused.status == 503
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert elapsed < OUTAGE_SECONDS
    listed = site.call("GET", f"/api/v1/notes/{note_id}/attachments", token).json()
    assert listed["items"] == []  # no row without its file

    again = upload(site, token, note_id, b"after")
    assert again.status == 201, again.body
    assert site.call("GET", again.json()["url"], token).body == b"after"
