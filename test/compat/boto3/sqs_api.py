"""boto3 against Nimbus's SQS API. botocore before 1.31.62 speaks SQS's query protocol (form
bodies, XML answers); later ones speak JSON (X-Amz-Target). Nimbus answers both; the report says
which one this botocore used."""

import hashlib
import os
import time

from nimbus_compat import ACCOUNT, check, client, equal, expect_error, report

PREFIX = os.environ.get("NIMBUS_PREFIX", "b3")
sqs = client("sqs")
PROTOCOL = sqs.meta.service_model.protocol

# --- create_queue, get_queue_url, attributes ------------------------------------------------------
url = sqs.create_queue(QueueName=f"{PREFIX}-jobs", Attributes={"VisibilityTimeout": "5"}, tags={"team": "compat"})["QueueUrl"]
check(url.endswith(f"/{ACCOUNT}/{PREFIX}-jobs"), "QueueUrl", url)
equal(sqs.get_queue_url(QueueName=f"{PREFIX}-jobs")["QueueUrl"], url, "get_queue_url")
# The same attributes again: the same queue; different ones: QueueAlreadyExists.
equal(sqs.create_queue(QueueName=f"{PREFIX}-jobs", Attributes={"VisibilityTimeout": "5"})["QueueUrl"], url, "idempotent create_queue")
expect_error(lambda: sqs.create_queue(QueueName=f"{PREFIX}-jobs", Attributes={"VisibilityTimeout": "6"}), "QueueAlreadyExists", status=400)
attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
equal(attrs["VisibilityTimeout"], "5", "VisibilityTimeout")
equal(attrs["QueueArn"], f"arn:aws:sqs:us-east-1:{ACCOUNT}:{PREFIX}-jobs", "QueueArn")
sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0", "MaximumMessageSize": "262144"})
equal(sqs.list_queue_tags(QueueUrl=url).get("Tags"), {"team": "compat"}, "list_queue_tags")
check(url in sqs.list_queues(QueueNamePrefix=PREFIX).get("QueueUrls", []), "list_queues")

# --- send_message with attributes (botocore checks the MD5s itself) ------------------------------
body = "hello from boto3 ✓"
sent = sqs.send_message(
    QueueUrl=url,
    MessageBody=body,
    MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "greeting"},
        "n": {"DataType": "Number", "StringValue": "42"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
        "custom": {"DataType": "String.Custom", "StringValue": "x"},
    },
    MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5e1b4151-5ac6c58f4b1e3a0b1c2d3e4f"}},
)
equal(sent["MD5OfMessageBody"], hashlib.md5(body.encode()).hexdigest(), "MD5OfMessageBody")
check(len(sent["MD5OfMessageAttributes"]) == 32, "MD5OfMessageAttributes", sent)
check("MessageId" in sent, "MessageId")

# --- receive_message with long polling ----------------------------------------------------------------
got = sqs.receive_message(
    QueueUrl=url,
    WaitTimeSeconds=5,
    MaxNumberOfMessages=10,
    MessageAttributeNames=["All"],
    AttributeNames=["All"],
)["Messages"]
equal(len(got), 1, "one message")
m = got[0]
equal(m["Body"], body, "Body")
equal(m["MessageId"], sent["MessageId"], "MessageId")
equal(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"], "MD5OfMessageAttributes on receive")
equal(m["MessageAttributes"]["kind"], {"DataType": "String", "StringValue": "greeting"}, "String attribute")
equal(m["MessageAttributes"]["n"], {"DataType": "Number", "StringValue": "42"}, "Number attribute")
equal(m["MessageAttributes"]["blob"], {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"}, "Binary attribute")
equal(m["Attributes"]["ApproximateReceiveCount"], "1", "ApproximateReceiveCount")
equal(m["Attributes"]["AWSTraceHeader"], "Root=1-5e1b4151-5ac6c58f4b1e3a0b1c2d3e4f", "AWSTraceHeader")
check(int(m["Attributes"]["SentTimestamp"]) > 1_600_000_000_000, "SentTimestamp in ms", m["Attributes"])
# In flight: an empty receive after a short long-poll, which does wait.
t = time.monotonic()
empty = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
check(not empty.get("Messages"), "no message while in flight", empty)
check(time.monotonic() - t >= 0.9, "WaitTimeSeconds=1 waited", time.monotonic() - t)
sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]
equal(again["MessageId"], m["MessageId"], "visible again after change_message_visibility(0)")
sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
expect_error(lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage"), "ReceiptHandleIsInvalid", status=404)

# A long poll is woken by a send.
import threading

woken = {}


def poll():
    t0 = time.monotonic()
    woken["r"] = client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=10)
    woken["s"] = time.monotonic() - t0


th = threading.Thread(target=poll)
th.start()
time.sleep(0.5)
sqs.send_message(QueueUrl=url, MessageBody="wake up")
th.join()
equal([x["Body"] for x in woken["r"]["Messages"]], ["wake up"], "long poll received the send")
check(woken["s"] < 8, "long poll returned on the send, not at the timeout", woken["s"])
sqs.delete_message(QueueUrl=url, ReceiptHandle=woken["r"]["Messages"][0]["ReceiptHandle"])

# --- batches ---------------------------------------------------------------------------------------------
batch = sqs.send_message_batch(
    QueueUrl=url,
    Entries=[{"Id": f"m{i}", "MessageBody": f"batch {i}", "MessageAttributes": {"i": {"DataType": "Number", "StringValue": str(i)}}} for i in range(5)],
)
equal(sorted(s["Id"] for s in batch["Successful"]), [f"m{i}" for i in range(5)], "send_message_batch Successful")
check(not batch.get("Failed"), "no Failed entries", batch.get("Failed"))
for s in batch["Successful"]:
    equal(s["MD5OfMessageBody"], hashlib.md5(f"batch {s['Id'][1:]}".encode()).hexdigest(), "batch MD5OfMessageBody")
received = []
deadline = time.monotonic() + 20
while len(received) < 5 and time.monotonic() < deadline:
    received += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["i"]).get("Messages", [])
equal(sorted(r["Body"] for r in received), [f"batch {i}" for i in range(5)], "batch received")
deleted = sqs.delete_message_batch(
    QueueUrl=url,
    Entries=[{"Id": f"d{i}", "ReceiptHandle": r["ReceiptHandle"]} for i, r in enumerate(received)] + [{"Id": "bad", "ReceiptHandle": "garbage"}],
)
equal(len(deleted["Successful"]), 5, "delete_message_batch Successful")
equal([(f["Id"], f["Code"], f["SenderFault"]) for f in deleted["Failed"]], [("bad", "ReceiptHandleIsInvalid", True)], "delete_message_batch Failed")
expect_error(
    lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "same", "MessageBody": "a"}, {"Id": "same", "MessageBody": "b"}]),
    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    status=400,
)

# --- FIFO ----------------------------------------------------------------------------------------------
fifo = sqs.create_queue(QueueName=f"{PREFIX}-orders.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
seqs = []
for i in range(3):
    r = sqs.send_message(QueueUrl=fifo, MessageBody=f"order {i}", MessageGroupId="g1")
    seqs.append(int(r["SequenceNumber"]))
equal(seqs, sorted(seqs), "SequenceNumber grows")
dup = sqs.send_message(QueueUrl=fifo, MessageBody="order 0", MessageGroupId="g1")
check("MessageId" in dup, "a duplicate is accepted (and dropped)")
out = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, WaitTimeSeconds=2, AttributeNames=["MessageGroupId", "SequenceNumber"])["Messages"]
equal([x["Body"] for x in out], ["order 0", "order 1", "order 2"], "FIFO order, duplicate dropped")
equal(out[0]["Attributes"]["MessageGroupId"], "g1", "MessageGroupId attribute")
expect_error(lambda: sqs.send_message(QueueUrl=fifo, MessageBody="no group"), "MissingParameter", status=400)
expect_error(lambda: sqs.create_queue(QueueName=f"{PREFIX}-bad.fifo"), "InvalidParameterValue", status=400)

# --- errors ---------------------------------------------------------------------------------------------
missing = f"{url.rsplit('/', 1)[0]}/{PREFIX}-missing"
# Under both protocols botocore reports the query protocol's code (JSON answers carry it in
# x-amzn-query-error, which botocore reads for SQS's awsQueryCompatible model).
code = "AWS.SimpleQueueService.NonExistentQueue"
e = expect_error(lambda: sqs.get_queue_url(QueueName=f"{PREFIX}-missing"), code, status=400)
check(isinstance(e, sqs.exceptions.QueueDoesNotExist), "modeled QueueDoesNotExist class", type(e))
e = expect_error(lambda: sqs.send_message(QueueUrl=missing, MessageBody="x"), code, status=400)
check(isinstance(e, sqs.exceptions.QueueDoesNotExist), "modeled QueueDoesNotExist class on send", type(e))
expect_error(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=21), "InvalidParameterValue", status=400)
expect_error(lambda: sqs.send_message(QueueUrl=url, MessageBody="bad \x00 char"), "InvalidMessageContents", status=400)

sqs.purge_queue(QueueUrl=url)
sqs.delete_queue(QueueUrl=url)
expect_error(lambda: sqs.get_queue_url(QueueName=f"{PREFIX}-jobs"), code, status=400)

report(protocol=PROTOCOL, queue_url=url, fifo_sequence=seqs)
