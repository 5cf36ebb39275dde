"""boto3 against Nimbus's S3 API: objects, paginators, managed multipart transfers, presigned URLs,
errors, and bucket notifications that reach a function."""

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request

from boto3.s3.transfer import TransferConfig

from nimbus_compat import (
    ACCOUNT,
    SIGNED,
    REGION,
    ROLE,
    check,
    client,
    equal,
    eventually,
    expect_error,
    report,
    resource,
    zip_bytes,
)

PREFIX = os.environ.get("NIMBUS_PREFIX", "b3")
BUCKET = f"{PREFIX}-bucket"
s3 = client("s3")
MB = 1024 * 1024


def md5(b):
    return hashlib.md5(b).hexdigest()


# --- buckets and single objects ------------------------------------------------------------------
created = s3.create_bucket(Bucket=BUCKET)
equal(created["ResponseMetadata"]["HTTPStatusCode"], 200, "CreateBucket status")
check(BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]], "list_buckets shows the bucket")
s3.get_waiter("bucket_exists").wait(Bucket=BUCKET, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
s3.head_bucket(Bucket=BUCKET)

body = b"hello from boto3\n" * 100
put = s3.put_object(
    Bucket=BUCKET,
    Key="docs/hello world+1.txt",
    Body=body,
    ContentType="text/plain",
    Metadata={"owner": "compat", "Mixed-Case": "v"},
    CacheControl="max-age=60",
)
equal(put["ETag"], f'"{md5(body)}"', "PutObject ETag")
got = s3.get_object(Bucket=BUCKET, Key="docs/hello world+1.txt")
equal(got["Body"].read(), body, "GetObject body")
equal(got["ContentType"], "text/plain", "ContentType")
equal(got["ContentLength"], len(body), "ContentLength")
equal(got["ETag"], put["ETag"], "GetObject ETag")
equal(got["Metadata"], {"owner": "compat", "mixed-case": "v"}, "user metadata (lower-cased, as S3 does)")
equal(got["CacheControl"], "max-age=60", "CacheControl")
ranged = s3.get_object(Bucket=BUCKET, Key="docs/hello world+1.txt", Range="bytes=6-15")
equal((ranged["Body"].read(), ranged["ContentRange"]), (b"from boto3", f"bytes 6-15/{len(body)}"), "ranged GET")
head = s3.head_object(Bucket=BUCKET, Key="docs/hello world+1.txt")
equal((head["ContentLength"], head["ETag"]), (len(body), put["ETag"]), "HeadObject")
check(head["LastModified"].tzinfo is not None, "LastModified parsed as an aware datetime", head["LastModified"])
s3.get_waiter("object_exists").wait(Bucket=BUCKET, Key="docs/hello world+1.txt", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
# Conditional GETs.
expect_error(lambda: s3.get_object(Bucket=BUCKET, Key="docs/hello world+1.txt", IfNoneMatch=put["ETag"]), "304")
expect_error(lambda: s3.get_object(Bucket=BUCKET, Key="docs/hello world+1.txt", IfMatch='"0000"'), "PreconditionFailed", status=412)

# --- list_objects_v2 with the paginator -----------------------------------------------------------
keys = [f"many/{i:03d}.txt" for i in range(25)]
for k in keys:
    s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())
pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="many/", PaginationConfig={"PageSize": 10}))
equal(len(pages), 3, "pages of 10")
equal([o["Key"] for p in pages for o in p.get("Contents", [])], keys, "keys in order across pages")
equal([p["KeyCount"] for p in pages], [10, 10, 5], "KeyCount per page")
tree = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/")
equal(sorted(p["Prefix"] for p in tree["CommonPrefixes"]), ["docs/", "many/"], "CommonPrefixes")
v1 = list(s3.get_paginator("list_objects").paginate(Bucket=BUCKET, Prefix="many/", PaginationConfig={"PageSize": 7}))
equal(sum(len(p["Contents"]) for p in v1), 25, "ListObjects (v1) paginator")
# The resource layer (bucket.objects) paginates the same calls.
bucket = resource("s3").Bucket(BUCKET)
equal(sorted(o.key for o in bucket.objects.filter(Prefix="many/")), keys, "resource objects.filter")

# --- managed transfers: multipart upload_file / ranged download_file ----------------------------
work = tempfile.mkdtemp(prefix="nimbus-boto3-")
big = os.urandom(12 * MB + 12345)
src = os.path.join(work, "big.bin")
with open(src, "wb") as f:
    f.write(big)
transfer = TransferConfig(multipart_threshold=5 * MB, multipart_chunksize=5 * MB, max_concurrency=3)
s3.upload_file(src, BUCKET, "big/big.bin", Config=transfer, ExtraArgs={"Metadata": {"kind": "big"}})
head = s3.head_object(Bucket=BUCKET, Key="big/big.bin")
equal(head["ContentLength"], len(big), "multipart object size")
check(head["ETag"].endswith('-3"'), "a 3-part multipart ETag", head["ETag"])
equal(head["Metadata"], {"kind": "big"}, "metadata through CreateMultipartUpload")
dst = os.path.join(work, "big.back")
s3.download_file(BUCKET, "big/big.bin", dst, Config=transfer)
with open(dst, "rb") as f:
    equal(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(big).hexdigest(), "downloaded bytes")
part = s3.head_object(Bucket=BUCKET, Key="big/big.bin", PartNumber=2)
equal(part["ContentLength"], 5 * MB, "HeadObject PartNumber=2")
# Upload and download through file objects too.
import io

s3.upload_fileobj(io.BytesIO(b"x" * (6 * MB)), BUCKET, "big/fileobj.bin", Config=transfer)
sink = io.BytesIO()
s3.download_fileobj(BUCKET, "big/fileobj.bin", sink, Config=transfer)
equal(sink.getvalue(), b"x" * (6 * MB), "upload_fileobj/download_fileobj")
# An upload left open shows up and can be aborted.
mpu = s3.create_multipart_upload(Bucket=BUCKET, Key="big/abandoned")
uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
equal([u["UploadId"] for u in uploads], [mpu["UploadId"]], "list_multipart_uploads")
s3.abort_multipart_upload(Bucket=BUCKET, Key="big/abandoned", UploadId=mpu["UploadId"])
expect_error(lambda: s3.list_parts(Bucket=BUCKET, Key="big/abandoned", UploadId=mpu["UploadId"]), "NoSuchUpload", status=404)

# --- copy_object and delete_objects -----------------------------------------------------------------
copied = s3.copy_object(
    Bucket=BUCKET,
    Key="copies/hello.txt",
    CopySource={"Bucket": BUCKET, "Key": "docs/hello world+1.txt"},
    MetadataDirective="REPLACE",
    Metadata={"copied": "yes"},
    ContentType="text/markdown",
)
equal(copied["CopyObjectResult"]["ETag"], put["ETag"], "CopyObject ETag")
c = s3.get_object(Bucket=BUCKET, Key="copies/hello.txt")
equal((c["Body"].read(), c["Metadata"], c["ContentType"]), (body, {"copied": "yes"}, "text/markdown"), "copied object")
s3.copy(CopySource={"Bucket": BUCKET, "Key": "big/big.bin"}, Bucket=BUCKET, Key="copies/big.bin", Config=transfer)
equal(s3.head_object(Bucket=BUCKET, Key="copies/big.bin")["ContentLength"], len(big), "managed multipart copy")
deleted = s3.delete_objects(
    Bucket=BUCKET,
    Delete={"Objects": [{"Key": k} for k in keys[:20]] + [{"Key": "many/never-existed"}]},
)
equal(sorted(d["Key"] for d in deleted["Deleted"]), sorted(keys[:20] + ["many/never-existed"]), "DeleteObjects Deleted")
check(not deleted.get("Errors"), "no DeleteObjects errors", deleted.get("Errors"))
equal([o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="many/")["Contents"]], keys[20:], "keys left")
quiet = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": keys[20]}], "Quiet": True})
check(not quiet.get("Deleted"), "Quiet mode lists nothing", quiet)
s3.delete_object(Bucket=BUCKET, Key=keys[21])
s3.get_waiter("object_not_exists").wait(Bucket=BUCKET, Key=keys[21], WaiterConfig={"Delay": 1, "MaxAttempts": 5})

# --- presigned URLs, fetched with urllib ------------------------------------------------------------
# botocore presigns S3 URLs with Signature Version 2 by default in us-east-1 (it still did in
# 1.43), and with SigV4 when the client is configured with signature_version="s3v4". Both are checked.
s3v4 = client("s3", signature_version="s3v4")
presigned_styles = {}
for signer, name in ((s3, "default"), (s3v4, "s3v4")):
    url = signer.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "docs/hello world+1.txt"}, ExpiresIn=300)
    presigned_styles[name] = "v4" if "X-Amz-Signature=" in url else "v2" if "Signature=" in url else "?"
    with urllib.request.urlopen(url) as res:
        equal((res.status, res.read()), (200, body), f"presigned GET ({name})")
    over = signer.generate_presigned_url(
        "get_object",
        Params={"Bucket": BUCKET, "Key": "docs/hello world+1.txt", "ResponseContentType": "application/x-test", "ResponseContentDisposition": 'attachment; filename="h.txt"'},
        ExpiresIn=300,
    )
    with urllib.request.urlopen(over) as res:
        equal((res.headers["Content-Type"], res.headers["Content-Disposition"]), ("application/x-test", 'attachment; filename="h.txt"'), f"presigned GET with response overrides ({name})")
    put_url = signer.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": f"presigned/{name}.txt", "ContentType": "text/plain"}, ExpiresIn=300)
    req = urllib.request.Request(put_url, data=f"via presigned PUT {name}".encode(), method="PUT", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req) as res:
        equal(res.status, 200, f"presigned PUT ({name})")
    stored = s3.get_object(Bucket=BUCKET, Key=f"presigned/{name}.txt")
    equal((stored["Body"].read(), stored["ContentType"]), (f"via presigned PUT {name}".encode(), "text/plain"), f"presigned PUT stored ({name})")
    if SIGNED:
        # With keys configured the server checks the signature: a URL changed after signing, or
        # signed with another secret, is refused; so is one used after it expired.
        def refused(bad):
            try:
                with urllib.request.urlopen(bad) as res:
                    return None
            except urllib.error.HTTPError as e:
                return e.code, e.read()

        wrong = client("s3", secret="not-the-secret-at-all", **({"signature_version": "s3v4"} if name == "s3v4" else {}))
        for bad, what in (
            (url.replace("docs/", "many/"), "tampered"),
            (url.replace("hello", "Hello"), "tampered key case"),
            (wrong.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "docs/hello world+1.txt"}, ExpiresIn=300), "wrong secret"),
        ):
            got = refused(bad)
            check(got is not None, f"a {what} presigned URL ({name}) was accepted")
            equal(got[0], 403, f"{what} presigned URL status ({name})")
            check(b"<Code>SignatureDoesNotMatch</Code>" in got[1], f"{what} presigned URL error ({name})", got[1])
        # SigV4 allows no expiry in the past (botocore asserts it), so a 1-second URL is waited out.
        short = signer.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "docs/hello world+1.txt"}, ExpiresIn=1)
        got = eventually(lambda: refused(short), f"the 1-second presigned URL ({name}) to expire", timeout=10, interval=0.5)
        equal(got[0], 403, f"expired presigned URL status ({name})")
        check(b"<Code>AccessDenied</Code>" in got[1] and b"Request has expired" in got[1], f"expired presigned URL error ({name})", got[1])
check(presigned_styles["s3v4"] == "v4", "signature_version=s3v4 presigns with SigV4", presigned_styles)

# --- errors ---------------------------------------------------------------------------------------------
e = expect_error(lambda: s3.get_object(Bucket=BUCKET, Key="nope.txt"), "NoSuchKey", "The specified key does not exist.", 404)
check(isinstance(e, s3.exceptions.NoSuchKey), "modeled NoSuchKey class", type(e))
expect_error(lambda: s3.head_object(Bucket=BUCKET, Key="nope.txt"), "404", status=404)
e = expect_error(lambda: s3.list_objects_v2(Bucket=f"{PREFIX}-no-such-bucket"), "NoSuchBucket", "The specified bucket does not exist", 404)
check(isinstance(e, s3.exceptions.NoSuchBucket), "modeled NoSuchBucket class", type(e))
expect_error(lambda: s3.put_object(Bucket=f"{PREFIX}-no-such-bucket", Key="k", Body=b"x"), "NoSuchBucket", status=404)
expect_error(lambda: s3.delete_bucket(Bucket=BUCKET), "BucketNotEmpty", status=409)
expect_error(lambda: s3.create_bucket(Bucket="Bad_Bucket_Name"), "InvalidBucketName", status=400)
expect_error(lambda: s3.get_object(Bucket=BUCKET, Key="docs/hello world+1.txt", Range="bytes=999999-"), "InvalidRange", status=416)

# --- bucket notifications to a function; the function logs what it received --------------------------
lam = client("lambda")
logs = client("logs")
FN = f"{PREFIX}-on-upload"
lam.create_function(
    FunctionName=FN,
    Runtime="python3.11",
    Role=ROLE,
    Handler="app.handler",
    Code={"ZipFile": zip_bytes({"app.py": (
        "import json\n"
        "def handler(event, context):\n"
        "    for r in event['Records']:\n"
        "        print('S3EVENT ' + json.dumps({'name': r['eventName'], 'bucket': r['s3']['bucket']['name'],"
        " 'key': r['s3']['object']['key'], 'size': r['s3']['object'].get('size')}))\n"
    )})},
)
fn_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FN}"
# As real scripts do: allow S3 to invoke the function before wiring the bucket to it.
added = lam.add_permission(
    FunctionName=FN,
    StatementId="s3invoke",
    Action="lambda:InvokeFunction",
    Principal="s3.amazonaws.com",
    SourceArn=f"arn:aws:s3:::{BUCKET}",
    SourceAccount=ACCOUNT,
)
equal(added["ResponseMetadata"]["HTTPStatusCode"], 201, "AddPermission status")
statement = json.loads(added["Statement"])
equal(
    statement,
    {
        "Sid": "s3invoke",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": fn_arn,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
            "ArnLike": {"AWS:SourceArn": f"arn:aws:s3:::{BUCKET}"},
        },
    },
    "AddPermission statement",
)
policy = lam.get_policy(FunctionName=FN)
equal(json.loads(policy["Policy"]), {"Version": "2012-10-17", "Id": "default", "Statement": [statement]}, "GetPolicy")
equal(policy["RevisionId"], lam.get_function(FunctionName=FN)["Configuration"]["RevisionId"], "GetPolicy RevisionId")
expect_error(
    lambda: lam.add_permission(FunctionName=FN, StatementId="s3invoke", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"),
    "ResourceConflictException",
    "The statement id (s3invoke) provided already exists.",
    409,
)
s3.put_bucket_notification_configuration(
    Bucket=BUCKET,
    NotificationConfiguration={
        "LambdaFunctionConfigurations": [
            {
                "Id": "uploads",
                "LambdaFunctionArn": fn_arn,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}},
            }
        ]
    },
)
conf = s3.get_bucket_notification_configuration(Bucket=BUCKET)["LambdaFunctionConfigurations"]
equal([(c["Id"], c["LambdaFunctionArn"], c["Events"]) for c in conf], [("uploads", fn_arn, ["s3:ObjectCreated:*"])], "notification configuration")
s3.put_object(Bucket=BUCKET, Key="ignored/a.txt", Body=b"not for the function")
s3.put_object(Bucket=BUCKET, Key="incoming/photo 1.jpg", Body=b"12345")


def received():
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/{FN}", filterPattern="S3EVENT").get("events", [])
    return [json.loads(e["message"].split("S3EVENT ", 1)[1]) for e in events]


def has_upload():
    try:
        return received()
    except logs.exceptions.ResourceNotFoundException:
        return None  # the log group appears with the first invocation


got_events = eventually(has_upload, "the function to receive the S3 event", timeout=60)
equal(got_events, [{"name": "ObjectCreated:Put", "bucket": BUCKET, "key": "incoming/photo+1.jpg", "size": 5}], "event the function received")
expect_error(
    lambda: s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={"LambdaFunctionConfigurations": [{"LambdaFunctionArn": f"{fn_arn}-missing", "Events": ["s3:ObjectCreated:*"]}]},
    ),
    "InvalidArgument",
    status=400,
)

report(bucket=BUCKET, presigned=presigned_styles, multipart_etag=s3.head_object(Bucket=BUCKET, Key="big/big.bin")["ETag"], s3_event=got_events[0])
