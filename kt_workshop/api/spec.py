"""The OpenAPI 3 document for /api/v1, built from the routes themselves and their docstrings."""

import re

from flask import current_app

from kt_workshop import __version__
from kt_workshop.store import FIELDS

TYPES = {
    "date": "string",
    "time": "string",  # HH:MM
    "address": "string",  # http(s)://host[:port]
    "text": "string",
    "choice": "string",
    "int": "integer",
    "ref": "integer",
    "bool": "boolean",
}


def field_schema(kind: str) -> dict:
    """A JSON schema for the fields a user may set on one kind of row."""
    properties = {}
    for name, field in FIELDS[kind].items():
        prop = {"type": TYPES[field.kind]}
        if field.kind == "ref":
            prop["nullable"] = True
        if field.kind == "choice":
            prop["enum"] = list(field.choices)
        if field.kind in ("text", "choice"):
            prop["maxLength"] = field.max_length
        properties[name] = prop
    required = [name for name, field in FIELDS[kind].items() if field.required]
    schema = {"type": "object", "properties": properties}
    if kind == "participant":
        schema["properties"]["extra"] = {
            "type": "object",
            "additionalProperties": {"type": "string"},
        }
    if required:
        schema["required"] = required
    return schema


# The collections of /workshops/{id}/{collection} and the kind of row each holds.
COLLECTIONS = {
    "blocks": "block",
    "questions": "question",
    "tables": "tables",
    "moderators": "moderator",
    "participants": "participant",
}
CREATED = {
    "api.workshop_create",
    "api.item_create",
    "api.grant_create",
    "api.archive_import",
    "api.pack_apply",
    "api.theme_create",
}
NO_CONTENT = {"api.workshop_delete", "api.item_delete", "api.grant_revoke"}
EXPORT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "qdpx": "application/zip",
    "json": "application/json",
    "pdf": "application/pdf",
}
QUERY = {
    "api.participants_import": [
        ("confirm", {"type": "string", "enum": ["true"]}, "import (not only preview) when valid")
    ],
    "api.participants_export": [
        ("format", {"type": "string", "enum": ["csv", "xlsx"], "default": "csv"}, "file type")
    ],
    "api.codings": [
        ("analyst", {"type": "string", "default": "me"}, "whose codings: me, all or an id")
    ],
    "api.agreement": [
        ("a", {"type": "integer"}, "the first analyst's id"),
        ("b", {"type": "integer"}, "the second analyst's id"),
    ],
    "api.export": [
        ("names", {"type": "string", "enum": ["1"]}, "name delegates (the organiser only)")
    ],
}
ERRORS = {
    "400": "Bad request: not JSON, or the CSRF token is missing on a session write",
    "401": "Not signed in",
    "403": "Not allowed for this role or workshop",
    "404": "Not found",
    "409": "Not now (blind coding is on)",
    "413": "The body is larger than 25 MB",
    "422": "Invalid input, with a message per field under `errors`",
    "503": "The file could not be made (for example, no LibreOffice for a PDF)",
}


def row_schema(kind: str) -> dict:
    """A stored row as the API returns it: the settable fields, its id and workshop."""
    schema = field_schema(kind)
    properties = {"id": {"type": "integer"}, **schema["properties"]}
    if kind != "workshop":
        properties["workshop_id"] = {"type": "integer"}
    return {"type": "object", "properties": properties, "additionalProperties": True}


def components() -> dict:
    """Schemas every operation refers to: each kind's input and row, and the error body."""
    schemas = {
        "Error": {
            "type": "object",
            "properties": {
                "error": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "required": ["error"],
        }
    }
    for kind in ("workshop", *COLLECTIONS.values()):
        name = kind.capitalize().removesuffix("s")
        schemas[f"{name}Input"] = field_schema(kind)
        # A PATCH sends only the fields it changes.
        schemas[f"{name}Changes"] = {k: v for k, v in field_schema(kind).items() if k != "required"}
        schemas[name] = row_schema(kind)
    return schemas


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _any_row(suffix: str = "") -> dict:
    """One of the collections' schemas (the path's `collection` says which)."""
    names = sorted({kind.capitalize().removesuffix("s") for kind in COLLECTIONS.values()})
    return {"anyOf": [ref(name + suffix) for name in names]}


def _path_and_params(rule) -> tuple[str, list[dict]]:
    """The OpenAPI path for a Flask rule and its path parameters."""
    params = []
    path = rule.rule
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", rule.rule):
        converter, name = match.group(1) or "string", match.group(2)
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        if name == "collection":
            schema["enum"] = list(COLLECTIONS)
        if name == "fmt":
            schema["enum"] = list(EXPORT_TYPES)
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        path = path.replace(match.group(0), "{" + name + "}")
    return path, params


def _query_params(endpoint: str) -> list[dict]:
    """The query parameters an endpoint reads."""
    return [
        {
            "name": name,
            "in": "query",
            "required": endpoint == "api.agreement",
            "schema": schema,
            "description": text,
        }
        for name, schema, text in QUERY.get(endpoint, [])
    ]


def _request_body(endpoint: str, method: str) -> dict | None:
    """What a write endpoint expects in its body."""

    def json_body(schema):
        return {"content": {"application/json": {"schema": schema}}, "required": True}

    if endpoint == "api.workshop_create":
        return json_body(ref("WorkshopInput"))
    if endpoint == "api.workshop_update":
        return json_body(ref("WorkshopChanges"))
    if endpoint == "api.item_create":
        return json_body(_any_row("Input"))
    if endpoint == "api.item_update":
        return json_body(_any_row("Changes"))
    if endpoint == "api.participants_import":
        return {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
            "required": True,
        }
    if endpoint == "api.pack_check":
        return {"content": {"application/toml": {"schema": {"type": "string"}}}, "required": True}
    if method in ("POST", "PATCH") and endpoint not in NO_CONTENT:
        return json_body({"type": "object"})
    return None


def _success(endpoint: str, method: str) -> tuple[str, dict]:
    """The status and body of a successful call."""
    if endpoint in NO_CONTENT:
        return "204", {"description": "Done; no body"}
    status = "201" if endpoint in CREATED else "200"
    if endpoint == "api.export":
        content = {
            kind: {"schema": {"type": "string", "format": "binary"}}
            for kind in EXPORT_TYPES.values()
        }
        return status, {"description": "The file", "content": content}
    if endpoint == "api.participants_export":
        binary = {"schema": {"type": "string", "format": "binary"}}
        return status, {
            "description": "The delegate list",
            "content": {"text/csv": binary, EXPORT_TYPES["xlsx"]: binary},
        }
    schema = {
        "api.workshops": {"type": "array", "items": ref("Workshop")},
        "api.workshop": ref("Workshop"),
        "api.workshop_create": ref("Workshop"),
        "api.workshop_update": ref("Workshop"),
        "api.archive_import": ref("Workshop"),
        "api.items": {"type": "array", "items": _any_row()},
        "api.item": _any_row(),
        "api.item_create": _any_row(),
        "api.item_update": _any_row(),
    }.get(endpoint, {"oneOf": [{"type": "object"}, {"type": "array"}]})
    return status, {"description": "OK", "content": {"application/json": {"schema": schema}}}


def _errors(endpoint: str, path: str, roles: list[str], body: dict | None) -> dict:
    """The error statuses this operation can answer, each with the error body."""
    codes = []
    if body:
        codes += ["400", "413", "422"]
    if "public" not in roles:
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if endpoint in ("api.agreement", "api.codings"):
        codes.append("409")
    if endpoint == "api.agreement":
        codes.append("422")
    if endpoint == "api.export":
        codes.append("503")
    error = {"content": {"application/json": {"schema": ref("Error")}}}
    return {code: {"description": ERRORS[code], **error} for code in sorted(set(codes))}


def openapi_document() -> dict:
    """Describe every /api/v1 route: path, method, summary, parameters, body and answers."""
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        path, params = _path_and_params(rule)
        summary = (view.__doc__ or "").strip().splitlines()[0]
        roles = sorted(getattr(view, "access_roles", ()))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            body = _request_body(rule.endpoint, method)
            status, success = _success(rule.endpoint, method)
            operation = {
                "operationId": f"{rule.endpoint.removeprefix('api.')}_{method.lower()}",
                "summary": summary,
                "description": "Allowed for: " + ", ".join(roles),
                "parameters": params + _query_params(rule.endpoint),
                "responses": {status: success, **_errors(rule.endpoint, path, roles, body)},
            }
            if body:
                operation["requestBody"] = body
            if "public" not in roles:
                operation["security"] = [{"session": []}, {"bearer": []}]
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "kt-workshop API",
            "version": __version__,
            "description": "Everything the kt-workshop UI does, as JSON. Sign in with the "
            "session cookie (send the X-CSRFToken header on writes), a join-link token, or "
            "the organiser's API token (made on the Sessions and tokens page) as "
            "`Authorization: Bearer <token>`.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {path.removeprefix("/api/v1"): ops for path, ops in sorted(paths.items())},
        "components": {
            "schemas": components(),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "kt_workshop_session"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }
