"""A real LTI 1.3 platform for the tests: the published `lti1p3platform` package
(not written in this project) behind a small WSGI server on 127.0.0.1.

lti1p3platform signs the launches (OIDC authorisation endpoint, RS256 id_token
with its own key pair, JWKS), issues service tokens after checking the tool's
signed client assertion against the tool's JWKS, validates deep-linking
answers, and serves the grade and membership services (their storage is ours:
dicts in memory). It has no Dynamic Registration: the two endpoints that
protocol needs on the platform side (OpenID configuration, registration) are
written here after the IMS specification.
"""

import html
import json
import re
import secrets
import threading
import uuid
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )
    return private, public


class WsgiRequest(Request):
    """lti1p3platform's request, read from a WSGI environ."""

    def build_metadata(self, environ):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        content_type = environ.get("CONTENT_TYPE", "")
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        form = {}
        if "form-urlencoded" in content_type:
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        return {
            "method": environ["REQUEST_METHOD"],
            "form_data": form,
            "get_data": {
                k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()
            },
            "headers": headers,
            "content_type": content_type,
            "path": environ["PATH_INFO"],
            "json": json.loads(body) if body and "json" in content_type else None,
        }


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs):
        return self._registration


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    spec: dict = {}

    def render_launch_form(self, launch_data, **kwargs):
        return (
            '<form method="post" action="{launch_url}" id="form">'
            '<input type="hidden" name="id_token" value="{id_token}">'
            '<input type="hidden" name="state" value="{state}"></form>'
            "<script>document.getElementById('form').submit()</script>"
        ).format(**{k: html.escape(str(v)) for k, v in launch_data.items()})


class Grades(AssignmentsGradesService):
    def __init__(self, request, conf, platform, lineitems_url):
        super().__init__(request, conf, lineitems_url)
        self.platform = platform

    def find_lineitems(
        self,
        page=1,
        limit=None,
        line_item_id=None,
        resource_link_id=None,
        resource_id=None,
        tag=None,
    ):
        items = [
            item
            for item in self.platform.lineitems.values()
            if resource_link_id in (None, item.get("resourceLinkId"))
            and tag in (None, item.get("tag"))
        ]
        return {"content": items, "has_next": False, "next": None}

    def find_lineitem(self, line_item_id):
        return self.platform.lineitems[line_item_id]

    def create_lineitem(self, creation_data):
        return self.platform.add_lineitem(creation_data)

    def update_lineitem(self, update_data):
        raise NotImplementedError

    def delete_lineitem(self, line_item_id):
        self.platform.lineitems.pop(line_item_id)

    def update_score(self, line_item_id, score):
        if line_item_id not in self.platform.lineitems:
            from lti1p3platform.exceptions import LineItemNotFoundException

            raise LineItemNotFoundException
        if self.platform.fail_scores:
            self.platform.fail_scores -= 1
            raise RuntimeError("gradebook down")
        self.platform.scores.append((line_item_id, score))
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, page=1, limit=None, user_id=None):
        return {"content": [], "has_next": False, "next": None}


class Members(NamesRoleProvisioningService):
    def __init__(self, request, conf, platform, url):
        super().__init__(request, conf, url)
        self.platform = platform

    def get_member_data_page(self, page=1, limit=None, role=None, since=None, **_):
        return {"content": self.platform.members, "has_next": False, "next": None}

    def get_context_by_id(self):
        return Context(id="course-1", label="C1", title="Cours du LMS")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class TestPlatform:
    """An LMS: one registration of the tool, launches built per test."""

    def __init__(self, *, host="127.0.0.1", tool_base="http://testserver"):
        self.private_pem, self.public_pem = key_pair()
        self.tool_base = tool_base
        self.server = make_server(
            host, 0, self.app, server_class=ThreadingServer, handler_class=QuietHandler
        )
        self.url = f"http://{host}:{self.server.server_port}"
        self.issuer = self.url
        self.client_id = "atelier-" + secrets.token_hex(4)
        self.deployment_id = "deployment-1"
        self.tool_key_set = None
        self.tool_key_set_url = None
        self.specs: dict[str, dict] = {}
        self.lineitems: dict[str, dict] = {}
        self.scores: list = []
        self.members: list = []
        self.fail_scores = 0
        self.deep_link_items: list = []
        self.registrations: list = []
        self.registration_token = secrets.token_hex(8)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- registration -----------------------------------------------------

    def registration(self, **overrides) -> Registration:
        registration = (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(self.client_id)
            .set_deployment_id(overrides.get("deployment_id", self.deployment_id))
            .set_oidc_login_url(f"{self.tool_base}/lti/login/")
            .set_launch_url(f"{self.tool_base}/lti/launch/")
            .set_deeplink_launch_url(f"{self.tool_base}/lti/launch/")
            .set_platform_public_key(self.public_pem)
            .set_platform_private_key(overrides.get("private_pem", self.private_pem))
        )
        if self.tool_key_set is not None:
            registration.set_tool_key_set(self.tool_key_set)
        if self.tool_key_set_url:
            registration.set_tool_key_set_url(self.tool_key_set_url)
        return registration

    def conf(self, **overrides) -> PlatformConf:
        return PlatformConf(registration=self.registration(**overrides))

    def tool_settings(self) -> dict:
        """The Platform row the tool's administrator would enter."""
        return {
            "name": "Moodle de test",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": self.deployment_id,
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "key_set_url": f"{self.url}/jwks",
        }

    # --- launches ---------------------------------------------------------

    def login_params(self, **spec) -> dict:
        """What the LMS sends to the tool's login URL for a launch of `spec`:
        user (sub), roles, target (URL), link (resource link id), deep_linking,
        and attacks: audience, deployment_id, expiration, forge."""
        hint = uuid.uuid4().hex
        spec.setdefault("user", "student-1")
        spec.setdefault("roles", [LEARNER])
        spec.setdefault("target", f"{self.tool_base}/lti/launch/")
        self.specs[hint] = spec
        login = Login(None, self.conf())
        login.set_lti_message_hint(hint=hint)
        login.set_launch_url(spec["target"])
        url = login.initiate_login(spec["user"])
        return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}

    def _authorize(self, environ):
        request = WsgiRequest(environ)
        query = request.get_data
        spec = self.specs[query["lti_message_hint"]]
        if query.get("login_hint") != spec["user"]:
            return "403 Forbidden", "text/plain", "login hint"
        overrides = {}
        if "deployment_id" in spec:
            overrides["deployment_id"] = spec["deployment_id"]
        launch = Launch(request, self.conf(**overrides))
        launch.set_launch_url(spec["target"])
        launch.set_user_data(
            spec["user"],
            spec["roles"],
            full_name=spec.get("name", "Camille Martin"),
            email_address=spec.get("email"),
        )
        launch.lti_claim_user_data.update(
            given_name=spec.get("given_name", "Camille"),
            family_name=spec.get("family_name", "Martin"),
        )
        if spec.get("deep_linking"):
            launch.set_dl(f"{self.url}/deep-link-return", title="Choisir")
        else:
            launch.set_resource_link_claim(
                spec.get("link", "link-1"), title=spec.get("link_title", "Activité")
            )
        launch.set_launch_context_claim(
            "course-1", context_title="Cours du LMS", context_label="C1"
        )
        if spec.get("custom"):
            launch.set_custom_parameters_claim(spec["custom"])
        launch.set_ags(
            f"{self.url}/lineitems",
            spec.get("lineitem"),
            allow_creating_lineitems=True,
        )
        launch.set_nrps(f"{self.url}/memberships")
        if "expiration" in spec:
            launch.set_id_token_expiration(spec["expiration"])
        if "audience" in spec:
            launch.set_extra_claims({"aud": spec["audience"], "azp": spec["audience"]})
        page = launch.lti_launch()
        if spec.get("forge"):
            page = self._forged(page)
        return "200 OK", "text/html", page

    def _forged(self, page: str) -> str:
        """The same id_token signed by another key under the platform's kid."""
        token = re.search(r'name="id_token" value="([^"]+)"', page).group(1)
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
        forged = jwt.encode(
            claims, key_pair()[0], algorithm="RS256", headers={"kid": header["kid"]}
        )
        return page.replace(token, forged)

    # --- services ---------------------------------------------------------

    def add_lineitem(self, data: dict) -> dict:
        item_id = f"{self.url}/lineitems/{len(self.lineitems) + 1}"
        item = {**data, "id": item_id}
        self.lineitems[item_id] = item
        return item

    def _grades(self, environ):
        request = WsgiRequest(environ)
        service = Grades(request, self.conf(), self, f"{self.url}/lineitems")
        path = request.path.rstrip("/")
        match = re.fullmatch(r"/lineitems/(\d+)(/scores)?", path)
        if path == "/lineitems" and request.method == "GET":
            response = service.handle_resp(service.handle_get_lineitems)
        elif path == "/lineitems":
            response = service.handle_resp(service.handle_create_lineitem)
        elif match and match.group(2):
            item_id = f"{self.url}/lineitems/{match.group(1)}"
            service.ags.lineitem_url = item_id
            response = service.handle_resp(
                service.handle_update_score, line_item_id=item_id
            )
        elif match:
            item_id = f"{self.url}/lineitems/{match.group(1)}"
            response = service.handle_resp(
                service.handle_get_lineitem, line_item_id=item_id
            )
        else:
            return "404 Not Found", "text/plain", ""
        body = response.result
        if isinstance(body, dict) and "content" in body:
            body = body["content"]
        body = {} if body is None else body
        return f"{response.code} X", response.media_type, json.dumps(body)

    def _members(self, environ):
        request = WsgiRequest(environ)
        service = Members(request, self.conf(), self, f"{self.url}/memberships")
        response = service.handle_resp(service.handle_get_members)
        return f"{response.code} X", response.media_type, json.dumps(response.result)

    def _token(self, environ):
        request = WsgiRequest(environ)
        try:
            token = self.conf().get_access_token(request.form_data)
        except Exception as error:  # noqa: BLE001 - the tool sees a 400, the test the reason
            return (
                "400 Bad Request",
                "application/json",
                json.dumps({"error": "invalid_client", "detail": str(error)}),
            )
        return "200 OK", "application/json", json.dumps(token)

    def _deep_link_return(self, environ):
        request = WsgiRequest(environ)
        items = self.conf().validate_deeplinking_resp(request.form_data)
        for number, item in enumerate(items, start=1):
            link = {"id": f"dl-{len(self.deep_link_items) + number}", **item}
            if "lineItem" in item:
                created = self.add_lineitem(
                    {**item["lineItem"], "resourceLinkId": link["id"]}
                )
                link["lineitem"] = created["id"]
            self.deep_link_items.append(link)
        return "200 OK", "text/html", "<p>Contenu ajouté</p>"

    # --- dynamic registration (IMS LTI-DR 1.0, platform side) -----------------

    def registration_start(self, tool_registration_url: str) -> str:
        """The URL the LMS opens after its administrator pasted the tool's."""
        query = urlencode(
            {
                "openid_configuration": f"{self.url}/.well-known/openid-configuration",
                "registration_token": self.registration_token,
            }
        )
        return f"{tool_registration_url}?{query}"

    def _openid_configuration(self):
        return (
            "200 OK",
            "application/json",
            json.dumps(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.url}/auth",
                    "token_endpoint": f"{self.url}/token",
                    "jwks_uri": f"{self.url}/jwks",
                    "registration_endpoint": f"{self.url}/register",
                    "scopes_supported": ["openid"],
                    "response_types_supported": ["id_token"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                        "product_family_code": "moodle",
                        "version": "4.5",
                        "messages_supported": [{"type": "LtiResourceLinkRequest"}],
                    },
                }
            ),
        )

    def _register(self, environ):
        request = WsgiRequest(environ)
        if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
            return "401 Unauthorized", "application/json", "{}"
        body = request.json
        self.registrations.append(body)
        self.client_id = "dyn-" + secrets.token_hex(4)
        self.deployment_id = "deployment-dyn"
        tool = body["https://purl.imsglobal.org/spec/lti-tool-configuration"]
        self.tool_key_set_url = body["jwks_uri"]
        return (
            "200 OK",
            "application/json",
            json.dumps(
                {
                    **body,
                    "client_id": self.client_id,
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                        **tool,
                        "deployment_id": self.deployment_id,
                    },
                }
            ),
        )

    # --- the browser's side --------------------------------------------------

    def _course_page(self, environ):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        hint = query["launch"][0]
        params = self.specs_params[hint]
        start = f"{self.tool_base}/lti/login/?{urlencode(params)}"
        page = (
            '<!DOCTYPE html><html lang="fr"><head><title>Cours du LMS</title></head>'
            "<body><main><h1>Cours du LMS</h1>"
            f'<iframe title="Atelier" src="{html.escape(start)}" '
            'style="width:100%;height:700px"></iframe></main></body></html>'
        )
        return "200 OK", "text/html", page

    specs_params: dict = {}

    def course_url(self, **spec) -> str:
        """An LMS page framing the tool, launching `spec` when opened."""
        params = self.login_params(**spec)
        hint = params["lti_message_hint"]
        self.specs_params[hint] = params
        return f"{self.url}/course?launch={hint}"

    # --- WSGI -------------------------------------------------------------

    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        try:
            if path == "/jwks":
                status, kind, body = (
                    "200 OK",
                    "application/json",
                    json.dumps(self.conf().get_jwks()),
                )
            elif path == "/auth":
                status, kind, body = self._authorize(environ)
            elif path == "/token":
                status, kind, body = self._token(environ)
            elif path.startswith("/lineitems"):
                status, kind, body = self._grades(environ)
            elif path == "/memberships":
                status, kind, body = self._members(environ)
            elif path == "/deep-link-return":
                status, kind, body = self._deep_link_return(environ)
            elif path == "/.well-known/openid-configuration":
                status, kind, body = self._openid_configuration()
            elif path == "/register":
                status, kind, body = self._register(environ)
            elif path == "/course":
                status, kind, body = self._course_page(environ)
            else:
                status, kind, body = "404 Not Found", "text/plain", ""
        except Exception as error:  # noqa: BLE001 - a 500 the test can read
            status, kind, body = "500 Error", "text/plain", repr(error)
        start_response(status, [("Content-Type", kind)])
        return [body.encode()]
