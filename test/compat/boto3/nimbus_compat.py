"""Shared helpers for the boto3 compatibility scripts (run by test/compat/boto3.test.ts).

Each script talks to a real Nimbus through boto3 exactly as a user would: endpoint_url, a region
and credentials, nothing else. Assertions are plain `check`/`expect_error` calls: the first failure
raises with a message and Python prints the traceback, which the vitest side shows.
"""

import http.client
import io
import json
import os
import sys
import time
import urllib.parse
import zipfile

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["NIMBUS_ENDPOINT"]
REGION = "us-east-1"
ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
KEY_ID = os.environ.get("NIMBUS_ACCESS_KEY_ID", "test")
SECRET = os.environ.get("NIMBUS_SECRET_ACCESS_KEY", "test")
# True when the server was started with these keys and so verifies every signature.
SIGNED = "NIMBUS_ACCESS_KEY_ID" in os.environ

# No retries: a compatibility problem must show up as the first error, not as a slow retry loop.
_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60)


def client(service, secret=SECRET, **config):
    """A boto3 client pointed at Nimbus, configured as a user would configure it for LocalStack."""
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=secret,
        config=_CONFIG.merge(Config(**config)) if config else _CONFIG,
    )


def resource(service, **config):
    """A boto3 resource (the object-oriented layer over the client) pointed at Nimbus."""
    return boto3.resource(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        config=_CONFIG.merge(Config(**config)) if config else _CONFIG,
    )


def check(cond, message, *details):
    if not cond:
        raise AssertionError(message + ("" if not details else ": " + " | ".join(repr(d) for d in details)))


def equal(actual, expected, what):
    check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def expect_error(call, code, message_part=None, status=None):
    """Runs `call`; it must raise botocore's ClientError with that Error.Code (and message/status)."""
    try:
        result = call()
    except ClientError as e:
        err = e.response.get("Error", {})
        equal(err.get("Code"), code, f"Error.Code of {e.operation_name}")
        if message_part is not None:
            check(message_part in (err.get("Message") or ""), f"Error.Message of {e.operation_name} lacks {message_part!r}", err)
        if status is not None:
            equal(e.response["ResponseMetadata"]["HTTPStatusCode"], status, f"HTTP status of {e.operation_name}")
        return e
    raise AssertionError(f"expected ClientError {code}, got a result: {result!r}")


def zip_bytes(files):
    """A deployment package (zip) from {name: source} as bytes, as boto3 users pass to ZipFile."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, source in files.items():
            z.writestr(name, source)
    return buf.getvalue()


def eventually(fn, what, timeout=30.0, interval=0.2):
    """Polls `fn` until it returns something truthy, or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


def http_request(url, method="GET", body=None, headers=None):
    """Fetches a URL whose host may be a `*.localhost` name (not resolvable here): connects to the
    endpoint's address and sends the URL's host in the Host header, as DNS would have routed it."""
    target = urllib.parse.urlsplit(url)
    base = urllib.parse.urlsplit(ENDPOINT)
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    try:
        path = target.path or "/"
        if target.query:
            path += "?" + target.query
        conn.request(method, path, body=body, headers={"Host": target.netloc, **(headers or {})})
        res = conn.getresponse()
        return res.status, dict(res.getheaders()), res.read()
    finally:
        conn.close()


def report(**facts):
    """The last line of stdout: facts the vitest side asserts on as well."""
    facts["boto3"] = boto3.__version__
    facts["botocore"] = botocore.__version__
    print(json.dumps(facts, default=str))
    sys.stdout.flush()
