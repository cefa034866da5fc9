"""JSON Schemas of the API: request bodies (checked on every write) and resources.

The same dictionaries are published in the OpenAPI document and used to check incoming
bodies, so the contract a program reads is exactly the one the node enforces. They only check
shapes and bounds (types, lengths, known keys); the domain rules (a venue's commune exists, an
event ends after it starts, a recurrence is sane) stay in the services.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

MAX_DB_INTEGER = 2**31 - 1  # PostgreSQL's INTEGER; larger ids or capacities cannot exist

DATETIME_DESCRIPTION = (
    "ISO 8601 date and time, e.g. 2026-03-05T18:30:00+01:00. Without an offset "
    "(2026-03-05T18:30) the time is read as Europe/Paris wall-clock time. Answers always "
    "carry the Europe/Paris offset.")


def text(max_length: int, description: str = "", min_length: int = 0) -> Schema:
    schema: Schema = {"type": "string", "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    if description:
        schema["description"] = description
    return schema


def nullable_integer(minimum: int, maximum: int, description: str) -> Schema:
    return {"type": ["integer", "null"], "minimum": minimum, "maximum": maximum,
            "description": description}


DATETIME: Schema = {"type": "string", "maxLength": 40, "description": DATETIME_DESCRIPTION}
VISIBILITY: Schema = {"type": "string", "enum": ["community", "network", "public"],
                      "description": "Who may see the rencontre: members of this node "
                                     "(community, the default), of the Pays network, or "
                                     "anyone (public)."}

EVENT_FIELDS: Schema = {
    "title": text(160, "Title, 160 characters at most.", min_length=1),
    "description": text(5000, "Free text, 5 000 characters at most."),
    "starts_at": DATETIME,
    "ends_at": DATETIME,
    "venue_id": nullable_integer(1, MAX_DB_INTEGER, "A venue's numeric id (see /venues), "
                                                     "or null for none."),
    "capacity": nullable_integer(0, 10000, "Places per occurrence; null for no limit."),
    "rrule": text(255, "RFC 5545 recurrence (WEEKLY or MONTHLY), e.g. FREQ=MONTHLY;BYDAY=1TU; "
                       "empty for a single occurrence. The start must be a date of the series."),
    "visibility": VISIBILITY,
}

VENUE_FIELDS: Schema = {
    "name": text(120, min_length=1),
    "address": text(255),
    "commune_code": text(120, "INSEE code of the commune (e.g. 67475).", min_length=1),
    "latitude": {"type": ["number", "null"],
                 "description": "Decimal degrees; with longitude, or both null for the "
                                "commune's centre."},
    "longitude": {"type": ["number", "null"], "description": "Decimal degrees."},
    "capacity": nullable_integer(0, MAX_DB_INTEGER, "People the place holds; null if unknown."),
    "accessibility": text(2000, "How to get in: steps, parking, toilets..."),
}

COMMUNITY_FIELDS: Schema = {
    "name": text(120, min_length=1),
    "description": text(4000),
    "communes": {"type": "array", "minItems": 1, "maxItems": 100,
                 "items": text(120, "INSEE code or exact commune name.", min_length=1),
                 "description": "The communes the community covers (codes or exact names)."},
    "contact_name": text(120),
    "contact_role": text(120),
    "contact_email": text(254),
    "contact_phone": text(40),
    "signup_mode": {"type": "string", "enum": ["request", "invitation"],
                    "description": "request: anyone may ask to join; invitation: invited only."},
}


def body(fields: Schema, required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": fields, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


EVENT_CREATE = body(EVENT_FIELDS, ["title", "starts_at", "ends_at"])
EVENT_PATCH = body(EVENT_FIELDS)
EVENT_CANCEL = body({"message": text(2000, "A word to the people expected (why, what instead), "
                                           "quoted in the cancellation e-mail.")})
VENUE_CREATE = body(VENUE_FIELDS, ["name", "commune_code"])
VENUE_PATCH = body(VENUE_FIELDS)
COMMUNITY_PATCH = body(COMMUNITY_FIELDS)

# -- resources (answers) ---------------------------------------------------------------------

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INTEGER = {"type": ["integer", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
ANSWER_DATETIME = {"type": "string", "format": "date-time"}


def resource(properties: Schema, required: list[str] | None = None) -> Schema:
    return {"type": "object", "properties": properties,
            "required": required if required is not None else list(properties)}


VENUE = resource({
    "id": {"type": "integer"}, "uuid": STRING, "name": STRING, "address": STRING,
    "commune_code": STRING, "commune_name": STRING, "latitude": NULLABLE_NUMBER,
    "longitude": NULLABLE_NUMBER, "capacity": NULLABLE_INTEGER, "accessibility": STRING,
    "archived": {"type": "boolean"}, "version": {"type": "integer"},
    "updated_at": ANSWER_DATETIME,
})

VENUE_REF = {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Venue"}]}

OCCURRENCE_FIELDS: Schema = {
    "starts_at": ANSWER_DATETIME, "ends_at": ANSWER_DATETIME,
    "places_left": {"type": ["integer", "null"],
                    "description": "Free places at this occurrence; null: no limit."},
}

OCCURRENCE = resource({
    "id": {"type": "string", "description": "The event's UUID."},
    "title": STRING, "description": STRING, **OCCURRENCE_FIELDS,
    "cancelled": {"type": "boolean"}, "visibility": STRING, "capacity": NULLABLE_INTEGER,
    "recurring": {"type": "boolean"}, "venue": VENUE_REF,
    "url": {"type": "string", "description": "The occurrence's public page."},
})

EVENT = resource({
    "id": STRING, "title": STRING, "description": STRING,
    "starts_at": {**ANSWER_DATETIME, "description": "Start of the first occurrence."},
    "ends_at": ANSWER_DATETIME, "rrule": STRING, "visibility": STRING,
    "capacity": NULLABLE_INTEGER, "cancelled": {"type": "boolean"}, "venue": VENUE_REF,
    "url": STRING, "version": {"type": "integer"}, "updated_at": ANSWER_DATETIME,
    "next_occurrences": {"type": "array",
                         "items": resource(OCCURRENCE_FIELDS)},
})

COMMUNE = resource({"code": STRING, "name": STRING})

COMMUNITY = resource({
    "id": STRING, "name": STRING, "description": STRING,
    "communes": {"type": "array", "items": {"$ref": "#/components/schemas/Commune"}},
    "contact": resource({"name": STRING, "role": STRING, "email": STRING, "phone": STRING}),
    "signup_mode": STRING,
    "venues": {"type": "array", "items": {"$ref": "#/components/schemas/Venue"}},
    "version": {"type": "integer"}, "updated_at": ANSWER_DATETIME,
})

LISTING = resource({"id": STRING,
                    "kind": {"enum": ["offer", "need", "help", "loan", "tender"]},
                    "title": STRING, "details": STRING,
                    "skills": {"type": "array", "items": STRING,
                               "description": "Ids of the shared vocabulary of trades"},
                    "commune_code": STRING, "radius_km": {"type": "integer"},
                    "state": {"enum": ["active", "fulfilled", "expired"]}})

MEMBER = {
    "type": "object",
    "description": "Only the parts of the profile the reader may see: a field is absent when "
                   "its group (identity, skills, about, contact) is hidden from the reader.",
    "properties": {
        "id": STRING, "display_name": STRING, "trade": STRING, "business_name": STRING,
        "siret": STRING, "commune_code": STRING, "commune_name": STRING,
        "skills": {"type": "array", "items": STRING},
        "listings": {"type": "array", "items": {"$ref": "#/components/schemas/Listing"}},
        "bio": STRING, "website": STRING, "languages": {"type": "array", "items": STRING},
        "contact_email": STRING, "phone": STRING,
    },
    "required": ["id", "display_name"],
    "additionalProperties": False,
}

ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "Stable code for programs."},
        "message": {"type": "string", "description": "Explanation for people (French)."},
        "fields": {"type": "array", "description": "On 422: each refused field.",
                   "items": resource({"field": STRING, "message": STRING})},
    },
    "required": ["error", "message"],
}


def page_of(item_ref: str) -> Schema:
    """A paginated list of the component ``item_ref``."""
    link = NULLABLE_STRING
    return resource({
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item_ref}"}},
        "total": {"type": "integer"}, "page": {"type": "integer"},
        "per_page": {"type": "integer"}, "pages": {"type": "integer"},
        "links": resource({"self": STRING, "first": STRING, "last": STRING, "prev": link,
                           "next": link}),
    })


OPTION = resource({
    "id": {"type": "integer"}, "position": {"type": "integer"}, "label": STRING,
    "details": {"type": "string", "description": "A consent proposal's version text."},
    "starts_at": {"type": ["string", "null"], "format": "date-time",
                  "description": "A dates poll's slot."},
    "ends_at": {"type": ["string", "null"], "format": "date-time"},
})

RESULTS = resource({
    "kind": STRING, "participants": {"type": "integer"},
    "best": {"type": "array", "items": {"type": "integer"},
             "description": "Ids of the options ranked first (several on a tie)."},
    "open_objections": {"type": "integer", "description": "Consent: objections still open."},
    "options": {"type": "array", "items": resource({
        "id": {"type": "integer"}, "label": STRING,
        "rank": {"type": "integer", "description": "1 is best; equal ranks tie."},
        "score": {"type": "integer",
                  "description": "Dates: « oui »; points: points; question: « +1 »."},
        "second": {"type": "integer", "description": "Dates: « si nécessaire »."},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"},
                   "description": "Answers per value: dates 0 no, 1 if need be, 2 yes; "
                                  "judgment grades 0 (À rejeter) to 6 (Excellent); consent "
                                  "0 objection, 1 abstention, 2 consent."},
        "majority_grade": {"type": ["integer", "null"],
                           "description": "Judgment: the majority grade, 0 to 6."},
    })},
})

DECISION = resource({
    "id": STRING,
    "kind": {"enum": ["dates", "consent", "judgment", "points", "question"]},
    "title": STRING, "description": STRING,
    "state": {"enum": ["open", "closed", "withdrawn"]},
    "opens_at": ANSWER_DATETIME, "closes_at": ANSWER_DATETIME,
    "audience": {"enum": ["community", "rencontre", "network"]},
    "anonymous": {"type": "boolean"}, "results_shown": {"enum": ["during", "after"]},
    "points_budget": NULLABLE_INTEGER, "shared": {"type": "boolean"},
    "adopted": {"type": ["boolean", "null"], "description": "Consent proposals, once closed."},
    "outcome": {"type": ["string", "null"], "description": "How it ended, in a sentence."},
    "url": STRING,
    "options": {"type": "array", "items": {"$ref": "#/components/schemas/DecisionOption"}},
    "results": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/DecisionResults"}],
                "description": "null while results are shown only after the close."},
})

COMPONENTS: dict[str, Schema] = {
    "Decision": DECISION, "DecisionOption": OPTION, "DecisionResults": RESULTS,
    "DecisionPage": page_of("Decision"),
    "Error": ERROR, "Venue": VENUE, "Occurrence": OCCURRENCE, "Event": EVENT,
    "Commune": COMMUNE, "Community": COMMUNITY, "Listing": LISTING, "Member": MEMBER,
    "EventCreate": EVENT_CREATE, "EventPatch": EVENT_PATCH, "EventCancel": EVENT_CANCEL,
    "VenueCreate": VENUE_CREATE, "VenuePatch": VENUE_PATCH, "CommunityPatch": COMMUNITY_PATCH,
    "EventCancelled": resource({"event": {"$ref": "#/components/schemas/Event"},
                                "notified": {"type": "integer",
                                             "description": "People told by e-mail."}}),
    "OccurrencePage": page_of("Occurrence"), "VenuePage": page_of("Venue"),
    "MemberPage": page_of("Member"),
}
