"""The REST API at /api/v1/ (django-ninja), OpenAPI schema at /api/v1/openapi.json
and its documentation at /api/v1/docs.

One NinjaAPI for the whole project: each subject adds its router here.
https://django-ninja.dev/guides/routers/
"""

import math

from ninja import NinjaAPI
from ninja.errors import Throttled

from learning.compliance.api import router as compliance_router
from learning.launches.api import router as packages_router

api = NinjaAPI(
    title="Atelier API",
    version="1.0.0",
    description="Atelier's REST API. The compliance gate answers whether a person "
    "is cleared for a mandatory training (e.g. SNDS access).",
    urls_namespace="api-v1",
    docs_url="/docs",
)
api.add_router("/compliance/", compliance_router)
api.add_router("/packages/", packages_router)


@api.exception_handler(Throttled)
def throttled(request, exc: Throttled):
    """429 with Retry-After, also when an authentication callback throttles."""
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    if exc.wait is not None:
        response["Retry-After"] = str(math.ceil(exc.wait))
    return response
