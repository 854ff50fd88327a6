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


def _path_and_params(rule) -> tuple[str, list[dict]]:
    """The OpenAPI path for a Flask rule and its path parameters."""
    params = []
    path = rule.rule
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", rule.rule):
        converter, name = match.group(1) or "string", match.group(2)
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        if name == "collection":
            schema["enum"] = ["blocks", "questions", "tables", "moderators", "participants"]
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        path = path.replace(match.group(0), "{" + name + "}")
    return path, params


def _request_body(endpoint: str, method: str) -> dict | None:
    """What a write endpoint expects in its body."""
    json_object = {
        "content": {"application/json": {"schema": {"type": "object"}}},
        "required": True,
    }
    if endpoint in ("api.workshop_create", "api.workshop_update"):
        return {
            "content": {"application/json": {"schema": field_schema("workshop")}},
            "required": True,
        }
    if endpoint == "api.participants_import":
        return {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
            "required": True,
        }
    if endpoint == "api.pack_check":
        return {"content": {"application/toml": {"schema": {"type": "string"}}}, "required": True}
    if endpoint == "api.archive_import":
        return json_object
    if method in ("POST", "PATCH") and endpoint not in ("api.grant_revoke",):
        return json_object
    return None


def openapi_document() -> dict:
    """Describe every /api/v1 route: path, method, summary, parameters and body."""
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        path, params = _path_and_params(rule)
        summary = (view.__doc__ or "").strip().splitlines()[0]
        roles = sorted(getattr(view, "access_roles", ()))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {
                "operationId": f"{rule.endpoint.removeprefix('api.')}_{method.lower()}",
                "summary": summary,
                "description": "Allowed for: " + ", ".join(roles),
                "parameters": params,
                "responses": {
                    "200": {"description": "OK"},
                    "201": {"description": "Created"},
                    "204": {"description": "Done, nothing to return"},
                    "400": {"description": "Not a request this operation understands"},
                    "401": {"description": "Not signed in"},
                    "403": {"description": "Not allowed for this role or workshop"},
                    "404": {"description": "Not found"},
                    "409": {"description": "Not now (e.g. blind coding is on)"},
                    "422": {"description": "Invalid input, with a message per field"},
                },
            }
            body = _request_body(rule.endpoint, method)
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
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "kt_workshop_session"},
                "bearer": {"type": "http", "scheme": "bearer"},
            }
        },
    }
