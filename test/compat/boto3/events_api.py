"""boto3 against Nimbus's EventBridge Scheduler, API Gateway v2 (HTTP APIs) and CloudWatch Logs
APIs, around one function."""

import datetime
import json
import os

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

PREFIX = os.environ.get("NIMBUS_PREFIX", "b3")
FN = f"{PREFIX}-api"
lam = client("lambda")
fn_arn = lam.create_function(
    FunctionName=FN,
    Runtime="nodejs20.x",
    Role=ROLE,
    Handler="index.handler",
    Code={"ZipFile": zip_bytes({"index.js": """
exports.handler = async (event) => {
  console.log('EVENT ' + JSON.stringify({ source: event.source || null, route: event.routeKey || null, marker: event.marker || null }));
  if (event.requestContext && event.requestContext.http) {
    return { statusCode: 201, headers: { 'x-from': 'lambda' }, body: JSON.stringify({ method: event.requestContext.http.method, path: event.rawPath, q: event.queryStringParameters || null, body: event.body }) };
  }
  return { ok: true };
};
"""})},
)["FunctionArn"]
lam.get_waiter("function_active_v2").wait(FunctionName=FN, WaiterConfig={"Delay": 1, "MaxAttempts": 30})

# --- EventBridge Scheduler --------------------------------------------------------------------------
sched = client("scheduler")
target = {"Arn": fn_arn, "RoleArn": ROLE, "Input": json.dumps({"marker": "from-schedule"})}
created = sched.create_schedule(
    Name=f"{PREFIX}-every-minute",
    ScheduleExpression="rate(1 minute)",
    FlexibleTimeWindow={"Mode": "OFF"},
    Target=target,
    Description="boto3",
    State="DISABLED",
)
check(created["ScheduleArn"].endswith(f":schedule/default/{PREFIX}-every-minute"), "ScheduleArn", created)
got = sched.get_schedule(Name=f"{PREFIX}-every-minute")
equal((got["ScheduleExpression"], got["State"], got["Target"]["Arn"], got["GroupName"]), ("rate(1 minute)", "DISABLED", fn_arn, "default"), "get_schedule")
check(isinstance(got["CreationDate"], datetime.datetime), "CreationDate parsed as a datetime", got["CreationDate"])
# A one-time schedule a few seconds from now (margin for a loaded machine): it fires, and the function logs the input.
at = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
sched.create_schedule(
    Name=f"{PREFIX}-once",
    ScheduleExpression=f"at({at})",
    FlexibleTimeWindow={"Mode": "OFF"},
    Target={"Arn": fn_arn, "RoleArn": ROLE, "Input": json.dumps({"marker": "once"})},
)
sched.update_schedule(
    Name=f"{PREFIX}-every-minute",
    ScheduleExpression="cron(0 12 * * ? *)",
    ScheduleExpressionTimezone="Europe/Paris",
    FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 5},
    Target=target,
    State="ENABLED",
)
got = sched.get_schedule(Name=f"{PREFIX}-every-minute")
equal((got["ScheduleExpression"], got["ScheduleExpressionTimezone"], got["State"]), ("cron(0 12 * * ? *)", "Europe/Paris", "ENABLED"), "after update_schedule")
names = [s["Name"] for p in sched.get_paginator("list_schedules").paginate(NamePrefix=PREFIX, PaginationConfig={"PageSize": 1}) for s in p["Schedules"]]
equal(sorted(names), [f"{PREFIX}-every-minute", f"{PREFIX}-once"], "list_schedules paginator")
expect_error(lambda: sched.get_schedule(Name=f"{PREFIX}-missing"), "ResourceNotFoundException", status=404)
expect_error(
    lambda: sched.create_schedule(Name=f"{PREFIX}-once", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target),
    "ConflictException",
    status=409,
)
expect_error(
    lambda: sched.create_schedule(Name=f"{PREFIX}-bad", ScheduleExpression="rate(0 minutes)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target),
    "ValidationException",
    status=400,
)
sched.delete_schedule(Name=f"{PREFIX}-every-minute")
expect_error(lambda: sched.get_schedule(Name=f"{PREFIX}-every-minute"), "ResourceNotFoundException", status=404)

# --- API Gateway v2: quick create, then call the endpoint ------------------------------------------
apigw = client("apigatewayv2")
api = apigw.create_api(Name=f"{PREFIX}-http", ProtocolType="HTTP", Target=fn_arn)
check(api["ApiEndpoint"].startswith("http"), "ApiEndpoint", api)
equal(api["ProtocolType"], "HTTP", "ProtocolType")
routes = apigw.get_routes(ApiId=api["ApiId"])["Items"]
equal([r["RouteKey"] for r in routes], ["$default"], "quick create's $default route")
stages = apigw.get_stages(ApiId=api["ApiId"])["Items"]
equal([(s["StageName"], s["AutoDeploy"]) for s in stages], [("$default", True)], "quick create's $default stage")
status, headers, raw = http_request(api["ApiEndpoint"] + "/orders/7?expand=1", "PUT", b"payload")
equal(status, 201, "HTTP API status")
equal({k.lower(): v for k, v in headers.items()}.get("x-from"), "lambda", "header from the function")
equal(json.loads(raw), {"method": "PUT", "path": "/orders/7", "q": {"expand": "1"}, "body": "payload"}, "HTTP API event")
route = apigw.create_route(ApiId=api["ApiId"], RouteKey="GET /pets/{id}", Target=routes[0]["Target"])
equal(route["RouteKey"], "GET /pets/{id}", "create_route")
status, _, raw = http_request(api["ApiEndpoint"] + "/pets/3")
equal((status, json.loads(raw)["path"]), (201, "/pets/3"), "the new route answers")
expect_error(lambda: apigw.get_api(ApiId="nope123"), "NotFoundException", status=404)

# The same built step by step, as infrastructure code does: API, integration, route, named stage.
built = apigw.create_api(Name=f"{PREFIX}-built", ProtocolType="HTTP")
equal(apigw.get_stages(ApiId=built["ApiId"])["Items"], [], "no stage before create_stage")
integ = apigw.create_integration(
    ApiId=built["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=fn_arn, PayloadFormatVersion="2.0"
)
equal((integ["IntegrationType"], integ["PayloadFormatVersion"]), ("AWS_PROXY", "2.0"), "create_integration")
equal([i["IntegrationId"] for i in apigw.get_integrations(ApiId=built["ApiId"])["Items"]], [integ["IntegrationId"]], "get_integrations")
items = apigw.create_route(ApiId=built["ApiId"], RouteKey="POST /items", Target=f"integrations/{integ['IntegrationId']}")
equal(items["Target"], f"integrations/{integ['IntegrationId']}", "route Target")
stage = apigw.create_stage(ApiId=built["ApiId"], StageName="prod", AutoDeploy=True)
equal((stage["StageName"], stage["AutoDeploy"]), ("prod", True), "create_stage")
equal(apigw.get_stage(ApiId=built["ApiId"], StageName="prod")["StageName"], "prod", "get_stage")
status, _, raw = http_request(built["ApiEndpoint"] + "/prod/items?n=2", "POST", b"item")
equal(status, 201, "built API status")
equal(json.loads(raw), {"method": "POST", "path": "/prod/items", "q": {"n": "2"}, "body": "item"}, "built API event (rawPath keeps the stage)")
status, _, raw = http_request(built["ApiEndpoint"] + "/prod/nothing-here", "GET")
equal((status, json.loads(raw)), (404, {"message": "Not Found"}), "unrouted path on the built API")
expect_error(
    lambda: apigw.create_stage(ApiId=built["ApiId"], StageName="prod"), "ConflictException", status=409
)
expect_error(
    lambda: apigw.create_route(ApiId=built["ApiId"], RouteKey="POST /x", Target="integrations/nope"),
    "BadRequestException",
    "does not exist",
    400,
)
apigw.delete_api(ApiId=built["ApiId"])
expect_error(lambda: apigw.get_api(ApiId=built["ApiId"]), "NotFoundException", status=404)

apis = [a["ApiId"] for p in apigw.get_paginator("get_apis").paginate() for a in p["Items"]]
check(api["ApiId"] in apis, "get_apis paginator", apis)

# --- CloudWatch Logs: the function's log group ------------------------------------------------------
logs = client("logs")
group = f"/aws/lambda/{FN}"


def events(pattern):
    try:
        found = []
        for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group, filterPattern=pattern):
            found += page["events"]
        return found
    except logs.exceptions.ResourceNotFoundException:
        return []


fired = eventually(lambda: events('"once"'), "the one-time schedule to invoke the function", timeout=60)
equal(len(fired), 1, "the one-time schedule fired once")
check('"marker":"once"' in fired[0]["message"], "the function got the schedule's Input", fired[0])
api_events = eventually(lambda: events('"GET /pets/{id}"'), "the HTTP API invocation's log line", timeout=30)
equal(len(api_events), 1, "one GET /pets/{id} event")
starts = events("START")
check(len(starts) >= 3, "START lines for each invocation", len(starts))
groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
equal([g["logGroupName"] for g in groups], [group], "describe_log_groups")
streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)["logStreams"]
check(len(streams) >= 1, "describe_log_streams", streams)
page = logs.get_log_events(logGroupName=group, logStreamName=streams[0]["logStreamName"], startFromHead=True)
check(any(e["message"].startswith("START RequestId:") for e in page["events"]), "get_log_events", page["events"][:3])
expect_error(lambda: logs.filter_log_events(logGroupName="/aws/lambda/none-such"), "ResourceNotFoundException", status=400)

report(api_endpoint=api["ApiEndpoint"], schedule_events=len(fired), log_streams=len(streams))
