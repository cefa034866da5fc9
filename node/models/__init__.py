"""The node's domain: community, venues, accounts, members, events and RSVPs."""

from node.models.account import Account, AccountStatus, ApiToken, Invitation, Role
from node.models.base import VISIBILITY_ORDER, SharedRecord, Visibility, utcnow
from node.models.community import Community, ExtraCommune, SignupMode, Venue
from node.models.event import AnswerElsewhere, Event, Rsvp, RsvpStatus
from node.models.member import (
    DEFAULT_VISIBILITY,
    FIELDS_BY_GROUP,
    AddressBookEntry,
    FieldGroup,
    Listing,
    ListingKind,
    ListingState,
    Member,
)

__all__ = [
    "Account", "AccountStatus", "AddressBookEntry", "ApiToken", "Community", "DEFAULT_VISIBILITY",
    "Event", "ExtraCommune", "FIELDS_BY_GROUP", "FieldGroup", "Invitation", "Listing",
    "ListingKind", "ListingState", "Member", "Role", "Rsvp", "RsvpStatus", "SharedRecord",
    "SignupMode", "Venue", "VISIBILITY_ORDER", "Visibility", "utcnow",
]
__all__ += ["AnswerElsewhere"]

from node.models.sharing import FeedEntry, OutboxEntry  # noqa: E402

__all__ += ["FeedEntry", "OutboxEntry"]

from node.models.peering import (  # noqa: E402
    Admission,
    NetworkCopy,
    NodeIdentity,
    NodeKey,
    Peer,
    PeerKey,
    PeerRole,
    SeenNonce,
)

__all__ += ["Admission", "NetworkCopy", "NodeIdentity", "NodeKey", "Peer", "PeerKey",
            "PeerRole", "SeenNonce"]

from node.models.decision import (  # noqa: E402
    Audience,
    Ballot,
    BallotChoice,
    Decision,
    DecisionKind,
    DecisionOption,
    DecisionParticipant,
    DecisionState,
    RemoteTally,
    ResultsShown,
    Subject,
)
from node.models.governance import (  # noqa: E402
    Action,
    CalendarFeed,
    CharterVersion,
    Mandate,
    MeetingRecord,
    Notice,
)

__all__ += ["Action", "Audience", "Ballot", "BallotChoice", "CalendarFeed", "CharterVersion",
            "Decision", "DecisionKind", "DecisionOption", "DecisionParticipant",
            "DecisionState", "Mandate", "MeetingRecord", "Notice", "RemoteTally",
            "ResultsShown", "Subject"]

from node.models.villages import VillageMessage  # noqa: E402

__all__ += ["VillageMessage"]

from node.models.exchange import (  # noqa: E402
    AlertSettings,
    Answer,
    ListingReply,
    MatchSeen,
    Question,
)

__all__ += ["AlertSettings", "Answer", "ListingReply", "MatchSeen", "Question"]

from node.models.fediverse import fediverse_tables  # noqa: E402

__all__ += ["fediverse_tables"]
from node.models.signin import SignInCode, SignInConsent  # noqa: E402

__all__ += ["SignInCode", "SignInConsent"]

from node.models.contact import ContactBlock, ContactReceived, ContactSent  # noqa: E402

__all__ += ["ContactBlock", "ContactReceived", "ContactSent"]

from node.models.cooperation import Cooperation  # noqa: E402

__all__ += ["Cooperation"]

from node.models.network_contact import NetworkContact  # noqa: E402

__all__ += ["NetworkContact"]
