"""A local OpenID Connect provider for the tests: authorization, token, user info, JWKS and
discovery, answered in-process. ``install`` replaces ``requests.get``/``requests.post`` so that
mozilla-django-oidc and sso.conf talk to it; any other address raises (no network)."""

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.crypto import get_random_string

ISSUER = "https://idp.stadt.test/realms/stadt"
CLIENT_ID = "planwerk"
CLIENT_SECRET = "stub-secret"
KID = "stub-key-1"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{ISSUER}/protocol/openid-connect/auth",
    "OIDC_OP_TOKEN_ENDPOINT": f"{ISSUER}/protocol/openid-connect/token",
    "OIDC_OP_USER_ENDPOINT": f"{ISSUER}/protocol/openid-connect/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{ISSUER}/protocol/openid-connect/certs",
}


class Response:
    def __init__(self, url, status=200, payload=None, text=None):
        self.url = url
        self.status_code = status
        self.text = text if text is not None else json.dumps(payload)
        self.headers = {"content-type": "application/json"}

    def json(self):
        return json.loads(self.text)

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} for {self.url}", response=self)


class StubProvider:
    def __init__(self):
        self.claims = {}  # the person signing in: sub, email, email_verified, ...
        self.codes = {}  # code -> (nonce, code_challenge, redirect_uri)
        self.requests = []  # (method, url) of every call
        self.id_token_overrides = {}

    def sign_in_as(self, **claims):
        self.claims = {"sub": "stub-subject-1", **claims}

    # the browser's side: the authorization endpoint sends it back with code and state
    def authorize(self, location: str) -> str:
        url = urlsplit(location)
        endpoint = f"{url.scheme}://{url.netloc}{url.path}"
        assert endpoint == ENDPOINTS["OIDC_OP_AUTHORIZATION_ENDPOINT"]
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        code = get_random_string(20)
        self.codes[code] = (query.get("nonce"), query.get("code_challenge"), query["redirect_uri"])
        return query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})

    # the server's side, through requests
    def get(self, url, headers=None, **kwargs):
        self.requests.append(("GET", url))
        if url == ISSUER + "/.well-known/openid-configuration":
            return Response(url, payload=self.discovery())
        if url == ENDPOINTS["OIDC_OP_JWKS_ENDPOINT"]:
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_KEY.public_key()))
            return Response(url, payload={"keys": [{**public, "kid": KID, "alg": "RS256"}]})
        if url == ENDPOINTS["OIDC_OP_USER_ENDPOINT"]:
            if (headers or {}).get("Authorization") != "Bearer stub-access-token":
                return Response(url, status=401, payload={"error": "invalid_token"})
            return Response(url, payload=self.claims)
        raise AssertionError(f"no network in tests: GET {url}")

    def post(self, url, data=None, **kwargs):
        self.requests.append(("POST", url))
        if url != ENDPOINTS["OIDC_OP_TOKEN_ENDPOINT"]:
            raise AssertionError(f"no network in tests: POST {url}")
        if (data["client_id"], data["client_secret"]) != (CLIENT_ID, CLIENT_SECRET):
            return Response(url, status=401, payload={"error": "invalid_client"})
        if data.get("code") not in self.codes:
            return Response(url, status=400, payload={"error": "invalid_grant"})
        nonce, challenge, redirect_uri = self.codes.pop(data["code"])
        verifier = data.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if data["redirect_uri"] != redirect_uri or digest.rstrip(b"=").decode() != challenge:
            return Response(url, status=400, payload={"error": "invalid_grant"})
        return Response(
            url,
            payload={
                "access_token": "stub-access-token",
                "token_type": "Bearer",
                "id_token": self.id_token(nonce),
            },
        )

    def id_token(self, nonce):
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.claims,
            **self.id_token_overrides,
        }
        return jwt.encode(payload, _KEY, algorithm="RS256", headers={"kid": KID})

    def discovery(self):
        return {
            "issuer": ISSUER,
            "authorization_endpoint": ENDPOINTS["OIDC_OP_AUTHORIZATION_ENDPOINT"],
            "token_endpoint": ENDPOINTS["OIDC_OP_TOKEN_ENDPOINT"],
            "userinfo_endpoint": ENDPOINTS["OIDC_OP_USER_ENDPOINT"],
            "jwks_uri": ENDPOINTS["OIDC_OP_JWKS_ENDPOINT"],
        }


def install(monkeypatch) -> StubProvider:
    provider = StubProvider()
    monkeypatch.setattr(requests, "get", provider.get)
    monkeypatch.setattr(requests, "post", provider.post)
    return provider
