"""Request and response bodies as pydantic models: requests are validated with them (unknown
fields refused) and the OpenAPI document takes its schemas from them, so both stay true.

Handlers build responses as plain dicts for speed; the OpenAPI test (schemathesis) proves
those dicts match the models below.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

RoleName = Literal["admin", "designer", "user"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """A response whose objects may grow fields later."""

    model_config = ConfigDict(extra="allow")


# -- errors and health ----------------------------------------------------------------------
class ErrorDetail(Open):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorResponse(Strict):
    error: ErrorDetail


class Health(Strict):
    status: Literal["ok"]
    version: str
    uptime_seconds: float
    bots: int


# -- auth, users, keys ----------------------------------------------------------------------
class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=1, max_length=4096)


class Account(Strict):
    username: str
    role: RoleName
    created_at: str


class TokenResponse(Strict):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    user: Account


class Me(Strict):
    user_id: str
    role: RoleName
    via: Literal["token", "api_key", "anonymous"]


class UserCreate(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=1024)
    role: RoleName = "user"


class UserUpdate(Strict):
    role: RoleName


class UserList(Strict):
    users: list[Account]


class ApiKeyCreate(Strict):
    name: str = Field(min_length=1, max_length=64)
    role: RoleName | None = None


class ApiKey(Strict):
    id: str
    username: str
    name: str
    role: RoleName
    created_at: str


class ApiKeyCreated(Strict):
    key: ApiKey
    api_key: str = Field(description="The secret: shown once, send it as X-API-Key")


class ApiKeyList(Strict):
    keys: list[ApiKey]


# -- bots -------------------------------------------------------------------------------------
class BotInfo(Strict):
    name: str
    title: str
    description: str
    scripts: int
    tools: list[str]
    errors: int
    warnings: int


class BotList(Strict):
    bots: list[BotInfo]


class BotDetail(BotInfo):
    dialogs: list[str]
    webhooks: list[str]
    webchat_anonymous: bool


class WebchatConfig(Strict):
    bot: str
    title: str
    description: str
    color1: str
    color2: str
    logo: str | None
    stylesheets: list[str]
    anonymous: bool


# -- chat -------------------------------------------------------------------------------------
class Suggestion(Strict):
    text: str
    kind: Literal["text", "context", "tool"]
    value: str | None = None
    tool: str | None = None


class Switcher(Strict):
    id: str
    label: str


class Citation(Strict):
    n: int
    source: str
    page: int | None = None
    snippet: str = ""


class BotResponse(Open):
    """One chunk (``is_complete`` false) or one whole message of the bot (§8)."""

    session_id: str
    content: str
    message_type: int
    is_complete: bool
    suggestions: list[Suggestion]
    switchers: list[Switcher]
    citations: list[Citation]
    context_name: str | None = None
    model: str | None = Field(default=None, description="The model that wrote an LLM answer")


class ToolCall(Strict):
    tool: str
    arguments: dict[str, Any]
    result: str | None = None
    finished: bool


class TurnResult(Strict):
    session_id: str
    text: str = Field(description="The bot's messages of this turn, joined by blank lines")
    messages: list[str]
    suggestions: list[Suggestion]
    citations: list[Citation]
    tools: list[ToolCall]
    waiting: bool = Field(description="The dialog waits for an answer (HEAR)")
    error: str | None = None
    model: str | None = Field(default=None,
                              description="The model that wrote this turn's LLM answer")


class SessionCreated(TurnResult):
    bot: str
    user_id: str


class SessionCreate(Strict):
    pass


class MessageIn(Strict):
    content: str = Field(default="", max_length=32_000)
    message_type: int = Field(default=1, ge=0, le=9)
    context_name: str | None = Field(default=None, max_length=200)
    active_switchers: list[str] = Field(default_factory=list, max_length=50)
    media_url: str | None = Field(default=None, max_length=2000)


class Session(Strict):
    id: str
    bot: str
    user_id: str | None
    channel: str
    updated_at: str
    title: str


class SessionList(Strict):
    sessions: list[Session]


class HistoryMessage(Strict):
    role: str
    content: str
    message_type: int
    created_at: str


class History(Strict):
    session_id: str
    messages: list[HistoryMessage]


class CancelResult(Strict):
    cancelled: bool


# -- tools ------------------------------------------------------------------------------------
class ToolList(Strict):
    tools: list[dict[str, Any]] = Field(description="OpenAI function-tool descriptors")


class ToolRun(Strict):
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResult(Strict):
    tool: str
    result: Any = None
    output: list[str]
    error: str | None = None


# -- tables -----------------------------------------------------------------------------------
class TableInfo(Strict):
    name: str
    columns: list[str]
    key: str


class TableList(Strict):
    tables: list[TableInfo]


class Rows(Strict):
    table: str
    rows: list[dict[str, Any]]
    count: int


class Row(Strict):
    row: dict[str, Any]


class Record(RootModel[dict[str, Any]]):
    """A row's values by column name."""


class RowCreated(Strict):
    id: Any


class RowsChanged(Strict):
    changed: int


# -- drive and knowledge ----------------------------------------------------------------------
class DriveListing(Strict):
    folder: str
    entries: list[str] = Field(description="Names; folders end with '/'")


class DriveWritten(Strict):
    path: str
    size: int


class Collections(Strict):
    collections: list[str]


class KbHits(Strict):
    query: str
    hits: list[dict[str, Any]]


class KbUploaded(Strict):
    collection: str
    stored: str
    report: dict[str, Any] | None


# -- OpenAI-compatible ------------------------------------------------------------------------
class OpenAiModel(Strict):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class OpenAiModelList(Strict):
    object: Literal["list"]
    data: list[OpenAiModel]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; fields Hearth does not use (temperature...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1)
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


class AssistantMessage(Strict):
    role: Literal["assistant"]
    content: str


class Choice(Strict):
    index: int
    message: AssistantMessage
    finish_reason: str


class Usage(Strict):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(Strict):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
