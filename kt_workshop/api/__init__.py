"""The JSON API under /api/v1: one blueprint (`bp`), its routes registered by importing them."""

from kt_workshop.api import themes, workshops  # noqa: F401 - importing registers the routes
from kt_workshop.api.blueprint import bp

__all__ = ["bp"]
