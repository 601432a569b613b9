"""The S3 backend of ``storage.py``: ``s3://bucket[/prefix]`` on any S3-compatible service.

boto3 is the reference client, the one every S3-compatible server (AWS,
SeaweedFS, Garage, Ceph, R2...) tests against, and it makes presigned URLs
with response headers. It reads the credentials from the standard
``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_DEFAULT_REGION``
variables; ``S3_ENDPOINT_URL`` points it at a server other than AWS.

An outage must answer 503 within 2 s: one attempt (no retries) with short
connect and read timeouts; retrying is the job queue's business.
"""

from collections.abc import Iterator, Mapping
from typing import IO, Any
from urllib.parse import urlsplit

import boto3
from botocore.client import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.infrastructure.storage import Download, StorageUnavailable, attachment_disposition

NOT_FOUND_CODES = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    """Objects in one bucket, under an optional prefix."""

    def __init__(self, client: Any, bucket: str, prefix: str, redirect_expires: int | None) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.redirect_expires = redirect_expires

    def name(self, key: str) -> str:
        """The object name of ``key``."""
        return self.prefix + key

    def put(self, key: str, stream: IO[bytes], size: int) -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self.name(key), Body=stream, ContentLength=size
            )
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(f"S3 refused the upload: {error}") from error

    def open(self, key: str, filename: str, content_type: str) -> Download:
        if self.redirect_expires is not None:
            return Download(redirect_url=self.presigned_url(key, filename, content_type))
        return Download(stream=self.read(key))

    def read(self, key: str) -> IO[bytes]:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
                raise KeyError(key) from None
            raise StorageUnavailable(f"S3 refused the download: {error}") from error
        except BotoCoreError as error:
            raise StorageUnavailable(f"S3 is unreachable: {error}") from error
        body: IO[bytes] = answer["Body"]
        return body

    def presigned_url(self, key: str, filename: str, content_type: str) -> str:
        """A URL answering with the object as an attachment named ``filename`` (signed
        locally, so it needs no request to S3)."""
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self.name(key),
                "ResponseContentDisposition": attachment_disposition(filename),
                "ResponseContentType": content_type,
            },
            ExpiresIn=self.redirect_expires,
        )
        return url

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.name(key))
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(f"S3 refused the deletion: {error}") from error

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
                return False
            raise StorageUnavailable(f"S3 refused a lookup: {error}") from error
        except BotoCoreError as error:
            raise StorageUnavailable(f"S3 is unreachable: {error}") from error
        return True

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"].removeprefix(self.prefix)
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(f"S3 refused the listing: {error}") from error


def from_url(url: str, config: Mapping[str, Any]) -> S3Storage:
    """The storage of ``s3://bucket[/prefix]``, with the timeouts and endpoint of ``config``."""
    parts = urlsplit(url)
    prefix = parts.path.strip("/")
    client = boto3.client(
        "s3",
        endpoint_url=config["S3_ENDPOINT_URL"],
        config=Config(
            connect_timeout=config["STORAGE_CONNECT_TIMEOUT"],
            read_timeout=config["STORAGE_READ_TIMEOUT"],
            retries={"max_attempts": 1, "mode": "standard"},
            signature_version="s3v4",
            # Path-style addressing: self-hosted servers rarely have a DNS name per bucket.
            s3={"addressing_style": "path"},
        ),
    )
    expires = config["STORAGE_URL_EXPIRES"] if config["STORAGE_REDIRECT_DOWNLOADS"] else None
    return S3Storage(client, parts.netloc, prefix + "/" if prefix else "", expires)
