"""The API's schemas, declared once: each view's body, query and headers are pydantic models
that spectree checks before the view runs and writes into the OpenAPI document
(/api/openapi.json, served by qhall.web.site) with the view's answers.

Here: the SpecTree instance, the hook that turns bad input into qhall's own 400 (in the
words the hand-written checks used, after the staff check of a staff operation), the shared
headers, the error and answer shapes several parts share, and `answers()` for a view's
answers. Each part declares its own bodies and answers beside its views.

What spectree cannot say from a model is said by hand, and only that: an answer that is a
file (DocResponse writes its media type), the security requirement of staff operations
(STAFF_SECURITY, spectree's own format) and the two security schemes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from spectree import Response, SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin
from werkzeug.routing import IntegerConverter

from qhall import __version__
from qhall.errors import BadInput
from qhall.inputs import MAX_NAME, MAX_TEXT
from qhall.models import PRIORITY_CLASSES

STAFF_SECURITY = [{"session": []}, {"bearer": []}]

# What each error status means in the document; every answer's body is an Error.
ERROR_STATUSES = {
    400: "Bad input",
    401: "Not signed in",
    403: "Not allowed: another hall's staff, a role without the right, or a write from another site",
    404: "Not found",
    409: "Not allowed in the current state",
    422: "The Idempotency-Key was sent before with another request: send a new key",
    429: "Too many requests",
    503: "Busy, or the storage is full: try again",
}
# The errors of a public read, of a write anyone may send, and of a staff operation.
READ = (404, 409, 503)
WRITE = (403, 404, 409, 503)
STAFF = (401, 403, 404, 409, 503)

M = TypeVar("M", bound=BaseModel)
NOT_AN_OBJECT = ("请求内容须为 JSON 对象。", "The request body must be a JSON object.")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _tidy(schema: dict[str, Any], *_model: Any) -> None:
    # Property titles repeat the names; a default of null says nothing a header or an
    # optional field does not already say.
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
        if "default" in prop and prop["default"] is None:
            del prop["default"]


def _tidy_answer(schema: dict[str, Any], *_model: Any) -> None:
    # An answer's defaults only make its optional fields optional; they are not sent.
    _tidy(schema)
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class Input(BaseModel):
    """A request's body, query or headers. Types are strict, as the hand-written checks
    were (JSON true is not a window, "3" is not a count); unknown fields are ignored.
    Every string is at most MAX_TEXT characters unless its field says less (Name)."""

    model_config = ConfigDict(strict=True, str_max_length=MAX_TEXT, json_schema_extra=_tidy)

    # Said instead of naming the field when this input is wrong, if set.
    invalid: ClassVar[tuple[str, str] | None] = None
    # Every input model by class name, which is also its name in the document.
    by_name: ClassVar[dict[str, type[Input]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        Input.by_name[cls.__name__] = _named_once(cls)


class Answer(BaseModel):
    """An answer's shape, for the document only: views answer with the core's dicts, and
    nothing checks them at run time (tests/web/test_fuzz.py checks them against it)."""

    model_config = ConfigDict(json_schema_extra=_tidy_answer)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _named_once(cls)


_NAMES: dict[str, type[BaseModel]] = {}


def _named_once(model: Any) -> Any:
    # The document names each model by its class (spec's naming_strategy): a second one of
    # the same name would silently take the first one's place there.
    if _NAMES.setdefault(model.__name__, model) is not model:
        raise TypeError(f"two models named {model.__name__}: the OpenAPI document needs one")
    return model


# A person's or a thing's name: shorter than the MAX_TEXT every input string is held to.
Name = Annotated[str, Field(max_length=MAX_NAME)]

# A header is absent or a string, never null: SkipJsonSchema keeps null out of the document.
OptionalHeader = str | SkipJsonSchema[None]


def _int_from_query(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


# A number the database can keep: a larger one was a 500 from the database, and is now a
# 400; the document says so with the bounds.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


# A query string brings text: this reads "384" as 384 (and leaves "abc" to fail), while the
# document still says integer.
FROM_QUERY = BeforeValidator(_int_from_query)
QueryInt = Annotated[int, FROM_QUERY]


def _not_a_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("true and false are not numbers")
    return value


# An integer Literal takes JSON true for 1 (True == 1); a rating of true is the wrong type.
NOT_A_BOOL = BeforeValidator(_not_a_bool)


class Query(Input):
    """A query string's parameters. A form sends the fields left empty as "": that is no
    value, not a bad one."""

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data


class KeyedHeaders(Input):
    """The headers of a write: an optional key that makes sending it again harmless."""

    invalid = (
        "Idempotency-Key 长度应为 8 到 100 个字符。",
        "Idempotency-Key must be 8 to 100 characters.",
    )
    idempotency_key: Annotated[
        OptionalHeader,
        Field(
            alias="Idempotency-Key",
            min_length=8,
            max_length=100,
            description="Sent again with the same key, the request changes nothing and "
            "returns the first answer.",
        ),
    ] = None


class KioskHeaders(KeyedHeaders):
    """The headers of a ticket request: its key, and a registered kiosk's secret."""

    device_token: Annotated[
        OptionalHeader,
        Field(alias="X-Device-Token", description="A registered kiosk's secret (KIOSKS in the settings)."),
    ] = None  # fmt: skip


class Error(Answer):
    """Every error: a code, and a polite message in Chinese and in English."""

    error: str
    message: str
    message_en: str


def bad_input(error: ValidationError) -> BadInput:
    """Return the 400 for invalid input, in the words of the checks written by hand before."""
    model = Input.by_name.get(error.title)
    if model is not None and model.invalid:
        return BadInput(*model.invalid)
    first = error.errors(include_url=False)[0]
    if not first["loc"]:  # the body itself: a list, a string, a number
        return BadInput(*NOT_AN_OBJECT)
    name = str(first["loc"][0])  # a list's item or an object's field: the field it is in
    top_level = len(first["loc"]) == 1
    if top_level and (first["type"] == "missing" or first.get("input") is None):
        return BadInput(f"缺少字段 {name}。", f"The field '{name}' is required.", field=name)
    ctx = first.get("ctx", {})
    if first["type"] == "string_too_long":
        limit = ctx.get("max_length")
        return BadInput(
            f"字段 {name} 过长（最多 {limit} 个字符）。",
            f"The field '{name}' is too long (at most {limit} characters).",
            field=name,
        )
    if first["type"] in OUT_OF_RANGE:
        return BadInput(
            f"字段 {name} 的数值超出范围。", f"The field '{name}' is out of range.", field=name
        )
    expected = ctx.get("expected")
    if top_level and first["type"] in ("literal_error", "enum"):
        return BadInput(
            f"字段 {name} 的取值无效。",
            f"The field '{name}' must be one of {expected}.",
            field=name,
        )
    return BadInput(
        f"字段 {name} 的类型不正确。", f"The field '{name}' has the wrong type.", field=name
    )


OUT_OF_RANGE = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")


def validated(model: type[M], data: Any) -> M:
    """Return data as model, or raise the 400 that names what is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise bad_input(error) from error


def check_input(req, resp, error, instance, model_adapter=None, *, access=None) -> None:
    """spectree's `before` hook: it runs after the checks, before the view. Bad input
    becomes qhall's 400; for staff operations the access rule comes first, so that a
    stranger learns 401 or 403, not what the body lacks."""
    not_an_object = (
        req.method not in ("GET", "DELETE")
        and req.get_data(cache=True)
        # spectree reads broken JSON, null, 0 and [] as {}, and a form not at all; before,
        # any of them was a 400 where a body was expected.
        and (req.mimetype in FORM_TYPES or not isinstance(req.get_json(silent=True), dict))
        and _takes_json(req)
    )
    if error is None and not not_an_object:
        return
    if access is not None:
        access(**req.view_args)
    if not_an_object:
        raise BadInput(*NOT_AN_OBJECT)
    raise bad_input(error)


def _takes_json(req) -> bool:
    context = getattr(req, "context", None)
    if context is not None and context.json is not None:
        return True
    metadata = spec.get_function_metadata(current_app.view_functions[req.url_rule.endpoint])
    return metadata is not None and metadata.json is not None


def staff_only(access: Callable[..., object]) -> dict[str, Any]:
    """Return spec.validate()'s arguments for a staff operation: its security in the
    document, and its access rule (called with the path's values) before any 400."""
    return {"security": STAFF_SECURITY, "before": partial(check_input, access=access)}


class AnswersAsMade(FlaskPlugin):
    """spectree's Flask plugin, except that an answer goes out as the view made it. The
    answer models are for the document only, so there is nothing to check; spectree would
    read the whole body to rebuild the answer (about 40 µs a request, and no send_file)."""

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        return self.get_current_app().make_response(resp), None


class KeyedSpecTree(SpecTree):
    """spectree, except that every operation that takes an Idempotency-Key documents 422
    too (qhall.errors.KeyReused), in one place rather than in each view's answers()."""

    def _generate_spec(self) -> dict[str, Any]:
        document = super()._generate_spec()
        reused = {
            "description": ERROR_STATUSES[422],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for operations in document["paths"].values():
            for operation in operations.values():
                headers = {p.get("name") for p in operation.get("parameters", [])}
                if "Idempotency-Key" in headers:
                    operation["responses"].setdefault("422", reused)
        return document


spec = KeyedSpecTree(
    "flask",
    backend=AnswersAsMade,
    mode="strict",  # only the views declared here are in the document: pages stay out
    title="qhall",
    version=__version__,
    description="Queue and self-service API of a civil-affairs service hall. "
    "Errors are JSON with a Chinese `message` and an English `message_en`.",
    openapi_version="3.1.0",
    page_templates={},  # no Swagger UI pages: qhall.web.site serves the document itself
    security_schemes=[  # spectree spells OpenAPI's "in" as field_in
        {"name": "session", "data": {"type": "apiKey", "field_in": "cookie", "name": "session"}},
        {"name": "bearer", "data": {"type": "http", "scheme": "bearer"}},
    ],
    naming_strategy=lambda model: model.__name__,  # "Error", not "Error.7068f62"
    nested_naming_strategy=lambda _parent, child: child,
    validation_error_status=400,
    validation_error_model=Error,
    before=check_input,
)


def refuse_endless_bodies() -> None:
    """Before a request: a body without a Content-Length (chunked) that reaches the size
    limit is a 413, as one with a Content-Length over it is."""
    limit = request.max_content_length
    if limit is None or request.content_length is not None:
        return
    if "wsgi.input_terminated" not in request.environ:
        return  # Werkzeug reads no body at all then
    # Werkzeug stops reading at the limit and hands over what it read; reading past the
    # limit is what raises RequestEntityTooLarge.
    if len(request.get_data(cache=True)) >= limit:
        request.stream.read(1)


# Deeper than this, a JSON body is refused: no form of qhall's nests more than a few levels,
# and a deep one would take Python's recursion limit (a 500) wherever it is walked.
MAX_JSON_DEPTH = 32
TOO_DEEP = ("请求内容层级过深。", "The request body is nested too deeply.")


class HallJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested deeper than MAX_JSON_DEPTH is qhall's 400."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            data = super().loads(s, **kwargs)
        except RecursionError as error:  # json's own limit, about 1,000 levels
            raise BadInput(*TOO_DEEP) from error
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise BadInput(*TOO_DEEP)
        return data


def _depth_exceeds(data: Any, limit: int) -> bool:
    # A loop, not recursion: walking a deep value must not itself hit the recursion limit.
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value if isinstance(item, (dict, list)))
    return False


class Int32Converter(IntegerConverter):
    """Flask's <int:...> up to the int32 the document promises (spectree writes format
    int32 for it): a larger number is a 404, not a 500 from the database."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


class DocResponse(Response):
    """A view's answers for the document, able to say that a status answers with a file
    rather than JSON."""

    def __init__(self, *codes: str, files: dict[str, str] | None = None, **code_models: Any):
        super().__init__(*codes, **code_models)
        self.files = files or {}  # {"HTTP_200": "image/png"}

    def generate_spec(self, naming_strategy) -> dict[str, Any]:
        document = super().generate_spec(naming_strategy)
        for code, media in self.files.items():
            # spectree writes JSON bodies only: a file's content is said by hand.
            document[code.removeprefix("HTTP_")] = {
                "description": self.get_code_description(code),
                "content": {media: {"schema": {"type": "string", "format": "binary"}}},
            }
        return document


def answers(
    model: type[BaseModel] | None,
    *errors: int,
    status: int = 200,
    description: str = "OK",
    replayed: bool = False,
    file: str | None = None,
) -> DocResponse:
    """Return a view's answers: `model` at `status` (a file of media type `file` instead,
    if given), the same at 200 if a repeated Idempotency-Key replays it, and each error."""
    ok = f"HTTP_{status}"
    codes: dict[str, Any] = {ok: (model, description)}
    if replayed:
        codes["HTTP_200"] = (model, "Replayed: the answer to the first request with this key")
    for code in (400, *errors):
        codes[f"HTTP_{code}"] = (Error, ERROR_STATUSES[code])
    return DocResponse(files={ok: file} if file else None, **codes)


# --- answers several parts share ---------------------------------------------------------


class Record(RootModel[dict[str, Any]]):
    """An object: its fields are the view's own (see the view's description)."""


class Unit(Answer):
    code: str
    name: str
    name_en: str
    timezone: str


class Units(RootModel[list[Unit]]):
    pass


class WaitEstimate(Answer):
    """The wait as people are told it (qhall.estimates): a range in minutes (0 to 0: very
    soon), or no_window: no open window serves the service, so no figure at all."""

    state: Literal["ok", "no_window", "unknown"]
    low_min: int | None = None
    high_min: int | None = None


class Service(Answer):
    code: str
    name: str
    name_en: str = ""
    open: bool
    hours: str = ""
    weekdays: str = ""
    time_limit_days: int = 0
    guide: str = ""
    guide_en: str = ""
    waiting: int
    open_windows: int = 0
    estimated_wait_s: int | None = Field(description="null when no open window serves it")
    estimate: WaitEstimate | None = None


class Services(RootModel[list[Service]]):
    pass


TicketStatus = Literal["waiting", "called", "serving", "finished", "no_show", "cancelled", "closed"]


class Ticket(Answer):
    number: str
    service: str
    service_name: str = ""
    service_name_en: str = ""
    priority: Literal[PRIORITY_CLASSES] | None = None  # type: ignore[valid-type]
    status: TicketStatus
    window: int | None = None
    counter_name: str | None = None
    issued_at: str = ""
    called_at: str | None = None
    recalls: int = 0
    transfers: int = 0


class TicketResult(Answer):
    ticket: Ticket


class Counter(Answer):
    window: int
    name: str
    name_en: str = ""
    state: Literal["open", "paused", "closed"]
    since: str | None = None
    pause_reason: str | None = None
    pause_notice: str | None = None
    pause_notice_en: str | None = None
    serving: str | None
    serving_status: str | None = None
    staff: dict[str, Any] | None = None
    services: list[str] = []


class Staff(Answer):
    login: str
    name: str
    employee_no: str = ""
    role: str
    unit: str | None = None
