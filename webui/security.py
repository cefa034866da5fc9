"""HTTP headers that every page carries: no inline script, no framing, no sniffing."""

from __future__ import annotations

from flask import Flask, Response, g

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def allow_form_target(origin: str) -> None:
    """Let this page's forms lead to ``origin`` too (CSP ``form-action`` also governs the
    redirects that follow a form: the sign-in and consent forms of « Se connecter avec mon
    village » end on the site the member came from)."""
    targets: list[str] = g.setdefault("form_targets", [])
    if origin not in targets:
        targets.append(origin)


def content_security_policy(form_targets: list[str]) -> str:
    if not form_targets:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' " + " ".join(form_targets))


def init_security_headers(app: Flask) -> None:
    """Register the after-request hook that sets the security headers."""

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy",
                           content_security_policy(g.get("form_targets", [])))
        if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
            headers.setdefault("X-Frame-Options", "DENY")  # an embeddable page sets its own
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
