"""The xAPI resources as views: thin wrappers over statements.py and documents.py."""

from . import auth, documents
from .http import (
    SERVED,
    XAPIRequest,
    check_params,
    json_response,
    require_scope,
    xapi_resource,
)
from .models import Activity, key_of
from .statements import (
    agent_param,
    get_more,
    get_statements,
    post_statements,
    put_statement,
)
from .validation import iri


def _about(xreq: XAPIRequest):
    check_params(xreq, set())
    # A 1.0.x client is shown the 1.0.x versions only: 1.0.3 allows no other
    # value there (XAPI-00316) and 1.0 clients (TinCanPython) reject the list.
    if xreq.v2 or xreq.django.xapi_version is None:
        return json_response({"version": SERVED})
    return json_response({"version": [v for v in SERVED if v.startswith("1.0")]})


def _activity(xreq: XAPIRequest):
    require_scope(xreq, *auth.DEFINE, *auth.STATE, *auth.PROFILE)
    check_params(xreq, {"activityId"}, ("activityId",))
    activity_id = iri(xreq.params["activityId"], "activityId")
    known = Activity.objects.filter(key=key_of(activity_id)).first()
    if known is None:  # Part Three 2.5: still answer with an Activity object
        return json_response({"objectType": "Activity", "id": activity_id})
    return json_response(known.as_xapi())


def _person(xreq: XAPIRequest):
    require_scope(xreq, *auth.DEFINE, *auth.STATE, *auth.PROFILE)
    check_params(xreq, {"agent"}, ("agent",))
    agent = agent_param(xreq)
    # We keep no identity links between agents: the Person is this agent alone.
    person = {"objectType": "Person"}
    if agent.get("name"):
        person["name"] = [agent["name"]]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            person[key] = [agent[key]]
    return json_response(person)


about = xapi_resource({"GET": _about}, auth=False, version=False)
statements = xapi_resource(
    {"GET": get_statements, "PUT": put_statement, "POST": post_statements},
    consistent=True,
)
more = xapi_resource({"GET": get_more}, consistent=True)
state = xapi_resource(documents.handlers(documents.STATE))
activity_profile = xapi_resource(documents.handlers(documents.ACTIVITY_PROFILE))
agent_profile = xapi_resource(documents.handlers(documents.AGENT_PROFILE))
activities = xapi_resource({"GET": _activity})
agents = xapi_resource({"GET": _person})
