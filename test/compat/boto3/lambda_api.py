"""boto3 against Nimbus's Lambda API: control plane, waiters, invoke, paginators, errors."""

import base64
import os
import json
import re

from nimbus_compat import (
    ACCOUNT,
    REGION,
    ROLE,
    check,
    client,
    equal,
    eventually,
    expect_error,
    http_request,
    report,
    zip_bytes,
)

lam = client("lambda")
PREFIX = os.environ.get("NIMBUS_PREFIX", "b3")
NODE = f"{PREFIX}-node"
PY = f"{PREFIX}-py"

NODE_V1 = """
exports.handler = async (event, context) => {
  console.log('node got ' + JSON.stringify(event));
  if (event.fail) throw new TypeError('boom ' + event.fail);
  return { version: 1, echo: event, stage: process.env.STAGE || null, fn: context.functionName };
};
"""
NODE_V2 = NODE_V1.replace("version: 1", "version: 2")
PY_HANDLER = """
import json, os

def handler(event, context):
    print('py got', json.dumps(event))
    if event.get('fail'):
        raise ValueError('py boom ' + str(event['fail']))
    return {'py': event.get('x'), 'fn': context.function_name, 'mem': context.memory_limit_in_mb}
"""


def invoke_json(name, payload, **kw):
    out = lam.invoke(FunctionName=name, Payload=json.dumps(payload).encode(), **kw)
    body = json.loads(out["Payload"].read())
    return out, body


# --- create_function (ZipFile bytes), get_function, waiters ---------------------------------
created = lam.create_function(
    FunctionName=NODE,
    Runtime="nodejs20.x",
    Role=ROLE,
    Handler="index.handler",
    Code={"ZipFile": zip_bytes({"index.js": NODE_V1})},
    Description="boto3 node",
    Environment={"Variables": {"STAGE": "one"}},
    Tags={"team": "compat"},
)
equal(created["ResponseMetadata"]["HTTPStatusCode"], 201, "CreateFunction status")
equal(created["FunctionName"], NODE, "FunctionName")
equal(created["FunctionArn"], f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NODE}", "FunctionArn")
equal(created["Runtime"], "nodejs20.x", "Runtime")
check(len(created["CodeSha256"]) == 44, "CodeSha256 is base64 of a SHA-256", created["CodeSha256"])
lam.get_waiter("function_active_v2").wait(FunctionName=NODE, WaiterConfig={"Delay": 1, "MaxAttempts": 60})

got = lam.get_function(FunctionName=NODE)
equal(got["Configuration"]["State"], "Active", "State")
equal(got["Configuration"]["LastUpdateStatus"], "Successful", "LastUpdateStatus")
equal(got["Configuration"]["Environment"], {"Variables": {"STAGE": "one"}}, "Environment")
equal(got["Tags"], {"team": "compat"}, "Tags")
equal(got["Code"]["RepositoryType"], "S3", "Code.RepositoryType")
check(got["Code"]["Location"].startswith("http"), "Code.Location is a URL", got["Code"])
# The older waiters (FunctionExists, FunctionActive) read other operations and fields.
lam.get_waiter("function_exists").wait(FunctionName=NODE, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
lam.get_waiter("function_active").wait(FunctionName=NODE, WaiterConfig={"Delay": 1, "MaxAttempts": 5})

lam.create_function(
    FunctionName=PY,
    Runtime="python3.11",
    Role=ROLE,
    Handler="app.handler",
    MemorySize=256,
    Code={"ZipFile": zip_bytes({"app.py": PY_HANDLER})},
)
lam.get_waiter("function_active_v2").wait(FunctionName=PY, WaiterConfig={"Delay": 1, "MaxAttempts": 60})

# --- invoke: RequestResponse with the log tail ----------------------------------------------
out, body = invoke_json(NODE, {"hello": "boto3"}, LogType="Tail")
equal(out["StatusCode"], 200, "Invoke StatusCode")
equal(out["ExecutedVersion"], "$LATEST", "ExecutedVersion")
check("FunctionError" not in out, "no FunctionError on success", out.get("FunctionError"))
equal(body, {"version": 1, "echo": {"hello": "boto3"}, "stage": "one", "fn": NODE}, "Node result")
log = base64.b64decode(out["LogResult"]).decode()
request_id = out["ResponseMetadata"]["RequestId"]
check(re.search(rf"^START RequestId: {request_id} Version: \$LATEST", log, re.M), "START line in the tail", log)
check(re.search(rf"^END RequestId: {request_id}", log, re.M), "END line in the tail", log)
check(re.search(rf"^REPORT RequestId: {request_id}\tDuration: [\d.]+ ms", log, re.M), "REPORT line", log)
check('node got {"hello":"boto3"}' in log, "handler output in the tail", log)

out, body = invoke_json(PY, {"x": 42}, LogType="Tail")
equal(body, {"py": 42, "fn": PY, "mem": "256"}, "Python result")
check("py got {\"x\": 42}" in base64.b64decode(out["LogResult"]).decode(), "Python output in the tail")

# A throwing handler: 200 with FunctionError and the error document.
out, body = invoke_json(NODE, {"fail": "x1"})
equal(out["StatusCode"], 200, "StatusCode of a failed invoke")
equal(out["FunctionError"], "Unhandled", "FunctionError")
equal(body["errorType"], "TypeError", "errorType")
equal(body["errorMessage"], "boom x1", "errorMessage")
check(isinstance(body.get("trace"), list), "trace is a list", body)
out, body = invoke_json(PY, {"fail": 7})
equal(out["FunctionError"], "Unhandled", "Python FunctionError")
equal((body["errorType"], body["errorMessage"]), ("ValueError", "py boom 7"), "Python error")

# Event: 202, no payload; the function runs afterwards, as its log shows.
out = lam.invoke(FunctionName=NODE, InvocationType="Event", Payload=b'{"asyncmarker":true}')
equal(out["StatusCode"], 202, "Event StatusCode")
equal(out["Payload"].read(), b"", "Event payload")
logs = client("logs")
ran = eventually(
    lambda: logs.filter_log_events(logGroupName=f"/aws/lambda/{NODE}", filterPattern="asyncmarker")["events"],
    "the Event invocation to run",
)
equal(len(ran), 1, "the Event invocation ran once")
check('node got {"asyncmarker":true}' in ran[0]["message"], "the Event payload reached the handler", ran[0])
# DryRun: 204.
out = lam.invoke(FunctionName=NODE, InvocationType="DryRun")
equal(out["StatusCode"], 204, "DryRun StatusCode")

# --- update code and configuration, the function_updated_v2 waiter --------------------------
upd = lam.update_function_code(FunctionName=NODE, ZipFile=zip_bytes({"index.js": NODE_V2}))
check(upd["CodeSha256"] != created["CodeSha256"], "new CodeSha256 after update")
lam.get_waiter("function_updated_v2").wait(FunctionName=NODE, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
_, body = invoke_json(NODE, {})
equal(body["version"], 2, "version after update_function_code")
conf = lam.update_function_configuration(
    FunctionName=NODE, Environment={"Variables": {"STAGE": "two"}}, Timeout=9, MemorySize=192, Description="v2"
)
equal((conf["Timeout"], conf["MemorySize"], conf["Description"]), (9, 192, "v2"), "updated configuration")
lam.get_waiter("function_updated").wait(FunctionName=NODE, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
_, body = invoke_json(NODE, {})
equal(body["stage"], "two", "environment after update_function_configuration")
# A stale RevisionId is refused.
expect_error(
    lambda: lam.update_function_configuration(FunctionName=NODE, Timeout=10, RevisionId="not-the-revision"),
    "PreconditionFailedException",
    status=412,
)

# --- versions and aliases -------------------------------------------------------------------
v1 = lam.publish_version(FunctionName=NODE, Description="first")
equal(v1["Version"], "1", "published Version")
equal(v1["FunctionArn"], f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NODE}:1", "version ARN")
lam.get_waiter("published_version_active").wait(FunctionName=NODE, Qualifier="1", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
alias = lam.create_alias(FunctionName=NODE, Name="live", FunctionVersion="1", Description="prod")
equal(alias["AliasArn"], f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NODE}:live", "AliasArn")
equal(alias["FunctionVersion"], "1", "alias FunctionVersion")
out, body = invoke_json(NODE, {}, Qualifier="live")
equal(out["ExecutedVersion"], "1", "ExecutedVersion through the alias")
equal(lam.get_alias(FunctionName=NODE, Name="live")["Description"], "prod", "get_alias")
versions = [
    v["Version"]
    for page in lam.get_paginator("list_versions_by_function").paginate(FunctionName=NODE)
    for v in page["Versions"]
]
equal(versions, ["$LATEST", "1"], "list_versions_by_function")
aliases = lam.list_aliases(FunctionName=NODE)["Aliases"]
equal([a["Name"] for a in aliases], ["live"], "list_aliases")
# A resource policy on the alias, as API Gateway tutorials add one (stored, not enforced).
api_arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123/*/*/items"
stmt = json.loads(
    lam.add_permission(
        FunctionName=NODE,
        Qualifier="live",
        StatementId="apigw",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=api_arn,
    )["Statement"]
)
equal(stmt["Resource"], f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NODE}:live", "permission Resource")
equal(stmt["Condition"], {"ArnLike": {"AWS:SourceArn": api_arn}}, "permission Condition")
pol = lam.get_policy(FunctionName=NODE, Qualifier="live")
equal([x["Sid"] for x in json.loads(pol["Policy"])["Statement"]], ["apigw"], "get_policy on the alias")
equal(pol["RevisionId"], lam.get_alias(FunctionName=NODE, Name="live")["RevisionId"], "policy RevisionId is the alias's")
expect_error(lambda: lam.get_policy(FunctionName=NODE), "ResourceNotFoundException", "The resource you requested does not exist.", 404)
expect_error(
    lambda: lam.remove_permission(FunctionName=NODE, Qualifier="live", StatementId="apigw", RevisionId="stale"),
    "PreconditionFailedException",
    status=412,
)
lam.remove_permission(FunctionName=NODE, Qualifier="live", StatementId="apigw", RevisionId=pol["RevisionId"])
expect_error(
    lambda: lam.remove_permission(FunctionName=NODE, Qualifier="live", StatementId="apigw"),
    "ResourceNotFoundException",
    "No policy is associated with the given resource.",
    404,
)
# A second version, the alias moved to it; version 1 keeps its own configuration.
lam.update_function_configuration(FunctionName=NODE, Environment={"Variables": {"STAGE": "three"}})
lam.get_waiter("function_updated_v2").wait(FunctionName=NODE, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
equal(lam.publish_version(FunctionName=NODE)["Version"], "2", "second published Version")
moved = lam.update_alias(FunctionName=NODE, Name="live", FunctionVersion="2")
equal(moved["FunctionVersion"], "2", "update_alias")
out, body = invoke_json(NODE, {}, Qualifier="live")
equal((out["ExecutedVersion"], body["stage"]), ("2", "three"), "invoke through the moved alias")
out, body = invoke_json(NODE, {}, Qualifier="1")
equal((out["ExecutedVersion"], body["stage"]), ("1", "two"), "invoke version 1")
lam.create_alias(FunctionName=NODE, Name="old", FunctionVersion="1")
lam.delete_alias(FunctionName=NODE, Name="old")
expect_error(lambda: lam.get_alias(FunctionName=NODE, Name="old"), "ResourceNotFoundException", status=404)
expect_error(
    lambda: lam.create_alias(FunctionName=NODE, Name="live", FunctionVersion="1"),
    "ResourceConflictException",
    "Alias already exists",
    409,
)

# --- list_functions with the paginator ------------------------------------------------------
for i in range(3):
    lam.create_function(
        FunctionName=f"{PREFIX}-page-{i}",
        Runtime="nodejs20.x",
        Role=ROLE,
        Handler="index.handler",
        Code={"ZipFile": zip_bytes({"index.js": "exports.handler = async () => 1;"})},
    )
pages = list(lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}))
names = [f["FunctionName"] for p in pages for f in p["Functions"]]
check(len(pages) >= 3, "list_functions paged with MaxItems=2", len(pages))
equal(sorted(n for n in names if n.startswith(PREFIX)), sorted([NODE, PY] + [f"{PREFIX}-page-{i}" for i in range(3)]), "all functions listed once")
equal(len(names), len(set(names)), "no function listed twice")
limited = lam.get_paginator("list_functions").paginate(PaginationConfig={"MaxItems": 3, "PageSize": 2}).build_full_result()
equal(len(limited["Functions"]), 3, "MaxItems across pages")
check("NextToken" in limited, "build_full_result hands back a NextToken when truncated", limited.keys())

# --- function URL -----------------------------------------------------------------------------
url_conf = lam.create_function_url_config(FunctionName=NODE, AuthType="NONE", Cors={"AllowOrigins": ["*"]})
equal(url_conf["ResponseMetadata"]["HTTPStatusCode"], 201, "CreateFunctionUrlConfig status")
check(url_conf["FunctionUrl"].startswith("http"), "FunctionUrl", url_conf["FunctionUrl"])
equal(lam.get_function_url_config(FunctionName=NODE)["AuthType"], "NONE", "get_function_url_config")
status, _, raw = http_request(url_conf["FunctionUrl"] + "some/path?q=1", "POST", b'{"via":"url"}', {"content-type": "application/json"})
equal(status, 200, "function URL status")
event = json.loads(raw)["echo"]
equal((event["rawPath"], event["rawQueryString"], event["body"]), ("/some/path", "q=1", '{"via":"url"}'), "function URL event")
listed = lam.list_function_url_configs(FunctionName=NODE)["FunctionUrlConfigs"]
equal([c["FunctionUrl"] for c in listed], [url_conf["FunctionUrl"]], "list_function_url_configs")
lam.delete_function_url_config(FunctionName=NODE)
expect_error(lambda: lam.get_function_url_config(FunctionName=NODE), "ResourceNotFoundException", status=404)

# --- concurrency --------------------------------------------------------------------------------
equal(lam.put_function_concurrency(FunctionName=NODE, ReservedConcurrentExecutions=3)["ReservedConcurrentExecutions"], 3, "put_function_concurrency")
equal(lam.get_function_concurrency(FunctionName=NODE)["ReservedConcurrentExecutions"], 3, "get_function_concurrency")
equal(lam.get_function(FunctionName=NODE)["Concurrency"], {"ReservedConcurrentExecutions": 3}, "get_function Concurrency")
lam.put_function_concurrency(FunctionName=NODE, ReservedConcurrentExecutions=0)
expect_error(lambda: lam.invoke(FunctionName=NODE, Payload=b"{}"), "TooManyRequestsException", status=429)
lam.delete_function_concurrency(FunctionName=NODE)
equal(lam.get_function_concurrency(FunctionName=NODE).get("ReservedConcurrentExecutions"), None, "concurrency removed")
equal(lam.invoke(FunctionName=NODE, Payload=b"{}")["StatusCode"], 200, "invoke after delete_function_concurrency")
settings = lam.get_account_settings()
check(settings["AccountLimit"]["ConcurrentExecutions"] > 0, "get_account_settings", settings)

# --- errors as botocore ClientError -------------------------------------------------------------
missing_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}-missing"
e = expect_error(lambda: lam.get_function(FunctionName=f"{PREFIX}-missing"), "ResourceNotFoundException", f"Function not found: {missing_arn}", 404)
check(isinstance(e, lam.exceptions.ResourceNotFoundException), "modeled exception class", type(e))
expect_error(lambda: lam.invoke(FunctionName=f"{PREFIX}-missing", Payload=b"{}"), "ResourceNotFoundException", status=404)
expect_error(lambda: lam.get_function(FunctionName=NODE, Qualifier="99"), "ResourceNotFoundException", status=404)
e = expect_error(
    lambda: lam.create_function(FunctionName=NODE, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler", Code={"ZipFile": zip_bytes({"index.js": NODE_V1})}),
    "ResourceConflictException",
    f"Function already exist: {NODE}",
    409,
)
check(isinstance(e, lam.exceptions.ResourceConflictException), "modeled conflict class", type(e))
e = expect_error(
    lambda: lam.create_function(FunctionName=f"{PREFIX}-badzip", Runtime="nodejs20.x", Role=ROLE, Handler="index.handler", Code={"ZipFile": b"not a zip at all"}),
    "InvalidParameterValueException",
    status=400,
)
check(isinstance(e, lam.exceptions.InvalidParameterValueException), "modeled invalid-parameter class", type(e))
expect_error(lambda: lam.get_function(FunctionName=f"{PREFIX}-badzip"), "ResourceNotFoundException")
expect_error(lambda: lam.invoke(FunctionName=NODE, Payload=b"{not json"), "InvalidRequestContentException", status=400)

# --- delete_function ------------------------------------------------------------------------------
equal(lam.delete_function(FunctionName=NODE)["ResponseMetadata"]["HTTPStatusCode"], 204, "DeleteFunction status")
expect_error(lambda: lam.get_function(FunctionName=NODE), "ResourceNotFoundException", status=404)
expect_error(lambda: lam.delete_function(FunctionName=NODE), "ResourceNotFoundException", status=404)

report(functions=sorted(n for n in names if n.startswith(PREFIX)), request_id=request_id, log_tail=log)
