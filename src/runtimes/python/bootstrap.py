"""Nimbus's Python runtime client: runs inside a sandbox and speaks the Lambda Runtime API.

Standard library only. It loads the handler named by ``_HANDLER`` (``[dir/]module.function``),
then loops: GET the next invocation, call ``handler(event, context)``, POST the JSON result or
the error in AWS's shape ``{"errorMessage", "errorType", "requestId", "stackTrace"}``. Logging
through the ``logging`` module uses AWS's line format (``[LEVEL]\\tTIME\\tREQUEST_ID\\tMESSAGE``,
or JSON when ``AWS_LAMBDA_LOG_FORMAT=JSON``); multi-line records keep their lines together with
``\\r`` as AWS's runtime does. Behaviour follows AWS's ``awslambdaric`` (bootstrap.py,
lambda_context.py, lambda_runtime_marshaller.py).
"""

import decimal
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API_PREFIX = "/2018-06-01/runtime"
HEADER_REQUEST_ID = "Lambda-Runtime-Aws-Request-Id"
HEADER_DEADLINE = "Lambda-Runtime-Deadline-Ms"
HEADER_ARN = "Lambda-Runtime-Invoked-Function-Arn"
HEADER_TRACE = "Lambda-Runtime-Trace-Id"
HEADER_CLIENT_CONTEXT = "Lambda-Runtime-Client-Context"
HEADER_COGNITO = "Lambda-Runtime-Cognito-Identity"
HEADER_TENANT = "Lambda-Runtime-Aws-Tenant-Id"
HEADER_ERROR_TYPE = "Lambda-Runtime-Function-Error-Type"

_current_request_id = ""


class FaultError(Exception):
    """A runtime error with a ``Runtime.*`` type (bad handler, import failure)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class RuntimeClient:
    """The HTTP side of the Runtime API, on one kept-alive connection."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._host, self._port = host, int(port)
        self._conn = None

    def _request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port)
            try:
                self._conn.request(method, API_PREFIX + path, body=body, headers=headers or {})
                res = self._conn.getresponse()
                return res, res.read()
            except (http.client.HTTPException, ConnectionError):
                self._conn.close()
                self._conn = None
                if attempt == 1:
                    raise

    def next(self):
        res, body = self._request("GET", "/invocation/next")
        if res.status != 200:
            raise RuntimeError("unexpected status %d from /invocation/next" % res.status)
        return res, body

    def respond(self, request_id, body):
        self._request(
            "POST",
            "/invocation/%s/response" % request_id,
            body,
            {"Content-Type": "application/json"},
        )

    def fail(self, request_id, error):
        self._post_error("/invocation/%s/error" % request_id, error)

    def init_error(self, error):
        self._post_error("/init/error", error)

    def _post_error(self, path, error):
        body = json.dumps(error).encode("utf-8")
        headers = {"Content-Type": "application/json", HEADER_ERROR_TYPE: error["errorType"]}
        self._request("POST", path, body, headers)


# ---- the context object --------------------------------------------------------------------


class CognitoIdentity:
    def __init__(self, identity):
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")


class Client:
    def __init__(self, client):
        self.installation_id = client.get("installation_id")
        self.app_title = client.get("app_title")
        self.app_version_name = client.get("app_version_name")
        self.app_version_code = client.get("app_version_code")
        self.app_package_name = client.get("app_package_name")


class ClientContext:
    def __init__(self, context):
        self.client = Client(context["client"]) if context.get("client") else None
        self.custom = context.get("custom")
        self.env = context.get("env")


class LambdaContext:
    """What ``context`` offers a handler, as on AWS."""

    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, identity, tenant_id):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.identity = CognitoIdentity(identity) if identity else None
        self.client_context = ClientContext(client_context) if client_context else None
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
            "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,"
            "identity=%s,tenant_id=%s])"
            % (
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
                self.client_context,
                self.identity,
                self.tenant_id,
            )
        )


# ---- logging -------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id
        return True


class TextFormatter(logging.Formatter):
    converter = time.gmtime

    def __init__(self):
        super().__init__(
            fmt="[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
            datefmt="%Y-%m-%dT%H:%M:%S",
        )


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + ".%03dZ" % record.msecs,
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": None,
            "errorType": None,
            "errorMessage": None,
            "requestId": getattr(record, "aws_request_id", ""),
        }
        if record.exc_info:
            etype, value, tb = record.exc_info
            entry["errorType"] = etype.__name__
            entry["errorMessage"] = str(value)
            entry["stackTrace"] = traceback.format_tb(tb)
        for key in ("stackTrace", "errorType", "errorMessage"):
            if entry[key] is None:
                del entry[key]
        return json.dumps(entry, default=str)


class LambdaLogHandler(logging.Handler):
    """One record is one log line: inner newlines become ``\\r``."""

    def emit(self, record):
        try:
            text = self.format(record).replace("\n", "\r")
            sys.stdout.write(text + "\n")
        except Exception:
            self.handleError(record)


def setup_logging():
    handler = LambdaLogHandler()
    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON"
    handler.setFormatter(JsonFormatter() if json_format else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if json_format and level:
        root.setLevel(getattr(logging, level.upper(), logging.INFO) if level.upper() != "TRACE" else 5)


def log_error(error):
    """``[ERROR] Type: message`` and the traceback, as one log line (AWS's ``log_error``)."""
    lines = ["[ERROR] %s: %s" % (error["errorType"], error["errorMessage"])]
    if error.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            lines.extend(element.splitlines())
    sys.stdout.write("\r".join(lines) + "\n")


# ---- errors and results --------------------------------------------------------------------


def error_result(error_type, message, request_id, frames):
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": frames,
    }


def user_error(exc, request_id):
    """An exception the handler raised: its class name, message and the frames below the runtime."""
    tb = traceback.extract_tb(exc.__traceback__)
    frames = traceback.format_list([f for f in tb if f.filename != __file__])
    return error_result(type(exc).__name__, str(exc), request_id, frames)


def fault_error(fault, request_id=""):
    return error_result(fault.error_type, fault.message, request_id, fault.trace or [])


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def to_json(result):
    try:
        return json.dumps(result, default=_json_default, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise FaultError("Runtime.MarshalError", "Unable to marshal response: %s" % e)


# ---- the handler ---------------------------------------------------------------------------


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    module_name = module_name.replace("/", ".")
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise ImportError("Cannot use built-in module %s as a handler module" % module_name)
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise FaultError(
            "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e)
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, (e.text or "").strip())]
        raise FaultError(
            "Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e), trace
        )
    fn = getattr(module, function_name, None)
    if fn is None:
        raise FaultError(
            "Runtime.HandlerNotFound",
            "Handler '%s' missing on module '%s'" % (function_name, module_name),
        )
    return fn


def handle_one(client, fn):
    global _current_request_id
    res, body = client.next()
    request_id = res.getheader(HEADER_REQUEST_ID, "")
    _current_request_id = request_id
    trace = res.getheader(HEADER_TRACE)
    if trace:
        os.environ["_X_AMZN_TRACE_ID"] = trace
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        client_context = json.loads(res.getheader(HEADER_CLIENT_CONTEXT) or "null")
        identity = json.loads(res.getheader(HEADER_COGNITO) or "null")
        context = LambdaContext(
            request_id,
            int(res.getheader(HEADER_DEADLINE, "0")),
            res.getheader(HEADER_ARN),
            client_context,
            identity,
            res.getheader(HEADER_TENANT),
        )
        try:
            event = json.loads(body) if body else {}
        except ValueError as e:
            raise FaultError("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        result = fn(event, context)
        client.respond(request_id, to_json(result))
    except FaultError as fault:
        error = fault_error(fault, request_id)
        log_error(error)
        client.fail(request_id, error)
    except Exception as exc:  # the handler's own failure
        error = user_error(exc, request_id)
        log_error(error)
        client.fail(request_id, error)


def main():
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [task_root] + [p for p in sys.path if p not in (task_root, here)] + [here]
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    setup_logging()
    try:
        fn = load_handler(os.environ.get("_HANDLER", ""))
    except FaultError as fault:
        error = fault_error(fault)
        log_error(error)
        client.init_error(error)
        sys.exit(1)
    except Exception as exc:  # the module raised while it was imported
        error = user_error(exc, "")
        log_error(error)
        client.init_error(error)
        sys.exit(1)
    while True:
        handle_one(client, fn)


if __name__ == "__main__":
    main()
