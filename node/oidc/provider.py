"""The Authlib authorization server of this node: code flow with PKCE (S256 only), nonce
required, ``private_key_jwt`` client authentication with the sites' federation keys, ID
tokens signed with this node's federation key, ``iss`` in every authorization answer.

One server per app (kept in ``app.extensions``), so several nodes can run in one process.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    ClientMixin,
    InvalidClientError,
    InvalidRequestError,
    grants,
)
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, current_app
from joserfc import jwk, jwt
from joserfc.errors import JoseError
from sqlalchemy import delete, select

from federation.identity import ALG, CODE_LIFETIME, ID_TOKEN_LIFETIME, SCOPE, TOKEN_PATH
from node.extensions import db
from node.models import Account, SignInCode
from node.oidc.clients import Site, find_site
from node.peering.identity import signing_key
from node.peering.trust import DatabaseNonceStore
from node.services.network_sign_in import what_site_learns

EXTENSION = "chaleur_oidc"
PRIVATE_KEY_JWT = "private_key_jwt"


def issuer() -> str:
    return str(current_app.config["PUBLIC_URL"])


class SiteClient(ClientMixin):  # type: ignore[misc]
    """A relying party of the network as Authlib sees it."""

    id_token_signed_response_alg = ALG

    def __init__(self, site: Site) -> None:
        self.site = site
        self.client_id = site.client_id

    def get_client_id(self) -> str:
        return self.site.client_id

    def get_default_redirect_uri(self) -> str:
        return self.site.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(SCOPE.split())
        return " ".join(item for item in (scope or "").split() if item in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exactly the URI of the signed federation data: nothing else, no prefix match."""
        return bool(redirect_uri == self.site.redirect_uri)

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # no shared secret exists

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method == PRIVATE_KEY_JWT

    def check_response_type(self, response_type: str) -> bool:
        return bool(response_type == "code")

    def check_grant_type(self, grant_type: str) -> bool:
        return bool(grant_type == "authorization_code")


@dataclass(frozen=True)
class IssuedCode:
    """A stored authorization code as Authlib's mixins read it."""

    row_id: int
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    account_id: int
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = [PRIVATE_KEY_JWT]

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        db.session.add(SignInCode(
            code_hash=_digest(code), client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri, scope=request.scope or "",
            nonce=str(data.get("nonce") or "")[:128],
            code_challenge=str(data.get("code_challenge") or "")[:128],
            code_challenge_method=str(data.get("code_challenge_method") or "")[:8],
            account_id=request.user.id, auth_time=int(time.time()),
            expires_at=int(time.time()) + CODE_LIFETIME))
        db.session.flush()

    def query_authorization_code(self, code: str, client: SiteClient) -> IssuedCode | None:
        row = db.session.scalars(select(SignInCode).where(
            SignInCode.code_hash == _digest(code), SignInCode.client_id == client.client_id,
            SignInCode.expires_at >= int(time.time()))).first()
        if row is None:
            return None
        return IssuedCode(row.id, row.client_id, row.redirect_uri, row.scope, row.nonce,
                          row.code_challenge, row.code_challenge_method, row.account_id,
                          row.auth_time)

    def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
        db.session.execute(delete(SignInCode).where(SignInCode.id == authorization_code.row_id))
        db.session.flush()  # used once: the token view commits before answering

    def authenticate_user(self, authorization_code: IssuedCode) -> Account | None:
        account = db.session.get(Account, authorization_code.account_id)
        return account if account is not None and account.is_active else None


class S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE is required, and only with S256 (``plain`` would give the verifier away)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        """Authlib asks PKCE of public clients only; here every site must use it, with
        ``code_challenge_method=S256`` said explicitly."""
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE (S256) is required")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'")
        super().validate_code_verifier(grant, result)


class NetworkOpenID(OpenIDCode):  # type: ignore[misc]
    """ID tokens: this node's federation key, short-lived, with a ``jti``, claims limited to
    what the consent page showed."""

    def __init__(self) -> None:
        super().__init__(require_nonce=True)

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        """A nonce already used for this site is refused (a replayed sign-in request)."""
        return db.session.scalars(select(SignInCode.id).where(
            SignInCode.client_id == request.payload.client_id,
            SignInCode.nonce == nonce)).first() is not None

    def resolve_client_private_key(self, client: SiteClient) -> Any:
        key = signing_key()
        return jwk.OKPKey.import_key(key.private_key, {"kid": key.keyid})

    def get_encode_header(self, client: SiteClient) -> dict[str, str]:
        return {"alg": ALG, "kid": signing_key().keyid, "typ": "JWT"}

    def get_client_algorithm(self, client: SiteClient) -> str:
        return ALG

    def get_client_claims(self, client: SiteClient) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": issuer(), "aud": [client.get_client_id()], "iat": now,
                "exp": now + ID_TOKEN_LIFETIME, "jti": secrets.token_urlsafe(18)}

    def generate_user_info(self, user: Account, scope: str) -> dict[str, Any]:
        return what_site_learns(user)


class SiteAssertion(JWTBearerClientAssertion):  # type: ignore[misc]
    """``private_key_jwt``: the assertion verifies with one of the site's federation keys
    from the signed data, is meant for this token endpoint, and is used once."""

    CLIENT_AUTH_METHOD = PRIVATE_KEY_JWT

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
        """Authlib's check, with the network's one algorithm allowed (and no other)."""
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=[ALG])
        except JoseError as error:
            raise InvalidClientError(description=error.description) from error
        self.verify_claims(token.claims)
        return token.claims

    def get_audiences(self) -> list[str]:
        return [issuer() + TOKEN_PATH, issuer()]

    def validate_jti(self, claims: Any, jti: str) -> bool:
        store = DatabaseNonceStore(int(time.time()))
        expires = int(claims.get("exp") or time.time()) + 60
        return bool(store.remember(f"oidc:{claims['sub']}"[:80], str(jti)[:128], expires))

    def resolve_client_public_key(self, client: SiteClient) -> Any:
        return jwk.KeySet([jwk.OKPKey.import_key(
            {"kty": "OKP", "crv": "Ed25519", "x": public_key}, {"kid": keyid})
            for keyid, public_key in client.site.keys])


class NodeIssuer(IssuerParameter):  # type: ignore[misc]
    """RFC 9207: ``iss`` in every authorization answer, errors included."""

    def get_issuer(self) -> str:
        return issuer()


def _query_client(client_id: str) -> SiteClient | None:
    site = find_site(str(client_id)) if client_id else None
    return SiteClient(site) if site is not None else None


def _save_token(token: dict[str, Any], request: Any) -> None:
    """Access tokens are not kept: this provider has no userinfo endpoint (the ID token
    carries everything the member agreed to)."""


def server(app: Flask) -> AuthorizationServer:
    """This app's authorization server, built on first use."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"authorization_code": 60})
        found = AuthorizationServer(app, query_client=_query_client, save_token=_save_token)
        found.register_grant(CodeGrant, [S256Only(required=True), NetworkOpenID()])
        found.register_client_auth_method(SiteAssertion.CLIENT_AUTH_METHOD, SiteAssertion())
        found.register_extension(NodeIssuer())
        app.extensions[EXTENSION] = found
    return found
