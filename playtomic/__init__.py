"""Framework-free access to the Playtomic consumer API: the client, its typed results and its
errors. The simulator lives in `playtomic.sandbox`. Nothing here imports Django."""

from playtomic import errors
from playtomic.client import CLIENT_VERSION, DEFAULT_BASE_URL, PlaytomicClient
from playtomic.errors import *  # noqa: F403 (every error, as errors.__all__ lists them)
from playtomic.timewindows import local_day_utc_windows
from playtomic.types import (
    Address,
    ClockEstimate,
    Court,
    CourtAvailability,
    DayHours,
    Match,
    MatchPlayer,
    Money,
    OpeningHours,
    PaymentIntent,
    PaymentMethod,
    Slot,
    Tenant,
    Tokens,
    parse_availability,
    parse_court,
    parse_court_availability,
    parse_match,
    parse_matches,
    parse_money,
    parse_payment_intent,
    parse_payment_method,
    parse_tenant,
    parse_tenants,
    parse_tokens,
)

__version__ = CLIENT_VERSION

__all__ = [
    "DEFAULT_BASE_URL",
    "Address",
    "ClockEstimate",
    "Court",
    "CourtAvailability",
    "DayHours",
    "Match",
    "MatchPlayer",
    "Money",
    "OpeningHours",
    "PaymentIntent",
    "PaymentMethod",
    "PlaytomicClient",
    "Slot",
    "Tenant",
    "Tokens",
    "__version__",
    "local_day_utc_windows",
    "parse_availability",
    "parse_court",
    "parse_court_availability",
    "parse_match",
    "parse_matches",
    "parse_money",
    "parse_payment_intent",
    "parse_payment_method",
    "parse_tenant",
    "parse_tenants",
    "parse_tokens",
]
__all__ += errors.__all__
