"""The network's identity profile (OpenID Connect between sites): plain data in, plain data out.

Every node is an OpenID Connect provider for its own members; the Pays directory and the
other nodes are its relying parties. No new key is distributed for it: a site signs its ID
tokens and its client assertions with its **federation key** (Ed25519), whose public half
the signed network list already carries, and a relying party accepts an ID token only when
it verifies with a key the network list holds for the issuing node. JWS signing inputs
(``base64url(header) "." base64url(payload)``) and RFC 9421 signature bases (lines starting
with ``"@``) never coincide, so one key serves both without one signature standing for the
other.

The algorithm is ``Ed25519`` (RFC 9864: the fully specified name of EdDSA over Ed25519;
the polymorphic ``EdDSA`` is deprecated there). See docs/federation.md section 12.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from federation.keys import SigningKey


ALG = "Ed25519"
#: Seconds an ID token, an authorization code and a client assertion stay valid.
ID_TOKEN_LIFETIME = 300
CODE_LIFETIME = 120
ASSERTION_LIFETIME = 60
#: Paths every Chaleur site serves (the issuer is the site's base URL).
DISCOVERY_PATH = "/.well-known/openid-configuration"
AUTHORIZE_PATH = "/oidc/authorize"
TOKEN_PATH = "/oidc/token"
JWKS_PATH = "/oidc/jwks"
SCOPE = "openid profile"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class IdentityRefused(Exception):
    """An ID token or an answer this site must not accept; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def public_jwk(keyid: str, public_key_b64: str) -> dict[str, str]:
    """A federation public key (base64url of the 32 raw bytes) as an OKP JWK."""
    return {"kty": "OKP", "crv": "Ed25519", "x": public_key_b64, "kid": keyid,
            "alg": ALG, "use": "sig"}


def short_name(display_name: str) -> str:
    """« Prénom N. »: the first word and the initial of the last, what other sites show."""
    words = display_name.split()
    if not words:
        return "?"
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[-1][0].upper()}."


def discovery_document(issuer: str) -> dict[str, Any]:
    """The provider metadata (OpenID Connect Discovery 1.0, RFC 8414, RFC 9207)."""
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + AUTHORIZE_PATH,
        "token_endpoint": issuer + TOKEN_PATH,
        "jwks_uri": issuer + JWKS_PATH,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALG],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": [ALG],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "jti", "nonce", "auth_time",
                             "name", "chaleur_village", "chaleur_village_name",
                             "profile"],
        "authorization_response_iss_parameter_supported": True,
        "request_parameter_supported": False,
        "claims_parameter_supported": False,
        "ui_locales_supported": ["fr", "en"],
    }


def client_assertion(*, client_id: str, token_endpoint: str, signing_key: SigningKey,
                     now: int | None = None) -> str:
    """A ``private_key_jwt`` client assertion (RFC 7523) signed with the site's federation
    key: ``iss`` = ``sub`` = the client id, ``aud`` = the provider's token endpoint."""
    from joserfc import jwk, jwt

    issued = int(now if now is not None else time.time())
    key = jwk.OKPKey.import_key(signing_key.private_key)
    claims = {"iss": client_id, "sub": client_id, "aud": token_endpoint, "iat": issued,
              "exp": issued + ASSERTION_LIFETIME, "jti": secrets.token_urlsafe(18)}
    return jwt.encode({"alg": ALG, "kid": signing_key.keyid}, claims, key, algorithms=[ALG])


def sign_claims(claims: Mapping[str, Any], signing_key: SigningKey) -> str:
    """A compact JWS of these claims with the site's federation key (an ID token)."""
    from joserfc import jwk, jwt

    key = jwk.OKPKey.import_key(signing_key.private_key)
    return jwt.encode({"alg": ALG, "kid": signing_key.keyid}, dict(claims), key,
                      algorithms=[ALG])


@dataclass(frozen=True)
class Signed:
    """A verified ID token: who signed in, at which village, as the provider said it."""

    issuer: str
    village: str
    subject: str
    name: str
    village_name: str
    jti: str
    expires_at: int
    claims: Mapping[str, Any]


def verify_id_token(token: str, *, issuer: str, village: str, audience: str,
                    keys: Iterable[tuple[str, str]], nonce: str,
                    now: int | None = None) -> Signed:
    """Check an ID token against the issuing node's keys from the signed network list.

    ``keys`` are (keyid, public key) pairs the network list holds for ``village``, whose
    base URL is ``issuer``. Refused: another algorithm, a key id not in the list, a bad
    signature, another issuer or audience, a missing or other nonce, an expired or
    long-lived token, a token without ``jti``."""
    from joserfc import jwk, jws, jwt
    from joserfc.errors import JoseError

    moment = int(now if now is not None else time.time())
    by_kid = dict(keys)
    try:
        header = jws.extract_compact(token.encode("ascii")).headers()
    except (JoseError, ValueError, UnicodeError) as error:
        raise IdentityRefused("token_malformed", "jeton d'identité illisible") from error
    if header.get("alg") != ALG:
        raise IdentityRefused("alg_unsupported", "algorithme de signature refusé")
    kid = str(header.get("kid", ""))
    if kid not in by_kid or not kid.startswith(f"{village}:"):
        raise IdentityRefused("key_unknown", "clé absente de la liste signée du réseau")
    key = jwk.OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": by_kid[kid]})
    try:
        claims = jwt.decode(token, key, algorithms=[ALG]).claims
    except (JoseError, ValueError) as error:
        raise IdentityRefused("signature_invalid", "signature du jeton invalide") from error
    return _checked(claims, issuer=issuer, village=village, audience=audience, nonce=nonce,
                    now=moment)


def _checked(claims: Mapping[str, Any], *, issuer: str, village: str, audience: str,
             nonce: str, now: int) -> Signed:
    if claims.get("iss") != issuer:
        raise IdentityRefused("issuer_mismatch", "jeton d'un autre émetteur")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if audience not in audiences or (isinstance(aud, list) and len(aud) != 1):
        raise IdentityRefused("audience_mismatch", "jeton destiné à un autre site")
    if not nonce or claims.get("nonce") != nonce:
        raise IdentityRefused("nonce_mismatch", "jeton sans le nonce de cette connexion")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int):
        raise IdentityRefused("token_malformed", "dates du jeton manquantes")
    if exp < now - 30 or iat > now + 30 or exp - iat > ID_TOKEN_LIFETIME:
        raise IdentityRefused("token_expired", "jeton expiré ou trop long")
    subject, jti = claims.get("sub"), claims.get("jti")
    if not isinstance(subject, str) or not subject or not isinstance(jti, str) or not jti:
        raise IdentityRefused("token_malformed", "jeton sans sujet ou sans identifiant")
    if claims.get("chaleur_village") != village:
        raise IdentityRefused("issuer_mismatch", "jeton d'un autre village")
    return Signed(issuer, village, subject, str(claims.get("name") or "?"),
                  str(claims.get("chaleur_village_name") or village), jti, exp, claims)
