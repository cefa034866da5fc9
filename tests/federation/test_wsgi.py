"""Rebuilding the signed request target and headers from a WSGI environ."""

from federation.wsgi import request_headers, request_target


def test_raw_request_line_wins_over_decoded_path() -> None:
    environ = {"RAW_URI": "/federation/feed?cursor=a%2Fb&limit=2",
               "PATH_INFO": "/federation/feed", "QUERY_STRING": "cursor=a/b&limit=2"}
    assert request_target(environ) == "/federation/feed?cursor=a%2Fb&limit=2"


def test_request_uri_is_used_when_raw_uri_is_absent() -> None:
    assert request_target({"REQUEST_URI": "/x?y=1", "PATH_INFO": "/other"}) == "/x?y=1"


def test_fallback_reencodes_path_and_keeps_query() -> None:
    environ = {"PATH_INFO": "/a b", "QUERY_STRING": "limit=3"}
    assert request_target(environ) == "/a%20b?limit=3"
    assert request_target({"PATH_INFO": "/feed", "QUERY_STRING": ""}) == "/feed"


def test_headers_come_from_http_keys_and_content_fields() -> None:
    environ = {"HTTP_SIGNATURE_INPUT": "sig1=()", "CONTENT_TYPE": "application/json",
               "CONTENT_LENGTH": "2", "PATH_INFO": "/"}
    assert dict(request_headers(environ)) == {"Signature-Input": "sig1=()",
                                              "Content-Type": "application/json",
                                              "Content-Length": "2"}
