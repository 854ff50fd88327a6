"""The JSON API's one blueprint under /api/v1, with what every route of it shares: the request's
JSON body and errors as JSON. The routes live in `workshops` and `themes`; the package's
`__init__` imports them so that they are registered."""

from flask import Blueprint, abort, request

from kt_workshop import store
from kt_workshop.i18n import _
from kt_workshop.web import json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def body() -> dict:
    """The request's JSON object, or a 400 when it is not one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, _("Send a JSON object."))
    return data


@bp.errorhandler(store.InputError)
def input_error(error):
    """Field problems as a 422 with a message per field."""
    return json_error(422, _("Some fields are not valid."), error.errors)


@bp.errorhandler(store.NotFound)
def not_found(error):
    """A row that is not in this workshop."""
    return json_error(404, str(error))
